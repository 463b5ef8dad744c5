"""Line building and article splitting rules found on real newsletters (issue 11).

Geometry and typography are built in the test (glyphs with the boxes real producers
give, lines with the sizes real issues use); the text is written for these tests.
The last test reads the real PDFs of ``$INGEST_REAL_DIR`` and skips without them."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

from kohoshi.ingest.pdf.layout import Char, Line, build_lines, char_directions, order_lines
from kohoshi.ingest.pdf.split import assemble, fragment_title

REAL = Path(os.environ.get("INGEST_REAL_DIR", "/work/ingest-real"))
TRUTH = Path(__file__).resolve().parents[3] / "bench" / "ingest" / "real_truth"


def _glyphs(text: str, x: float, top: float, size: float, *, box: float = 1.0, advance: float = 1.0, seq: int = 0) -> list[Char]:
    """One horizontal line of full-width glyphs whose loose boxes are ``box`` em tall and
    one em wide, placed every ``advance`` em."""
    out = []
    for i, ch in enumerate(text):
        x0 = x + i * advance * size
        out.append(Char(ch, x0, top, x0 + size, top + box * size, size, seq=seq + i))
    return out


def test_horizontal_lines_with_tall_loose_boxes_are_read_as_horizontal():
    # Illustrator: boxes 1.4 em tall (ascent + descent), lines 1.19 em apart, so each glyph's
    # box overlaps the one below it more than it is apart from the next letter
    size = 11.34
    chars = _glyphs("先住民のお母さんは助産師に", 50, 90, size, box=1.4) + _glyphs("子育てに対する正しい知識が", 50, 90 + 1.19 * size, size, box=1.4, seq=100)
    char_directions(chars)
    assert {c.dir for c in chars} == {"h"}
    lines, _ = build_lines(chars, body=size)
    assert sorted(ln.text for ln in lines) == ["先住民のお母さんは助産師に", "子育てに対する正しい知識が"]
    assert not any(ln.vertical for ln in lines)


def test_brackets_set_in_half_a_cell_stay_on_their_line():
    # 「市長」と「議員」の (PDFill, 9.5 pt): the brackets' one-em boxes overlap their
    # neighbours by half an em; x positions as the file has them
    size = 9.5
    xs = [61.7, 71.2, 80.6, 90.1, 94.8, 99.5, 108.9, 118.4, 127.8, 132.5]
    chars = [Char(ch, x, 83.4, x + size, 83.4 + size, size, seq=i) for i, (ch, x) in enumerate(zip("「市長」と「議員」の", xs))]
    lines, _ = build_lines(chars, body=size)
    assert [ln.text for ln in lines] == ["「市長」と「議員」の"]


def test_a_small_list_bullet_joins_the_line_it_stands_before():
    size = 10.6
    bullet = Char("●", 44.0, 82.0, 51.0, 91.0, 7.1, seq=0)
    lines, _ = build_lines([bullet, *_glyphs("脳の発達にも影響を与える", 55.0, 79.0, size, seq=2)], body=size)
    assert [ln.text for ln in lines] == ["●脳の発達にも影響を与える"]


def _line(text: str, top: float, size: float, *, page: int, font: str = "Body", x0: float = 40.0, width: float = 400.0) -> Line:
    x1 = min(x0 + len(text) * size, x0 + width)
    return Line(
        text=text, x0=x0, top=top, x1=x1, bottom=top + size, size=size, font=font, page=page,
        a0=x0, a1=x1, c0=top, c1=top + size, column=0, column_end=x0 + width,
    )


def _body(top: float, page: int, n: int = 3) -> list[Line]:
    sentence = "会議で市の取り組みについて質問し、改善を提案しました。"
    return [_line(sentence, top + 16 * k, 10.0, page=page) for k in range(n)]


def test_a_page_title_tier_makes_the_other_large_type_sections_of_its_article():
    # a report of one article per page: every page opens with the same 15-point style;
    # speech bubbles and numbered sections are set at 13–14 points under it
    pages = []
    for p in range(1, 5):
        lines = [_line(f"第{p}章のまとめと今後の課題", 30, 15.0, page=p, font="Head")]
        lines += _body(60, p)
        lines += [_line(f"{p}つ目の取り組みの報告", 130, 14.0, page=p, font="Bubble")]
        lines += _body(160, p)
        lines += [_line("次の会議で確認すること", 230, 13.0, page=p, font="Sub")]
        lines += _body(260, p)
        pages.append((lines, 10.0))
    articles, _ = assemble(pages)
    assert [a.title for a in articles] == [f"第{p}章のまとめと今後の課題" for p in range(1, 5)]
    assert "■1つ目の取り組みの報告" in articles[0].body


def test_without_a_page_title_tier_every_title_size_line_starts_an_article():
    # two pages of several articles each (a municipal newsletter): nothing changes
    pages = []
    for p in (1, 2):
        lines = []
        for k in range(3):
            lines += [_line(f"お知らせ{p}の{k + 1}番目の記事", 30 + 100 * k, 15.0, page=p, font="Head")]
            lines += _body(55 + 100 * k, p)
        pages.append((lines, 10.0))
    articles, _ = assemble(pages)
    assert len(articles) == 6


def _labelled_title(label: str, label_size: float, title: str, title_size: float, top: float, page: int) -> list[Line]:
    """A label box and a display title on one visual row, bottoms aligned (as a designer sets a
    country's name before the title of its spread)."""
    lx1 = 40 + len(label) * label_size
    return [
        _line(label, top + title_size - label_size, label_size, page=page, font="Label", width=lx1 - 40),
        _line(title, top, title_size, page=page, font="Head", x0=lx1 + 24, width=title_size * len(title)),
    ]


def test_a_smaller_label_before_a_title_on_its_row_is_the_articles_first_line_not_its_title():
    # an activity report: each spread opens with a 21 pt country label beside a 26 pt title
    pages = []
    for p, (label, title) in enumerate([("グアテマラ", "子どもの栄養を守りたい"), ("リベリア", "学校に通える未来を")], 1):
        lines = _labelled_title(label, 21.0, title, 26.0, 40, p) + _body(90, p)
        pages.append((order_lines(lines, width=595, body=10.0, vertical=False), 10.0))
    articles, _ = assemble(pages)
    assert [a.title for a in articles] == ["子どもの栄養を守りたい", "学校に通える未来を"]
    assert articles[0].body.startswith("グアテマラ\n") and "会議で市の取り組み" in articles[0].body


def test_a_row_of_one_size_stays_one_title():
    lines = _labelled_title("第3回", 26.0, "市民のつどいを開きます", 26.0, 40, 1) + _body(90, 1)
    articles, _ = assemble([(order_lines(lines, width=595, body=10.0, vertical=False), 10.0)])
    assert [a.title for a in articles] == ["第3回 市民のつどいを開きます"]  # the same type: one title


def test_a_masthead_before_the_first_title_is_not_published():
    lines = [
        _line("松ケ丘小学校", 20, 10.0, page=1, x0=300, width=100),
        _line("地区だより 第1号", 34, 10.0, page=1, x0=300, width=100),
        _line("2021年7月19日", 48, 10.0, page=1, x0=300, width=100),
        _line("夏まつりの開催について", 80, 14.0, page=1, font="Head"),
        *_body(105, 1),
    ]
    articles, warnings = assemble([(lines, 10.0)])
    assert [a.title for a in articles] == ["夏まつりの開催について"]
    assert any("題字" in w for w in warnings)


def test_untitled_text_that_is_all_the_issue_is_kept_as_a_draft():
    """Nothing else was found: it is the content with an unrecognised title, not a masthead."""
    lines = [_line("図書館まつりのお知らせ", 20, 10.0, page=1), _line("本の交換会を開きます。", 34, 10.0, page=1)]
    articles, warnings = assemble([(lines, 10.0)])
    assert len(articles) == 1 and "本の交換会" in articles[0].body
    assert not any("題字" in w for w in warnings)


def test_a_number_set_large_is_no_title():
    lines = [
        _line("公園整備の請願が採択", 30, 15.0, page=1, font="Head"),
        *_body(55, 1),
        _line("03", 110, 14.0, page=1, font="Num"),
        *_body(135, 1),
    ]
    articles, _ = assemble([(lines, 10.0)])
    assert [a.title for a in articles] == ["公園整備の請願が採択"]
    assert fragment_title("03｜04") and fragment_title("ふ") and fragment_title("市長｜議案｜議会")
    assert not fragment_title("募集") and not fragment_title("募集(2)")


@pytest.mark.parametrize("name", ["yasutake-flat-report-r5sp", "matsu-oyaji-from-oyaji-vol1"])
def test_real_text_layer_newsletters_split_into_the_judged_articles(name):
    pdf, truth = REAL / f"{name}.pdf", TRUTH / f"{name}.json"
    if not pdf.exists() or not truth.exists():
        pytest.skip(f"{pdf} not available (real PDFs are never committed)")
    from kohoshi.ingest.pdf import extract_issue

    def key(title: str) -> str:
        return unicodedata.normalize("NFKC", title).replace("・", "").replace(" ", "")

    judged = json.loads(truth.read_text(encoding="utf-8"))["articles"]
    issue = extract_issue(pdf)
    assert [(key(a.title), a.pages[0]) for a in issue.articles] == [(key(a["title"]), a["pages"][0]) for a in judged]
    bodies = [ln for a in issue.articles for ln in a.body.split("\n") if ln.strip()]
    assert sum(1 for ln in bodies if len(ln.strip()) == 1) == 0


# --------------------------------------------------------------------------- scanned issues (OCR)

SCAN_BODY = 10.5


def _scan(text: str, top: float, size: float, *, page: int, x0: float = 90.0, width: float = 440.0) -> Line:
    """A line as OCR gives it: no face, its size measured from the ink."""
    ln = _line(text, top, size, page=page, font="", x0=x0, width=width)
    ln.ocr = True
    return ln


def _scan_body(top: float, page: int, n: int = 3) -> list[Line]:
    sentence = "市議会で市の取り組みについて質問し、改善を提案しました。"
    return [_scan(sentence, top + 20.5 * k, SCAN_BODY, page=page) for k in range(n)]


def _scanned_report() -> list[tuple[list[Line], float]]:
    """A councillor's report as its scan reads (sizes as RapidOCR measured them on a real one):
    titles 16.6–17.3 pt over running text, checkbox subheadings 13.3–14.0 pt, a call-out list set
    as large as the titles, a cover of teasers each over one line of deck, a profile box."""
    cover = [
        _scan("市政レポート秋冬号", 40, 28.0, page=1),
        _scan("記録更新が続く公園整備", 100, 24.4, page=1), _scan("ふるさと納税で歳入が増えました", 132, SCAN_BODY, page=1),
        _scan("固定級 理想の開設に向けて", 160, 15.1, page=1), _scan("ご署名ありがとうございました", 190, SCAN_BODY, page=1),
        _scan("いじめ重大事態の周知", 220, 26.2, page=1), _scan("基本方針も改訂へ", 252, SCAN_BODY, page=1),
        _scan("市議会議員 山田太郎", 300, 58.0, page=1),
    ]
    p2 = [
        _scan("公園整備の請願が採択されました", 40, 16.6, page=2), *_scan_body(75, 2),
        _scan("ふるさと納税で千万円超", 150, 18.7, page=2, x0=290, width=240),
        _scan("市民主催のワークショップ", 178, 16.2, page=2, x0=290, width=240),
        _scan("一歩踏み込んだ市との協働", 206, 16.6, page=2, x0=290, width=240),
        _scan("新たな補助金の活用", 234, 16.2, page=2, x0=290, width=240),
        _scan("寄附金と補助金の合計", 270, 13.7, page=2), *_scan_body(302, 2),
    ]
    p3 = [*_scan_body(40, 3), _scan("メディア等での紹介", 120, 13.5, page=3), *_scan_body(152, 3)]
    p4 = [
        _scan("固定級が設置されることに", 40, 17.3, page=4), *_scan_body(75, 4),
        _scan("分断につながるというのは誤解", 150, 13.7, page=4), *_scan_body(182, 4),
    ]
    p5 = [
        _scan("全会一致で採択された、子どもへの過剰な制限の", 40, 16.9, page=5),
        _scan("緩和を求める請願", 62, 16.9, page=5), *_scan_body(97, 5),
        _scan("いじめ重大事態の周知が進みます", 180, 17.3, page=5), *_scan_body(215, 5),
    ]
    p6 = [
        _scan("北側の土地売却と大規模開発", 40, 16.6, page=6), *_scan_body(75, 6),
        _scan("山田太郎", 160, 33.5, page=6), _scan("略歴", 200, 6.7, page=6), _scan("市立小学校卒業", 210, 8.8, page=6),
    ]
    return [(lines, SCAN_BODY) for lines in (cover, p2, p3, p4, p5, p6)]


def test_a_scanned_reports_title_tier_names_its_articles_and_the_rest_is_sections():
    articles, warnings = assemble(_scanned_report())
    assert [(a.title, a.pages) for a in articles] == [
        ("公園整備の請願が採択されました", [2, 3]),
        ("固定級が設置されることに", [4]),
        ("全会一致で採択された、子どもへの過剰な制限の 緩和を求める請願", [5]),
        ("いじめ重大事態の周知が進みます", [5]),
        ("北側の土地売却と大規模開発", [6]),
    ]
    assert "■寄附金と補助金の合計" in articles[0].body and "■メディア等での紹介" in articles[0].body
    assert "■市民主催のワークショップ" in articles[0].body  # as large as a title, but heads no text
    assert any("題字" in w for w in warnings)  # the cover of teasers is not published


def test_a_scanned_newsletter_of_several_articles_a_page_keeps_every_title():
    # three articles a page, every title in one style: no one-article-per-page tier
    pages = []
    for p in (1, 2, 3):
        lines = []
        for k in range(3):
            lines += [_scan(f"お知らせ{p}の{k + 1}番目の記事", 30 + 110 * k, 15.0, page=p), *_scan_body(60 + 110 * k, p)]
        pages.append((lines, SCAN_BODY))
    articles, _ = assemble(pages)
    assert len(articles) == 9


def test_a_scanned_newsletter_whose_titles_do_not_all_head_text_keeps_every_title():
    # two articles a page in one title style that the scan measured apart (16.5 and 18.3 pt);
    # the larger titles stand over a deck, not over body text: no report's tiers here
    pages = []
    for p in range(1, 5):
        lines = [_scan(f"市民まつり{p}のお知らせ", 30, 16.5, page=p), *_scan_body(60, p)]
        lines += [_scan(f"【特集】防災訓練{p}を行います", 140, 18.3, page=p), _scan("会場は中央公園です", 172, 12.7, page=p)]
        lines += _scan_body(200, p)
        pages.append((lines, SCAN_BODY))
    articles, _ = assemble(pages)
    assert len(articles) == 8


def test_a_scanned_feature_title_set_larger_than_the_usual_titles_stays_a_title():
    pages = [([_scan("特集 みんなでつくるまち", 30, 22.0, page=1), *_scan_body(65, 1)], SCAN_BODY)]
    for p in range(2, 5):
        lines = [_scan(f"お知らせ{p}の記事です", 30, 16.5, page=p), *_scan_body(60, p)]
        lines += [_scan(f"申し込み方法{p}", 140, 13.5, page=p), *_scan_body(170, p)]
        pages.append((lines, SCAN_BODY))
    articles, _ = assemble(pages)
    assert articles[0].title == "特集 みんなでつくるまち" and articles[0].pages == [1]


def test_a_row_joined_from_ocr_pieces_is_still_ocr():
    pieces = [_scan("旧佐川邸の公園整備", 40, 16.6, page=1, width=150), _scan("実施設計の大詰めへ", 44, 12.0, page=1, x0=250, width=120)]
    row = order_lines([*pieces, *_scan_body(75, 1)], width=595, body=SCAN_BODY, vertical=False)[0]
    assert row.text.startswith("旧佐川邸の公園整備") and "実施設計" in row.text and row.ocr


@pytest.mark.heavy
@pytest.mark.parametrize("name", ["yasutake-flat-report-r4dfw", "yasutake-flat-report-r4w"])
def test_real_scanned_reports_split_into_the_judged_articles(name):
    """Image-only reports read by RapidOCR: one draft per judged article, on its page (the
    titles as read may carry the subtitle printed after them)."""
    from kohoshi.ingest.pdf import extract_issue, ocr

    pdf, truth = REAL / f"{name}.pdf", TRUTH / f"{name}.json"
    if not pdf.exists() or not truth.exists():
        pytest.skip(f"{pdf} not available (real PDFs are never committed)")
    if ocr.engine_name() != "rapidocr":
        pytest.skip("RapidOCR is not installed")

    def key(title: str) -> str:
        return unicodedata.normalize("NFKC", title).replace(" ", "")

    judged = json.loads(truth.read_text(encoding="utf-8"))["articles"]
    issue = extract_issue(pdf)
    assert len(issue.articles) == len(judged)
    for want in judged:
        assert any(key(a.title).startswith(key(want["title"])) and want["pages"][0] in a.pages for a in issue.articles), want["title"]
