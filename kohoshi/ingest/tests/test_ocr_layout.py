"""Geometry of OCR'd lines (issue 11): ink boxes, sizes, furigana, rules from the page image,
and the reading order they give.  Synthetic pixels and lines; no OCR engine needed."""

from __future__ import annotations

import numpy as np

from kohoshi.ingest.pdf import ocr
from kohoshi.ingest.pdf.layout import Line, order_lines


def _page(w: int = 600, h: int = 800) -> np.ndarray:
    return np.full((h, w), 255, dtype=np.uint8)


def _glyphs(img: np.ndarray, x0: int, y0: int, n: int, em: int, vertical: bool) -> None:
    """n solid squares of 0.8 em with a gap between them, like a line of CJK glyphs."""
    for i in range(n):
        gx, gy = (x0, y0 + i * em) if vertical else (x0 + i * em, y0)
        img[gy + 1 : gy + em - 2, gx + 1 : gx + em - 2] = 0


def test_an_ink_box_drops_the_detectors_padding():
    img = _page()
    _glyphs(img, 100, 100, 10, 20, vertical=False)  # ink x 101..297, y 101..117
    x0, top, x1, bottom = ocr._ink_box(img, (92, 93, 306, 126), vertical=False)
    assert (x0, top, x1, bottom) == (101, 101, 298, 118)


def test_an_ink_box_leaves_out_a_neighbour_and_a_bar_caught_in_the_padding():
    img = _page()
    _glyphs(img, 200, 100, 6, 10, vertical=True)  # furigana: ink x 201..207
    _glyphs(img, 180, 100, 3, 20, vertical=True)  # the title beside it on the left reaches x 197
    img[90:170, 212:216] = 0  # a bar on its right, all along the box
    x0, _top, x1, _bottom = ocr._ink_box(img, (195, 95, 216, 165), vertical=True)
    assert (x0, x1) == (201, 208)


def _line(text, x0, top, x1, bottom, size, vertical=True, page=1):
    return Line(text=text, x0=x0, top=top, x1=x1, bottom=bottom, size=size, vertical=vertical, page=page, ocr=True)


def test_sizes_a_pixel_off_the_body_are_the_body_and_titles_stand_out():
    lines = [_line("本文" * 8, 0, 0, 9.4, 150, 9.4), _line("本文" * 8, 20, 0, 29, 150, 9.0),
             _line("【電話】225-2190", 40, 0, 50.3, 100, 10.3), _line("見出しの題", 60, 0, 78, 100, 18.0)]
    body = ocr.settle_sizes(lines)
    assert body in (9.0, 9.5)
    assert [ln.size for ln in lines[:3]] == [body] * 3
    assert lines[3].size == 18.0


def test_furigana_beside_a_title_or_body_line_is_dropped_but_a_kana_line_is_kept():
    title = _line("平和への思い", 500, 60, 518, 300, 18.0)
    ruby_on_title = _line("へいわ", 517, 70, 524, 120, 7.0)
    body = _line("ひらがなだけのぎょう", 400, 60, 409, 250, 9.0)
    ruby_on_body = _line("ぎょう", 409, 200, 413.5, 240, 4.5)
    lone = _line("おしらせ", 300, 60, 309, 100, 9.0)
    kept = ocr.drop_ruby([title, ruby_on_title, body, ruby_on_body, lone], 9.0)
    assert kept == [title, body, lone]


def test_rules_are_read_from_the_pixels_a_bar_as_its_two_edges_a_band_not_at_all():
    img = _page()
    img[100, 50:550] = 187  # a light grey column rule (#bbb), one pixel thick
    img[200:700, 300:312] = 100  # a bar beside a 縦書き title, 12 px thick
    img[720:780, 50:550] = 60  # a coloured band: no rule
    k = 72 / 200
    rules = ocr.image_rules(img, scale=k, least=30)
    assert (50 * k, 100 * k, 550 * k, 101 * k) in rules
    assert (300 * k, 200 * k, 300 * k, 700 * k) in rules and (312 * k, 200 * k, 312 * k, 700 * k) in rules
    assert len(rules) == 3


def _tiers_page():
    """A 縦書き page of two articles side by side, each a title over three tiers and one line in a
    fourth tier below its title's end, with a bar between the articles from top to bottom."""
    lines = []
    for art, right in (("甲", 560), ("乙", 300)):
        lines.append(_line(f"{art}の見出し" * 4, right - 18, 50, right, 530, 18))
        for tier, top in enumerate((50, 240, 430, 620)):
            for k in range(3):
                x1 = right - 30 - 15 * k
                lines.append(_line(f"{art}{tier}{k}" + "本文" * 8, x1 - 9, top, x1, top + 170, 9))
    return lines


def test_tiers_of_two_articles_with_a_bar_between_them_are_read_article_by_article():
    """The bar drawn between the articles (found in the pixels) keeps the page from being cut
    across below the titles first, which would read both articles' fourth tiers after both."""
    lines = _tiers_page()
    img = _page(1654, 2339)
    img[139:2208, 792:806] = 90  # the bar, x 285-290 pt, y 50-795 pt at 200 dpi
    bar = ocr.image_rules(img, scale=72 / 200, least=27)
    out = order_lines(lines, width=595, body=9, vertical=True, rules=bar)
    heads = [ln.text[:3] for ln in out]
    first = [h for h in heads if h.startswith("甲") or h.startswith("甲の")]
    assert heads.index("乙の見") > max(i for i, h in enumerate(heads) if h.startswith("甲"))
    assert first[1:] == [f"甲{t}{k}" for t in range(4) for k in range(3)]


def test_tier_gaps_survive_once_boxes_are_shrunk_to_their_ink():
    """The detector pads each vertical line by about 0.3 em at its ends: two tiers 9 points apart
    then look 3 points apart and their lines interleave; the ink boxes keep the gap."""
    img = _page(300, 500)
    em = 25  # 9 pt at 200 dpi
    _glyphs(img, 200, 40, 7, em, vertical=True)  # tier 1 ends at y 215
    _glyphs(img, 200, 240, 7, em, vertical=True)  # tier 2 starts at y 240
    _glyphs(img, 170, 40, 7, em, vertical=True)
    _glyphs(img, 170, 240, 7, em, vertical=True)

    class Result:
        boxes = [[[x - 6, y - 10], [x + em + 6, y - 10], [x + em + 6, y + 7 * em + 10], [x - 6, y + 7 * em + 10]]
                 for x, y in ((200, 40), (200, 240), (170, 40), (170, 240))]
        txts = ["一段目右行", "二段目右行", "一段目左行", "二段目左行"]

    k = 72 / 200
    lines = ocr.rapid_lines(Result(), scale=k, page=1, grey=img)
    body = ocr.settle_sizes(lines)
    out = order_lines(lines, width=300 * k, body=body, vertical=True)
    assert [ln.text for ln in out] == ["一段目右行", "一段目左行", "二段目右行", "二段目左行"]
