"""Article bodies: newsletter text as typed into the municipality's CMS → safe HTML and plain text.

Bodies are lines of text carrying the paper's own structure markers (■ section, ◇ item,
〔日時〕/《申込み》 labels, "日時：…" lines, "問合せ：…【電話】…" blocks, ・ and (1) lists) and,
now and then, an <img> tag pointing at someone else's server. The text is parsed once into a
short list of blocks; `render_body` and `plain_text` both walk that list, so the page, the
search index, the OGP description and read-aloud never disagree about what the article says.

Everything here is a pure function of its input: no settings, no database, no clock. The one
exception is optional: given the publishing municipality, `render_body` reads its prefecture to
complete local phone numbers with the area code (kohoshi.places.phones).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3
import phonenumbers

from kohoshi.places.phones import LocalArea, dialable, local_areas_of

__all__ = ["render_body", "plain_text", "contact_of", "contacts_of", "repair_text", "lost_characters"]

# Private-use characters stand in for images between sanitising and rendering; any that
# arrive in the input are removed first so nobody can forge one.
_IMG_OPEN, _IMG_CLOSE = "\ue000", "\ue001"
_IMG_TOKEN = re.compile(f"{_IMG_OPEN}(\\d+){_IMG_CLOSE}")

# What render_body may emit. The final nh3 pass enforces it even if a bug above slips.
_ALLOWED_TAGS = {"p", "br", "h2", "h3", "h4", "ul", "ol", "li", "dl", "div", "dt", "dd", "aside", "span", "a"}
_ALLOWED_ATTRIBUTES = {"*": {"class"}, "a": {"href", "rel"}, "aside": {"aria-label"}}
_ALLOWED_SCHEMES = {"tel", "mailto", "https", "http"}


# --- Source clean-up: HTML out, known warts repaired ------------------------------------

_IMG_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_ALT_ATTR = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
# Line-level tags would otherwise vanish with no trace of the break they made.
_BREAKING_TAG = re.compile(r"<br\s*/?>|</(p|div|li|h[1-6]|tr|dd|dt)\s*>", re.IGNORECASE)


def _strip_html(text: str) -> tuple[str, list[str]]:
    """Plain text with images replaced by tokens, and the images' alt texts."""
    alts: list[str] = []

    def keep_alt(match: re.Match) -> str:
        # Images live on the newsletter publisher's servers; loading them would leak our
        # readers to a third party, so only their description survives.
        alt = _ALT_ATTR.search(match.group())
        words = " ".join(html.unescape(next(g for g in alt.groups() if g is not None)).split()) if alt else ""
        if not words:
            return ""
        alts.append(words)
        return f"{_IMG_OPEN}{len(alts) - 1}{_IMG_CLOSE}"

    text = _IMG_TAG.sub(keep_alt, text)
    text = _BREAKING_TAG.sub(lambda m: "\n\n" if (m.group(1) or "").lower() in ("p", "div") else "\n", text)
    # nh3 parses like a browser would, so malformed or nested tricks are removed the same way
    # a browser would have read them; the text content of harmless tags is kept.
    cleaned = nh3.clean(text, tags=set(), attributes={}, clean_content_tags={"script", "style"}, link_rel=None)
    return html.unescape(cleaned), alts


# After 【電話】 a "?" is a lost hyphen (225?2040) or a lost symbol before the number.
_PHONE_AFTER_LABEL = re.compile(r"(【(?:電話|FAX|電話・FAX)】)\?*(\d[\d?‐－-]*\d)")

# "〜" came through the CMS export as "?". It is repaired only where the context makes a
# range certain; anything else ("とは?", "?橋" for a lost 髙) is left as written.
_STAGE = r"(?:[小中高大]学|高校|[幼乳]児|未就学|就学|今年度|生後|歩き)"
_WAVE_RULES = [
    # A clock time is never asked about with a bare "?": "10時?" is "10時〜".
    (re.compile(r"\d[時分]$"), re.compile(r"")),
    # A number or dated quantity, then the other end of the range, a bracket, or the line end.
    (
        re.compile(r"(?:\d|\d(?:[日秒円歳才回号階代人件点枚個万千億年%％]|[万千億]円|cc|[カかヶケ]?月)|[上中下]旬)$"),
        re.compile(rf"(?:\d|$|[\s\u3000(（)）\[\]［］「」『』、。，…・]|翌|当日|[月火水木金土日]曜|{_STAGE})"),
    ),
    # School stages and ages: "年中?小学3年生", "中学生?30歳", "放課後?19時".
    (re.compile(r"(?:[小中高大]学生?|高校生|\d年生|[幼乳]児|未就学児|年[少中長]|後|前|超)$"), re.compile(rf"(?:\d|当日|{_STAGE})")),
    # Weekday spans: "月?金曜".
    (re.compile(r"(?:^|[\s\u3000・：、(（])[月火水木金土日]$"), re.compile(r"[月火水木金土日]曜")),
    # Enumerated spans: "(1)?(3)".
    (re.compile(r"\(\d+\)$"), re.compile(r"\(\d+\)")),
]
_POSTCODE_END = re.compile(r"〒[\d-]*$")
_POSTCODE_LOST_HYPHEN = re.compile(r"〒(\d{3})\?(\d{4})")
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def _repair_wave_dash(text: str) -> str:
    if "?" not in text:
        return text
    protected = [m.span() for m in _URL.finditer(text)]
    chars = list(text)
    for i, char in enumerate(text):
        if char != "?" or any(start <= i < end for start, end in protected):
            continue
        left, right = text[max(0, i - 10) : i], text[i + 1 : i + 8]
        if _POSTCODE_END.search(left):
            continue
        if any(lrule.search(left) and rrule.match(right) for lrule, rrule in _WAVE_RULES):
            chars[i] = "〜"
    return "".join(chars)


def repair_text(text: str) -> str:
    """The source text with its known export warts repaired; HTML is left alone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _PHONE_AFTER_LABEL.sub(lambda m: m.group(1) + re.sub(r"[?‐－]", "-", m.group(2)), text)
    text = _POSTCODE_LOST_HYPHEN.sub(r"〒\1-\2", text)
    return _repair_wave_dash(text)


_KANJI = r"[\u3400-\u9fff\uf900-\ufaff々]"
# A "?" touching a kanji stands for a character the export lost: 髙 in "?木", 﨑 in "山?　俊裕".
# A question ("大丈夫?", "何?") ends a sentence; a lost character sits inside a word or a name.
_LOST = re.compile(
    rf"(?<={_KANJI})\?(?={_KANJI})"  # inside a word: "戸?良彦"
    rf"|(?<![^\s\u3000：:、。「(（])\?(?={_KANJI})"  # starting a word: "?木"
    rf"|(?<={_KANJI})(?<!何)\?(?=[\u3000、])"  # ending a name before the given name: "山?　俊裕"
    rf"|(?:(?<=[：:]{_KANJI})|(?<=[：:]{_KANJI}{_KANJI}))\?(?=\n|$)"  # a surname alone: "問合せ：山?"
)


def lost_characters(text: str) -> list[str]:
    """Where `text`, once repaired, still has a "?" for a character nobody can restore: each
    place with a few characters either side, for a person to fix at the source."""
    text = repair_text(text)
    return [text[max(0, m.start() - 5) : m.end() + 5].replace("\n", " ").strip() for m in _LOST.finditer(text)]


# --- Lines and blocks ---------------------------------------------------------------------

# Markers by rank. The paper uses ● beside ■ for items with a different procedure ("●は不要"),
# □/○/▼ inside a ■ section, and ◇/◆/▽ for the items below those.
_HEADING_TIER = {"■": 0, "●": 0, "□": 1, "○": 1, "▼": 1, "◇": 2, "◆": 2, "▽": 2}
_HIRAGANA = re.compile(r"[ぁ-ゖ]")
_ENUM = re.compile(r"^(?:[(（]([0-9０-９]{1,2})[)）]|([①-⑳]))\s*")
_COLON_LABEL = re.compile(r"^([^\s\u3000：。、「」『』()（）【】〔〕《》※・]{1,12})：\s*(.*)$")
_BRACKET_LABEL = re.compile(r"^(?:〔([^〕]{1,20})〕|《([^》]{1,20})》|【([^】]{1,20})】)\s*(.*)$")
# 問合せ, 問い合わせ先, お問い合わせ, 申込み・問合せ, 申し込み・問い合わせ, 問合せ・申込み, 問合先.
_CONTACT_WORD = r"お?(?:申し?込み?・)?問い?合わ?せ先?(?:・申し?込み?先?)?|問合先"
_CONTACT_KEY = re.compile(rf"^(?:{_CONTACT_WORD})$")
# "問合せ：市民課", "問合せ:市民課", "お問い合わせ　市民課", or "問合せ" alone above the department.
_CONTACT_LINE = re.compile(rf"^(?P<key>{_CONTACT_WORD})(?:\s*[：:]\s*|[ \u3000]+|$)(?P<value>.*)$")
# How the means of a contact are written: 【電話】225-2746, 【電話(でんわ)】, 電話：225-2746,
# TEL 225-2746, ☎225-2746, FAX, 【E-mail】a@example.jp. A bare word counts only before a number
# or an address, so "電話で申し込み" stays a sentence.
_TEL_WORDS = ("電話", "TEL", "Tel", "tel", "☎", "℡", "Phone")
_FAX_WORDS = ("FAX", "Fax", "fax", "ファクス", "ファックス")
_MAIL_WORDS = ("E-mail", "e-mail", "E-Mail", "Eメール", "メール", "Mail")
_BOTH_WORDS = ("電話・FAX", "電話・ファクス", "TEL・FAX", "TEL/FAX")
_MEANS = _BOTH_WORDS + _TEL_WORDS + _FAX_WORDS + _MAIL_WORDS
_MEANS_WORD = "|".join(re.escape(w) for w in _MEANS)
_NUMBER = r"0\d{1,4}\(\d{1,4}\)\d{4}|\d{2,5}(?:-\d{1,6}){1,2}|0\d{9,10}"
_MAIL_ADDRESS = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_MEANS_TOKEN = (
    rf"【(?P<bracketed>{_MEANS_WORD})(?:\([ぁ-ゖ]+\))?】"
    rf"|(?<![A-Za-z])(?P<bare>{_MEANS_WORD})[ \u3000]*[:：.]?[ \u3000]*(?={_NUMBER}|{_MAIL_ADDRESS})"
)
_HAS_MEANS = re.compile(_MEANS_TOKEN)
# Words that make "X：…" a labelled fact rather than, say, a speaker's line in an interview.
_LABEL_WORDS = re.compile(
    r"日|時間|場所|会場|対象|定員|費用|料|申込|申し込み|内容|期間|期限|締切|住所|任期|報酬|額|価格|資格|職種|"
    r"募集|配布|販売|閲覧|縦覧|応募|テーマ|講師|出演|種目|持ち物|主催|備考|利用|受付|申請|発表|試験|勤務|方法|"
    r"プロフィル|人口|世帯|面積|曲目|部門|定休|営業|開館|問合せ"
)


@dataclass
class _Line:
    kind: str  # blank | heading | contact | label | bullet | enum | note | text
    raw: str
    text: str = ""
    mark: str = ""  # heading marker, enum marker, label key, contact key
    bracket: bool = False  # label written 〔…〕/《…》 rather than "…："


def _is_heading(rest: str) -> bool:
    if not rest or rest.endswith("。") or len(rest) > 80:
        return False
    # "■は直接…", "●は不要。", "□はいずれも" refer back to the items carrying that marker;
    # "■はじめての古文書" is a heading that merely starts with は.
    return not (rest[0] == "は" and (len(rest) == 1 or not _HIRAGANA.match(rest[1]) or rest.startswith("はいずれ")))


def _classify(raw: str) -> _Line:
    line = raw.strip()
    if not line:
        return _Line("blank", raw)
    first, rest = line[0], line[1:].strip()
    if first in _HEADING_TIER and _is_heading(rest):
        return _Line("heading", line, rest, first)
    if first == "・":
        return _Line("bullet", line, rest)
    if enum := _ENUM.match(line):
        return _Line("enum", line, line[enum.end() :], enum.group().strip())
    if first == "※":
        return _Line("note", line, rest)
    if contact := _CONTACT_LINE.match(line):
        return _Line("contact", line, contact.group("value"), contact.group("key"))
    if (means := _HAS_MEANS.match(line)) and means.group("bare"):
        return _Line("text", line, line)  # "電話：225-2746" is a contact's means, not a labelled fact
    if label := _COLON_LABEL.match(line):
        key, value = label.groups()
        # Other keys count only with a short noun-phrase value ("写真・文：森"); a sentence after
        # the colon is a speaker's line in an interview ("市長：…ありますか。").
        if _LABEL_WORDS.search(key) or (len(value) <= 40 and "。" not in value and value[-1:] not in "?？!！"):
            return _Line("label", line, value, key)
    if (label := _BRACKET_LABEL.match(line)) and (key := next(g for g in label.groups()[:3] if g)) not in _MEANS:
        if _CONTACT_KEY.match(key):
            return _Line("contact", line, label.group(4), key)
        if not _HAS_MEANS.match(line):  # 【電話(でんわ)】 is a means too
            return _Line("label", line, label.group(4), key, bracket=True)
    return _Line("text", line, line)


@dataclass
class _Block:
    kind: str  # heading | para | note | list | facts | labelled | contact
    text: str = ""  # heading text, note text, label key, contact key
    mark: str = ""  # heading marker
    lines: list[str] = field(default_factory=list)  # para lines, contact lines
    items: list[_Item] = field(default_factory=list)  # list items, facts
    ordered: bool = False
    level: int = 2


@dataclass
class _Item:
    mark: str  # enum marker or fact key; "" for ・
    text: str  # the item's own line, or the fact's inline value
    children: list[_Block]


def _take(lines: list[_Line], start: int, accept) -> int:
    end = start
    while end < len(lines) and accept(lines[end]):
        end += 1
    return end


def _parse(lines: list[_Line]) -> list[_Block]:
    blocks: list[_Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        kind = line.kind
        if kind == "blank":
            i += 1
        elif kind == "heading":
            blocks.append(_Block("heading", line.text, mark=line.mark))
            i += 1
        elif kind == "contact":
            # A contact runs to the blank line; its means sit on lines like "□プール【電話】…",
            # which would otherwise read as headings.
            end = _take(lines, i + 1, lambda x: x.kind not in ("blank", "label", "contact") and (x.kind != "heading" or _HAS_MEANS.search(x.raw)))
            blocks.append(_Block("contact", line.mark, lines=[line.text] + [x.raw for x in lines[i + 1 : end]]))
            i = end
        elif kind == "label":
            i = _parse_fact(lines, i, blocks)
        elif kind in ("bullet", "enum"):
            i = _parse_list(lines, i, blocks)
        elif kind == "note":
            blocks.append(_Block("note", line.text))
            i += 1
        else:
            end = _take(lines, i, lambda x: x.kind == "text")
            blocks.append(_Block("para", lines=[x.text for x in lines[i:end]]))
            i = end
    return blocks


def _parse_fact(lines: list[_Line], i: int, blocks: list[_Block]) -> int:
    line = lines[i]
    # "価格：" followed by "〔厚木側〕…〔海老名側〕…" nests the bracketed labels inside.
    nests = not line.text and not line.bracket
    end = _take(
        lines, i + 1, lambda x: x.kind in ("bullet", "enum", "note", "text") or (nests and x.kind == "label" and x.bracket)
    )
    children = _parse(lines[i + 1 : end])
    if not line.text and not children:
        blocks.append(_Block("labelled", line.mark))
        return end
    item = _Item(line.mark, line.text, children)
    if blocks and blocks[-1].kind == "facts" and lines[i - 1].kind != "blank":
        blocks[-1].items.append(item)
    else:
        blocks.append(_Block("facts", items=[item]))
    return end


def _parse_list(lines: list[_Line], i: int, blocks: list[_Block]) -> int:
    kind = lines[i].kind
    other = "enum" if kind == "bullet" else "bullet"
    items: list[_Item] = []
    while i < len(lines) and lines[i].kind == kind:
        line = lines[i]
        # "・5月11日" owns the "(1)10時〜", "(2)…" and "(各回60分)" lines below it; an enumerated
        # item owns only ・ lines, so a "(各回60分)" after (1)(2)(3) stays about all of them.
        end = _take(lines, i + 1, lambda x: x.kind == other or (kind == "bullet" and x.kind == "text" and x.raw[0] in "(（"))
        if line.text or end > i + 1:
            items.append(_Item(line.mark, line.text, _parse(lines[i + 1 : end])))
        i = end
    if kind == "enum" and len(items) == 1 and not items[0].children:
        # A lone "(1)…" is a sentence that happens to start with a number, not a list.
        blocks.append(_Block("para", lines=[items[0].mark + items[0].text]))
    elif items:
        blocks.append(_Block("list", items=items, ordered=kind == "enum"))
    return i


def _blocks_of(text: str) -> tuple[list[_Block], list[str]]:
    text = text.replace(_IMG_OPEN, "").replace(_IMG_CLOSE, "")
    alts: list[str] = []
    if "<" in text or "&" in text:
        text, alts = _strip_html(text)
    blocks = _parse([_classify(raw) for raw in repair_text(text).split("\n")])
    # Heading levels are relative: the article's highest marker is <h2> under the page's <h1>,
    # so "■ then ◇" gives h2/h3 and an article of only ◇ items still starts at h2.
    tiers = sorted({_HEADING_TIER[b.mark] for b in blocks if b.kind == "heading"})
    for block in blocks:
        if block.kind == "heading":
            block.level = min(2 + tiers.index(_HEADING_TIER[block.mark]), 4)
    return blocks, alts


# --- Inline text ----------------------------------------------------------------------------

_INLINE = re.compile(
    rf"{_IMG_OPEN}(?P<img>\d+){_IMG_CLOSE}"
    rf"|(?P<means>{_MEANS_TOKEN})(?P<number>{_NUMBER})?"
    rf"|(?P<url>{_URL.pattern})"
    rf"|(?P<mail>{_MAIL_ADDRESS})"
)


def _tel_html(printed: str, areas: tuple[LocalArea, ...]) -> str:
    """A call link to the full national number; the printed text alone when that is not known.

    "225-2746" in a town's newsletter is completed with the town's area code, so a mobile phone
    reaches the town too; a number no single area code completes is not linked at all.
    """
    number = dialable(printed, areas)
    if number is None:
        return html.escape(printed)
    href = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return f'<a class="kh-tel" href="{href}">{shown}</a>'


def _inline_html(text: str, alts: list[str], areas: tuple[LocalArea, ...] = ()) -> str:
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        pos = m.end()
        if m.group("img") is not None:
            out.append(f'<span class="kh-img-alt">画像: {html.escape(alts[int(m.group("img"))])}</span>')
        elif m.group("means"):
            means, number = m.group("bracketed") or m.group("bare"), m.group("number")
            if m.start() and not text[m.start() - 1].isspace():
                out.append(" ")  # "…3027【メール】…" must not read as one word once the brackets go
            out.append(f'<span class="kh-means">{html.escape(means)}</span> ')
            if number and means not in _FAX_WORDS + _MAIL_WORDS:
                out.append(_tel_html(number, areas))
            elif number:
                out.append(number)
        elif m.group("url"):
            url = m.group("url").rstrip(".,;:!?'")
            if url.endswith(")") and "(" not in url:
                url = url[:-1]
            pos = m.start() + len(url)
            out.append(f'<a href="{html.escape(url)}" rel="noopener noreferrer">{html.escape(url)}</a>')
        else:
            mail = m.group("mail")
            out.append(f'<a class="kh-mail" href="mailto:{html.escape(mail)}">{html.escape(mail)}</a>')
    out.append(html.escape(text[pos:]))
    return "".join(out)


_MEANS_LABEL = re.compile(rf"(\S?)【({_MEANS_WORD})(?:\([ぁ-ゖ]+\))?】")


def _inline_text(text: str) -> str:
    text = re.sub(r"  +", " ", _IMG_TOKEN.sub("", text))
    return _MEANS_LABEL.sub(lambda m: f"{m.group(1)} {m.group(2)} " if m.group(1) else f"{m.group(2)} ", text).strip()


# --- Rendering ------------------------------------------------------------------------------


def _html_blocks(
    blocks: list[_Block], alts: list[str], areas: tuple[LocalArea, ...] = (), *, top: bool = False
) -> list[tuple[bool, str]]:
    """(is_inline, html) pieces. At the top level text becomes paragraphs; inside a list item or
    a fact it stays inline and `_compact` separates it with <br>."""
    pieces: list[tuple[bool, str]] = []

    def text_piece(css: str, content: str) -> None:
        if top:
            pieces.append((False, f'<p class="{css}">{content}</p>' if css else f"<p>{content}</p>"))
        else:
            pieces.append((True, f'<span class="{css}">{content}</span>' if css else content))

    for b in blocks:
        if b.kind == "heading":
            pieces.append((False, f"<h{b.level}>{_inline_html(b.text, alts, areas)}</h{b.level}>"))
        elif b.kind == "para":
            text_piece("", "<br>".join(_inline_html(x, alts, areas) for x in b.lines))
        elif b.kind == "note":
            text_piece("kh-note", "※" + _inline_html(b.text, alts, areas))
        elif b.kind == "labelled":
            text_piece("kh-labelled", f'<span class="kh-label">{html.escape(b.text)}</span>')
        elif b.kind == "list":
            tag, css = ("ol", "kh-enum") if b.ordered else ("ul", "kh-list")
            marker = '<span class="kh-enum__marker">{}</span>' if b.ordered else ""
            lis = "".join(
                f"<li>{marker.format(html.escape(item.mark))}{_compact(item.text, item.children, alts, areas)}</li>"
                for item in b.items
            )
            pieces.append((False, f'<{tag} class="{css}">{lis}</{tag}>'))
        elif b.kind == "facts":
            entries = "".join(
                f'<div class="kh-fact"><dt>{html.escape(item.mark)}</dt><dd>{_compact(item.text, item.children, alts, areas)}</dd></div>'
                for item in b.items
            )
            pieces.append((False, f'<dl class="kh-facts">{entries}</dl>'))
        elif b.kind == "contact":
            label = html.escape(b.text)
            body = "<br>".join(_inline_html(x, alts, areas) for x in b.lines if x.strip())
            aside = f'<aside class="kh-contact" aria-label="{label}"><p class="kh-contact__title">{label}</p>'
            pieces.append((False, f'{aside}<p class="kh-contact__body">{body}</p></aside>'))
    return pieces


def _compact(text: str, children: list[_Block], alts: list[str], areas: tuple[LocalArea, ...]) -> str:
    pieces = ([(True, _inline_html(text, alts, areas))] if text else []) + _html_blocks(children, alts, areas)
    out = []
    for n, (inline, piece) in enumerate(pieces):
        if n and inline and pieces[n - 1][0]:
            out.append("<br>")
        out.append(piece)
    return "".join(out)


def render_body(text: str, *, municipality=None) -> str:
    """Safe HTML for an article body, ready for mark_safe; "" for an empty body.

    `municipality` (places.Municipality) is the newsletter's publisher: its area codes complete
    the local phone numbers its paper prints. Without it only complete numbers are linked.
    """
    if not text or not text.strip():
        return ""
    blocks, alts = _blocks_of(text)
    pieces = _html_blocks(blocks, alts, local_areas_of(municipality), top=True)
    fragment = "\n".join(piece for _, piece in pieces)
    return nh3.clean(fragment, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, url_schemes=_ALLOWED_SCHEMES, link_rel=None)


def _text_lines(blocks: list[_Block]) -> list[str]:
    out = []
    for b in blocks:
        if b.kind in ("heading", "note", "labelled"):
            out.append(_inline_text(b.text))
        elif b.kind == "para":
            # A marker before a whole sentence ("▽…しました。") is decoration; before "は" it names
            # the items it refers to ("■は直接…") and stays.
            out.extend(_inline_text(x[1:] if x[0] in _HEADING_TIER and x[1:2] != "は" else x) for x in b.lines)
        elif b.kind in ("list", "facts"):
            for item in b.items:
                # Enumeration markers stay: the text refers back to them ("(1)(2)は市内在住の方のみ").
                out.append(item.mark + ("：" if b.kind == "facts" else "") + _inline_text(item.text))
                out.extend(_text_lines(item.children))
        elif b.kind == "contact":
            lines = [_inline_text(x) for x in b.lines]
            out.append(" ".join([f"{b.text}：{lines[0]}"] + [x for x in lines[1:] if x]))
    return [x for x in out if x.strip()]


def plain_text(text: str) -> str:
    """The body as readable text, without markers, tags or images, for search, snippets and read-aloud.

    Blocks are separated by blank lines. The result is not HTML: escape it wherever it is shown.
    """
    if not text or not text.strip():
        return ""
    blocks, _ = _blocks_of(text)
    return "\n\n".join(filter(None, ("\n".join(_text_lines([b])) for b in blocks)))


_MEANS_VALUE = re.compile(rf"(?:{_MEANS_TOKEN})(?P<value>{_NUMBER}|{_MAIL_ADDRESS})?")
_MAIL = re.compile(_MAIL_ADDRESS)
_NAME_NOISE = re.compile(r"^[\s\u3000□◇◆○●▽▼■・、，\[［]+|^(?:[(（][0-9０-９]{1,2}[)）]|[①-⑳])\s*|[\s\u3000\]］。、・,]+$")


# What stands beside a name without being one: an address in brackets ("(〒710-8565…)",
# "(笹沖180)") and the kind of number ("フリーダイヤル【電話】0120-…").
_NAME_ASIDE = re.compile(r"[(（](?:〒[^)）]*|[^)）]*\d)[)）]|フリーダイヤル|ナビダイヤル")


def _contact_name(segment: str) -> str:
    """The name in a contact line: "(1)国保年金課" → 国保年金課, "子ども…こども家庭センター" → こども家庭センター."""
    # An aside names its own contact: "(特定退職金共済は厚木商工会議所【電話】…)".
    segment = re.sub(r"^[(（]+.*?は", "", _inline_text(segment))
    segment = _NAME_ASIDE.sub("", segment).rsplit("…", 1)[-1]
    for _ in range(3):
        segment = _NAME_NOISE.sub("", segment)
    return segment


def _contact_fields(block: _Block) -> dict:
    names: list[str] = []
    tel: list[str] = []
    fax: list[str] = []
    for n, line in enumerate(block.lines):
        means = list(_MEANS_VALUE.finditer(line))
        following = block.lines[n + 1] if n + 1 < len(block.lines) else ""
        # A name is what stands before each means on its line ("倉敷【電話】…・児島【電話】…"), the
        # value after "問合せ：", or a line of its own right above a line that starts with the
        # means (the department, then 電話).
        if means:
            segments = [line[(means[i - 1].end() if i else 0) : m.start()] for i, m in enumerate(means)]
        elif n == 0 or _HAS_MEANS.match(following.strip()):
            segments = [line]
        else:
            segments = []
        for segment in segments:
            name = _contact_name(segment)
            if name and name not in names and not re.fullmatch(r"[\d\-()（）]+", name):
                names.append(name)
        for m in means:
            word, value = m.group("bracketed") or m.group("bare"), m.group("value")
            if not value or "@" in value:
                continue
            if word not in _FAX_WORDS + _MAIL_WORDS:
                tel.append(value)
            if word in _FAX_WORDS + _BOTH_WORDS:
                fax.append(value)
    joined = "\n".join(block.lines)
    return {"label": block.text, "names": names, "tel": tel, "fax": fax, "email": _MAIL.findall(joined)}


def contacts_of(text: str) -> list[dict]:
    """Every 問合せ block of the article, in order: label, names, and tel, fax and email lists.

    Numbers are as printed (after the lost-hyphen repair), not completed with an area code.
    """
    if not text:
        return []
    blocks, _ = _blocks_of(text)
    return [_contact_fields(b) for b in blocks if b.kind == "contact"]


def contact_of(text: str) -> dict | None:
    """The article's own contact: its last 問合せ block, as name, tel, fax and email lists.

    The last block is the one that covers the whole article; earlier ones belong to single items.
    """
    contacts = contacts_of(text)
    if not contacts:
        return None
    contact = contacts[-1]
    return {"label": contact["label"], "name": (contact["names"] or [None])[0]} | {
        key: contact[key] for key in ("tel", "fax", "email")
    }


# 「写真は本紙をご覧ください」「本紙の二次元コードから」「(本紙参照)」: the printed paper carries
# something the text does not. 「紙面」 alone is too often the editors talking about the issue.
_PAPER_REFERENCE = re.compile(r"本紙")


def refers_to_paper(text: str) -> bool:
    """Does the article point the reader at something only the printed newsletter shows?"""
    return bool(_PAPER_REFERENCE.search(text or ""))
