"""Evaluation PDFs from a producer we do not steer: Chromium print-to-PDF.

Newsletter pages are designed in HTML/CSS the way a designer lays out a 広報紙
(masthead and contents on the cover, CSS grids of 2–5 columns, 縦書き tiers,
boxed notices, display titles, photos with captions, sidebars, tables, ruby,
rotated labels, page furniture), filled with real corpus articles (read at run
time from ``../shared/corpus``; nothing of it is stored in the repository) and
printed by Debian's Chromium through Playwright.

The truth is read back from the laid-out page, not from what we meant to lay
out: every page is a fixed-size sheet; boxes that overflow lose their last
paragraphs (a script in the page trims them) and the text that remains, the
page each article part sits on, the article titles and the captions are
collected from the DOM.  ``rt`` (furigana), captions, running heads, page
numbers, the masthead and the contents are not body text.

    .venv/bin/python -m bench.ingest.chromium --out /work/ingest-eval-out/chromium [--only NAME]
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import os
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.ingest import generate  # noqa: E402
from bench.ingest.generate import Article  # noqa: E402

from kohoshi.core.browser import CHROMIUM, launch  # noqa: E402
DEFAULT_OUT = Path(os.environ.get("INGEST_EVAL_OUT", "/work/ingest-eval-out")) / "chromium"

# --------------------------------------------------------------------------- page scripts

# Trim every overflowing .fit box (innermost first) until its content fits: drop the last
# body element of its last article part; shorten a lone paragraph; finally drop the part.
FIT_JS = r"""
() => {
  const over = el => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
  const boxes = [...document.querySelectorAll('.fit')].reverse();
  let guard = 0;
  for (const box of boxes) {
    while (over(box) && guard++ < 20000) {
      const parts = [...box.querySelectorAll('[data-art]')];
      const part = parts[parts.length - 1];
      if (!part) break;
      const bd = part.querySelector('.bd');
      const kids = bd ? [...bd.children] : [];
      if (kids.length > 1) { kids[kids.length - 1].remove(); continue; }
      if (kids.length === 1 && kids[0].tagName === 'P' && kids[0].textContent.length > 30) {
        const t = kids[0].textContent;
        let cut = t.slice(0, Math.floor(t.length * 0.7));
        const dot = cut.lastIndexOf('。');
        if (dot > 10) cut = cut.slice(0, dot + 1);
        kids[0].textContent = cut;
        continue;
      }
      part.remove();
    }
  }
  // an article whose every part was trimmed away is removed from the contents too
  const alive = new Set([...document.querySelectorAll('[data-art]')].map(e => e.dataset.art));
  document.querySelectorAll('[data-toc]').forEach(e => { if (!alive.has(e.dataset.toc)) e.remove(); });
  return guard;
}
"""

TRUTH_JS = r"""
() => {
  const text = el => { const c = el.cloneNode(true); c.querySelectorAll('rt,rp,.cap,figcaption').forEach(x => x.remove());
                       return c.textContent.replace(/\s+/g, ' ').trim(); };
  const pages = [...document.querySelectorAll('.page')];
  const arts = new Map();
  for (const part of document.querySelectorAll('[data-art]')) {
    const id = part.dataset.art;
    const page = pages.indexOf(part.closest('.page')) + 1;
    if (!arts.has(id)) arts.set(id, {id, title: '', lines: [], pages: [], captions: []});
    const a = arts.get(id);
    const t = part.querySelector('.ttl');
    if (t && !a.title) a.title = text(t);
    if (!a.pages.includes(page)) a.pages.push(page);
    part.querySelectorAll('.cap, figcaption').forEach(c => a.captions.push(c.textContent.replace(/\s+/g, ' ').trim()));
    const bd = part.querySelector('.bd');
    if (!bd) continue;
    for (const el of bd.children) {
      if (el.tagName === 'TABLE') {
        for (const tr of el.querySelectorAll('tr')) a.lines.push([...tr.children].map(text).join(' '));
      } else if (el.tagName === 'UL' || el.tagName === 'OL') {
        for (const li of el.children) a.lines.push(text(li));
      } else if (!el.matches('figure, .cap')) {
        const s = text(el); if (s) a.lines.push(s);
      }
    }
  }
  const out = [...arts.values()].sort((x, y) => x.pages[0] - y.pages[0] || 0);
  const toc = [...document.querySelectorAll('[data-toc]')].map(e => e.dataset.tocTitle);
  const furniture = [...document.querySelectorAll('.furn')].map(e => e.textContent.replace(/\s+/g, ' ').trim());
  return {pages: pages.length, toc, furniture,
          articles: out.map(a => ({title: a.title, pages: a.pages, body: a.lines.join('\n'), captions: a.captions}))};
}
"""

# --------------------------------------------------------------------------- building blocks

HIRA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわん"
KANJI = re.compile(r"[\u4e00-\u9fff]{2,3}")
KV = re.compile(r"^([^：:\s]{1,8})[：:](\S.{0,80})$")
PALETTE = ["#1f6f8b", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#00796b", "#5d4037", "#283593"]
NAMES = ["広報 かわせみ", "市報 みなとまち", "町報 さくらだ", "広報 ひばりの", "むらだより やまびこ"]


@dataclass
class Ctx:
    rng: random.Random
    ruby: bool = False
    tables: bool = False
    markers: bool = True  # keep ■/◇ glyphs in section headings (many designers do)
    n: int = 0

    def next_id(self) -> str:
        self.n += 1
        return f"a{self.n}"


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def rubify(s: str, ctx: Ctx, p: float = 0.12) -> str:
    """Escape *s*, putting made-up furigana over some kanji pairs (rt is never body text)."""
    if not ctx.ruby:
        return esc(s)
    out, pos = [], 0
    for m in KANJI.finditer(s):
        if ctx.rng.random() > p:
            continue
        out.append(esc(s[pos : m.start()]))
        rt = "".join(ctx.rng.choice(HIRA) for _ in range(2 * len(m.group())))
        out.append(f"<ruby>{esc(m.group())}<rp>(</rp><rt>{rt}</rt><rp>)</rp></ruby>")
        pos = m.end()
    out.append(esc(s[pos:]))
    return "".join(out)


def body_html(a: Article, ctx: Ctx) -> str:
    lines = [ln.strip() for ln in a.body.split("\n")]
    out, i = [], 0
    while i < len(lines):
        ln = lines[i]
        if ctx.tables:
            rows = []
            j = i
            while j < len(lines) and KV.match(lines[j]):
                rows.append(KV.match(lines[j]).groups())
                j += 1
            if len(rows) >= 2:
                out.append("<table>" + "".join(f"<tr><th>{esc(k)}</th><td>{rubify(v, ctx)}</td></tr>" for k, v in rows) + "</table>")
                i = j
                continue
        if not ln:
            pass
        elif ln[0] in "■◆●" and len(ln) > 1:
            out.append(f"<h4>{esc(ln if ctx.markers else ln[1:])}</h4>")
        elif ln[0] in "□◇○" and len(ln) > 1:
            out.append(f"<h5>{esc(ln if ctx.markers else ln[1:])}</h5>")
        else:
            out.append(f"<p>{rubify(ln, ctx)}</p>")
        i += 1
    return "".join(out)


def article(a: Article, ctx: Ctx, cls: str = "", title_cls: str = "", figure: str = "", aid: str | None = None) -> str:
    aid = aid or ctx.next_id()
    a.aid = aid  # type: ignore[attr-defined]
    return (
        f'<article class="art {cls}" data-art="{aid}"><h2 class="ttl {title_cls}">{rubify(a.title, ctx, 0.3)}</h2>'
        f'{figure}<div class="bd">{body_html(a, ctx)}</div></article>'
    )


def png_photo(rng: random.Random, w: int = 320, h: int = 200) -> str:
    """A generated 'photo' (gradient sky, hills, sun) as a data: URI."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(img)
    top = (rng.randint(90, 160), rng.randint(150, 200), rng.randint(200, 255))
    for y in range(h):
        f = y / h
        d.line([(0, y), (w, y)], fill=tuple(int(c * (1 - 0.4 * f)) for c in top))
    for k in range(3):
        cx, r = rng.randint(0, w), rng.randint(h // 3, h)
        d.ellipse([cx - r, h - r // 2, cx + r, h + r], fill=(40 + 30 * k, 110 + 20 * k, 50))
    sx, sy = rng.randint(w // 5, 4 * w // 5), rng.randint(10, h // 3)
    d.ellipse([sx - 18, sy - 18, sx + 18, sy + 18], fill=(255, 220, 120))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


def svg_photo(rng: random.Random) -> str:
    """Drawn shapes (vector, no text)."""
    c1, c2 = rng.sample(PALETTE, 2)
    shapes = "".join(
        f'<circle cx="{rng.randint(10, 190)}" cy="{rng.randint(10, 110)}" r="{rng.randint(8, 40)}" fill="{rng.choice(PALETTE)}" opacity="0.7"/>'
        for _ in range(6)
    )
    return (
        f'<svg viewBox="0 0 200 120" preserveAspectRatio="xMidYMid slice"><rect width="200" height="120" fill="{c1}"/>'
        f'<path d="M0 90 Q50 60 100 85 T200 80 V120 H0Z" fill="{c2}"/>{shapes}</svg>'
    )


def figure(a: Article, ctx: Ctx, kind: str = "png", cls: str = "") -> str:
    img = f'<img src="{png_photo(ctx.rng)}" alt="">' if kind == "png" else svg_photo(ctx.rng)
    cap = f"写真：{a.title[:14]}の様子"
    return f'<figure class="ph {cls}">{img}<figcaption>{esc(cap)}</figcaption></figure>'


def furniture(name: str, issue: str, page: int) -> str:
    """Running head and folio; even (left-hand) pages set them on the other side."""
    side = "even" if page and page % 2 == 0 else ""
    pn = f'<div class="furn folio {side}">{page}</div>' if page else ""
    return f'<div class="furn runhead {side}">{esc(name)}　{esc(issue)}</div>{pn}'


def masthead(name: str, issue: str, color: str) -> str:
    return (
        f'<header class="mast furn" style="--c:{color}"><div class="mast-name">{esc(name)}</div>'
        f'<div class="mast-sub">{esc(issue)}　発行／企画課 広報係　毎月1日・15日発行</div></header>'
    )


def toc(entries: list[tuple[Article, int]], cls: str = "") -> str:
    items = "".join(
        f'<li data-toc="{a.aid}" data-toc-title="{esc(a.title)}"><span class="tt">{esc(a.title)}</span><span class="pg">{p}</span></li>'
        for a, p in entries
    )
    return f'<nav class="toc furn {cls}"><div class="toc-h">もくじ　CONTENTS</div><ol>{items}</ol></nav>'


BASE_CSS = """
@page { size: %(w)smm %(h)smm; margin: 0 }
* { box-sizing: border-box }
html, body { margin: 0; padding: 0 }
body { font-family: 'IPAexMincho', serif; color: #222; font-size: %(fs)spt; line-height: 1.6;
       -webkit-print-color-adjust: exact; print-color-adjust: exact }
.page { width: %(w)smm; height: %(h)smm; position: relative; overflow: hidden; break-after: page;
        padding: 14mm 11mm 13mm }
.ttl { font-family: 'IPAexGothic', sans-serif; font-weight: bold; margin: 0 0 2mm; line-height: 1.25 }
h4, h5 { font-family: 'IPAexGothic', sans-serif; margin: 1.5mm 0 .5mm; font-size: 1.05em }
h5 { font-weight: normal; font-size: 1em }
p { margin: 0 0 .8mm; text-align: justify }
table { border-collapse: collapse; width: 100%%; margin: 1mm 0; font-size: .92em }
th, td { border: .3mm solid #888; padding: .6mm 1.2mm; text-align: left; vertical-align: top }
th { background: #eee; font-family: 'IPAexGothic'; white-space: nowrap }
rt { font-size: .45em }
.runhead { position: absolute; top: 6mm; left: 11mm; right: 11mm; font: 7.5pt 'IPAexGothic'; color: #666;
           border-bottom: .3mm solid #aaa; padding-bottom: .8mm }
.runhead.even { text-align: right }
.folio { position: absolute; bottom: 5mm; left: 0; right: 0; text-align: center; font: bold 10pt 'IPAexGothic' }
.fit { overflow: hidden; min-height: 0; min-width: 0 }
figure.ph { margin: 1mm 0 2mm }
figure.ph img, figure.ph svg { width: 100%%; height: 28mm; object-fit: cover; display: block }
figcaption { font: 7.5pt 'IPAexGothic'; color: #555; margin-top: .6mm }
.mast { background: var(--c); color: white; padding: 5mm 6mm; border-radius: 0 0 4mm 4mm }
.mast-name { font: bold 30pt 'IPAexGothic'; letter-spacing: .2em }
.mast-sub { font: 8pt 'IPAexGothic' }
.toc { border: .6mm solid #333; padding: 2mm 4mm; background: #fffbe8 }
.toc-h { font: bold 11pt 'IPAexGothic'; border-bottom: .4mm solid #333; margin-bottom: 1mm }
.toc ol { list-style: none; margin: 0; padding: 0 }
.toc li { display: flex; justify-content: space-between; font: 9.5pt 'IPAexGothic'; border-bottom: .2mm dotted #999; padding: .6mm 0 }
.toc .pg::before { content: 'P.' }
.box { border: .5mm solid var(--c, #1f6f8b); border-radius: 2.5mm; padding: 2mm 3mm; background: #f7fbfc }
.band { background: var(--c, #1f6f8b); color: #fff; padding: 1mm 2.5mm; font-size: 14pt }
.outline { color: #fff; -webkit-text-stroke: .35mm #222; font-size: 22pt; letter-spacing: .05em }
.display { font-size: 20pt; border-left: 2.5mm solid var(--c, #c0392b); padding-left: 2mm }
.underline { font-size: 13pt; border-bottom: .8mm double var(--c, #2e7d32) }
"""


def css(w: float, h: float, fs: float, extra: str) -> str:
    return BASE_CSS % {"w": w, "h": h, "fs": fs} + extra


def doc(style: str, pages: list[str]) -> str:
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>kohoshi eval</title>'
        f"<style>{style}</style></head><body>{''.join(pages)}</body></html>"
    )


def page(inner: str, cls: str = "") -> str:
    return f'<section class="page {cls}">{inner}</section>'


# --------------------------------------------------------------------------- templates
# Each template: (articles, ctx) -> (html, used articles). Articles are consumed from the front.

A4 = (210, 297)
A5 = (148, 210)


def t_cover_a4_toc(arts: list[Article], ctx: Ctx):
    """A4: cover with masthead, photo, lead article and contents; then two 2-column pages."""
    name, issue, color = NAMES[0], "2024年5月1日号　No.1422", PALETTE[0]
    lead = max(arts[:12], key=lambda a: min(len(a.body), 600))
    rest = [a for a in arts if a is not lead][:8]
    p2, p3 = rest[:4], rest[4:8]
    pages2 = page(furniture(name, issue, 2) + '<div class="cols2 fit">' + "".join(article(a, ctx, "", "underline") for a in p2) + "</div>")
    pages3 = page(furniture(name, issue, 3) + '<div class="cols2 fit">' + "".join(article(a, ctx, "", "underline") for a in p3) + "</div>")
    lead_html = article(lead, ctx, "lead", "display", figure(lead, ctx, "png", "big"))
    cover = page(
        masthead(name, issue, color)
        + '<div class="cover-grid"><div class="fit lead">'
        + lead_html
        + "</div>"
        + toc([(lead, 1)] + [(a, 2) for a in p2] + [(a, 3) for a in p3], "cover-toc")
        + "</div>"
    )
    extra = """
.cover-grid { display: grid; grid-template-columns: 1.6fr 1fr; gap: 5mm; height: 228mm; margin-top: 5mm }
.lead figure.ph img { height: 70mm }
.cover-toc { align-self: start }
.cols2 { column-count: 2; column-gap: 7mm; column-fill: auto; height: 262mm; margin-top: 2mm }
.cols2 .art { margin-bottom: 4mm }
.cols2 .ttl { break-after: avoid }
.page { padding-top: 0 }
.page .runhead ~ .cols2 { margin-top: 12mm }
"""
    return doc(css(*A4, 9.5, extra), [cover, pages2, pages3]), [lead] + p2 + p3


def t_grid3_boxed(arts: list[Article], ctx: Ctx):
    """A4 CSS grid, 3 columns: a display-title top story over 2 columns, boxed notices, band titles."""
    name, issue = NAMES[1], "令和6年6月号"
    used, pages = [], []
    it = iter(arts)
    for pno in (1, 2):
        top, b1, b2, c1, c2, c3 = (next(it) for _ in range(6))
        used += [top, b1, b2, c1, c2, c3]
        col = PALETTE[pno]
        inner = (
            furniture(name, issue, pno)
            + f'<div class="g3" style="--c:{col}">'
            + f'<div class="fit top">{article(top, ctx, "", "display big", figure(top, ctx, "svg"))}</div>'
            + f'<div class="fit side box">{article(b1, ctx, "", "band")}</div>'
            + f'<div class="fit c1">{article(c1, ctx, "", "underline")}</div>'
            + f'<div class="fit c2 box">{article(b2, ctx, "", "band")}</div>'
            + f'<div class="fit c3">{article(c2, ctx, "", "underline")}{article(c3, ctx, "", "underline")}</div>'
            + "</div>"
        )
        pages.append(page(inner))
    extra = """
.g3 { display: grid; grid-template-columns: repeat(3, 1fr); grid-template-rows: 118mm 140mm; gap: 5mm; margin-top: 3mm }
.top { grid-column: 1 / span 2; column-count: 2; column-gap: 5mm; column-fill: auto }
.top .ttl { column-span: all }
.top figure.ph { break-inside: avoid }
.big { font-size: 26pt }
.box .ttl.band { margin: -2mm -3mm 2mm; border-radius: 2mm 2mm 0 0 }
"""
    return doc(css(*A4, 9, extra), pages), used


def t_vertical_tiers(arts: list[Article], ctx: Ctx):
    """A4 縦書き: 4 tiers (段) per page, display titles spanning the tiers, ruby, 縦中横 digits."""
    ctx.ruby = True
    name, issue = NAMES[2], "令和6年7月1日号"
    used, pages = [], []
    it = iter(arts)
    for pno in (1, 2):
        group = [next(it) for _ in range(4)]
        used += group
        inner = furniture(name, issue, pno) + '<div class="vt fit">' + "".join(
            article(a, ctx, "", "vtitle") for a in group
        ) + "</div>"
        pages.append(page(inner))
    extra = """
.vt { writing-mode: vertical-rl; height: 262mm; width: 188mm; column-count: 4; column-gap: 5mm; column-fill: auto;
      column-rule: .2mm solid #bbb; margin-top: 4mm; text-combine-upright: none }
.vt .art { margin-left: 5mm }
.vt .ttl.vtitle { column-span: all; font-size: 17pt; border-right: 1.6mm solid #8e44ad; padding-right: 1.5mm;
                  margin: 0 0 0 3mm; height: 100%; }
.vt p { text-indent: 1em; margin: 0 }
.vt h4, .vt h5 { margin: 0 .8mm }
.vt table { writing-mode: horizontal-tb }
"""
    return doc(css(*A4, 9.5, extra), pages), used



def _take(arts, k):
    out = arts[:k]
    del arts[:k]
    return out


def t_grid2_sidebar(arts: list[Article], ctx: Ctx):
    """A4, 2 main columns and a tinted sidebar of short notices; an events table in the sidebar."""
    ctx.tables = True
    name, issue = NAMES[3], "2024年8月号"
    arts = list(arts)
    used, pages = [], []
    for pno in (1, 2):
        main, side = _take(arts, 3), _take(arts, 3)
        used += main + side
        inner = (
            furniture(name, issue, pno)
            + '<div class="g2s"><div class="fit mainc">'
            + "".join(article(a, ctx, "", "display") for a in main)
            + '</div><aside class="fit sidebar"><div class="side-h">くらしの掲示板</div>'
            + "".join(article(a, ctx, "mini", "") for a in side)
            + "</aside></div>"
        )
        pages.append(page(inner))
    extra = """
.g2s { display: grid; grid-template-columns: 2fr 1fr; gap: 5mm; height: 266mm; margin-top: 2mm }
.mainc { column-count: 2; column-gap: 5mm; column-fill: auto }
.mainc .ttl { font-size: 15pt }
.sidebar { background: #eef5e9; padding: 3mm; border-radius: 2mm; font-size: 8pt }
.side-h { font: bold 12pt 'IPAexGothic'; background: #2e7d32; color: #fff; text-align: center; padding: 1mm; margin: -1mm -1mm 2mm }
.mini .ttl { font-size: 10pt; border-bottom: .4mm solid #2e7d32 }
.mini { margin-bottom: 3mm }
"""
    return doc(css(*A4, 9, extra), pages), used


def t_grid4_bands(arts: list[Article], ctx: Ctx):
    """A4, 4-column grid: coloured-band and outlined titles, articles spanning 1 or 2 columns, photos."""
    name, issue = NAMES[4], "令和6年9月号"
    arts = list(arts)
    used, pages = [], []
    for pno in (1, 2):
        a1, a2, a3, a4, a5 = _take(arts, 5)
        used += [a1, a2, a3, a4, a5]
        inner = (
            furniture(name, issue, pno)
            + '<div class="g4">'
            + f'<div class="fit s2 r1" style="--c:{PALETTE[5]}">{article(a1, ctx, "", "outline", figure(a1, ctx, "png"))}</div>'
            + f'<div class="fit s2 r1" style="--c:{PALETTE[6]}">{article(a2, ctx, "", "band")}</div>'
            + f'<div class="fit s1" style="--c:{PALETTE[7]}">{article(a3, ctx, "", "band")}</div>'
            + f'<div class="fit s1 box" style="--c:{PALETTE[1]}">{article(a4, ctx, "", "underline")}</div>'
            + f'<div class="fit s2" style="--c:{PALETTE[2]}">{article(a5, ctx, "", "band", figure(a5, ctx, "svg"))}</div>'
            + "</div>"
        )
        pages.append(page(inner))
    extra = """
.g4 { display: grid; grid-template-columns: repeat(4, 1fr); grid-template-rows: 120mm 140mm; gap: 4mm; margin-top: 3mm }
.s2 { grid-column: span 2; column-count: 2; column-gap: 4mm; column-fill: auto }
.s2 .ttl { column-span: all }
.s1 { grid-column: span 1 }
.s2 figure.ph { break-inside: avoid }
"""
    return doc(css(*A4, 8.5, extra), pages), used


def t_grid5_board(arts: list[Article], ctx: Ctx):
    """A4 notice board: 5 narrow columns of boxed short notices with icon-like labels."""
    name, issue = NAMES[1], "2024年10月1日号"
    arts = sorted(arts[:30], key=lambda a: len(a.body))[:20]
    used = list(arts)
    pages = []
    for pno in (1, 2):
        group = arts[(pno - 1) * 10 : pno * 10]
        cols = [group[i::5] for i in range(5)]
        inner = furniture(name, issue, pno) + '<div class="g5">' + "".join(
            '<div class="fit col5">' + "".join(article(a, ctx, "box", "lbl") for a in col) + "</div>" for col in cols
        ) + "</div>"
        pages.append(page(inner))
    extra = """
.g5 { display: grid; grid-template-columns: repeat(5, 1fr); gap: 2.5mm; height: 266mm; margin-top: 2mm }
.col5 .box { margin-bottom: 2.5mm; padding: 1.5mm 2mm; --c: #d35400 }
.lbl { font-size: 9.5pt; background: #fdebd0; margin: -1.5mm -2mm 1.5mm; padding: 1mm 2mm }
"""
    return doc(css(*A4, 7.5, extra), pages), used


def t_mixed_vh(arts: list[Article], ctx: Ctx):
    """A4 with vertical and horizontal text on one page: a 縦書き column box beside horizontal articles."""
    name, issue = NAMES[2], "令和6年11月1日号"
    arts = list(arts)
    used, pages = [], []
    for pno in (1, 2):
        h1, h2, v1, h3 = _take(arts, 4)
        used += [h1, h2, v1, h3]
        inner = (
            furniture(name, issue, pno)
            + '<div class="mx">'
            + f'<div class="fit hz top2">{article(h1, ctx, "", "display")}{article(h2, ctx, "", "display")}</div>'
            + f'<div class="fit vbox">{article(v1, ctx, "", "vt")}</div>'
            + f'<div class="fit hz bottom">{article(h3, ctx, "box", "band")}</div>'
            + "</div>"
        )
        pages.append(page(inner))
    extra = """
.mx { display: grid; grid-template-columns: 1fr 1.3fr; grid-template-rows: 130mm 130mm; gap: 5mm; margin-top: 3mm }
.top2 { grid-column: 1 / span 2; column-count: 3; column-gap: 5mm; column-fill: auto }
.top2 .art { margin-bottom: 3mm }
.vbox, .vbox2 { writing-mode: vertical-rl; border: .4mm solid #5d4037; padding: 3mm; background: #fbf6ee }
.vbox2 { display: none }
.vbox .vt { font-size: 14pt; border-right: 1mm solid #5d4037; padding-right: 1mm; margin-left: 3mm }
.vbox p { text-indent: 1em; margin: 0 }
.bottom { --c: #5d4037 }
"""
    return doc(css(*A4, 9, extra), pages), used


def t_photo_captions(arts: list[Article], ctx: Ctx):
    """A4, 3 columns; every article has a photo (generated image or drawn shapes) with a caption, some floated."""
    name, issue = NAMES[0], "2024年12月1日号"
    arts = list(arts)
    used, pages = [], []
    for pno in (1, 2):
        group = _take(arts, 4)
        used += group
        blocks = []
        for k, a in enumerate(group):
            fig = figure(a, ctx, "png" if k % 2 == 0 else "svg", "float" if k == 1 else "")
            blocks.append(article(a, ctx, "", "underline" if k else "display", fig))
        inner = furniture(name, issue, pno) + '<div class="fit c3p">' + "".join(blocks) + "</div>"
        pages.append(page(inner))
    extra = """
.c3p { column-count: 3; column-gap: 5mm; column-fill: auto; height: 266mm; margin-top: 2mm }
.c3p .art { margin-bottom: 4mm }
.c3p figure.ph { break-inside: avoid }
figure.float { float: right; width: 45%; margin-left: 2mm }
figure.float img, figure.float svg { height: 22mm }
"""
    return doc(css(*A4, 9, extra), pages), used


def t_ruby_rotated(arts: list[Article], ctx: Ctx):
    """A4 with ruby on many kanji, rotated section labels in the margin, tables, 縦中横 numbers in a vertical box."""
    ctx.ruby, ctx.tables = True, True
    name, issue = NAMES[3], "令和7年1月号"
    arts = list(arts)
    used, pages = [], []
    labels = ["くらし", "健康", "子育て", "催し"]
    for pno in (1, 2):
        group = _take(arts, 4)
        used += group
        rows = "".join(
            f'<div class="row"><div class="rot furn"><span>{labels[(k + pno) % 4]}</span></div><div class="fit cell">{article(a, ctx, "", "underline")}</div></div>'
            for k, a in enumerate(group)
        )
        inner = furniture(name, issue, pno) + f'<div class="rows">{rows}</div>'
        pages.append(page(inner))
    extra = """
.rows { display: grid; grid-template-rows: repeat(4, 1fr); gap: 3mm; height: 266mm; margin-top: 2mm }
.row { display: grid; grid-template-columns: 9mm 1fr; gap: 2mm; min-height: 0 }
.rot { background: #283593; color: #fff; font: bold 10pt 'IPAexGothic'; display: flex; align-items: center; justify-content: center }
.rot { writing-mode: horizontal-tb; }
.rot { transform-origin: center; }
.cell { column-count: 2; column-gap: 5mm; column-fill: auto }
.cell .ttl { column-span: all; font-size: 13pt }
rt { font-size: .5em }
.rot { overflow: visible; white-space: nowrap }
.rot { font-size: 9pt }
.rot { position: relative }
.rot::after { content: '' }
"""
    extra += ".rot { overflow: hidden } .rot span { display: inline-block; transform: rotate(-90deg) }\n"
    return doc(css(*A4, 9, extra), pages), used


def t_vertical_grid_boxes(arts: list[Article], ctx: Ctx):
    """A4 horizontal page of boxes, each box 縦書き (a common 広報 look), with a horizontal band title per box."""
    name, issue = NAMES[4], "令和7年2月号"
    arts = list(arts)
    used, pages = [], []
    for pno in (1, 2):
        group = _take(arts, 4)
        used += group
        boxes = "".join(
            f'<div class="vb" style="--c:{PALETTE[(k + 2 * pno) % 8]}"><div class="fit vin">{article(a, ctx, "", "band")}</div></div>'
            for k, a in enumerate(group)
        )
        inner = furniture(name, issue, pno) + f'<div class="gv">{boxes}</div>'
        pages.append(page(inner))
    extra = """
.gv { display: grid; grid-template-columns: 1fr 1fr; grid-template-rows: 1fr 1fr; gap: 5mm; height: 266mm; margin-top: 2mm }
.vb { border: .5mm solid var(--c); border-radius: 2mm; padding: 2.5mm; min-height: 0; overflow: hidden }
.vin { writing-mode: vertical-rl; height: 100%; width: 100% }
.vin .ttl.band { font-size: 13pt; padding: 2mm 1mm; margin: 0 0 0 2.5mm }
.vin p { text-indent: 1em; margin: 0 }
.vin h4, .vin h5 { margin: 0 .8mm }
"""
    return doc(css(*A4, 9.5, extra), pages), used


def t_newsletter_a5_8p(arts: list[Article], ctx: Ctx):
    """A5, 8 pages, designer style: cover (masthead, photo, contents), articles in rounded boxes,
    one article continued over two pages, an events table, a vertical column box, back page notices."""
    ctx.tables = True
    name, issue = "広報 ひだまり", "2024年5月号　No.308"
    arts = [a for a in arts if len(a.body) > 120]
    lead, cont = arts[0], arts[1]
    rest = arts[2:]
    pages: list[tuple[int, str]] = []
    used = [lead, cont]
    toc_entries = []
    # page 2: lead article continued onto page 3 (same article id on both pages)
    lead_html = article(lead, ctx, "box", "display", figure(lead, ctx, "png"))
    # split the lead's body in two parts by paragraphs
    body = body_html(lead, ctx)
    paras = re.findall(r"<(?:p|h4|h5|table)\b.*?</(?:p|h4|h5|table)>", body, re.S)
    half = max(1, len(paras) // 2)
    aid = lead.aid  # type: ignore[attr-defined]
    part1 = (f'<article class="art box" data-art="{aid}"><h2 class="ttl display">{esc(lead.title)}</h2>'
             f'{figure(lead, ctx, "png")}<div class="bd">{"".join(paras[:half])}</div></article>')
    part2 = (f'<article class="art box" data-art="{aid}"><div class="cont furn">（2ページから続く）</div>'
             f'<div class="bd">{"".join(paras[half:])}</div></article>')
    del lead_html
    toc_entries.append((lead, 2))
    p2_other = rest.pop(0)
    used.append(p2_other)
    pages.append((2, f'<div class="fit full">{part1}{article(p2_other, ctx, "box", "band")}</div>'))
    toc_entries.append((p2_other, 2))
    p3 = rest.pop(0)
    used.append(p3)
    pages.append((3, f'<div class="fit full">{part2}{article(p3, ctx, "box", "band")}</div>'))
    toc_entries.append((p3, 3))
    # pages 4-5: two boxes each, one with vertical text on p5
    for pno in (4, 5):
        a, b = rest.pop(0), rest.pop(0)
        used += [a, b]
        if pno == 5:
            pages.append((pno, f'<div class="fit full">{article(a, ctx, "box", "underline")}</div><div class="fit vcol">{article(b, ctx, "", "vt")}</div>'))
        else:
            pages.append((pno, f'<div class="fit full c2">{article(a, ctx, "", "band")}{article(b, ctx, "", "band")}</div>'))
        toc_entries += [(a, pno), (b, pno)]
    # page 6: the continued article 'cont' with a table
    pages.append((6, f'<div class="fit full">{article(cont, ctx, "box", "outline")}</div>'))
    toc_entries.append((cont, 6))
    # pages 7-8: notice boards
    for pno in (7, 8):
        group = [rest.pop(0) for _ in range(3)]
        used += group
        pages.append((pno, '<div class="fit full">' + "".join(article(a, ctx, "box mini", "band") for a in group) + "</div>"))
        toc_entries += [(a, pno) for a in group]
    cover = page(
        '<header class="mast furn" style="--c:#e67e22"><div class="mast-name">' + esc(name) + "</div>"
        f'<div class="mast-sub">{esc(issue)}　ひだまり市 市民協働課</div></header>'
        + f'<div class="cover-photo furn">{svg_photo(ctx.rng)}<div class="cover-cap">表紙：春の田園風景</div></div>'
        + toc(toc_entries, "a5toc")
        + '<div class="furn folio">1</div>'
    )
    out = [cover]
    for pno, inner in pages:
        out.append(page(furniture(name, issue, pno) + inner))
    extra = """
.page { padding: 10mm 8mm 10mm }
.runhead { top: 4mm; left: 8mm; right: 8mm; font-size: 6.5pt }
.folio { bottom: 3mm; font-size: 8pt }
.full { height: 186mm; margin-top: 1mm }
.full.c2 { column-count: 2; column-gap: 4mm; column-fill: auto }
.box { margin-bottom: 3mm; --c: #e67e22; background: #fff8f0 }
.box .ttl.band { margin: -2mm -3mm 2mm; border-radius: 2mm 2mm 0 0 }
.mast-name { font-size: 24pt }
.cover-photo svg { width: 100%; height: 70mm; display: block; margin-top: 3mm }
.cover-cap { font: 7pt 'IPAexGothic'; color: #555 }
.a5toc { margin-top: 3mm }
.a5toc li { font-size: 8pt }
.cont { font: 7pt 'IPAexGothic'; color: #777 }
.vcol { writing-mode: vertical-rl; height: 95mm; border-top: .4mm solid #e67e22; padding-top: 2mm }
.vcol .vt { font-size: 12pt; margin-left: 2mm }
.vcol p { text-indent: 1em; margin: 0 }
.page:has(.vcol) .full { height: 88mm }
.mini .ttl { font-size: 10pt }
.outline { font-size: 18pt }
"""
    return doc(css(*A5, 8.5, extra), out), used


def t_cover_a5_toc(arts: list[Article], ctx: Ctx):
    """A5 cover with big masthead and contents (the titles on pages 2–4), then 1- and 2-column pages with display titles."""
    name, issue = "町報 みずほ", "令和6年4月号"
    arts = list(arts)
    p2, p3, p4 = _take(arts, 2), _take(arts, 2), _take(arts, 3)
    used = p2 + p3 + p4
    pg2 = page(furniture(name, issue, 2) + '<div class="fit full">' + "".join(article(a, ctx, "", "display") for a in p2) + "</div>")
    pg3 = page(furniture(name, issue, 3) + '<div class="fit full c2">' + "".join(article(a, ctx, "", "underline") for a in p3) + "</div>")
    pg4 = page(furniture(name, issue, 4) + '<div class="fit full c2">' + "".join(article(a, ctx, "box", "band") for a in p4) + "</div>")
    cover = page(
        '<header class="mast furn" style="--c:#00796b"><div class="mast-name">' + esc(name) + "</div>"
        f'<div class="mast-sub">{esc(issue)}　No.702</div></header>'
        + f'<div class="furn cover-img"><img src="{png_photo(ctx.rng, 400, 300)}" alt=""></div>'
        + toc([(a, 2) for a in p2] + [(a, 3) for a in p3] + [(a, 4) for a in p4], "a5toc")
    )
    extra = """
.page { padding: 10mm 8mm 10mm }
.runhead { top: 4mm; left: 8mm; right: 8mm; font-size: 6.5pt }
.folio { bottom: 3mm; font-size: 8pt }
.full { height: 186mm; margin-top: 1mm }
.full.c2 { column-count: 2; column-gap: 4mm; column-fill: auto }
.cover-img img { width: 100%; height: 80mm; object-fit: cover; margin-top: 3mm }
.mast-name { font-size: 26pt }
.box { margin-bottom: 3mm; --c: #00796b }
"""
    return doc(css(*A5, 8.5, extra), [cover, pg2, pg3, pg4]), used


TEMPLATES = {
    "cover-a4-toc": t_cover_a4_toc,
    "grid3-boxed": t_grid3_boxed,
    "vertical-tiers": t_vertical_tiers,
    "cover-a5-toc": t_cover_a5_toc,
    "grid2-sidebar": t_grid2_sidebar,
    "grid4-bands": t_grid4_bands,
    "grid5-board": t_grid5_board,
    "mixed-vh": t_mixed_vh,
    "photo-captions": t_photo_captions,
    "ruby-rotated": t_ruby_rotated,
    "vertical-boxes": t_vertical_grid_boxes,
    "newsletter-a5-8p": t_newsletter_a5_8p,
}


# --------------------------------------------------------------------------- producing


def pick(seed: int, n: int = 40) -> list[Article]:
    """Corpus articles without web leftovers (HTML tags, URLs), shuffled by *seed*."""
    arts = generate.pick_articles(seed, 4 * n, max_chars=900)
    seen, out = set(), []
    for a in arts:
        if "<" in a.body or "http" in a.body or len(a.title) > 40 or a.title in seen:
            continue
        seen.add(a.title)
        out.append(a)
    return out[:n]


class Printer:
    """One Chromium for many templates."""

    def __enter__(self):
        from playwright.sync_api import sync_playwright

        if not os.path.exists(CHROMIUM):
            raise FileNotFoundError(f"{CHROMIUM} not installed")
        self._pw = sync_playwright().start()
        self.browser = launch(self._pw)
        return self

    def __exit__(self, *exc):
        self.browser.close()
        self._pw.stop()

    def print(self, html_text: str, pdf_path: Path) -> dict:
        pg = self.browser.new_page()
        try:
            pg.set_content(html_text, wait_until="load")
            pg.emulate_media(media="print")
            pg.evaluate("document.fonts.ready.then(() => true)")
            pg.evaluate(FIT_JS)
            truth = pg.evaluate(TRUTH_JS)
            pdf_path.parent.mkdir(parents=True, exist_ok=True)
            pg.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
        finally:
            pg.close()
        return truth


def build(name: str, seed: int, out_dir: Path, printer: Printer) -> Path:
    """Lay out template *name*, print it, write <name>.pdf and <name>.json; returns the PDF path."""
    rng = random.Random(f"{seed}-{name}")
    arts = pick(seed + sum(map(ord, name)), 60)
    ctx = Ctx(rng=rng)
    html_text, _ = TEMPLATES[name](arts, ctx)
    pdf = out_dir / f"{name}.pdf"
    truth = printer.print(html_text, pdf)
    import pypdfium2 as pdfium

    n = len(pdfium.PdfDocument(pdf))
    if n != truth["pages"]:
        raise RuntimeError(f"{name}: {n} PDF pages but {truth['pages']} designed sheets (a sheet overflowed)")
    truth.update({"producer": "chromium", "template": name, "seed": seed, "doc": TEMPLATES[name].__doc__})
    (out_dir / f"{name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / f"{name}.html").write_text(html_text, encoding="utf-8")
    return pdf


def build_all(seed: int, out_dir: Path, only: list[str] | None = None) -> list[Path]:
    names = [n for n in TEMPLATES if not only or n in only]
    with Printer() as printer:
        return [build(n, seed, out_dir, printer) for n in names]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args(argv)
    if not generate.corpus_available():
        print(f"corpus not found at {generate.CORPUS_DIR}", file=sys.stderr)
        return 2
    for p in build_all(args.seed, args.out, args.only):
        t = json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))
        print(f"{p}  {t['pages']} pages, {len(t['articles'])} articles", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
