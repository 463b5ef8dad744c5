"""Evaluation PDFs from LibreOffice Impress and Draw: free-placed text frames.

Pages are built as flat ODF (.fodp presentation, .fodg drawing) with every title and
body in its own absolutely placed text frame (some in narrow frames that wrap a title one character per line), decorative shapes and
a page-number frame, then converted by ``soffice --headless --convert-to pdf``: a text
run model unlike Writer's (each frame is its own text object, no flow between frames).

Body text is trimmed to what the frame holds, estimated from the frame size and font
size with a safety margin, so the truth (written next to the PDF as JSON) is the text
that is printed.  Corpus text is read at run time and never stored in the repository.
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from .chromium import pick
from .generate import Article
from .libreoffice import soffice

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
)
PT_PER_CM = 72 / 2.54


def _style(name: str, font: str, size: float, bold: bool = False, color: str = "#222222") -> str:
    w = ' fo:font-weight="bold" style:font-weight-asian="bold"' if bold else ""
    props = (
        f'<style:text-properties style:font-name="{font}" style:font-name-asian="{font}" fo:font-size="{size}pt" '
        f'style:font-size-asian="{size}pt" fo:color="{color}"{w}/>'
    )
    return (
        f'<style:style style:name="{name}" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.05cm"/>{props}</style:style>'
        f'<style:style style:name="{name}t" style:family="text">{props}</style:style>'
    )


GRAPHIC = (
    '<style:style style:name="gr" style:family="graphic"><style:graphic-properties draw:stroke="none" draw:fill="none" '
    'draw:auto-grow-height="false" draw:auto-grow-width="false" draw:textarea-vertical-align="top" '
    'fo:padding-top="0.1cm" fo:padding-bottom="0.1cm" fo:padding-left="0.1cm" fo:padding-right="0.1cm" fo:wrap-option="wrap"/></style:style>'
    '<style:style style:name="grv" style:family="graphic"><style:graphic-properties draw:stroke="none" draw:fill="none" '
    'draw:auto-grow-height="false" draw:auto-grow-width="false" draw:textarea-horizontal-align="right" '
    'fo:padding-top="0.1cm" fo:padding-bottom="0.1cm" fo:padding-left="0.1cm" fo:padding-right="0.1cm" style:writing-mode="tb-rl"/>'
    '<style:paragraph-properties style:writing-mode="tb-rl"/></style:style>'
    '<style:style style:name="box" style:family="graphic"><style:graphic-properties draw:stroke="solid" svg:stroke-color="#1f6f8b" '
    'svg:stroke-width="0.05cm" draw:fill="solid" draw:fill-color="#eef6f8"/></style:style>'
    '<style:style style:name="band" style:family="graphic"><style:graphic-properties draw:stroke="none" draw:fill="solid" draw:fill-color="#c0392b"/></style:style>'
    '<style:style style:name="deco" style:family="graphic"><style:graphic-properties draw:stroke="none" draw:fill="solid" draw:fill-color="#f4d03f"/></style:style>'
)
PARA = (
    _style("T", "IPAexGothic", 16, True)
    + _style("TW", "IPAexGothic", 14, True, "#ffffff")
    + _style("B", "IPAexMincho", 9)
    + _style("H", "IPAexGothic", 9.5, True)
    + _style("F", "IPAexGothic", 8, False, "#666666")
    + _style("M", "IPAexGothic", 28, True, "#1f6f8b")
)


class Page:
    def __init__(self):
        self.items: list[str] = []

    def shape(self, style: str, x, y, w, h, kind: str = "rect") -> None:
        tag = "draw:rect" if kind == "rect" else "draw:ellipse"
        self.items.append(f'<{tag} draw:style-name="{style}" svg:x="{x}cm" svg:y="{y}cm" svg:width="{w}cm" svg:height="{h}cm"/>')

    def frame(self, x, y, w, h, paras: list[tuple[str, str]], vertical: bool = False) -> None:
        body = "".join(f'<text:p text:style-name="{st}"><text:span text:style-name="{st}t">{escape(t)}</text:span></text:p>' for st, t in paras)
        self.items.append(
            f'<draw:frame draw:style-name="{"grv" if vertical else "gr"}" svg:x="{x}cm" svg:y="{y}cm" svg:width="{w}cm" svg:height="{h}cm">'
            f"<draw:text-box>{body}</draw:text-box></draw:frame>"
        )


def fit_body(a: Article, w_cm: float, h_cm: float, size: float = 9, fill: float = 0.8) -> list[tuple[str, str]]:
    """The body paragraphs that fit a frame (estimated, with a margin); headings ■/◇ as H."""
    per_line = max(1, int((w_cm - 0.3) * PT_PER_CM / size))
    lines_avail = int(fill * (h_cm - 0.3) * PT_PER_CM / (size * 1.45))
    out, used = [], 0
    for ln in (x.strip() for x in a.body.split("\n")):
        if not ln:
            continue
        need = -(-len(ln) // per_line)
        if used + need > lines_avail:
            room = lines_avail - used
            if room >= 2 and not out or room >= 3:
                cut = ln[: room * per_line - 2]
                dot = cut.rfind("。")
                if dot > 10:
                    out.append(("B", cut[: dot + 1]))
            break
        out.append(("H" if ln[0] in "■◇□◆" else "B", ln))
        used += need
    return out


def fodf(pages: list[Page], kind: str, w_cm: float = 21.0, h_cm: float = 29.7) -> str:
    mime = "presentation" if kind == "fodp" else "graphics"
    body_tag = "office:presentation" if kind == "fodp" else "office:drawing"
    draw_pages = "".join(
        f'<draw:page draw:name="page{i + 1}" draw:master-page-name="Default">{"".join(p.items)}</draw:page>' for i, p in enumerate(pages)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document {NS} office:version="1.3" '
        f'office:mimetype="application/vnd.oasis.opendocument.{mime}">'
        '<office:font-face-decls><style:font-face style:name="IPAexGothic" svg:font-family="IPAexGothic"/>'
        '<style:font-face style:name="IPAexMincho" svg:font-family="IPAexMincho"/></office:font-face-decls>'
        f"<office:styles>{GRAPHIC}</office:styles>"
        f'<office:automatic-styles>{PARA}<style:page-layout style:name="PM1"><style:page-layout-properties fo:margin-top="0cm" '
        f'fo:margin-bottom="0cm" fo:margin-left="0cm" fo:margin-right="0cm" fo:page-width="{w_cm}cm" fo:page-height="{h_cm}cm" '
        'style:print-orientation="portrait"/></style:page-layout><style:style style:name="dp1" style:family="drawing-page"/></office:automatic-styles>'
        '<office:master-styles><style:master-page style:name="Default" style:page-layout-name="PM1" draw:style-name="dp1"/></office:master-styles>'
        f"<office:body><{body_tag}>{draw_pages}</{body_tag}></office:body></office:document>"
    )


# --------------------------------------------------------------------------- templates


def t_free_frames(arts: list[Article], rng: random.Random):
    """Impress, A4: 4 articles per page, each a title frame over a body frame, boxes, a yellow badge, a page number."""
    pages, truth = [], []
    slots = [(1.2, 3.2, 9.0, 11.5), (10.8, 3.2, 9.0, 11.5), (1.2, 15.6, 9.0, 11.5), (10.8, 15.6, 9.0, 11.5)]
    it = iter(arts)
    for pno in (1, 2):
        p = Page()
        p.frame(1.2, 0.8, 14, 1.6, [("M", "市報 みなとまち")])
        p.frame(15.5, 1.5, 4.5, 0.8, [("F", f"令和6年{pno + 4}月号")])
        for k, (x, y, w, h) in enumerate(slots):
            a = next(it)
            if k == 1:
                p.shape("box", x, y, w, h)
            if k == 2:
                p.shape("band", x, y, w, 1.3)
                p.frame(x + 0.2, y + 0.1, w - 0.4, 1.2, [("TW", a.title)])
            else:
                p.frame(x + 0.2, y + 0.1, w - 0.4, 1.4 if len(a.title) < 16 else 2.2, [("T", a.title)])
            ty = 1.5 if len(a.title) < 16 or k == 2 else 2.3
            body = fit_body(a, w - 0.4, h - ty - 0.2)
            p.frame(x + 0.2, y + ty, w - 0.4, h - ty - 0.2, body)
            truth.append({"title": a.title, "pages": [pno], "body": "\n".join(t for _, t in body), "captions": []})
        p.shape("deco", 17.0, 27.4, 1.6, 1.6, "ellipse")
        p.frame(9.5, 28.2, 2, 0.8, [("F", f"- {pno} -")])
        pages.append(p)
    return pages, truth


def t_vertical_frames(arts: list[Article], rng: random.Random):
    """Draw, A4: three articles side by side whose titles sit in narrow frames that wrap one character per
    line (the "fake 縦書き" title of Draw-made flyers; the frames ask for tb-rl, which LibreOffice 7.4 does
    not apply to text boxes), bodies in narrow horizontal frames; a boxed horizontal article below."""
    pages, truth = [], []
    it = iter(arts)
    for pno in (1, 2):
        p = Page()
        p.frame(1.2, 0.6, 14, 1.6, [("M", "町報 さくらだ")])
        for k in range(3):
            a = next(it)
            x = 14.0 - k * 6.4
            # vertical title frame on the right of its body frame
            p.frame(x + 4.9, 2.6, 1.3, 14.0, [("T", a.title)], vertical=True)
            body = fit_body(a, 14.0, 4.7, fill=0.7)  # width/height swap: lines run top to bottom
            p.frame(x, 2.6, 4.8, 14.0, body, vertical=True)
            truth.append({"title": a.title, "pages": [pno], "body": "\n".join(t for _, t in body), "captions": []})
        a = next(it)
        p.shape("box", 1.2, 17.4, 18.6, 10.4)
        p.frame(1.5, 17.6, 18.0, 1.4, [("T", a.title)])
        body = fit_body(a, 18.0, 8.6)
        p.frame(1.5, 19.1, 18.0, 8.6, body)
        truth.append({"title": a.title, "pages": [pno], "body": "\n".join(t for _, t in body), "captions": []})
        p.frame(9.5, 28.3, 2, 0.8, [("F", f"{pno}")])
        pages.append(p)
    return pages, truth


def t_scattered(arts: list[Article], rng: random.Random):
    """Draw, A4: a poster-like page, frames at irregular positions and widths, headings inside the body frame."""
    pages, truth = [], []
    it = iter(arts)
    for pno in (1, 2):
        p = Page()
        p.shape("deco", 0, 0, 21, 2.6)
        p.frame(1.0, 0.4, 16, 1.9, [("M", "むらだより やまびこ")])
        y = 3.2
        for k in range(3):
            a = next(it)
            x = 1.0 + (k % 2) * 5.5
            w = 19.0 - (k % 2) * 5.5
            h = 7.6
            # title and body in ONE frame, the title a bigger paragraph
            body = fit_body(a, w, h - 1.4)
            p.frame(x, y, w, h, [("T", a.title)] + body)
            truth.append({"title": a.title, "pages": [pno], "body": "\n".join(t for _, t in body), "captions": []})
            y += h + 0.9
        p.frame(18.5, 28.3, 2, 0.8, [("F", f"P.{pno}")])
        pages.append(p)
    return pages, truth


TEMPLATES = {
    "impress-free-frames": ("fodp", t_free_frames),
    "draw-vertical-frames": ("fodg", t_vertical_frames),
    "draw-scattered": ("fodg", t_scattered),
}


def build_all(seed: int, out_dir: Path) -> bool:
    exe = soffice()
    if not exe:
        print("soffice not found: impress producer skipped (make bench installs LibreOffice)", flush=True)
        return False
    out_dir.mkdir(parents=True, exist_ok=True)
    srcs = []
    truths = {}
    for name, (kind, fn) in TEMPLATES.items():
        rng = random.Random(f"{seed}-{name}")
        arts = pick(seed + sum(map(ord, name)), 20)
        pages, truth = fn(arts, rng)
        src = out_dir / f"{name}.{kind}"
        src.write_text(fodf(pages, kind), encoding="utf-8")
        srcs.append(src)
        truths[name] = {"producer": "impress", "template": name, "seed": seed, "pages": len(pages), "toc": [],
                        "articles": truth, "doc": fn.__doc__}
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, srcs)],
            check=True, capture_output=True, timeout=600,
        )
    for name, truth in truths.items():
        if not (out_dir / f"{name}.pdf").exists():
            raise RuntimeError(f"LibreOffice did not write {name}.pdf")
        (out_dir / f"{name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return True
