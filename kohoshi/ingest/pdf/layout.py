"""Page layout: from positioned characters to lines in reading order.

Everything here is pure geometry on plain dataclasses, so it is shared by the text
layer (characters from PDFium) and by OCR (words from Tesseract).

Coordinates use a top-left origin in PDF points: ``x`` grows to the right, ``y``
grows downwards.  For ordering, every box is also expressed in *reading
coordinates* ``(a, c)``: ``a`` runs along a line and ``c`` across lines.  On a
horizontal page ``a = x`` and ``c = y``; on a vertical (縦書き) page ``a = y``
(top to bottom inside a line, and tiers 段 stacked downwards) and ``c = width - x``
(lines follow each other right to left).  With that transposition one recursive
XY-cut orders both writing directions.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

# Runs on one baseline closer than this are one line (a full-width space is 1 em).
RUN_JOIN_EM = 1.15
# A gap of this many body ems through a whole region separates columns.  Lines
# are already joined across full-width spaces, and hanging punctuation and ruby
# make real gutters look narrower than they were set, hence less than 1 em.
COLUMN_GAP_EM = 0.8
# Fragments of one visual row further apart than this are cells of an unruled table.
CELL_GAP_EM = 2.5
HANGING = ("、", "。", "，", "．", ",", ".")
# Characters smaller than this share of the body size are ruby candidates
# (hand-set furigana is about 50 %; LibreOffice sets ruby at about 67 %).
RUBY_RATIO = 0.75


@dataclass(slots=True)
class Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    font: str = ""
    bold: bool = False

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Line:
    """A line of text (one direction, one column) with its typography."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    vertical: bool = False
    bold: float = 0.0  # share of characters set in an emphasised face
    font: str = ""
    table_row: bool = False
    page: int = 0
    # filled in by order_lines()
    a0: float = 0.0
    a1: float = 0.0
    c0: float = 0.0
    c1: float = 0.0
    column: int = 0
    column_end: float = 0.0
    chars: list[Char] = field(default_factory=list, repr=False)


# --------------------------------------------------------------------------- runs


def _relation(p: Char, c: Char) -> str | None:
    s = max(p.size, c.size, 1.0)
    ph, ch_ = p.bottom - p.top, c.bottom - c.top
    pw, cw = p.x1 - p.x0, c.x1 - c.x0
    ov_y = min(p.bottom, c.bottom) - max(p.top, c.top)
    dx = c.x0 - p.x1
    if ov_y >= 0.5 * min(ph, ch_) and -0.3 * s <= dx <= 0.6 * s:
        return "h"
    ov_x = min(p.x1, c.x1) - max(p.x0, c.x0)
    dy = c.top - p.bottom
    if (ov_x >= 0.5 * min(pw, cw) or abs(p.cx - c.cx) <= 0.35 * s) and -0.3 * s <= dy <= 0.6 * s:
        return "v"
    return None


class _Run:
    __slots__ = ("chars", "orient", "x0", "top", "x1", "bottom", "texts")

    def __init__(self, c: Char):
        self.chars = [c]
        self.texts = [c.text]
        self.orient: str | None = None
        self.x0, self.top, self.x1, self.bottom = c.x0, c.top, c.x1, c.bottom

    def add(self, c: Char, sep: str = "") -> None:
        if sep:
            self.texts.append(sep)
        self.chars.append(c)
        self.texts.append(c.text)
        self.x0 = min(self.x0, c.x0)
        self.x1 = max(self.x1, c.x1)
        self.top = min(self.top, c.top)
        self.bottom = max(self.bottom, c.bottom)

    def absorb(self, other: _Run, sep: str = "") -> None:
        if sep:
            self.texts.append(sep)
        self.chars.extend(other.chars)
        self.texts.extend(other.texts)
        self.x0 = min(self.x0, other.x0)
        self.x1 = max(self.x1, other.x1)
        self.top = min(self.top, other.top)
        self.bottom = max(self.bottom, other.bottom)

    @property
    def size(self) -> float:
        # the size of the first glyph is enough while building; lines use the median
        return self.chars[0].size


def _space(gap: float, size: float) -> str:
    if gap >= 0.8 * size:
        return "\u3000"
    if gap >= 0.15 * size:
        return " "
    return ""


def _build_runs(chars: list[Char]) -> list[_Run]:
    """Group characters, in content-stream order, into straight runs."""
    runs: list[_Run] = []
    cur: _Run | None = None
    for c in chars:
        if cur is not None:
            p = cur.chars[-1]
            rel = _relation(p, c)
            if rel is None and cur.orient == "v":
                # narrow glyphs (digits, hyphens) sit anywhere inside the column:
                # compare with the column, not with the previous glyph
                s = max(p.size, c.size, 1.0)
                ov = min(cur.x1, c.x1) - max(cur.x0, c.x0)
                dy = c.top - p.bottom
                if ov >= 0.5 * (c.x1 - c.x0) and -0.3 * s <= dy <= 0.6 * s:
                    rel = "v"
            if rel == "h" and cur.orient == "v" and abs(c.cx - (cur.x0 + cur.x1) / 2) <= 0.6 * c.size:
                # 縦中横: two digits side by side inside one cell of a vertical line
                cur.add(c)
                continue
            if rel is not None and (cur.orient is None or cur.orient == rel):
                gap = (c.x0 - p.x1) if rel == "h" else (c.top - p.bottom)
                cur.add(c, _space(gap, max(p.size, c.size)))
                cur.orient = rel
                continue
            runs.append(cur)
        cur = _Run(c)
    if cur is not None:
        runs.append(cur)
    return _merge_runs(runs)


def _merge_runs(runs: list[_Run]) -> list[_Run]:
    """Join consecutive runs that continue one another (a full-width space, a
    change of font, 縦中横 digits inside a vertical line)."""
    out: list[_Run] = []
    for r in runs:
        if out:
            a = out[-1]
            s = max(a.size, r.size, 1.0)
            if a.orient != "v" and r.orient != "v":
                ov = min(a.bottom, r.bottom) - max(a.top, r.top)
                gap = r.x0 - a.x1
                if ov >= 0.5 * min(a.bottom - a.top, r.bottom - r.top) and -0.3 * s <= gap <= RUN_JOIN_EM * s:
                    a.absorb(r, _space(gap, s))
                    a.orient = "h"
                    continue
            if a.orient != "h" or (r.orient == "v" and a.x1 - a.x0 <= 1.6 * s):
                ov = min(a.x1, r.x1) - max(a.x0, r.x0)
                gap = r.top - a.bottom
                narrow = (r.x1 - r.x0) <= 1.3 * max(a.x1 - a.x0, s)
                if (
                    (ov >= 0.5 * min(a.x1 - a.x0, r.x1 - r.x0) or abs((a.x0 + a.x1) - (r.x0 + r.x1)) / 2 <= 0.35 * s)
                    and -0.3 * s <= gap <= RUN_JOIN_EM * s
                    and narrow
                    and (a.orient == "v" or r.orient == "v" or (a.orient is None and r.orient is None))
                ):
                    a.absorb(r, _space(gap, s))
                    a.orient = "v"
                    continue
        out.append(r)
    return out


def body_size(chars: list[Char]) -> float:
    """The most common character size (weighted by count), i.e. the body text."""
    sizes = Counter(round(c.size * 4) / 4 for c in chars if c.size > 0)
    if not sizes:
        return 0.0
    return sizes.most_common(1)[0][0]


def _is_ruby(r: _Run, bases: list[_Run]) -> bool:
    for b in bases:
        s = b.size
        if b.orient == "v":
            if b.x1 - 0.3 * s <= r.x0 <= b.x1 + 0.6 * s and min(b.bottom, r.bottom) > max(b.top, r.top):
                return True
        else:
            if b.top - 0.6 * s <= r.bottom <= b.top + 0.3 * s and min(b.x1, r.x1) > max(b.x0, r.x0):
                return True
    return False


def body_font(chars: list[Char], body: float) -> str:
    """The face most body-size characters are set in."""
    fonts = Counter(c.font for c in chars if abs(c.size - body) <= 0.1 * body)
    return fonts.most_common(1)[0][0] if fonts else ""


def build_lines(chars: list[Char], *, body: float, page: int = 0, plain_font: str | None = None) -> tuple[list[Line], int]:
    """Characters (content order) to lines.  Returns the lines and the number of
    characters dropped as ruby (furigana).

    A character counts as emphasised when its face is bold, or when it differs
    from ``plain_font`` (the body face): newsletters set headings in a heavier
    family (ゴシック) rather than a bold weight of the body face."""
    if not chars:
        return [], 0
    small_limit = body * RUBY_RATIO
    big = [c for c in chars if c.size >= small_limit]
    small = [c for c in chars if c.size < small_limit]
    runs = _build_runs(big)
    dropped = 0
    if small:
        for r in _build_runs(small):
            if _is_ruby(r, runs):
                dropped += len(r.chars)
            else:
                runs.append(r)
    lines = []
    for r in runs:
        n = len(r.chars)
        fonts = Counter(c.font for c in r.chars)
        lines.append(
            Line(
                text="".join(r.texts),
                x0=r.x0,
                top=r.top,
                x1=r.x1,
                bottom=r.bottom,
                size=statistics.median(c.size for c in r.chars),
                vertical=(r.orient == "v"),
                bold=sum(1 for c in r.chars if c.bold or (plain_font and c.font and c.font != plain_font)) / n,
                font=fonts.most_common(1)[0][0],
                page=page,
                chars=r.chars,
            )
        )
    return lines, dropped


# --------------------------------------------------------------------------- tables


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def find_tables(segments: list[tuple[float, float, float, float]]) -> list[tuple[list[float], list[float]]]:
    """Ruled tables from straight segments ``(x0, y0, x1, y1)`` (top-left origin).

    A table is a connected group of rules with at least three distinct vertical
    and three distinct horizontal positions (a frame around a boxed notice has
    only two of each).  Returns ``(xs, ys)`` grid positions per table.
    """
    hs, vs = [], []
    for x0, y0, x1, y1 in segments:
        if abs(y1 - y0) <= 1.5 and abs(x1 - x0) >= 6:
            hs.append((min(x0, x1), y0, max(x0, x1), y0))
        elif abs(x1 - x0) <= 1.5 and abs(y1 - y0) >= 6:
            vs.append((x0, min(y0, y1), x0, max(y0, y1)))
    if len(hs) < 3 or len(vs) < 3 or len(hs) + len(vs) > 4000:
        return []
    segs = hs + vs
    parent = list(range(len(segs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tol = 2.0
    for i, h in enumerate(hs):
        for j, v in enumerate(vs, start=len(hs)):
            if h[0] - tol <= v[0] <= h[2] + tol and v[1] - tol <= h[1] <= v[3] + tol:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(segs)):
        groups.setdefault(find(i), []).append(i)
    tables = []
    for members in groups.values():
        xs = _cluster([segs[i][0] for i in members if i >= len(hs)], tol)
        ys = _cluster([segs[i][1] for i in members if i < len(hs)], tol)
        if len(xs) >= 3 and len(ys) >= 3:
            tables.append((xs, ys))
    return tables


def table_lines(
    chars: list[Char], tables: list[tuple[list[float], list[float]]], page: int
) -> tuple[list[Line], list[Char]]:
    """Pull the characters inside ruled tables out and turn each table row into one
    line with cells separated by "｜".  Returns (row lines, remaining chars)."""
    if not tables:
        return [], chars
    rest: list[Char] = []
    cells: dict[tuple[int, int, int], list[Char]] = {}
    for c in chars:
        cx, cy = c.cx, c.cy
        for t, (xs, ys) in enumerate(tables):
            if xs[0] <= cx <= xs[-1] and ys[0] <= cy <= ys[-1]:
                col = next(i for i in range(len(xs) - 1) if cx <= xs[i + 1])
                row = next(i for i in range(len(ys) - 1) if cy <= ys[i + 1])
                cells.setdefault((t, row, col), []).append(c)
                break
        else:
            rest.append(c)
    out = []
    for t, (xs, ys) in enumerate(tables):
        for row in range(len(ys) - 1):
            texts, row_chars = [], []
            for col in range(len(xs) - 1):
                cc = cells.get((t, row, col), [])
                row_chars.extend(cc)
                body = statistics.median(c.size for c in cc) if cc else 10.0
                cell_lines, _ = build_lines(cc, body=body, page=page)
                cell_lines.sort(key=lambda ln: (round(ln.top / max(ln.size, 1) * 2), ln.x0))
                texts.append("".join(ln.text for ln in cell_lines))
            if not row_chars:
                continue
            out.append(
                Line(
                    text="｜".join(texts),
                    x0=xs[0],
                    top=ys[row],
                    x1=xs[-1],
                    bottom=ys[row + 1],
                    size=statistics.median(c.size for c in row_chars),
                    bold=sum(c.bold for c in row_chars) / len(row_chars),
                    font=Counter(c.font for c in row_chars).most_common(1)[0][0],
                    table_row=True,
                    page=page,
                    chars=row_chars,
                )
            )
    return out, rest


# --------------------------------------------------------------------------- order


def page_is_vertical(lines: list[Line]) -> bool:
    v = sum(len(ln.text) for ln in lines if ln.vertical)
    h = sum(len(ln.text) for ln in lines if not ln.vertical and len(ln.text) > 1)
    return v > h


def _join_row(items: list[Line], body: float) -> Line:
    first = items[0]
    parts = [first.text]
    for p, c in zip(items, items[1:]):
        parts.append("｜" if c.a0 - p.a1 >= CELL_GAP_EM * body else " ")
        parts.append(c.text)
    n = sum(len(ln.text) for ln in items) or 1
    return Line(
        text="".join(parts),
        x0=min(ln.x0 for ln in items),
        top=min(ln.top for ln in items),
        x1=max(ln.x1 for ln in items),
        bottom=max(ln.bottom for ln in items),
        size=max(items, key=lambda ln: len(ln.text)).size,
        vertical=first.vertical,
        bold=sum(ln.bold * len(ln.text) for ln in items) / n,
        font=first.font,
        page=first.page,
        a0=min(ln.a0 for ln in items),
        a1=max(ln.a1 for ln in items),
        c0=min(ln.c0 for ln in items),
        c1=max(ln.c1 for ln in items),
    )


def order_lines(lines: list[Line], *, width: float, body: float, vertical: bool) -> list[Line]:
    """Sort lines into reading order with a recursive XY-cut.

    Columns (or, on a vertical page, tiers) are cut first wherever a gap of at
    least ``COLUMN_GAP_EM`` runs through the whole region; otherwise the region is
    cut across at its widest gap, so a full-width heading above two columns is
    split off without splitting the columns into rows.
    """
    for ln in lines:
        if vertical:
            ln.a0, ln.a1, ln.c0, ln.c1 = ln.top, ln.bottom, width - ln.x1, width - ln.x0
        else:
            ln.a0, ln.a1, ln.c0, ln.c1 = ln.x0, ln.x1, ln.top, ln.bottom
        if ln.text.endswith(HANGING) and ln.a1 - ln.a0 > ln.size:
            # ぶら下げ: a final 、。 may hang into the gutter; its ink is in the first half
            ln.a1 -= 0.5 * ln.size
    col_gap = COLUMN_GAP_EM * max(body, 1.0)
    out: list[Line] = []
    counter = [0]

    def gaps(items: list[Line], lo: str, hi: str, min_gap: float) -> list[list[Line]]:
        items = sorted(items, key=lambda ln: getattr(ln, lo))
        parts: list[list[Line]] = [[items[0]]]
        reach = getattr(items[0], hi)
        for ln in items[1:]:
            start = getattr(ln, lo)
            if start - reach >= min_gap:
                parts.append([ln])
            else:
                parts[-1].append(ln)
            reach = max(reach, getattr(ln, hi))
        return parts

    def emit(items: list[Line], column: int, end: float) -> None:
        for ln in sorted(items, key=lambda ln: (ln.c0, ln.a0)):
            ln.column, ln.column_end = column, end
            out.append(ln)

    # explicit stack instead of recursion: fuzzed pages may hold thousands of lines
    stack: list[tuple[list[Line], int, float, int]] = [(lines, 0, max((ln.a1 for ln in lines), default=0), 0)]
    while stack:
        items, column, end, depth = stack.pop()
        if len(items) <= 1 or depth > 400:
            emit(items, column, end)
            continue
        cols = gaps(items, "a0", "a1", col_gap)
        if len(cols) > 1 and max(ln.c0 for ln in items) < min(ln.c1 for ln in items) - 0.2 * body:
            # pieces of one visual row (spread out by ruby, or unruled table cells)
            emit([_join_row(sorted(items, key=lambda ln: ln.a0), body)], column, end)
            continue
        if len(cols) > 1:
            parts = []
            for part in cols:
                counter[0] += 1
                parts.append((part, counter[0], max(ln.a1 for ln in part), depth + 1))
            stack.extend(reversed(parts))
            continue
        rows = gaps(items, "c0", "c1", 0.01)
        if len(rows) == 1:
            emit(items, column, end)
            continue
        # a plain stack of single lines needs no further cutting
        if all(len(r) == 1 or len(gaps(r, "a0", "a1", col_gap)) == 1 for r in rows):
            emit(items, column, end)
            continue
        # cut once, at the widest gap
        best, best_gap = 1, -1.0
        for i in range(1, len(rows)):
            g = min(ln.c0 for ln in rows[i]) - max(ln.c1 for ln in rows[i - 1])
            if g > best_gap:
                best, best_gap = i, g
        upper = [ln for r in rows[:best] for ln in r]
        lower = [ln for r in rows[best:] for ln in r]
        stack.append((lower, column, end, depth + 1))
        stack.append((upper, column, end, depth + 1))
    return out
