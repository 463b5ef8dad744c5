"""Small PDFs made at test time with reportlab (no PDF files are checked in)."""

from __future__ import annotations

import io

import pytest

def reportlab():
    """Skip the calling test when reportlab (a test extra) is missing."""
    return pytest.importorskip("reportlab")


def simple_pdf(pages: int = 2, **canvas_kwargs) -> bytes:
    """A few pages with Latin text in a base-14 font: no Japanese font needed."""
    reportlab()
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), **canvas_kwargs)
    for p in range(pages):
        c.setFont("Helvetica-Bold", 20)
        c.drawString(50, 760, f"Notice number {p + 1}")
        c.setFont("Helvetica", 10)
        for i in range(12):
            c.drawString(50, 720 - 16 * i, f"Line {i} of page {p + 1}: the library opens at nine on weekdays.")
        c.rect(45, 400, 300, 80)
        c.line(45, 440, 345, 440)
        c.setFont("Helvetica", 9)
        c.drawCentredString(297, 30, f"- {p + 1} -")
        c.showPage()
    c.save()
    return buf.getvalue()
