"""Translate an article body's text and keep its markup.

The stored body (kohoshi.newsletters.formatting.render_body: headings from ■/◇, paragraphs,
lists, facts, contact boxes) is sanitised HTML. Its tags are kept as they are; only the text
between them is sent to the backend, and not all of it: the text of links (call links, URLs,
mail addresses) and, inside other text, phone numbers, URLs and mail addresses printed as they
are stay untouched, so a translated page still dials the same number. Text without Japanese in
it (a time "10:00〜", a price "500円" does have some) is kept too.
"""
from __future__ import annotations

import html
import re

_TAG = re.compile(r"(<[^>]+>)")
# Attributes a reader hears or sees: the contact box's aria-label ("問合せ"), an image's alt.
_SPOKEN_ATTRIBUTE = re.compile(r'(\s(?:aria-label|alt|title)=")([^"]*)(")')
_JAPANESE = re.compile(r"[\u3041-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヶ]")
# Kept verbatim inside translated text: URLs, mail addresses, phone and fax numbers
# ("0123-45-6789", "(046)225-2746", "225－2746").
_KEEP = re.compile(
    r"https?://[^\s　<>\"'、。]+"
    r"|[A-Za-z0-9_.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"|[(（]?0\d{1,4}[)）]?[-－‐ー]?\d{1,4}[-－‐ー]\d{3,4}"
    r"|\d{2,4}[-－‐]\d{4}"
)


def _pieces(text: str) -> list[tuple[bool, str]]:
    """(translate?, text) pieces of one text node."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for m in _KEEP.finditer(text):
        if m.start() > pos:
            out.append((True, text[pos : m.start()]))
        out.append((False, m.group()))
        pos = m.end()
    if pos < len(text):
        out.append((True, text[pos:]))
    return [(t and bool(_JAPANESE.search(s)), s) for t, s in out]


def _plan(fragment: str) -> list[tuple[bool | str, str]]:
    """The fragment as (translate?, piece): True for text to translate (unescaped), "attr" for an
    attribute value to translate, False for markup and kept text (as it is in the fragment)."""
    plan: list[tuple[bool | str, str]] = []
    in_link = 0
    for part in _TAG.split(fragment):
        if not part:
            continue
        if part.startswith("<"):
            name = part[1:].split(None, 1)[0].rstrip(">/").lower()
            if name == "a":
                in_link += 1
            elif name == "/a":
                in_link = max(0, in_link - 1)
            pos = 0
            for m in _SPOKEN_ATTRIBUTE.finditer(part):
                value = html.unescape(m.group(2))
                if _JAPANESE.search(value):
                    plan.append((False, part[pos : m.end(1)]))
                    plan.append(("attr", value))
                    pos = m.start(3)
            plan.append((False, part[pos:]))
        elif in_link:
            plan.append((False, part))
        else:
            text = html.unescape(part)
            for translate, piece in _pieces(text):
                if translate:
                    # Whitespace around a piece stays outside it: a backend may trim it.
                    stripped = piece.strip()
                    lead = piece[: len(piece) - len(piece.lstrip())]
                    trail = piece[len(piece.rstrip()) :]
                    if lead:
                        plan.append((False, html.escape(lead, quote=False)))
                    plan.append((True, stripped))
                    if trail:
                        plan.append((False, html.escape(trail, quote=False)))
                else:
                    plan.append((False, html.escape(piece, quote=False)))
    return plan


def texts_of(fragment: str) -> list[str]:
    """The texts of the fragment a backend is asked to translate, in order."""
    return [piece for translate, piece in _plan(fragment) if translate]


def translate_html(fragment: str, translate) -> str:
    """The fragment with its translatable texts replaced by `translate(texts) -> texts` (called
    once, with each distinct text once); the markup and kept text are unchanged."""
    plan = _plan(fragment)
    wanted = list(dict.fromkeys(piece for t, piece in plan if t))
    done = dict(zip(wanted, translate(wanted))) if wanted else {}
    return "".join(
        piece if not t else html.escape(done[piece], quote=(t == "attr")) for t, piece in plan
    )
