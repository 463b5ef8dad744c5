import csv
import io
import json
import re
import time

import pytest
from django.core.management import CommandError, call_command

from kohoshi.ingest.importers import split_issue_title
from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article, Issue, Newsletter

pytestmark = pytest.mark.django_db

HEADER = ["自治体名", "公開年月", "発行号タイトル", "記事タイトル", "カテゴリ", "記事本文"]


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def row(title="お知らせ", body="本文です。", date="2025.04.01", category="くらし", issue="広報テスト 第1号（2025年4月1日発行）"):
    return ["北海道苫小牧市", date, issue, title, category, body]


def run_import(*files):
    out = io.StringIO()
    call_command("import_csv", *map(str, files), stdout=out)
    return json.loads(out.getvalue())


def test_all_corpus_files_import_with_their_counts(corpus_csv_files):
    expected = 0
    for path in corpus_csv_files:
        with open(path, encoding="utf-8-sig", newline="") as f:
            expected += sum(1 for _ in csv.DictReader(f))
    started = time.perf_counter()
    result = run_import(*corpus_csv_files)
    elapsed = time.perf_counter() - started
    assert expected == 830
    assert len(result["issue_urls"]) == len(corpus_csv_files) == 27
    assert len(result["article_urls"]) == 830
    assert result["outcomes"] == {"created": 27, "updated": 0, "unchanged": 0}
    assert Issue.objects.published().count() == 27
    assert Article.objects.count() == 830
    assert Newsletter.objects.get().title == "広報あつぎ"
    first = Issue.objects.get(number="第1421号")
    assert first.published_on.isoformat() == "2024-04-15"
    assert first.newsletter.municipality.code == "142123"
    # Article URLs come in position order within each issue.
    assert result["article_urls"][0].endswith(f"{first.get_absolute_url()}1/")
    print(f"imported 830 corpus articles in {elapsed:.2f}s")


def test_reimporting_the_same_files_changes_nothing(corpus_csv_files):
    files = corpus_csv_files[:3]
    first = run_import(*files)
    before = list(Article.objects.order_by("pk").values_list("pk", "number", "updated_at"))
    second = run_import(*files)
    assert second["outcomes"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert second["article_urls"] == first["article_urls"]
    assert list(Article.objects.order_by("pk").values_list("pk", "number", "updated_at")) == before


def test_changed_file_updates_articles_in_place_keeping_their_urls(tmp_path):
    path = write_csv(tmp_path / "012131_test.csv", [row("一", "本文一"), row("二", "本文二"), row("三", "本文三")])
    first = run_import(path)
    write_csv(path, [row("一", "本文一を直しました"), row("二", "本文二")])
    second = run_import(path)
    assert second["outcomes"]["updated"] == 1
    assert second["article_urls"] == first["article_urls"][:2]
    assert list(Article.objects.order_by("position").values_list("title", "body_source")) == [
        ("一", "本文一を直しました"),
        ("二", "本文二"),
    ]


def test_municipality_comes_from_the_name_when_the_file_name_has_no_code(tmp_path):
    path = write_csv(tmp_path / "tomakomai.csv", [row()])
    run_import(path)
    assert Newsletter.objects.get().municipality.code == "012131"


def test_unknown_category_falls_back_to_sonota_with_a_warning(tmp_path):
    path = write_csv(tmp_path / "012131_x.csv", [row(category="防犯")])
    result = run_import(path)
    assert Article.objects.get().category.name == "その他"
    assert any("防犯" in w for w in result["warnings"])


@pytest.mark.parametrize(
    "name, rows, header, encoding, expected",
    [
        ("999999_bad.csv", [row()], HEADER, "utf-8", ("999999_bad.csv", None, "ファイル名", "チェックディジット")),
        ("012130_bad.csv", [row()], HEADER, "utf-8", ("012130_bad.csv", None, "ファイル名", "チェックディジット")),
        ("011100_bad.csv", [row()], HEADER, "utf-8", ("011100_bad.csv", None, "ファイル名", None)),
        ("012131_cols.csv", [row()[:5]], HEADER[:5], "utf-8", ("012131_cols.csv", 1, "記事本文", "列がありません")),
        ("012131_date.csv", [row(), row(date="2025.13.40")], HEADER, "utf-8", ("012131_date.csv", 3, "公開年月", "日付")),
        ("012131_body.csv", [row(), row(), row(body="  ")], HEADER, "utf-8", ("012131_body.csv", 4, "記事本文", "空")),
        ("012131_title.csv", [row(title="")], HEADER, "utf-8", ("012131_title.csv", 2, "記事タイトル", "空")),
        ("012131_sjis.csv", [row(), row(body="ｼﾌﾄJISの本文")], HEADER, "cp932", ("012131_sjis.csv", 1, None, "UTF-8")),
        ("nocode.csv", [["架空県架空市", "2025.04.01", "広報 第1号", "t", "くらし", "b"]], HEADER, "utf-8", ("nocode.csv", 2, "自治体名", "見つかりません")),
    ],
)
def test_bad_input_stops_that_issue_naming_file_row_and_field(tmp_path, name, rows, header, encoding, expected):
    path = write_csv(tmp_path / name, rows, header=header, encoding=encoding)
    good = write_csv(tmp_path / "012131_good.csv", [row(issue="広報テスト 第2号（2025年5月1日発行）", date="2025.05.01")])
    report = files_import([path, good], kind="csv")
    assert len(report.errors) == 1
    error = report.errors[0]
    file, line, field, text = expected
    assert error.file.endswith(file)
    assert error.row == line
    assert error.field == field
    if text:
        assert text in str(error)
    # Nothing of the bad file was saved; the good file still imported.
    assert list(Issue.objects.values_list("number", flat=True)) == ["第2号"]


def test_command_exits_non_zero_and_prints_the_error(tmp_path):
    path = write_csv(tmp_path / "012131_date.csv", [row(date="昨日")])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_csv", str(path), stdout=io.StringIO(), stderr=err)
    assert f"{path}:2: 公開年月:" in err.getvalue()
    assert Issue.objects.count() == 0


def test_a_failure_while_saving_rolls_back_the_whole_issue(tmp_path, monkeypatch):
    from kohoshi.newsletters import services

    path = write_csv(tmp_path / "012131_x.csv", [row("一", "本文一"), row("二", "本文二"), row("三", "本文三")])
    original = services.render_body

    def explode_on_third(text, **kwargs):
        if text == "本文三":
            raise RuntimeError("renderer crashed")
        return original(text, **kwargs)

    monkeypatch.setattr(services, "render_body", explode_on_third)
    with pytest.raises(RuntimeError):
        files_import([path], kind="csv")
    assert Issue.objects.count() == 0
    assert Article.objects.count() == 0
    assert Newsletter.objects.count() == 0


@pytest.mark.parametrize(
    "title, expected",
    [
        ("広報あつぎ 第1421号（2024年4月15日発行）", ("広報あつぎ", "第1421号")),
        ("広報とまこまい第 12 号", ("広報とまこまい", "第12号")),
        ("市民のひろば（2025年4月号）", ("市民のひろば", "")),
    ],
)
def test_issue_title_splits_into_newsletter_and_number(title, expected):
    assert split_issue_title(title) == expected


def test_credit_option_sets_the_attribution_shown_under_articles(tmp_path, client):
    path = write_csv(tmp_path / "012131_x.csv", [row()])
    call_command("import_csv", str(path), "--credit", "出典: テスト市 CC BY 4.0", stdout=io.StringIO())
    article = Article.objects.get()
    assert "出典: テスト市 CC BY 4.0" in client.get(article.get_absolute_url()).content.decode()


def test_titles_are_repaired_like_bodies_and_shown_repaired(client, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(title="6月1日?7日は水道週間"), row(title="何が変わる?")])
    run_import(path)
    article = Article.objects.get(position=1)
    assert article.title == "6月1日〜7日は水道週間"
    assert Article.objects.get(position=2).title == "何が変わる?"  # a real question stays
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<h1 id="article-title" lang="ja">6月1日〜7日は水道週間</h1>' in html
    assert "6月1日?7日" not in html


def test_import_output_lists_what_could_not_be_repaired(tmp_path):
    body = "■講演会\n講師：山?　太郎さん\n\n問合せ：?木\n【電話】090-0000-0000"
    result = run_import(write_csv(tmp_path / "a.csv", [row(title="講演会", body=body), row()]))
    unrepaired = result["unrepaired"]
    assert len(unrepaired) == 2
    assert "記事1「講演会」の本文" in unrepaired[0] and "山?" in unrepaired[0]
    assert "?木" in unrepaired[1]


@pytest.mark.corpus
def test_corpus_titles_keep_no_lost_wave_dash(corpus_csv_files):
    from kohoshi.ingest.importers import read_csv

    titles = [a.title for path in corpus_csv_files for issue in read_csv(path) for a in issue.articles]
    assert len(titles) == 830
    assert not [t for t in titles if re.search(r"\d[日時]?\?\d", t)]
