"""Reading order and article boundaries on designer layouts (issue 11, layout pass).

Each behaviour is checked on a small page: printed by Chromium from HTML written
here (a producer we do not steer), or, for pure geometry, on lines and glyphs
built in the test.  The text is written for these tests (no corpus sentences)."""

from __future__ import annotations

import re

import pytest

from kohoshi.ingest.pdf import extract_issue
from kohoshi.ingest.pdf.layout import Char, Line, build_lines, find_tables, order_lines, table_lines

from .designer_pdf import CSS, print_pdf


def _text(s: str) -> str:
    return re.sub(r"[\s■◇｜]+", "", s)


def _extract(pages: list[str], extra_css: str = ""):
    html = (
        f"<!doctype html><html lang=ja><head><meta charset=utf-8><style>{CSS}{extra_css}</style></head><body>"
        + "".join(f"<section class=page>{p}</section>" for p in pages)
        + "</body></html>"
    )
    try:
        pdf = print_pdf(html)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    return extract_issue(pdf)


def _by_title(issue) -> dict[str, str]:
    return {_text(a.title): _text(a.body) for a in issue.articles}


FILLER = (
    "市役所の窓口では、暮らしに関わる手続きの相談を受け付けています。"
    "平日の夜間と土曜の午前も開いていますので、仕事帰りにもお立ち寄りください。"
)


# --------------------------------------------------------------------------- mixed directions


@pytest.mark.browser
def test_a_vertical_box_on_a_horizontal_page_is_read_right_to_left_title_first():
    box = (
        "<div style='writing-mode:vertical-rl;height:72mm;border:1pt solid #555;padding:3mm;margin-top:6mm;font-size:10pt'>"
        "<h2 style='font-size:15pt;margin-left:3mm'>読書週間のお知らせ</h2>"
        "<p>図書館では本の展示と読み聞かせの会を開きます。</p>"
        "<p>貸出の上限を一人二十冊に増やします。</p>"
        "<p>問合せ：中央図書館</p></div>"
    )
    page = f"<h2 style='font-size:16pt'>窓口の時間を延ばします</h2><p>{FILLER}</p>{box}"
    bodies = _by_title(_extract([page]))
    assert bodies["読書週間のお知らせ"] == _text(
        "図書館では本の展示と読み聞かせの会を開きます。貸出の上限を一人二十冊に増やします。問合せ：中央図書館"
    )
    assert bodies["窓口の時間を延ばします"] == _text(FILLER)


@pytest.mark.browser
def test_a_vertical_title_is_read_before_the_horizontal_block_on_its_left():
    def frame(title: str, body: str) -> str:
        return (
            "<div style='display:flex;flex-direction:row-reverse;gap:4mm;width:62mm;align-items:flex-start'>"
            f"<h2 style='writing-mode:vertical-rl;font-size:15pt'>{title}</h2>"
            f"<div style='font-size:9pt;width:44mm'><p>{body}</p></div></div>"
        )

    page = (
        "<div style='display:flex;flex-direction:row-reverse;gap:6mm'>"
        + frame("熱気球の飛行体験", "河川敷から熱気球に乗り、上空から町並みを眺めます。小学生以上が対象です。")
        + frame("花壇の手入れ仲間", "駅前の花壇を季節ごとに植え替える仲間を募集します。道具は貸し出します。")
        + "</div>"
    )
    bodies = _by_title(_extract([page]))
    assert bodies["熱気球の飛行体験"] == _text("河川敷から熱気球に乗り、上空から町並みを眺めます。小学生以上が対象です。")
    assert bodies["花壇の手入れ仲間"] == _text("駅前の花壇を季節ごとに植え替える仲間を募集します。道具は貸し出します。")


@pytest.mark.browser
def test_a_table_set_in_vertical_writing_is_read_column_by_column():
    table = (
        "<table style='border-collapse:collapse;font-size:10pt'>"
        + "".join(
            f"<tr><th style='border:1pt solid #333;padding:1mm'>{k}</th><td style='border:1pt solid #333;padding:1mm'>{v}</td></tr>"
            for k, v in (("場所", "中央図書館"), ("内容", "人形劇と紙芝居"), ("費用", "無料"))
        )
        + "</table>"
    )
    page = (
        "<div class=v><h2>おはなし会を開きます</h2><p>子どもと一緒に手遊びや紙芝居を楽しみませんか。</p>"
        f"{table}<p>問合せ：中央図書館</p></div>"
    )
    body = _by_title(_extract([page]))["おはなし会を開きます"]
    assert "場所中央図書館内容人形劇と紙芝居費用無料" in body


# --------------------------------------------------------------------------- rules and frames


def _ln(text: str, x0: float, top: float, x1: float, size: float = 10.0) -> Line:
    return Line(text=text, x0=x0, top=top, x1=x1, bottom=top + size, size=size)


def test_a_rule_under_a_title_keeps_its_two_columns_together():
    """Two stacked sections, each a short title over a full-width rule and two
    columns: the rules say the columns belong to their section (read section by
    section), where a bare XY-cut would read the whole left column first."""
    lines, rules = [], []
    for k, top in enumerate((20.0, 140.0)):
        lines.append(_ln(f"題{k}", 20, top, 120, size=16))
        rules.append((20.0, top + 20, 300.0, top + 20.5))
        for r in range(3):
            lines.append(_ln(f"左{k}{r}", 20, top + 30 + 14 * r, 140))
            lines.append(_ln(f"右{k}{r}", 160, top + 30 + 14 * r, 300))
    order = [ln.text for ln in order_lines(lines, width=320, body=10, vertical=False, rules=rules)]
    assert order == ["題0", "左00", "左01", "左02", "右00", "右01", "右02", "題1", "左10", "左11", "左12", "右10", "右11", "右12"]
    # without the rules the columns run through the page
    plain = [ln.text for ln in order_lines(lines, width=320, body=10, vertical=False)]
    assert plain.index("左12") < plain.index("右00")


def test_a_rule_with_text_on_one_side_only_blocks_no_column_cut():
    """A header's underline runs across the column gap too, but the header sits on one side."""
    lines = [_ln("広報みなと 5月号", 200, 10, 300)]
    rules = [(20.0, 24.0, 300.0, 24.5)]
    for r in range(4):
        lines.append(_ln(f"左{r}", 20, 40 + 14 * r, 140))
        lines.append(_ln(f"右{r}", 160, 40 + 14 * r, 300))
    order = [ln.text for ln in order_lines(lines, width=320, body=10, vertical=False, rules=rules)]
    assert order.index("左3") < order.index("右0")


def test_lines_wholly_under_one_another_below_a_title_are_no_columns():
    """Under a wide title, two short lines and a date and signature set flush right below
    them do not overlap along the line, but one pair is wholly under the other: one column,
    read top down."""
    lines = [
        _ln("健康まつりを開きます", 20, 20, 300, size=18),
        _ln("楽しみながら学べるイベントです。", 20, 50, 180),
        _ln("ご家族でお越しください。", 20, 64, 140),
        _ln("令和6年5月1日", 230, 84, 300),
        _ln("こほし市長 山田太郎", 200, 98, 300),
    ]
    order = order_lines(lines, width=320, body=10, vertical=False)
    assert [ln.text for ln in order] == [ln.text for ln in lines]
    assert len({ln.column for ln in order}) == 1


def test_an_accent_bar_beside_a_title_and_a_photo_frame_are_no_table():
    def rect(x0, y0, x1, y1):
        return [(x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)]

    segments = rect(32, 48, 38, 80) + rect(32, 81, 200, 179)  # a 6-point bar touching the photo below
    assert find_tables(segments) == []


def test_a_box_with_a_title_band_inside_is_a_frame_not_a_table():
    def glyphs(text: str, x: float, top: float, size: float) -> list[Char]:
        return [Char(ch, x + i * size, top, x + (i + 1) * size, top + size, size, seq=int(x + top) * 100 + i) for i, ch in enumerate(text)]

    grid = ([215.0, 225.0, 388.0, 396.0], [32.0, 52.0, 254.0])  # box border and the band drawn inside it
    chars = glyphs("お知らせの見出し", 230, 36, 14) + glyphs("本文の一行目です", 230, 60, 10)
    rows, rest = table_lines(chars, [grid], page=1)
    assert rows == []
    assert len(rest) == len(chars)


# --------------------------------------------------------------------------- titles


@pytest.mark.browser
def test_furigana_over_a_display_title_is_dropped():
    page = (
        "<div class=v><h2 style='font-size:22pt'>スポーツの<ruby>聖地<rt>せいち</rt></ruby>づくり</h2>"
        f"<p>{FILLER}</p><p>{FILLER}</p></div>"
    )
    (article,) = _extract([page]).articles
    assert _text(article.title) == "スポーツの聖地づくり"
    assert "せいち" not in article.body


@pytest.mark.browser
def test_a_title_left_at_the_foot_of_a_column_goes_on_in_the_next():
    col = "position:absolute;top:12mm;width:60mm;font-size:10pt"
    page = (
        f"<div style='{col};left:9mm'><h2 style='font-size:16pt'>公園の整備が進む</h2><p>{FILLER}{FILLER}</p>"
        "<h2 style='font-size:16pt;position:absolute;top:170mm'>市民文化祭の作品</h2></div>"
        f"<div style='{col};left:76mm'><h2 style='font-size:16pt'>を募集します</h2><p>絵画や書道、写真の作品を募集します。</p></div>"
    )
    titles = [_text(a.title) for a in _extract([page]).articles]
    assert titles == ["公園の整備が進む", "市民文化祭の作品を募集します"]


@pytest.mark.browser
def test_the_short_second_column_under_a_title_across_two_is_read_after_the_first():
    """A title set across its article's two columns; a photo tops the first column and the
    second holds only the contact lines, so no two lines stand side by side and the widest
    gap across is the photo's.  The contact lines still come last."""
    contact = ("【電話】046-000-1111（代）", "【FAX】046-000-2222")
    article = (
        "<div style='height:120mm;column-count:2;column-gap:5mm;column-fill:auto;margin-top:6mm;font-size:10pt'>"
        "<h2 style='column-span:all;font-size:16pt;margin-bottom:3mm'>広報紙の届け方が変わります</h2>"
        "<div class=photo style='height:35mm;margin:0 0 3mm'></div>"
        f"<p>{FILLER}</p><p>{FILLER}</p>"
        f"<p style='break-before:column'>{contact[0]}</p><p>{contact[1]}</p></div>"
    )
    page = f"<h2 style='font-size:16pt'>窓口の時間を延ばします</h2><p>{FILLER}</p>{article}"
    bodies = _by_title(_extract([page]))
    assert bodies["広報紙の届け方が変わります"] == _text(FILLER + FILLER + "".join(contact))
    assert bodies["窓口の時間を延ばします"] == _text(FILLER)


@pytest.mark.browser
def test_the_entries_of_a_notice_board_under_one_banner_are_articles():
    aside = (
        "<aside style='position:absolute;right:9mm;top:12mm;width:48mm;font-size:9pt;background:#eef5e9;padding:2mm'>"
        "<div style='font-size:15pt;background:#2e7d32;color:#fff;text-align:center'>くらしの掲示板</div>"
        "<h3 style='font-size:12.5pt'>粗大ごみの受付日</h3><p>毎週火曜日に電話で受け付けます。</p>"
        "<h3 style='font-size:12.5pt'>献血のお願い</h3><p>市役所前に献血車が来ます。</p></aside>"
    )
    main = f"<div style='width:70mm;font-size:11pt'><h2 style='font-size:18pt'>窓口の時間を延ばします</h2><p>{FILLER}{FILLER}{FILLER}</p></div>"
    bodies = _by_title(_extract([main + aside]))
    assert bodies["粗大ごみの受付日"] == _text("毎週火曜日に電話で受け付けます。")
    assert bodies["献血のお願い"] == _text("市役所前に献血車が来ます。")
    assert "くらしの掲示板" not in bodies


@pytest.mark.browser
def test_text_after_a_jump_line_goes_on_with_the_article_of_that_page():
    page1 = (
        f"<h2 style='font-size:20pt'>新しい図書館が開館</h2><p>{FILLER}</p>"
        f"<h2 style='font-size:15pt;margin-top:6mm'>健康相談の日</h2><p>保健師が健康の相談に応じます。</p>"
    )
    page2 = (
        "<p style='font-size:8pt'>（1ページから続く）</p><p>開館記念の講演会も開きます。</p>"
        "<h2 style='font-size:15pt;margin-top:6mm'>献血のお願い</h2><p>市役所前に献血車が来ます。</p>"
    )
    issue = _extract([page1, page2])
    by = {_text(a.title): a for a in issue.articles}
    assert by["新しい図書館が開館"].pages == [1, 2]
    assert _text(by["新しい図書館が開館"].body).endswith("開館記念の講演会も開きます。")
    assert _text(by["健康相談の日"].body) == _text("保健師が健康の相談に応じます。")
    assert "続く" not in "".join(a.body for a in issue.articles)


@pytest.mark.browser
def test_a_label_turned_to_read_upwards_is_no_text():
    label = (
        "<div style='position:absolute;left:2mm;top:40mm;transform:rotate(-90deg);font-size:11pt;"
        "background:#223388;color:#fff;padding:1mm'>くらし</div>"
    )
    page = f"{label}<div style='margin-left:10mm'><h2 style='font-size:16pt'>窓口の時間を延ばします</h2><p>{FILLER}</p></div>"
    issue = _extract([page])
    assert [_text(a.title) for a in issue.articles] == ["窓口の時間を延ばします"]
    assert _text(issue.articles[0].body) == _text(FILLER)


# --------------------------------------------------------------------------- glyphs


def test_a_glyph_spaced_out_by_justification_stays_in_its_line():
    """「【　電　話　】」justified across a narrow box: the letters stand further apart
    than the lines, yet the glyph is part of the horizontal line, not a 縦書き line."""
    row1 = [("【", 0.0), ("電", 16.5), ("話", 33.0), ("】", 49.5), ("0", 60.0), ("4", 65.0), ("6", 70.0)]
    row2 = [("1", 0.0), ("5", 5.0), ("1", 10.0), ("1", 15.0), ("（", 33.0), ("代", 43.0), ("）", 53.0)]
    chars = []
    for r, row in enumerate((row1, row2)):
        for ch, x in row:
            w = 10.0 if ord(ch) > 0x2E80 else 5.0
            chars.append(Char(ch, x, 12.0 * r, x + w, 12.0 * r + 10, 10.0, seq=len(chars)))
    lines, _ = build_lines(chars, body=10.0)
    texts = [re.sub(r"\s", "", ln.text) for ln in lines]
    assert "【電話】046" in texts
    assert not any(len(t) == 1 for t in texts)


def test_glyph_sizes_come_from_the_text_matrix_when_the_font_size_is_one():
    """Design tools write "1 Tf" and put the size into the text matrix: titles must still
    be told from the body by their size on the page."""
    import io

    from reportlab.pdfgen import canvas

    from .newsletter_pdf import _font

    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(420, 595))
    y = 540.0
    for title, body in (("図書館の休館日", "蔵書点検のため休館します。"), ("献血のお願い", "市役所前に献血車が来ます。")):
        for text, size, gap in ((title, 18.0, 30.0), (body, 10.0, 16.0), (body, 10.0, 30.0)):
            t = c.beginText()
            t.setFont(font, 1)
            t.setTextTransform(size, 0, 0, size, 40, y)  # the size lives in Tm
            t.textOut(text)
            c.drawText(t)
            y -= gap
    c.showPage()
    c.save()
    issue = extract_issue(buf.getvalue())
    assert [_text(a.title) for a in issue.articles] == ["図書館の休館日", "献血のお願い"]
    assert _text(issue.articles[1].body) == _text("市役所前に献血車が来ます。" * 2)
