"""Designer-style newsletter PDFs printed by Chromium, for the extraction tests.

Chromium is a producer we do not steer: its text runs, glyph placement and
vertical writing come from Skia, not from our own generators.  Every page is
HTML/CSS the way a newsletter designer would set it: a cover with a masthead
and a table of contents, boxed articles with coloured title bands in a CSS
grid, a ``writing-mode: vertical-rl`` page, and a page whose glyphs are placed
one by one (as design tools export them) in shuffled content order.

The text is written for these tests (no corpus sentences).
"""

from __future__ import annotations

import html
import os
import random

from kohoshi.core.browser import CHROMIUM, launch

CSS = """
@page { size: 148mm 210mm; margin: 0; }
* { box-sizing: border-box; margin: 0; padding: 0; }
body { font-family: 'IPAexGothic'; font-size: 9pt; line-height: 1.7; color: #222; }
.page { width: 148mm; height: 210mm; padding: 10mm 9mm; position: relative; page-break-after: always; overflow: hidden; }
.mast { background: #0a5a8c; color: #fff; padding: 6mm 5mm; }
.mast h1 { font-size: 34pt; letter-spacing: .1em; line-height: 1.2; }
.mast p { font-size: 10pt; }
.toc { margin-top: 8mm; border: 1.5pt solid #0a5a8c; padding: 4mm; }
.toc h2 { font-size: 13pt; color: #0a5a8c; margin-bottom: 2mm; }
.toc li { list-style: none; display: flex; justify-content: space-between; font-size: 10.5pt; border-bottom: .5pt dotted #999; }
.photo { margin-top: 6mm; height: 60mm; background: linear-gradient(#9cc, #6a9); }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 5mm; }
.box { border: 1pt solid #0a5a8c; border-radius: 3mm; padding: 3mm; }
.band { background: #e8541e; color: #fff; font-weight: bold; font-size: 14pt; line-height: 1.35; padding: 1.5mm 2mm; margin: -3mm -3mm 2mm; border-radius: 3mm 3mm 0 0; }
.box h3 { font-size: 10pt; color: #0a5a8c; margin-top: 1.5mm; }
.foot { position: absolute; bottom: 5mm; left: 0; right: 0; text-align: center; font-size: 7pt; color: #666; }
.wide { grid-column: 1 / 3; }
.v { writing-mode: vertical-rl; height: 170mm; font-family: 'IPAexMincho'; font-size: 10pt; line-height: 1.8; }
.v h2 { font-size: 18pt; font-family: 'IPAexGothic'; margin-left: 4mm; }
.g { position: absolute; font-size: 9pt; line-height: 1; }
.gt { position: absolute; font-size: 15pt; font-weight: bold; line-height: 1; }
"""


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


COVER_TOC = [
    ("子育て支援センターが開所します", 2),
    ("図書館の休館日のお知らせ", 2),
    ("市民ギャラリーで写真展", 2),
    ("防災訓練に参加しましょう", 3),
    ("健康づくり教室の参加者募集", 4),
]

ARTICLES = {
    "子育て支援センターが開所します": [
        "四月から、駅前の複合施設に子育て支援センターが開所します。乳幼児と保護者が自由に遊べる広場のほか、育児相談の窓口も設けます。",
        "場所はみなと会館の二階（中町1-1-1）です。利用は無料で、予約は要りません。",
    ],
    "図書館の休館日のお知らせ": [
        "館内の設備点検のため、中央図書館は次の日程で休館します。返却は正面玄関の返却ポストをご利用ください。",
        "休館中も電子図書館はご利用いただけます。",
    ],
    "市民ギャラリーで写真展": [
        "市内の写真愛好家による作品展を開きます。季節の風景や祭りの様子など、約六十点を展示します。入場は無料です。",
    ],
    "防災訓練に参加しましょう": [
        "地震や風水害に備えて、地域ごとの防災訓練を行います。避難所までの経路を家族で確かめておきましょう。",
        "当日は消火器の使い方や応急手当の体験もできます。動きやすい服装でお越しください。",
    ],
    "健康づくり教室の参加者募集": [
        "運動と食事の両面から健康づくりを学ぶ教室です。保健師と管理栄養士が一人ひとりに合わせて助言します。",
        "定員は二十人で、申し込み多数の場合は抽選です。",
    ],
}


def _box(title: str, extra: str = "") -> str:
    body = "".join(_p(t) for t in ARTICLES[title])
    return f'<div class="box {extra}"><div class="band">{html.escape(title)}</div>{body}</div>'


def _glyph_page(title: str, seed: int) -> str:
    """Every glyph its own absolutely placed element, in shuffled order."""
    spans = []
    x0, y = 12.0, 18.0
    for i, ch in enumerate(title):
        spans.append((f'<span class="gt" style="left:{x0 + i * 5.4:.2f}mm;top:{y}mm">{html.escape(ch)}</span>'))
    per_line = 38
    text = "".join(ARTICLES[title])
    y = 30.0
    for start in range(0, len(text), per_line):
        for i, ch in enumerate(text[start : start + per_line]):
            spans.append(f'<span class="g" style="left:{x0 + i * 3.175:.3f}mm;top:{y:.2f}mm">{html.escape(ch)}</span>')
        y += 5.4
    random.Random(seed).shuffle(spans)
    return '<section class="page">' + "".join(spans) + '<div class="foot">4</div></section>'


def newsletter_html(seed: int = 7) -> str:
    toc = "".join(f"<li><span>{html.escape(t)}</span><span>{p}</span></li>" for t, p in COVER_TOC)
    cover = (
        '<section class="page"><div class="mast"><h1>広報みなと</h1><p>令和8年4月号　No.512</p></div>'
        f'<div class="toc"><h2>もくじ</h2><ul>{toc}</ul></div><div class="photo"></div>'
        '<div class="foot">発行　みなと市役所　広報課</div></section>'
    )
    page2 = (
        '<section class="page"><div class="grid">'
        + _box("子育て支援センターが開所します", "wide")
        + _box("図書館の休館日のお知らせ")
        + _box("市民ギャラリーで写真展")
        + '</div><div class="foot">2</div></section>'
    )
    vtext = "".join(_p(t) for t in ARTICLES["防災訓練に参加しましょう"])
    page3 = f'<section class="page"><div class="v"><h2>防災訓練に参加しましょう</h2>{vtext}</div><div class="foot">3</div></section>'
    page4 = _glyph_page("健康づくり教室の参加者募集", seed)
    style = CSS
    return f"<!doctype html><html lang=ja><head><meta charset=utf-8><style>{style}</style></head><body>{cover}{page2}{page3}{page4}</body></html>"


def print_pdf(markup: str) -> bytes:
    """Chromium print-to-PDF of ``markup`` (raises RuntimeError when chromium is missing)."""
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            page.set_content(markup, wait_until="load")
            return page.pdf(prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()


def designer_newsletter(seed: int = 7) -> bytes:
    return print_pdf(newsletter_html(seed))
