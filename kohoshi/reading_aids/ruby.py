"""<ruby> over the words with kanji of a title or of a stored (nh3-sanitised) body: pure.

Only text nodes change: the body is split into tags and the text between them, each text node is
unescaped, read (readings.words) and escaped again, so tags and their attributes — links, tel:
links — pass through byte for byte, and nothing the text says can become markup.
"""
import html
import re

from . import readings

_TAG = re.compile(r"(<[^>]*>)")


def ruby_text(text: str, *, names: dict[str, str] | None = None) -> str:
    """Escaped HTML of `text` with <ruby>漢字<rt>かんじ</rt></ruby> over its kanji."""
    out = []
    for surface, reading in readings.words(text, names=names):
        if not reading or not readings.has_kanji(surface):
            out.append(html.escape(surface, quote=False))
            continue
        for part, rt in readings.ruby_parts(surface, reading):
            if rt:
                out.append(f"<ruby>{html.escape(part, quote=False)}<rt>{html.escape(rt, quote=False)}</rt></ruby>")
            else:
                out.append(html.escape(part, quote=False))
    return "".join(out)


def ruby_html(fragment: str, *, names: dict[str, str] | None = None) -> str:
    """`fragment` (sanitised HTML) with ruby in its text nodes; tags untouched."""
    out = []
    for piece in _TAG.split(fragment):
        if not piece or piece.startswith("<") or not readings.has_kanji(html.unescape(piece)):
            out.append(piece)
        else:
            out.append(ruby_text(html.unescape(piece), names=names))
    return "".join(out)
