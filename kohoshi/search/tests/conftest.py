"""Search test data: the Atsugi corpus (830 articles) and the Tomakomai seed article, imported once
per test module (outside the per-test transactions) and removed afterwards."""
import json

import pytest
from django.core.management import call_command

from kohoshi.newsletters.models import Issue, Newsletter
from kohoshi.search.models import SearchDocument, SearchMiss

SEED_MUNICIPALITY = "012131"
SEED_TITLE = "市政方針(2)"


def seed_body(seed_text: str) -> str:
    """The seed article: the lines between 北海道苫小牧市 and <この記事について…."""
    lines = seed_text.splitlines()
    start = lines.index("北海道苫小牧市") + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("<この記事について"))
    return "\n".join(lines[start:end]).strip()


def seed_issue_json(seed_text: str, path) -> str:
    doc = {
        "municipality": SEED_MUNICIPALITY,
        "newsletter": {"title": "広報とまこまい"},
        "issue": {"title": "広報とまこまい 2024年4月号", "published_on": "2024-04-01", "number": "2024年4月号"},
        "articles": [{"title": SEED_TITLE, "category": "くらし", "body": seed_body(seed_text), "pages": "6"}],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _cleanup():
    SearchMiss.objects.all().delete()
    SearchDocument.objects.all().delete()
    for issue in Issue.objects.all():
        issue.articles.all().delete()
    Issue.objects.all().delete()
    Newsletter.objects.all().delete()


@pytest.fixture(scope="module")
def search_corpus(django_db_setup, django_db_blocker, corpus_csv_files, seed_text, tmp_path_factory):
    """Everything imported through the real import commands, so the index follows imports."""
    json_path = seed_issue_json(seed_text, tmp_path_factory.mktemp("seed") / "seed.json")
    with django_db_blocker.unblock():
        _cleanup()
        call_command("import_csv", *map(str, corpus_csv_files), verbosity=0)
        call_command("import_issue", json_path, verbosity=0)
    yield
    with django_db_blocker.unblock():
        _cleanup()
