"""Glyphs drawn twice on one spot (layout.drop_duplicates).

Found on the NPO report (bench/ingest/real_truth/seinen-opinion-report2017.json, page 1): the
heading "…慢性栄養不良に⏎ならないための…" lost its "な", because a 10-point "な" 100 points
away had the same grid cell number (the cells are a quarter of each glyph's size)."""

from __future__ import annotations

from kohoshi.ingest.pdf.layout import Char, drop_duplicates


def _char(text: str, x0: float, top: float, size: float) -> Char:
    return Char(text, x0, top, x0 + size, top + size, size)


def test_a_glyph_drawn_again_on_its_own_spot_is_read_once():
    # an outlined title: fill and stroke, the stroke a fraction of a point off
    chars = [_char("夏", 100.0, 100.0, 24.0), _char("夏", 100.4, 100.3, 24.0), _char("祭", 124.0, 100.0, 24.0)]
    assert [c.text for c in drop_duplicates(chars)] == ["夏", "祭"]


def test_the_same_character_in_another_size_elsewhere_is_no_copy():
    # the two glyphs' boxes as PDFium gives them: both fall in cell (49, 96) of the shifted grid,
    # in quarters of 9.92 and of 14.17 points
    small = Char("な", 118.51, 232.78, 128.44, 246.70, 9.92)
    large = Char("な", 166.85, 333.78, 181.02, 353.20, 14.17)
    assert drop_duplicates([small, large]) == [small, large]
