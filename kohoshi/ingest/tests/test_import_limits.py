"""Hostile or broken import files: each gives a located error, saves nothing of its issue, and
the files after it are still imported (issue #7). Run on SQLite and on PostgreSQL: PostgreSQL
refuses NUL and over-long values that SQLite silently stores."""
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DataError

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article, Issue

from .test_import_csv import write_csv, row

pytestmark = pytest.mark.django_db
GOOD_ISSUE = "広報テスト 第2号（2025年5月1日発行）"


def good_csv(tmp_path):
    return write_csv(tmp_path / "012131_good.csv", [row(issue=GOOD_ISSUE, date="2025.05.01")])


def json_doc(**article):
    return {
        "municipality": "012131",
        "newsletter": {"title": "広報とまこまい"},
        "issue": {"title": "広報とまこまい 4月号", "published_on": "2024-04-01"},
        "articles": [{"title": "一", "category": "くらし", "body": "本文"} | article],
    }


def only_the_good_issue_was_saved():
    return list(Issue.objects.values_list("number", flat=True)) == ["第2号"]


@pytest.mark.parametrize(
    "rows, line, field",
    [
        # One field beyond csv.field_size_limit() (131,072 characters).
        ([row(), row(), row(body="あ" * 131_073)], 4, "記事本文"),
        ([row(), row(title="長" * 131_073)], 3, "記事タイトル"),
        ([row(title="長" * 301)], 2, "記事タイトル"),
        ([row(issue="広報テスト 第1号" + "長" * 200)], 2, "発行号タイトル"),
        ([row(issue="長" * 101 + " 第1号")], 2, "発行号タイトル"),
        ([row(issue="広報テスト 第1" + "0" * 50 + "号")], 2, "発行号タイトル"),
        ([row(), row(title="お知\x00らせ")], 3, "記事タイトル"),
        ([row(body="本文\x00です")], 2, "記事本文"),
        ([row(category="くら\x00し")], 2, "カテゴリ"),
        ([row(title="お知\x01らせ")], 2, "記事タイトル"),
        ([row(issue="広報テスト\x00 第1号")], 2, "発行号タイトル"),
    ],
)
def test_bad_csv_value_is_located_and_the_next_file_still_imports(tmp_path, rows, line, field):
    bad = write_csv(tmp_path / "012131_bad.csv", rows)
    report = files_import([bad, good_csv(tmp_path)], kind="csv")
    [error] = report.errors
    assert (error.file, error.row, error.field) == (str(bad), line, field)
    assert only_the_good_issue_was_saved()


def test_nul_in_the_municipality_name_is_located(tmp_path):
    bad = write_csv(tmp_path / "nocode.csv", [["北海道\x00苫小牧市", "2025.04.01", "広報 第1号", "t", "くらし", "b"]])
    report = files_import([bad, good_csv(tmp_path)], kind="csv")
    [error] = report.errors
    assert (error.row, error.field) == (2, "自治体名")
    assert only_the_good_issue_was_saved()


def test_a_body_as_long_as_the_limit_imports(tmp_path):
    from kohoshi.ingest.importers import BODY_MAX_LENGTH

    path = write_csv(tmp_path / "012131_long.csv", [row(body="あ" * BODY_MAX_LENGTH)])
    assert files_import([path], kind="csv").errors == []
    assert len(Article.objects.get().body_source) == BODY_MAX_LENGTH


@pytest.mark.parametrize(
    "doc, field",
    [
        (json_doc(body="本文\u0000です"), "articles[0].body"),
        (json_doc(title="\u0000"), "articles[0].title"),
        (json_doc(title="a\ud800b"), "articles[0].title"),
        (json_doc(category="\u0007"), "articles[0].category"),
        (json_doc(body="あ" * 131_073), "articles[0].body"),
        (json_doc(title="長" * 301), "articles[0].title"),
    ],
)
def test_bad_json_value_is_located_and_the_next_file_still_imports(tmp_path, doc, field):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")  # ASCII escapes: \u0000 and lone surrogates survive
    good = tmp_path / "good.json"
    good.write_text(json.dumps(json_doc() | {"issue": {"title": "第2号", "number": "第2号", "published_on": "2025-05-01"}}))
    report = files_import([bad, good], kind="json")
    [error] = report.errors
    assert (error.file, error.field) == (str(bad), field)
    assert only_the_good_issue_was_saved()


def test_json_nested_100000_deep_is_refused_naming_the_line(tmp_path):
    bad = tmp_path / "deep.json"
    bad.write_text('{"municipality": "012131",\n "articles": ' + "[" * 100_000 + "]" * 100_000 + "}")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(json_doc() | {"issue": {"title": "第2号", "number": "第2号", "published_on": "2025-05-01"}}))
    report = files_import([bad, good], kind="json")
    [error] = report.errors
    assert (error.file, error.row) == (str(bad), 2)
    assert "入れ子" in error.message
    assert only_the_good_issue_was_saved()


def test_a_database_error_while_saving_is_reported_and_later_files_still_import(tmp_path, monkeypatch):
    from kohoshi.ingest import services

    original = services.issue_import

    def refuse_first(data, **kwargs):
        if data.number == "第1号":
            raise DataError("value too long for type character varying(300)")
        return original(data, **kwargs)

    monkeypatch.setattr(services, "issue_import", refuse_first)
    bad = write_csv(tmp_path / "012131_bad.csv", [row()])
    report = files_import([bad, good_csv(tmp_path)], kind="csv")
    [error] = report.errors
    assert error.file == str(bad) and "第1号" in error.message
    assert only_the_good_issue_was_saved()


@pytest.mark.parametrize("command, suffix", [("import_csv", ".csv"), ("import_issue", ".json")])
def test_command_prints_the_report_and_exits_non_zero_after_trying_every_file(tmp_path, command, suffix):
    if suffix == ".csv":
        bad = write_csv(tmp_path / "012131_bad.csv", [row(body="x" * 200_000)])
        good = good_csv(tmp_path)
    else:
        bad = tmp_path / "bad.json"
        bad.write_text("[" * 100_000)
        good = tmp_path / "good.json"
        good.write_text(json.dumps(json_doc() | {"issue": {"title": "第2号", "number": "第2号", "published_on": "2025-05-01"}}))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(command, str(bad), str(good), stdout=out, stderr=err)
    report = json.loads(out.getvalue())
    assert len(report["issue_urls"]) == 1
    [error] = report["errors"]
    assert error["file"] == str(bad) and error["row"]
    assert f"{bad}:" in err.getvalue()
