"""Glyphs as the text layer gives them: drawn twice on one spot (layout.drop_duplicates), or
without a character (extract._fill_holes).

Found on real newsletters (bench/ingest/real_truth):
- the NPO report (seinen-opinion-report2017), page 1: the heading "…慢性栄養不良に⏎ならないための…"
  lost its "な", because a 10-point "な" 100 points away had the same grid cell number (the cells
  are a quarter of each glyph's size);
- the councillor's report r5sp: its digits, in a subset font without their Unicode map, came out
  as "�" in running text ("議会は年�回、�ヵ月毎", "TEL/FAX ���-���-����"), 57 of them."""

from __future__ import annotations

import re

import pytest

from kohoshi.ingest.pdf import extract_issue
from kohoshi.ingest.pdf.extract import fill_unmapped
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


def test_ocr_fills_only_the_holes_where_the_text_around_them_agrees():
    assert fill_unmapped("議会は年\ufffd回、\ufffdヵ月毎", "議会は年4回、3カ月毎") == "議会は年4回、3ヵ月毎"
    assert fill_unmapped("TEL FAX \ufffd\ufffd\ufffd-\ufffd\ufffd\ufffd", "TEL/FAX042-313") == "TEL FAX 042-313"
    # a reading that does not line up leaves the hole as it was, and never changes read text
    assert fill_unmapped("年\ufffd回", "まったく別の行") == "年\ufffd回"
    assert fill_unmapped("約\ufffd\ufffd万円", "約90方円") == "約90万円"
    # letters that may be real (a Vietnamese notice) are the text layer's, whatever OCR reads
    assert fill_unmapped("Hướng dẫn \ufffd", "Huong dan 3") == "Hướng dẫn 3"


@pytest.mark.browser
@pytest.mark.heavy
def test_digits_of_a_font_without_a_unicode_map_are_read_by_ocr_in_place():
    from kohoshi.ingest.pdf import ocr

    from .designer_pdf import CSS, print_pdf

    if not ocr.available():
        pytest.skip("no OCR engine installed")
    digits = '<span style="font-family:DejaVu Sans">{}</span>'.format
    html = (
        f"<!doctype html><html lang=ja><head><meta charset=utf-8><style>{CSS}</style></head><body>"
        "<section class=page><div class=box><div class=band>窓口の移転</div>"
        f"<p>市民課の窓口は{digits(4)}月から本庁舎の{digits(12)}階に移ります。"
        "お間違えのないよう、お越しの際はご注意ください。"
        f"お問い合わせは市民課（電話{digits('046-223-1511')}）へ。</p></div></section></body></html>"
    )
    try:
        pdf = print_pdf(html)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    # the digits' font without its Unicode map (same length: offsets stay right): PDFium gives
    # its glyph ids as control codes, which were dropped ("電話はです")
    broken = re.sub(rb"(/BaseFont /[A-Z]+\+DejaVuSans\n/Encoding /Identity-H\n/DescendantFonts \[\d+ 0 R\]\n)/ToUnicode",
                    rb"\1/ToUnicodX", pdf)
    assert broken != pdf
    issue = extract_issue(broken)
    body = "".join(a.body for a in issue.articles)
    assert "窓口は4月から本庁舎の12階に移ります" in body
    assert "電話046-223-1511" in body
    # staff are sent to check it first: 本文の一部を画像から読み取りました
    assert all("ocr" in a.reasons for a in issue.articles)
    assert any("文字認識(OCR)" in w for w in issue.warnings)
