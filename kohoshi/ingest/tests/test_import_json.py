import io
import json

import pytest
from django.core.management import CommandError, call_command

from kohoshi.ingest.importers import issue_json_schema
from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article, Issue

pytestmark = pytest.mark.django_db


def document(**overrides):
    doc = {
        "municipality": "012131",
        "newsletter": {"title": "広報とまこまい"},
        "issue": {"title": "広報とまこまい 4月号", "published_on": "2024-04-01"},
        "articles": [
            {"title": "一", "category": "くらし", "body": "■見出し\n本文"},
            {"title": "二", "category": "子育て", "body": "本文二"},
        ],
    }
    doc.update(overrides)
    return doc


def write(tmp_path, doc, name="issue.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False) if not isinstance(doc, str) else doc, encoding="utf-8")
    return path


def test_json_issue_imports_and_prints_urls_in_position_order(tmp_path):
    out = io.StringIO()
    call_command("import_issue", str(write(tmp_path, document())), stdout=out)
    result = json.loads(out.getvalue())
    issue = Issue.objects.get()
    assert result["issue_urls"] == [f"http://127.0.0.1:8000{issue.get_absolute_url()}"]
    assert [u.rsplit("/", 2)[-2] for u in result["article_urls"]] == ["1", "2"]
    assert issue.is_public()
    assert list(Article.objects.values_list("title", "category__name")) == [("一", "くらし"), ("二", "子育て")]


def test_the_seed_article_is_sixth_of_37(seed_issue_file):
    report = files_import([seed_issue_file], kind="json")
    assert not report.errors
    article = Article.objects.get(title="市政方針(2)")
    assert (article.position, article.issue.articles.count()) == (6, 37)
    assert article.issue.newsletter.municipality.full_name == "北海道苫小牧市"


def test_reimport_of_the_same_json_is_unchanged(tmp_path):
    path = write(tmp_path, document())
    files_import([path], kind="json")
    report = files_import([path], kind="json")
    assert report.as_dict()["outcomes"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert Article.objects.count() == 2


@pytest.mark.parametrize(
    "doc, field, text",
    [
        (document(municipality="012132"), "municipality", "チェックディジット"),
        (document(municipality="011100"), "municipality", "登録されていません"),
        (document(municipality="12131"), "municipality", None),
        (document(issue={"title": "x", "published_on": "2024-02-30"}), "issue.published_on", None),
        (document(articles=[]), "articles", None),
        (document(articles=[{"title": "a", "body": " "}]), "articles[0].body", None),
        (document(articles=[{"title": "a", "body": "b"}, {"body": "b"}]), "articles[1].title", None),
        (document(newsletter={}), "newsletter.title", None),
        (document(extra=1), "extra", None),
    ],
)
def test_bad_json_names_the_field_and_saves_nothing(tmp_path, doc, field, text):
    report = files_import([write(tmp_path, doc)], kind="json")
    [error] = report.errors
    assert error.field == field
    if text:
        assert text in error.message
    assert Issue.objects.count() == 0


def test_invalid_json_names_the_line(tmp_path):
    path = write(tmp_path, '{\n  "municipality": "012131",\n  oops\n}')
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_issue", str(path), stdout=io.StringIO(), stderr=err)
    assert f"{path}:3:" in err.getvalue()


def test_published_schema_matches_the_importer():
    from pathlib import Path

    shipped = json.loads((Path(__file__).resolve().parents[3] / "docs" / "issue.schema.json").read_text())
    assert shipped == issue_json_schema()
