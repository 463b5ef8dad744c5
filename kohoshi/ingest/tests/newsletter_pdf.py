"""Small newsletter PDFs typeset at test time with reportlab and the IPAex Gothic font.

One column on A4: each article title in large type, the body line by line at body size (markers
such as ■ kept as text), a wider gap for a blank line. Long lines wrap at the column edge. A
title can be set at body size (`plain_titles`) to make the engine miss an article boundary.
"""
import csv
import io
from pathlib import Path

import pytest

FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
PAGE_W, PAGE_H = 595.0, 842.0
MARGIN = 56.0
BODY, TITLE = 10.5, 18.0


def _font() -> str:
    if not FONT.exists():
        pytest.skip(f"IPAex Gothic font not found at {FONT} (apt install fonts-ipaexfont)")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "IPAexGothic" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("IPAexGothic", str(FONT)))
    return "IPAexGothic"


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for char in text:
        if current and stringWidth(current + char, font, size) > width:
            lines.append(current)
            current = ""
        current += char
    return [*lines, current]


def newsletter_pdf(articles: list[dict], *, plain_titles: frozenset[int] = frozenset()) -> bytes:
    """articles: [{"title", "body"}]; returns the PDF's bytes."""
    from reportlab.pdfgen import canvas

    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_W, PAGE_H))
    width = PAGE_W - 2 * MARGIN
    y = PAGE_H - MARGIN

    def line(text: str, size: float, before: float = 0.0) -> None:
        nonlocal y
        if y - before - size < MARGIN:
            pdf.showPage()
            y = PAGE_H - MARGIN
        else:
            y -= before
        y -= size * 1.6
        pdf.setFont(font, size)
        pdf.drawString(MARGIN, y, text)

    for index, article in enumerate(articles):
        size = BODY if index in plain_titles else TITLE
        for part in _wrap(article["title"], font, size, width):
            line(part, size, before=BODY * 2 if index else 0)
        for raw in article["body"].split("\n"):
            if not raw.strip():
                y -= BODY * 1.2
                continue
            for part in _wrap(raw, font, BODY, width):
                line(part, BODY)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def corpus_articles(csv_file: Path, count: int, *, max_chars: int = 500) -> list[dict]:
    """`count` short articles of one corpus issue, in file order, simple enough to typeset."""
    with csv_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    chosen = []
    for row in rows:
        body = row["記事本文"].strip()
        if len(body) > max_chars or "◇" in body or "\n\n\n" in body or len(row["記事タイトル"]) > 40:
            continue
        chosen.append({"title": row["記事タイトル"].strip(), "body": body, "category": row["カテゴリ"].strip()})
        if len(chosen) == count:
            return chosen
    pytest.skip(f"not enough short articles in {csv_file.name}")


# Three short articles of our own, for tests that need a small, known newsletter PDF.
SAMPLE_ARTICLES = [
    {"title": "ごみの出し方が変わります", "body": "4月から分別の方法が変わります。\n\n■対象\n市内全域\n\n問合せ：環境課"},
    {"title": "春の健康診断のお知らせ", "body": "今年も健康診断を行います。\n日時：5月10日\n場所：保健センター"},
    {"title": "図書館まつりを開きます", "body": "本の交換会や読み聞かせがあります。\n\n■日時\n6月1日"},
]
