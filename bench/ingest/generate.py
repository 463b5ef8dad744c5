"""Newsletter-like PDFs with known ground truth, typeset from real corpus articles.

The corpus (CC BY 4.0) is read at run time from ``../shared/corpus`` next to the
repository; nothing from it is stored in the repository.

The typesetter mimics how 広報紙 are laid out: titles in a large ゴシック face,
section headings (``■`` in the corpus) in a slightly larger ゴシック without the
marker, sub-headings (``◇``) in ゴシック at body size without the marker, body in
明朝, 1–4 columns or vertical tiers (段), boxed notices, ruled tables, running
headers/footers with page numbers and furigana (ruby) in small type.  The ground
truth is the corpus text itself (markers included), with ``key：value`` lines
that were set as a ruled table written as ``key｜value``.
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO.parent / "shared" / "corpus" / "municipal-bulletin" / "csv"
OUT_DIR = REPO / "bench" / "out"
FONT_CANDIDATES = {
    "KM": ["/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf", "/usr/share/fonts/truetype/fonts-japanese-mincho.ttf"],
    "KG": ["/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"],
}
PAGE_W, PAGE_H = 595.0, 842.0  # A4 portrait
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 42.0, 72.0, 66.0


@dataclass
class Layout:
    name: str
    columns: int = 1
    vertical: bool = False
    mixed: bool = False  # alternate horizontal and vertical pages
    boxed: bool = False
    tables: bool = False
    furigana: bool = False
    running: bool = True
    body_size: float = 10.0
    tiers: int = 2


LAYOUTS = [
    Layout("1col", columns=1, body_size=10.5),
    Layout("2col", columns=2, body_size=10.0),
    Layout("3col-boxed", columns=3, body_size=9.0, boxed=True),
    Layout("4col", columns=4, body_size=8.5),
    Layout("2col-tables", columns=2, body_size=9.5, tables=True),
    Layout("2col-furigana", columns=2, body_size=10.0, furigana=True),
    Layout("vertical", vertical=True, body_size=10.0, tiers=2),
    Layout("vertical-3tier-furigana", vertical=True, body_size=9.0, tiers=3, furigana=True),
    Layout("mixed", columns=3, mixed=True, body_size=9.5, tiers=2),
]


@dataclass
class Article:
    title: str
    body: str
    category: str
    pages: list[int] = field(default_factory=list)


def corpus_available() -> bool:
    return CORPUS_DIR.is_dir() and any(CORPUS_DIR.glob("*.csv"))


def load_corpus() -> list[Article]:
    out = []
    for path in sorted(CORPUS_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                out.append(Article(row["記事タイトル"].strip(), row["記事本文"].strip(), row["カテゴリ"].strip()))
    return out


_fonts_ready = False
_cmap: set[int] = set()


def register_fonts() -> None:
    global _fonts_ready
    if _fonts_ready:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, paths in FONT_CANDIDATES.items():
        path = next((p for p in paths if Path(p).exists()), None)
        if path is None:
            raise FileNotFoundError(f"IPAex font not found ({name}); apt-get install fonts-ipaexfont")
        font = TTFont(name, path)
        pdfmetrics.registerFont(font)
        if name == "KM":
            _cmap.update(font.face.charToGlyph.keys())
    _fonts_ready = True


def usable(a: Article, max_chars: int) -> bool:
    """Articles the fonts can set and that are not huge; NFKC-stable text only so the
    comparison measures layout analysis, not font encodings."""
    register_fonts()
    text = a.title + a.body
    if not a.title or len(a.body) < 20 or len(a.body) > max_chars:
        return False
    return all(ord(ch) in _cmap or ch in "\n\u3000 " for ch in text)


def pick_articles(seed: int, n: int, *, max_chars: int = 1200) -> list[Article]:
    rng = random.Random(seed)
    pool = [a for a in load_corpus() if usable(a, max_chars)]
    rng.shuffle(pool)
    return [Article(a.title, a.body, a.category) for a in pool[:n]]


# --------------------------------------------------------------------------- typesetting

_KV = re.compile(r"^([^：:\s]{1,8})[：:](\S.{0,60})$")
_KANJI = re.compile(r"[\u4e00-\u9fff]{1,4}")


def _items(a: Article, tables: bool) -> tuple[list[tuple[str, object]], str]:
    """Article -> typesetting items and the expected body text."""
    items: list[tuple[str, object]] = []
    expected: list[str] = []
    lines = a.body.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if tables:
            j = i
            rows = []
            while j < len(lines) and _KV.match(lines[j]):
                m = _KV.match(lines[j])
                rows.append((m.group(1), m.group(2)))
                j += 1
            if len(rows) >= 2:
                items.append(("table", rows))
                expected.extend(f"{k}｜{v}" for k, v in rows)
                i = j
                continue
        if not line.strip():
            items.append(("blank", ""))
            expected.append("")
        elif line.startswith("■") and len(line) > 1:
            items.append(("h1", line[1:]))
            expected.append(line)
        elif line.startswith("◇") and len(line) > 1:
            items.append(("h2", line[1:]))
            expected.append(line)
        else:
            items.append(("body", line))
            expected.append(line)
        i += 1
    return items, "\n".join(expected)


class Typesetter:
    """Flows articles through frames (columns or tiers) over pages."""

    def __init__(self, path: Path, layout: Layout, rng: random.Random):
        from reportlab.pdfgen import canvas

        register_fonts()
        self.layout = layout
        self.rng = rng
        self.c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H))
        self.c.setTitle(f"kohoshi bench {layout.name}")
        self.page = 0
        self.frames: list[tuple[float, float, float, float]] = []
        self.vertical = False
        self.fi = 0
        self.pos = 0.0
        self.current: Article | None = None
        self._new_page()

    # ---- geometry
    def _new_page(self) -> None:
        if self.page:
            self.c.showPage()
        self.page += 1
        lay = self.layout
        self.vertical = lay.vertical or (lay.mixed and self.page % 2 == 0)
        x0, x1 = MARGIN_X, PAGE_W - MARGIN_X
        top, bottom = MARGIN_TOP, PAGE_H - MARGIN_BOTTOM
        self.frames = []
        if self.vertical:
            gap = 2.2 * lay.body_size
            h = (bottom - top - gap * (lay.tiers - 1)) / lay.tiers
            h = lay.body_size * int(h / lay.body_size)
            for t in range(lay.tiers):
                ft = top + t * (h + gap)
                self.frames.append((x0, ft, x1, ft + h))
        else:
            gut = 1.8 * lay.body_size
            w = (x1 - x0 - gut * (lay.columns - 1)) / lay.columns
            for k in range(lay.columns):
                fx = x0 + k * (w + gut)
                self.frames.append((fx, top, fx + w, bottom))
        self.fi = 0
        self.pos = 0.0
        if lay.running:
            self.c.setFont("KM", 7.5)
            self.c.drawString(MARGIN_X, PAGE_H - 34, "広報こほし　令和6年5月1日号")
            self.c.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 34, "こほし市役所")
            self.c.setFont("KM", 9)
            self.c.drawCentredString(PAGE_W / 2, 30, f"- {self.page} -")
        if self.current is not None:
            self._mark()

    def _mark(self) -> None:
        if self.current is not None and self.page not in self.current.pages:
            self.current.pages.append(self.page)

    def frame(self) -> tuple[float, float, float, float]:
        return self.frames[self.fi]

    def length(self) -> float:
        """Line length of the current frame."""
        x0, t, x1, b = self.frame()
        return (b - t) if self.vertical else (x1 - x0)

    def depth(self) -> float:
        """Extent across lines of the current frame."""
        x0, t, x1, b = self.frame()
        return (x1 - x0) if self.vertical else (b - t)

    def next_frame(self) -> None:
        if self.fi + 1 < len(self.frames):
            self.fi += 1
            self.pos = 0.0
        else:
            self._new_page()

    def ensure(self, amount: float) -> None:
        if self.pos > 0 and self.pos + amount > self.depth():
            self.next_frame()

    def gap(self, amount: float) -> None:
        if self.pos > 0:
            self.pos += amount

    # ---- text
    @staticmethod
    def wrap(text: str, font: str, size: float, width: float, vertical: bool) -> list[str]:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        lines, cur, w = [], "", 0.0
        for ch in text:
            cw = size if vertical else stringWidth(ch, font, size)
            if cur and w + cw > width + 0.01:
                lines.append(cur)
                cur, w = "", 0.0
            cur += ch
            w += cw
        if cur:
            lines.append(cur)
        return lines or [""]

    def _draw_h(self, text: str, font: str, size: float, x: float, top: float, ruby: bool) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        base = top + 0.88 * size
        self.c.setFont(font, size)
        self.c.drawString(x, PAGE_H - base, text)
        if ruby:
            rs = size * 0.5
            for m in _KANJI.finditer(text):
                if self.rng.random() > 0.5:
                    continue
                start = x + stringWidth(text[: m.start()], font, size)
                wdt = stringWidth(m.group(), font, size)
                kana = ("よみかた" * 3)[: 2 * len(m.group())]
                self.c.setFont(font, rs)
                self.c.drawCentredString(start + wdt / 2, PAGE_H - (base - 0.98 * size), kana)
            self.c.setFont(font, size)

    def _draw_v(self, text: str, font: str, size: float, cx: float, top: float, ruby: bool) -> None:
        self.c.setFont(font, size)
        cells = re.findall(r"(?<![0-9])[0-9]{2}(?![0-9])|.", text)
        y = top
        for cell in cells:
            self.c.drawCentredString(cx, PAGE_H - (y + 0.88 * size), cell)
            y += size
        if ruby:
            rs = size * 0.5
            self.c.setFont(font, rs)
            y = top
            for m in _KANJI.finditer(text):
                if self.rng.random() > 0.5:
                    continue
                # position of the match in cells: approximate by counting cells before it
                k = len(re.findall(r"(?<![0-9])[0-9]{2}(?![0-9])|.", text[: m.start()]))
                kana = ("よみかた" * 3)[: 2 * len(m.group())]
                span = len(m.group()) * size
                step = span / len(kana)
                for j, ch in enumerate(kana):
                    self.c.drawCentredString(cx + 0.5 * size + 0.6 * rs, PAGE_H - (top + k * size + j * step + 0.88 * rs), ch)
            self.c.setFont(font, size)

    def line(self, text: str, font: str, size: float, pitch: float, *, ruby: bool = False, indent: float = 0.0) -> None:
        """Set one (already wrapped) line in the current frame."""
        self.ensure(pitch)
        self._mark()
        x0, t, x1, b = self.frame()
        if self.vertical:
            cx = x1 - self.pos - pitch / 2
            self._draw_v(text, font, size, cx, t + indent, ruby)
        else:
            self._draw_h(text, font, size, x0 + indent, t + self.pos + (pitch - size) / 2, ruby)
        self.pos += pitch

    def paragraph(self, text: str, font: str, size: float, pitch: float, *, ruby: bool = False) -> None:
        # wrap one line at a time: a frame break may change the line length (mixed pages)
        rest = text
        while rest:
            self.ensure(pitch)
            ln = self.wrap(rest, font, size, self.length(), self.vertical)[0]
            self.line(ln, font, size, pitch, ruby=ruby)
            rest = rest[len(ln) :]

    # ---- blocks
    def article(self, a: Article) -> str:
        lay = self.layout
        s = lay.body_size
        pitch = 1.7 * s
        items, expected = _items(a, lay.tables and not lay.vertical)
        self.current = a
        a.pages = []
        ts = s * (1.7 if lay.columns < 4 else 1.5)
        boxed = lay.boxed and not self.vertical and self.rng.random() < 0.35
        if boxed and self._boxed(a, items, s, pitch, ts):
            return expected
        self.gap(1.0 * pitch)
        title_lines = self.wrap(a.title, "KG", ts, self.length(), self.vertical)
        self.ensure(len(title_lines) * ts * 1.4 + 2 * pitch)
        title_lines = self.wrap(a.title, "KG", ts, self.length(), self.vertical)
        for tl in title_lines:
            self.line(tl, "KG", ts, ts * 1.4)
        self.gap(0.3 * pitch)
        for kind, val in items:
            self._item(kind, val, s, pitch)
        return expected

    def _item(self, kind: str, val, s: float, pitch: float) -> None:
        lay = self.layout
        if kind == "blank":
            self.gap(0.7 * pitch)
        elif kind == "h1":
            self.gap(0.3 * pitch)
            self.ensure(2.5 * pitch)
            self.paragraph(val, "KG", s * 1.15, pitch * 1.1)
        elif kind == "h2":
            self.ensure(2 * pitch)
            self.paragraph(val, "KG", s, pitch)
        elif kind == "table":
            self._table(val, s, pitch)
        else:
            self.paragraph(val, "KM", s, pitch, ruby=lay.furigana)

    def _table(self, rows: list[tuple[str, str]], s: float, pitch: float) -> None:
        if self.vertical:
            for k, v in rows:
                self.paragraph(f"{k}：{v}", "KM", s, pitch)
            return
        pad = 0.35 * s
        self.gap(0.3 * pitch)
        x0, t, x1, b = self.frame()
        kw = (x1 - x0) * 0.3
        prepared = []
        for k, v in rows:
            kl = self.wrap(k, "KM", s, kw - 2 * pad, False)
            vl = self.wrap(v, "KM", s, (x1 - x0) - kw - 2 * pad, False)
            prepared.append((kl, vl, max(len(kl), len(vl)) * pitch + 2 * pad))
        total = sum(h for *_, h in prepared)
        if total <= self.depth():
            self.ensure(total)
        self._mark()
        x0, t, x1, b = self.frame()
        self.c.setLineWidth(0.6)
        for kl, vl, h in prepared:
            if self.pos + h > self.depth():
                self.next_frame()
                x0, t, x1, b = self.frame()
            top = t + self.pos
            for y in (top, top + h):
                self.c.line(x0, PAGE_H - y, x1, PAGE_H - y)
            for x in (x0, x0 + kw, x1):
                self.c.line(x, PAGE_H - top, x, PAGE_H - (top + h))
            for col, (cx, cl) in enumerate(((x0 + pad, kl), (x0 + kw + pad, vl))):
                for j, text in enumerate(cl):
                    self._draw_h(text, "KM", s, cx, top + pad + j * pitch + (pitch - s) / 2, False)
            self.pos += h
        self.gap(0.4 * pitch)

    def _boxed(self, a: Article, items, s: float, pitch: float, ts: float) -> bool:
        pad = 0.6 * s
        x0, t, x1, b = self.frame()
        inner = (x1 - x0) - 2 * pad
        plan: list[tuple[str, str, float, float]] = []
        for tl in self.wrap(a.title, "KG", ts, inner, False):
            plan.append((tl, "KG", ts, ts * 1.4))
        for kind, val in items:
            if kind == "blank":
                plan.append(("", "", 0, 0.7 * pitch))
            elif kind == "table":
                for k, v in val:
                    for ln in self.wrap(f"{k}：{v}", "KM", s, inner, False):
                        plan.append((ln, "KM", s, pitch))
            else:
                font, size, p = {"h1": ("KG", s * 1.15, pitch * 1.1), "h2": ("KG", s, pitch)}.get(kind, ("KM", s, pitch))
                for ln in self.wrap(val, font, size, inner, False):
                    plan.append((ln, font, size, p))
        height = sum(p for *_, p in plan) + 2 * pad
        if height > self.depth():
            return False
        self.gap(1.0 * pitch)
        self.ensure(height + 1)
        self._mark()
        x0, t, x1, b = self.frame()
        top = t + self.pos
        self.c.setLineWidth(1.0)
        self.c.rect(x0, PAGE_H - (top + height), x1 - x0, height, stroke=1, fill=0)
        y = top + pad
        for text, font, size, p in plan:
            if text:
                self._draw_h(text, font, size, x0 + pad, y + (p - size) / 2, False)
            y += p
        self.pos += height
        return True

    def save(self) -> None:
        self.c.save()



def build_pdf(articles: list[Article], layout: Layout, path: Path, seed: int) -> list[Article]:
    """Typeset ``articles`` into ``path``; returns the ground truth (title, expected
    body, pages) in reading order."""
    rng = random.Random(seed)
    ts = Typesetter(path, layout, rng)
    truth = []
    for a in articles:
        a = Article(a.title, a.body, a.category)
        expected = ts.article(a)
        truth.append(Article(a.title, expected, a.category, list(a.pages)))
    ts.save()
    return truth


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)
