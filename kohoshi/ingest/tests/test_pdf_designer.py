"""Designer-style newsletters printed by Chromium (a producer we do not steer).

The PDF is made in the test from HTML (designer_pdf.py): a cover with a masthead
and a table of contents, boxed articles with coloured title bands in a grid, a
縦書き page, and a page whose glyphs are placed one by one in shuffled order."""

from __future__ import annotations

import re

import pytest

from kohoshi.ingest.pdf import extract_issue
from kohoshi.ingest.pdf.layout import Char, build_lines
from kohoshi.ingest.pdf.split import plausible_title

from .designer_pdf import ARTICLES, COVER_TOC, CSS, designer_newsletter, print_pdf


@pytest.fixture(scope="module")
def designer():
    try:
        return extract_issue(designer_newsletter())
    except RuntimeError as exc:
        pytest.skip(str(exc))


def _text(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.mark.browser
def test_every_article_of_the_designer_newsletter_comes_back_under_its_title(designer):
    assert [a.title for a in designer.articles] == [title for title, _page in COVER_TOC]
    for article in designer.articles:
        assert _text(article.body) == _text("".join(ARTICLES[article.title]))


@pytest.mark.browser
def test_the_cover_with_its_contents_is_not_an_article(designer):
    assert all(1 not in a.pages for a in designer.articles)
    assert not any("もくじ" in a.body or "広報みなと" in a.title for a in designer.articles)
    assert any("表紙・もくじ" in w for w in designer.warnings)


@pytest.mark.browser
def test_no_one_character_lines_in_boxes_vertical_text_or_glyph_by_glyph_pages(designer):
    lines = [ln for a in designer.articles for ln in a.body.splitlines() if ln.strip()]
    assert lines and not [ln for ln in lines if len(ln.strip()) == 1]
    by_title = {a.title: a for a in designer.articles}
    assert by_title["防災訓練に参加しましょう"].pages == [3]  # the 縦書き page
    assert by_title["健康づくり教室の参加者募集"].pages == [4]  # glyphs placed one by one, shuffled


@pytest.mark.browser
def test_wraps_are_joined_and_no_spaces_appear_between_japanese_glyphs(designer):
    body = {a.title: a.body for a in designer.articles}["子育て支援センターが開所します"]
    assert "（中町1-1-1）" in body
    assert all(" " not in a.body for a in designer.articles)


@pytest.mark.browser
def test_a_line_broken_inside_brackets_is_one_paragraph():
    html = (
        f"<!doctype html><html lang=ja><head><meta charset=utf-8><style>{CSS} .n{{width:20em}}</style></head><body>"
        "<section class=page><div class='box n'><div class=band>窓口の移転</div>"
        "<p>あいうえおかきくけこさしすせそたち（中町1234-5678-9012）へ移ります。</p><p>次の段落です。</p></div></section></body></html>"
    )
    try:
        pdf = print_pdf(html)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    (article,) = extract_issue(pdf).articles
    assert article.title == "窓口の移転"
    assert article.body.splitlines() == ["あいうえおかきくけこさしすせそたち（中町1234-5678-9012）へ移ります。", "次の段落です。"]


def _grid(text_rows: list[str], *, vertical: bool, size: float = 10.0, pitch: float = 1.6) -> list[Char]:
    """Glyphs of a text block: horizontal rows, or vertical columns right to left."""
    chars = []
    for i, row in enumerate(text_rows):
        for j, ch in enumerate(row):
            if vertical:
                x0, top = 300 - i * size * pitch, 50 + j * size
            else:
                x0, top = 50 + j * size, 50 + i * size * pitch
            chars.append(Char(ch, x0, top, x0 + size, top + size, size))
    return chars


def test_direction_is_decided_per_block_even_in_shuffled_content_order():
    rows = ["あいうえおかきくけこ", "さしすせそたちつてと", "なにぬねのはひふへほ"]
    horizontal = _grid(rows, vertical=False, pitch=1.5)
    vertical = _grid(rows, vertical=True, pitch=1.5)
    for c in vertical:
        c.x0 += 400
        c.x1 += 400
    chars = horizontal + vertical
    chars = chars[::2] + chars[1::2]  # content order says nothing
    lines, _ = build_lines(chars, body=10.0)
    got = sorted((ln.vertical, ln.text) for ln in lines)
    assert got == sorted([(False, r) for r in rows] + [(True, r) for r in rows])


def test_garbage_ocr_titles_are_not_plausible_but_real_titles_are():
    assert not plausible_title("上 IvyFンううテー")
    assert not plausible_title("ー")
    for title in ("子育て支援センターが開所します", "LINE公式アカウント", "2024年5月号", "ごみの出し方"):
        assert plausible_title(title), title


@pytest.mark.browser
@pytest.mark.heavy
def test_text_without_unicode_mapping_is_read_by_ocr_of_its_region():
    from kohoshi.ingest.pdf import ocr

    if not ocr.available():
        pytest.skip("tesseract with jpn is not installed")
    html = (
        f"<!doctype html><html lang=ja><head><meta charset=utf-8><style>{CSS}</style></head><body>"
        "<section class=page><div class=box><div class=band>窓口の移転</div>"
        "<p>市民課の窓口は来月から本庁舎の一階に移ります。</p><p>お間違えのないようご注意ください。</p></div></section></body></html>"
    )
    try:
        pdf = print_pdf(html)
    except RuntimeError as exc:
        pytest.skip(str(exc))
    # the same PDF with its fonts' Unicode maps made unreadable (same length: offsets stay right),
    # as PDFs from some design tools come: every code is a glyph id
    broken = pdf.replace(b"/ToUnicode", b"/ToUnicodX")
    issue = extract_issue(broken)
    body = "".join(_text(a.body) for a in issue.articles)
    assert "本庁舎の一階に移ります" in body and "お間違えのないよう" in body
    assert all("ocr" in a.reasons for a in issue.articles)
    assert any("文字認識(OCR)" in w for w in issue.warnings)


def test_specks_in_front_of_ocr_titles_are_dropped_but_real_letters_kept():
    from kohoshi.ingest.pdf.split import clean_ocr_title

    assert clean_ocr_title("=情緒障害等通級指導教室の開設") == "情緒障害等通級指導教室の開設"
    assert clean_ocr_title("sa全会一致で可決") == "全会一致で可決"
    for title in ("NPO法人の説明会", "eスポーツ大会", "LINE公式アカウント", "ごみの日"):
        assert clean_ocr_title(title) == title
