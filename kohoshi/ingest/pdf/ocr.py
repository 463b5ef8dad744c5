"""OCR for scanned pages: render with PDFium, read with the ``tesseract`` binary.

The binary is called with ``subprocess`` (no pytesseract).  Its TSV output gives
one box per recognised line; those become :class:`~.layout.Line` objects with the
line height as font size, so titles and headings are found by the same
typography rules as on pages with a text layer.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import statistics
import subprocess
import tempfile

import pypdfium2 as pdfium

from .layout import Line, order_lines, page_is_vertical

DPI = 300
TIMEOUT_SECONDS = 120


@functools.cache
def languages() -> tuple[str, ...]:
    """Installed Tesseract languages, or () when the binary is missing."""
    exe = shutil.which("tesseract")
    if not exe:
        return ()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(line.strip() for line in out.splitlines()[1:] if line.strip())


def available() -> bool:
    return "jpn" in languages()


def _write_pgm(page: pdfium.PdfPage, path: str, crop: tuple[float, float, float, float] = (0, 0, 0, 0)) -> float:
    bitmap = page.render(scale=DPI / 72, grayscale=True, crop=crop)
    try:
        w, h, stride = bitmap.width, bitmap.height, bitmap.stride
        buf = bitmap.buffer
        with open(path, "wb") as fh:
            fh.write(f"P5\n{w} {h}\n255\n".encode())
            if stride == w:
                fh.write(bytes(buf))
            else:
                mv = memoryview(buf)
                for row in range(h):
                    fh.write(mv[row * stride : row * stride + w])
    finally:
        bitmap.close()
    return 72 / DPI


def parse_tsv(tsv: str, *, scale: float, page: int) -> list[Line]:
    """Tesseract TSV (level 5 words) to lines in PDF points."""
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        try:
            if float(row["conf"]) < 0:
                continue
        except (KeyError, ValueError):
            continue
        groups.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
    lines = []
    for words in groups.values():
        x0 = min(int(w["left"]) for w in words) * scale
        top = min(int(w["top"]) for w in words) * scale
        x1 = max(int(w["left"]) + int(w["width"]) for w in words) * scale
        bottom = max(int(w["top"]) + int(w["height"]) for w in words) * scale
        vertical = (bottom - top) > 2 * (x1 - x0)
        sizes = [int(w["width"] if vertical else w["height"]) * scale for w in words]
        text = "".join(w["text"].strip() for w in words)
        lines.append(
            Line(text=text, x0=x0, top=top, x1=x1, bottom=bottom, size=statistics.median(sizes), vertical=vertical, page=page, ocr=True)
        )
    return lines


def ocr_page(page: pdfium.PdfPage, page_no: int) -> tuple[list[Line], float, str]:
    """OCR one page.  Returns (ordered lines, body size, state) where state is
    ``done``, ``unavailable`` (no binary or no ``jpn`` data) or ``failed``."""
    if not available():
        return [], 0.0, "unavailable"
    langs = "jpn+jpn_vert" if "jpn_vert" in languages() else "jpn"
    fd, path = tempfile.mkstemp(suffix=".pgm", prefix="kohoshi-ocr-")
    os.close(fd)
    try:
        scale = _write_pgm(page, path)
        proc = subprocess.run(
            [shutil.which("tesseract") or "tesseract", path, "stdout", "-l", langs, "--psm", "3", "tsv"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
        if proc.returncode != 0:
            return [], 0.0, "failed"
        lines = parse_tsv(proc.stdout, scale=scale, page=page_no)
    except (OSError, subprocess.SubprocessError, pdfium.PdfiumError):
        return [], 0.0, "failed"
    finally:
        os.unlink(path)
    if not lines:
        return [], 0.0, "done"
    weights: dict[float, int] = {}
    for ln in lines:
        key = round(ln.size)
        weights[key] = weights.get(key, 0) + len(ln.text)
    body = float(max(weights, key=weights.get))
    width = page.get_size()[0]
    ordered = order_lines(lines, width=width, body=body, vertical=page_is_vertical(lines))
    return ordered, body, "done"


# Regions of at most this many lines are read one by one; a page with more unreadable
# lines is read whole (its text is drawn in a font without a Unicode mapping).
MAX_REGIONS = 24


def ocr_regions(page: pdfium.PdfPage, boxes: list[tuple[float, float, float, float, bool]]) -> list[str | None]:
    """Read small regions of a page: ``(x0, top, x1, bottom, vertical)`` in points
    with a top-left origin.  Returns the text per region (None where OCR is
    unavailable or failed).  Used for text whose characters have no Unicode
    mapping: the glyph boxes are right, only the codes are wrong."""
    if not available() or not boxes:
        return [None] * len(boxes)
    width, height = page.get_size()
    exe = shutil.which("tesseract") or "tesseract"
    out: list[str | None] = []
    for x0, top, x1, bottom, vertical in boxes:
        pad = 0.25 * min(x1 - x0, bottom - top)
        crop = (
            max(0.0, x0 - pad),
            max(0.0, height - bottom - pad),
            max(0.0, width - x1 - pad),
            max(0.0, top - pad),
        )
        fd, path = tempfile.mkstemp(suffix=".pgm", prefix="kohoshi-ocr-")
        os.close(fd)
        try:
            _write_pgm(page, path, crop)
            lang = "jpn_vert" if vertical and "jpn_vert" in languages() else "jpn"
            proc = subprocess.run(
                [exe, path, "stdout", "-l", lang, "--psm", "5" if vertical else "7"],
                capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
            )
            text = "".join(proc.stdout.split()) if proc.returncode == 0 else ""
            out.append(text or None)
        except (OSError, subprocess.SubprocessError, pdfium.PdfiumError):
            out.append(None)
        finally:
            os.unlink(path)
    return out
