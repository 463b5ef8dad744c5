"""The extraction engine: validate, read every page, order, split into articles.

Characters, their boxes, sizes and fonts come from PDFium (pypdfium2); the layout
analysis is our own (see ``layout.py``).  pdfminer.six with
``LAParams(detect_vertical=True)`` was measured as the alternative
(``bench/ingest/run.py`` reports it): its layout analysis alone is no faster
(about 25 pages/s on 2 columns, 12 on 縦書き), its text boxes are not in reading
order for columns and tiers (段), and it gives no per-line font size or weight, so
we would have needed our own ordering and typography on top of it anyway.
"""

from __future__ import annotations

import ctypes
import difflib
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from . import ocr
from .errors import PdfRejected
from .layout import Char, Line, body_font, body_size, build_lines, find_tables, order_lines, page_is_vertical, table_lines
from .split import _CONTINUED, DraftIssue, assemble

MAX_PAGE_SIDE = 14400.0  # PDF 1.7 limit: 200 inches
MIN_PAGE_SIDE = 3.0
MAX_OBJECTS_PER_PAGE = 100_000
MAX_CHARS_PER_PAGE = 60_000
MARGIN_BAND = 0.075  # share of the page height treated as header/footer band

_SKIP = {0x20, 0x3000, 0x0D, 0x0A, 0x09, 0x00, 0x02, 0xFFFE, 0xFFFF, 0xA0, 0x200B}
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi|w[6-9]\b|extrab|,b\b", re.I)
_PAGE_NUMBER = re.compile(r"^[-－―‐—–(（\[\s]*(p\.?\s*)?[0-9０-９]{1,4}[\s\-－―‐—–)）\]]*(ページ|頁)?$", re.I)


def _read(path_or_bytes, max_bytes: int) -> bytes:
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(path_or_bytes)
    else:
        path = Path(os.fspath(path_or_bytes))
        size = path.stat().st_size
        if size > max_bytes:
            raise PdfRejected("too_large", f"ファイルサイズが上限を超えています ({size:,} > {max_bytes:,} バイト) / file too large")
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    if len(data) == 0:
        raise PdfRejected("empty", "ファイルが空です (0 バイト) / the file is empty")
    if len(data) > max_bytes:
        raise PdfRejected("too_large", f"ファイルサイズが上限を超えています ({len(data):,} > {max_bytes:,} バイト) / file too large")
    if b"%PDF-" not in data[:1024]:
        raise PdfRejected("not_pdf", "PDFではありません / not a PDF file")
    return data


def _open(data: bytes) -> pdfium.PdfDocument:
    has_eof = b"%%EOF" in data[-2048:]
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if raw.FPDF_GetLastError() == raw.FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            raise PdfRejected("encrypted", "暗号化されたPDFは取り込めません / encrypted PDFs cannot be imported") from None
        if not has_eof:
            raise PdfRejected("truncated", "PDFが壊れています(途中で切れています) / the PDF is truncated") from None
        raise PdfRejected("corrupt", "PDFが壊れています / the PDF is damaged") from None
    if not has_eof:
        doc.close()
        raise PdfRejected("truncated", "PDFが壊れています(途中で切れています) / the PDF is truncated")
    return doc


def _check_pages(doc: pdfium.PdfDocument, max_pages: int) -> int:
    n = len(doc)
    if n <= 0:
        raise PdfRejected("no_pages", "ページがありません / the PDF has no pages")
    if n > max_pages:
        raise PdfRejected("too_many_pages", f"ページ数が上限({max_pages})を超えています ({n} ページ) / too many pages")
    size = raw.FS_SIZEF()
    for i in range(n):
        if not raw.FPDF_GetPageSizeByIndexF(doc.raw, i, size):
            continue
        w, h = size.width, size.height
        if not (MIN_PAGE_SIDE <= w <= MAX_PAGE_SIDE and MIN_PAGE_SIDE <= h <= MAX_PAGE_SIDE):
            raise PdfRejected("page_bomb", f"ページの大きさが異常です (p.{i + 1}: {w:.0f}×{h:.0f} pt) / absurd page size")
    return n


class _FontCache:
    def __init__(self):
        self._by_key: dict[int, tuple[str, bool]] = {}
        self._by_obj: dict[int, tuple[str, bool]] = {}
        self._scaled: dict[int, float] = {}
        self._buf = ctypes.create_string_buffer(256)

    def get(self, obj) -> tuple[str, bool]:
        if not obj:
            return "", False
        # consecutive glyphs mostly share one text object: ask PDFium once per object
        okey = ctypes.cast(obj, ctypes.c_void_p).value or 0
        hit = self._by_obj.get(okey)
        if hit is not None:
            return hit
        hit = self._by_obj[okey] = self._lookup(obj)
        return hit

    def scaled_size(self, obj) -> float:
        okey = ctypes.cast(obj, ctypes.c_void_p).value or 0
        hit = self._scaled.get(okey)
        if hit is None:
            fs, m = ctypes.c_float(), raw.FS_MATRIX()
            hit = 0.0
            if raw.FPDFTextObj_GetFontSize(obj, fs) and raw.FPDFPageObj_GetMatrix(obj, m):
                hit = fs.value * abs(m.a * m.d - m.b * m.c) ** 0.5
            self._scaled[okey] = hit
        return hit

    def _lookup(self, obj) -> tuple[str, bool]:
        font = raw.FPDFTextObj_GetFont(obj)
        stroke = raw.FPDFTextObj_GetTextRenderMode(obj) == raw.FPDF_TEXTRENDERMODE_FILL_STROKE
        key = ((ctypes.cast(font, ctypes.c_void_p).value or 0) << 1) | stroke
        hit = self._by_key.get(key)
        if hit is not None:
            return hit
        name, bold = "", stroke
        if font:
            n = raw.FPDFFont_GetBaseFontName(font, self._buf, 256)
            name = self._buf.value.decode("latin-1", "replace") if n else ""
            bold = bold or raw.FPDFFont_GetWeight(font) >= 600 or bool(_BOLD_NAME.search(name))
        # subset prefix "ABCDEF+" differs per subset of the same face
        name = re.sub(r"^[A-Z]{6}\+", "", name).split(",")[0]
        self._by_key[key] = (name, bold)
        return name, bold


def _page_chars(page: pdfium.PdfPage, height: float) -> list[Char]:
    tp = page.get_textpage()
    try:
        t = tp.raw
        n = raw.FPDFText_CountChars(t)
        if n > MAX_CHARS_PER_PAGE:
            raise PdfRejected("page_bomb", f"1ページの文字数が多すぎます ({n}) / too many characters on a page")
        rect = raw.FS_RECTF()
        fonts = _FontCache()
        origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
        chars: list[Char] = []
        spaced = False
        for i in range(n):
            u = raw.FPDFText_GetUnicode(t, i)
            if 0 < u < 0x20 and u not in _SKIP:
                # a glyph id read as a code (a subset font without a Unicode map: "\x14\x15" for
                # "12"): a glyph whose character is unknown, for OCR to read (_fill_holes)
                u = 0xFFFD
            if u in _SKIP or u < 0x20 or (0xD800 <= u <= 0xDFFF):
                if u in (0x20, 0x3000, 0xA0):
                    # a space in the text, or one PDFium inserts where the glyph advances
                    # (not the ink boxes) leave a gap
                    spaced = True
                continue
            if not raw.FPDFText_GetLooseCharBox(t, i, rect):
                continue
            if 4.0 < raw.FPDFText_GetCharAngle(t, i) < 5.4:
                # turned a quarter counter-clockwise, read bottom to top: a rotated label (a
                # category tab on the page edge), never running text in either writing direction
                # (Latin in 縦書き is turned the other way)
                continue
            size = raw.FPDFText_GetFontSize(t, i)
            x0, x1 = rect.left, rect.right
            top, bottom = height - rect.top, height - rect.bottom
            if x1 < x0:
                x0, x1 = x1, x0
            if bottom < top:
                top, bottom = bottom, top
            if not (size > 0 and size < 2000 and x1 - x0 < 4000 and bottom - top < 4000):
                continue
            obj = raw.FPDFText_GetTextObject(t, i)
            name, bold = fonts.get(obj)
            if size < 3 and obj:
                # a unit font size scaled by the text matrix (Illustrator, InDesign: "1 Tf" and the
                # size in Tm): the size on the page is the font size times the matrix's scale
                size = fonts.scaled_size(obj) or size
            if bottom - top > 1.5 * size and raw.FPDFText_GetCharOrigin(t, i, origin_x, origin_y):
                # a loose box far taller than the em (the font's ascent and descent as some
                # producers declare them: 1.6 em in Quartz files) makes lines overlap and
                # horizontal text read as vertical: one em on the baseline instead
                base = height - origin_y.value
                if top - 0.5 * size <= base <= bottom + 0.5 * size:
                    top, bottom = base - 0.88 * size, base + 0.12 * size
            try:
                ch = chr(u)
            except ValueError:
                continue
            chars.append(Char(ch, x0, top, x1, bottom, float(size), name, bold, space=spaced, seq=i))
            spaced = False
        return chars
    finally:
        tp.close()


def _page_segments(page: pdfium.PdfPage, height: float) -> tuple[list[tuple[float, float, float, float]], int, int]:
    """Straight path segments (for ruled tables), image count and object count."""
    segs: list[tuple[float, float, float, float]] = []
    images = 0
    n = raw.FPDFPage_CountObjects(page.raw)
    if n > MAX_OBJECTS_PER_PAGE:
        raise PdfRejected("page_bomb", f"1ページのオブジェクト数が多すぎます ({n}) / too many objects on a page")
    m = raw.FS_MATRIX()
    px, py = ctypes.c_float(), ctypes.c_float()
    for i in range(n):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        typ = raw.FPDFPageObj_GetType(obj)
        if typ == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1
            continue
        if typ != raw.FPDF_PAGEOBJ_PATH or len(segs) > 4000:
            continue
        if not raw.FPDFPageObj_GetMatrix(obj, m):
            continue
        ns = raw.FPDFPath_CountSegments(obj)
        if ns <= 0 or ns > 2000:
            continue
        start = prev = None
        for j in range(ns):
            seg = raw.FPDFPath_GetPathSegment(obj, j)
            if not raw.FPDFPathSegment_GetPoint(seg, px, py):
                continue
            x = m.a * px.value + m.c * py.value + m.e
            y = height - (m.b * px.value + m.d * py.value + m.f)
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO:
                start = prev = (x, y)
            elif kind == raw.FPDF_SEGMENT_LINETO and prev is not None:
                segs.append((prev[0], prev[1], x, y))
                prev = (x, y)
            else:
                prev = (x, y)
            if raw.FPDFPathSegment_GetClose(seg) and start is not None and prev is not None:
                segs.append((prev[0], prev[1], start[0], start[1]))
                prev = start
    return segs, images, n


def _rules(segs: list[tuple[float, float, float, float]], body: float) -> list[tuple[float, float, float, float]]:
    """Long straight rules (boxes ``(x0, top, x1, bottom)``): underlines of titles, bars
    beside them, box borders.  Reading order keeps what a rule ties together."""
    out = set()
    least = 3 * max(body, 6.0)
    for x0, y0, x1, y1 in segs:
        if (abs(y1 - y0) <= 1.5 and abs(x1 - x0) >= least) or (abs(x1 - x0) <= 1.5 and abs(y1 - y0) >= least):
            out.add((round(min(x0, x1)), round(min(y0, y1)), round(max(x0, x1)), round(max(y0, y1))))
    return sorted(out)


def _unmapped(ch: str) -> bool:
    """A character that stands for a glyph without a Unicode mapping: U+FFFD, C1
    controls, private use, or glyph ids read as codes (they land in Latin
    Extended, IPA, Greek and the like, which a Japanese newsletter barely uses)."""
    u = ord(ch)
    return _hole(ch) or (0x180 <= u < 0x2000 and not 0x370 <= u < 0x400)


def _hole(ch: str) -> bool:
    """A glyph whose character is surely unknown (U+FFFD, a C1 control, private use): unlike
    :func:`_unmapped`, never a letter that may be real (Latin Extended in a Vietnamese notice),
    so a mostly readable line is read again only around these."""
    u = ord(ch)
    return u == 0xFFFD or 0x80 <= u < 0xA0 or 0xE000 <= u <= 0xF8FF


def _read_unmapped(page: pdfium.PdfPage, lines: list[Line], page_no: int, warnings: list[str]) -> list[Line]:
    """Lines whose characters mostly have no Unicode mapping are read again by OCR
    of just their region; a page with many of them is read whole."""
    # a font whose glyphs come out as odd codes has no mapping at all: its ASCII-looking
    # codes are glyph ids too
    by_font: Counter[str] = Counter()
    odd: Counter[str] = Counter()
    for ln in lines:
        by_font[ln.font] += len(ln.text)
        odd[ln.font] += sum(map(_unmapped, ln.text))
    broken = {f for f, n in by_font.items() if n and odd[f] >= 0.2 * n}
    bad = [
        ln for ln in lines
        if not ln.table_row and (ln.font in broken or (len(ln.text) >= 2 and sum(map(_unmapped, ln.text)) >= 0.5 * len(ln.text)))
    ]
    holey = [ln for ln in lines if ln not in bad and not ln.table_row and any(_hole(c.text) for c in ln.chars)]
    if holey and ocr.available():
        _fill_holes(page, holey, page_no, warnings)
    if not bad:
        return lines
    if not ocr.available():
        warnings.append(f"p.{page_no} に文字コードのない文字があります。OCR(tesseract)が使えないため読み取れません")
        return lines
    if len(bad) > ocr.MAX_REGIONS:
        ocr_lines, _body, state = ocr.ocr_page(page, page_no)
        if state == "done" and ocr_lines:
            keep = [ln for ln in lines if ln not in bad]
            warnings.append(f"p.{page_no} は文字コードのないフォントのため、文字認識(OCR)で読み取りました。確認してください")
            return keep + [ln for ln in ocr_lines]
        return lines
    texts = ocr.ocr_regions(page, [(ln.x0, ln.top, ln.x1, ln.bottom, ln.vertical) for ln in bad])
    done = 0
    for ln, text in zip(bad, texts):
        if text:
            ln.text, ln.ocr = text, True
            done += 1
    if done:
        warnings.append(f"p.{page_no} の文字コードのない文字 {done} 行を文字認識(OCR)で読み取りました。確認してください")
    return lines


# windows around unmapped characters read by OCR on one page, at most (a few milliseconds each)
MAX_WINDOWS = 200
# characters read on either side of a hole, so that the reading can be lined up with the text
HOLE_CONTEXT = 3


def _fill_holes(page: pdfium.PdfPage, lines: list[Line], page_no: int, warnings: list[str]) -> None:
    """Mostly mapped lines with a few unmapped characters ("議会は年�回、�ヵ月毎": the digits
    of a subset font without their codes): OCR reads each run of them with ``HOLE_CONTEXT``
    characters on either side (runs that close together in one window), and a run is filled
    from the reading where the characters around it line up with the text layer's."""
    runs = {id(ln): _hole_runs(ln.chars) for ln in lines}
    windows = []  # (line, first character, end)
    for ln in lines:
        for i, j in runs[id(ln)]:
            start, end = max(0, i - HOLE_CONTEXT), min(len(ln.chars), j + HOLE_CONTEXT)
            if windows and windows[-1][0] is ln and start <= windows[-1][2]:
                windows[-1] = (ln, windows[-1][1], end)
            else:
                windows.append((ln, start, end))
    windows = windows[:MAX_WINDOWS]
    boxes = []
    for ln, start, end in windows:
        w = ln.chars[start:end]
        boxes.append((min(c.x0 for c in w), min(c.top for c in w), max(c.x1 for c in w), max(c.bottom for c in w), ln.vertical))
    found: dict[int, dict[int, str]] = {}  # line → character index → its reading
    for (ln, start, end), read in zip(windows, ocr.ocr_regions(page, boxes)):
        if read:
            readings = unmapped_readings("".join(c.text for c in ln.chars[start:end]), read)
            found.setdefault(id(ln), {}).update({start + k: v for k, v in readings.items()})
    filled = 0
    for ln in lines:
        read = found.get(id(ln))
        if read is None:
            continue
        fills = ["".join(read[k] for k in range(i, j)) if all(k in read for k in range(i, j)) else None for i, j in runs[id(ln)]]
        ln.text, n = _patch(ln.text, [j - i for i, j in runs[id(ln)]], fills)
        ln.ocr_chars += n
        filled += n
    if filled:
        warnings.append(f"p.{page_no} の文字コードのない文字 {filled} 字を文字認識(OCR)で読み取りました。確認してください")


def _hole_runs(chars: list[Char]) -> list[tuple[int, int]]:
    runs, i = [], 0
    while i < len(chars):
        if _hole(chars[i].text):
            j = i
            while j < len(chars) and _hole(chars[j].text):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _patch(text: str, sizes: list[int], fills: list[str | None]) -> tuple[str, int]:
    """``text`` with its runs of unmapped characters (``sizes`` long, in order) replaced by
    ``fills`` (None: left as they are); and how many characters were filled."""
    out, k, i, filled = [], 0, 0, 0
    while i < len(text):
        if _hole(text[i]) and k < len(sizes):
            size = sizes[k]
            run = text[i : i + size]
            if fills[k] is not None and len(run) == size and all(map(_hole, run)):
                out.append(fills[k])
                filled += size
            else:
                out.append(run)
            i += size
            k += 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out), filled


def unmapped_readings(text: str, read: str) -> dict[int, str]:
    """What OCR ``read`` in place of each unmapped character of ``text`` (index → reading; a run
    read as a whole gives its reading to its first character and "" to the others).  The two are
    aligned character by character; a hole counts as read only where the characters around it
    agree, and the text layer's own characters are never changed."""
    read = "".join(read.split())
    found: dict[int, str] = {}
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, text, read, autojunk=False).get_opcodes():
        if op != "replace":
            continue
        seg, got = text[i1:i2], read[j1:j2]
        # OCR reads no spaces: "FAX ���-" against "FAX042-"
        first, last = i1 + len(seg) - len(seg.lstrip()), i1 + len(seg.rstrip())
        core = text[first:last]
        if core and all(map(_hole, core)) and len(got) <= 2 * len(core) + 1 and not any(map(_hole, got)):
            found.update({k: "" for k in range(first + 1, last)})
            found[first] = got
        elif len(seg) == len(got):
            found.update({i1 + k: g for k, (c, g) in enumerate(zip(seg, got)) if _hole(c) and not _hole(g)})
    return found


def fill_unmapped(text: str, read: str) -> str:
    """``text`` with the unmapped characters that OCR ``read`` filled in (:func:`unmapped_readings`)."""
    found = unmapped_readings(text, read)
    return "".join(found.get(i, c) for i, c in enumerate(text))


def _norm_margin(text: str) -> str:
    return re.sub(r"[0-9０-９]+", "#", re.sub(r"\s+", "", text))


def _drop_running_lines(pages: list[tuple[list[Line], float, float]]) -> None:
    """Remove running headers, footers and page numbers in the page margins:
    lines in the top or bottom band that are a page number, repeat on two or more
    pages (digits ignored) or are set smaller than the body."""
    counts: Counter[str] = Counter()
    for lines, body, height in pages:
        seen = set()
        for ln in lines:
            if ln.bottom < height * MARGIN_BAND or ln.top > height * (1 - MARGIN_BAND):
                seen.add(_norm_margin(ln.text))
        counts.update(seen)
    for lines, body, height in pages:
        keep = []
        for ln in lines:
            in_band = ln.bottom < height * MARGIN_BAND or ln.top > height * (1 - MARGIN_BAND)
            if in_band and _CONTINUED.match(ln.text.strip()):
                keep.append(ln)  # a jump line ("（2ページから続く）") says where the text belongs
                continue
            if in_band and _PAGE_NUMBER.match(ln.text.strip()):
                continue  # a page number, however large it is set
            if in_band and ln.size <= body * 1.1 and (counts[_norm_margin(ln.text)] >= 2 or ln.size < body * 0.95):
                continue
            keep.append(ln)
        lines[:] = keep


def extract_issue(
    path_or_bytes,
    *,
    max_bytes: int = 50 * 1024 * 1024,
    max_pages: int = 300,
    progress: Callable[[int, int], None] | None = None,
) -> DraftIssue:
    """Read a newsletter PDF and split it into draft articles.

    ``path_or_bytes`` is a filesystem path (``str`` or ``os.PathLike``) or the
    file's bytes.  Pages are read one at a time and released (memory stays flat);
    ``progress(done_pages, total_pages)`` is called after each page.

    Raises :class:`PdfRejected` (with ``.code``) for input that is not a usable PDF:
    empty, not a PDF, too large, truncated, damaged, password-protected, too many
    pages or a page bomb.  A PDF that only restricts permissions (owner password,
    no user password) is read, with a warning.

    Pages without a text layer are OCR'd with the ``tesseract`` binary (``jpn``,
    or ``jpn_vert`` for vertical pages) when it and its language data are
    installed.  When they are not, the result has ``needs_ocr=True`` and a
    warning instead of an error, so the caller can keep the upload and retry.
    """
    data = _read(path_or_bytes, max_bytes)
    doc = _open(data)
    warnings: list[str] = []
    needs_ocr = False
    try:
        total = _check_pages(doc, max_pages)
        if raw.FPDF_GetSecurityHandlerRevision(doc.raw) != -1:
            warnings.append("権限制限付き(暗号化)PDFですが、パスワードなしで開けたため読み取りました")
        pages: list[tuple[list[Line], float, float]] = []
        running_sizes: Counter[float] = Counter()
        ocr_pages: list[int] = []
        for index in range(total):
            page_no = index + 1
            try:
                page = doc[index]
            except pdfium.PdfiumError:
                warnings.append(f"p.{page_no} を読み込めませんでした")
                pages.append(([], 0.0, 1.0))
                if progress is not None:
                    progress(page_no, total)
                continue
            try:
                width, height = page.get_size()
                segs, images, nobj = _page_segments(page, height)
                chars = _page_chars(page, height)
                if not chars and (images or nobj):
                    lines, body, ocr_state = ocr.ocr_page(page, page_no)
                    if ocr_state == "unavailable":
                        needs_ocr = True
                        ocr_pages.append(page_no)
                    elif ocr_state == "failed":
                        warnings.append(f"p.{page_no} の文字認識(OCR)に失敗しました")
                    elif ocr_state == "done":
                        warnings.append(f"p.{page_no} は画像のため文字認識(OCR)で読み取りました。確認してください")
                    pages.append((lines, body, height))
                    continue
                for c in chars:
                    running_sizes[round(c.size * 4) / 4] += 1
                body = body_size(chars) if len(chars) >= 80 else (running_sizes.most_common(1)[0][0] if running_sizes else 0)
                tables = find_tables(segs)
                rows, chars = table_lines(chars, tables, page_no)
                lines, ruby = build_lines(chars, body=body, page=page_no, plain_font=body_font(chars, body))
                lines.extend(rows)
                lines = _read_unmapped(page, lines, page_no, warnings)
                vertical = page_is_vertical(lines)
                ordered = order_lines(lines, width=width, body=body, vertical=vertical, rules=_rules(segs, body))
                for ln in ordered:
                    ln.chars = []  # free memory; only text and geometry are needed now
                pages.append((ordered, body, height))
            finally:
                page.close()
                if progress is not None:
                    progress(page_no, total)
        if ocr_pages:
            shown = ", ".join(map(str, ocr_pages[:10])) + (" ..." if len(ocr_pages) > 10 else "")
            warnings.append(
                f"文字情報のないページがあります (p.{shown})。OCR(tesseract)が使えないため読み取れません / pages need OCR"
            )
    finally:
        doc.close()
    _drop_running_lines(pages)
    articles, more = assemble([(lines, body) for lines, body, _ in pages])
    warnings.extend(more)
    return DraftIssue(articles=articles, page_count=total, needs_ocr=needs_ocr, warnings=warnings)
