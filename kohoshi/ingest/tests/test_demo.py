import io
import json

import pytest
from django.core.management import call_command

from kohoshi.newsletters.models import Article, Issue

pytestmark = pytest.mark.django_db


def test_load_demo_loads_samples_marked_as_such_and_is_idempotent(tmp_path, client):
    out = io.StringIO()
    call_command("load_demo", "--shared", str(tmp_path), stdout=out, stderr=io.StringIO())
    summary = json.loads(out.getvalue())
    assert summary["errors"] == []
    assert summary["samples"]["created"] == Issue.objects.count() >= 3
    assert all("サンプル" in issue.newsletter.title for issue in Issue.objects.select_related("newsletter"))
    for article in Article.objects.with_place()[:10]:
        assert client.get(article.get_absolute_url(), HTTP_USER_AGENT="Mozilla/5.0").status_code == 200
    again = io.StringIO()
    call_command("load_demo", "--shared", str(tmp_path), stdout=again, stderr=io.StringIO())
    assert json.loads(again.getvalue())["samples"]["unchanged"] == Issue.objects.count()


def test_load_demo_imports_the_corpus_with_its_credit(corpus_csv_files, client):
    shared = corpus_csv_files[0].parents[3]
    call_command("load_demo", "--shared", str(shared), stdout=io.StringIO())
    article = Article.objects.filter(issue__newsletter__title="広報あつぎ").with_place().first()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "CC BY 4.0" in html
