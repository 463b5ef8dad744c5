"""A second producer: the same corpus articles as flat ODT (.fodt), converted to
PDF by LibreOffice (``soffice --headless --convert-to pdf``).

LibreOffice writes PDFs quite unlike reportlab's: its own text object batching,
synthetic bold, ruby via its layout engine, real vertical writing mode (tb-rl)
with rotated punctuation, tables with cell borders, header/footer with a page
number field.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from .generate import _KANJI, Article, _items


@dataclass
class LoLayout:
    name: str
    columns: int = 1
    vertical: bool = False
    tables: bool = False
    furigana: bool = False


LO_LAYOUTS = [
    LoLayout("lo-1col"),
    LoLayout("lo-2col-tables", columns=2, tables=True),
    LoLayout("lo-3col-furigana", columns=3, furigana=True),
    LoLayout("lo-vertical", vertical=True),
]

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _font(name: str, size: float, bold: bool = False) -> str:
    weight = ' fo:font-weight="bold" style:font-weight-asian="bold"' if bold else ""
    return (
        f'<style:text-properties style:font-name="{name}" style:font-name-asian="{name}" '
        f'fo:font-size="{size}pt" style:font-size-asian="{size}pt"{weight}/>'
    )


def _ruby(text: str, counter: list[int]) -> str:
    out, last = [], 0
    for m in _KANJI.finditer(text):
        counter[0] += 1
        if counter[0] % 2:
            continue
        out.append(escape(text[last : m.start()]))
        kana = ("よみかた" * 3)[: 2 * len(m.group())]
        out.append(
            f'<text:ruby text:style-name="Ru"><text:ruby-base>{escape(m.group())}</text:ruby-base>'
            f"<text:ruby-text>{kana}</text:ruby-text></text:ruby>"
        )
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def build_fodt(articles: list[Article], layout: LoLayout, path: Path) -> list[Article]:
    body_pt = 10.0 if layout.columns < 3 else 9.0
    mode = "tb-rl" if layout.vertical else "lr-tb"
    columns = f'<style:columns fo:column-count="{layout.columns}" fo:column-gap="0.6cm"/>' if layout.columns > 1 else ""
    styles = f"""
<office:font-face-decls>
 <style:font-face style:name="IPAexMincho" svg:font-family="IPAexMincho"/>
 <style:font-face style:name="IPAexGothic" svg:font-family="IPAexGothic"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties style:writing-mode="{mode}"/>
  {_font("IPAexMincho", body_pt)}
 </style:default-style>
 <style:style style:name="Standard" style:family="paragraph">
  <style:paragraph-properties fo:line-height="160%" fo:margin-top="0cm" fo:margin-bottom="0cm"/>
 </style:style>
 <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:margin-top="0.5cm" fo:margin-bottom="0.15cm" fo:keep-with-next="always" fo:line-height="130%"/>
  {_font("IPAexGothic", body_pt * 1.8, bold=True)}
 </style:style>
 <style:style style:name="H1" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:margin-top="0.15cm" fo:keep-with-next="always"/>
  {_font("IPAexGothic", round(body_pt * 1.15, 1), bold=True)}
 </style:style>
 <style:style style:name="H2" style:family="paragraph" style:parent-style-name="Standard">
  <style:paragraph-properties fo:keep-with-next="always"/>
  {_font("IPAexGothic", body_pt, bold=True)}
 </style:style>
 <style:style style:name="Small" style:family="paragraph">{_font("IPAexMincho", 7.5)}</style:style>
 <style:style style:name="Ru" style:family="ruby"><style:ruby-properties style:ruby-position="above" style:ruby-align="center"/></style:style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1">
  <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1.2cm" fo:margin-bottom="1.0cm"
   fo:margin-left="1.5cm" fo:margin-right="1.5cm" style:writing-mode="{mode}">{columns}</style:page-layout-properties>
  <style:header-style><style:header-footer-properties fo:min-height="0.5cm" fo:margin-bottom="0.5cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0.5cm" fo:margin-top="0.5cm"/></style:footer-style>
 </style:page-layout>
 <style:style style:name="Tbl" style:family="table"><style:table-properties style:width="{8 if layout.columns == 2 else 17}cm" table:align="left"/></style:style>
 <style:style style:name="TblA" style:family="table-column"><style:table-column-properties style:column-width="{2.4 if layout.columns == 2 else 5}cm"/></style:style>
 <style:style style:name="TblB" style:family="table-column"><style:table-column-properties style:column-width="{5.6 if layout.columns == 2 else 12}cm"/></style:style>
 <style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:border="0.5pt solid #000000" fo:padding="0.08cm"/></style:style>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:header><text:p text:style-name="Small">広報こほし　令和6年5月1日号</text:p></style:header>
  <style:footer><text:p text:style-name="Small">- <text:page-number text:select-page="current">1</text:page-number> -</text:p></style:footer>
 </style:master-page>
</office:master-styles>"""
    parts = []
    truth = []
    counter = [0]
    for a in articles:
        items, expected = _items(a, layout.tables)
        truth.append(Article(a.title, expected, a.category))
        parts.append(f'<text:p text:style-name="Title">{escape(a.title)}</text:p>')
        for kind, val in items:
            if kind == "blank":
                parts.append('<text:p text:style-name="Standard"/>')
            elif kind in ("h1", "h2"):
                parts.append(f'<text:p text:style-name="{kind.upper()}">{escape(val)}</text:p>')
            elif kind == "table":
                rows = "".join(
                    "<table:table-row>"
                    f'<table:table-cell table:style-name="Cell"><text:p text:style-name="Standard">{escape(k)}</text:p></table:table-cell>'
                    f'<table:table-cell table:style-name="Cell"><text:p text:style-name="Standard">{escape(v)}</text:p></table:table-cell>'
                    "</table:table-row>"
                    for k, v in val
                )
                parts.append(
                    '<table:table table:style-name="Tbl"><table:table-column table:style-name="TblA"/>'
                    f'<table:table-column table:style-name="TblB"/>{rows}</table:table>'
                )
            else:
                text = _ruby(val, counter) if layout.furigana else escape(val)
                parts.append(f'<text:p text:style-name="Standard">{text}</text:p>')
    doc = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS} office:version="1.3" '
        f'office:mimetype="application/vnd.oasis.opendocument.text">{styles}'
        f"<office:body><office:text>{''.join(parts)}</office:text></office:body></office:document>"
    )
    path.write_text(doc, encoding="utf-8")
    return truth


def convert(paths: list[Path], outdir: Path) -> None:
    """Convert .fodt files to PDF with one LibreOffice run (a private profile, so it
    never touches a user's LibreOffice)."""
    exe = soffice()
    if exe is None:
        raise FileNotFoundError("soffice not found (apt-get install libreoffice-writer)")
    with tempfile.TemporaryDirectory(prefix="kohoshi-lo-") as profile:
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(outdir), *map(str, paths)],
            check=True,
            capture_output=True,
            timeout=600,
        )
