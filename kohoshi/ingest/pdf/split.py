"""From ordered lines to draft articles: titles, headings, paragraphs, category.

Typography decides the structure, relative to the body size of the page (the most
common character size):

* ``size >= 1.25 × body``: an article title.  Consecutive title lines form one
  title (a category banner above a title is joined with a space).
* ``1.08 × body <= size < 1.25 × body``: a section heading, written ``■...``.
* body size in an emphasised face (bold weight, bold name, fill+stroke, or a
  family other than the body's): a sub-heading, written ``◇...``.
* everything else is body text.  A line that reaches the end of its column is
  wrapped and joins the next line; a wider gap than the usual line pitch is a
  blank line between paragraphs.
"""

from __future__ import annotations

import difflib
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from .layout import TITLE_RATIO, Line

HEADING_RATIO = 1.08
MARKERS = "■◇◆●○□▽△▼※・★☆"


@dataclass
class DraftArticle:
    """One article as read from the PDF, before review.

    ``body`` follows the reading site's body-text format: ``■`` section headings,
    ``◇`` sub-headings, ``・`` list items, paragraphs separated by a blank line.
    ``pages`` are 1-based page numbers the article appears on.
    """

    title: str
    body: str
    pages: list[int] = field(default_factory=list)
    category: str = "その他"
    # 0..1, from the signals used (see REASONS); reasons are codes, weakest signal first
    confidence: float = 1.0
    reasons: list[str] = field(default_factory=list)


@dataclass
class DraftIssue:
    """The result of :func:`kohoshi.ingest.pdf.extract_issue`."""

    articles: list[DraftArticle]
    page_count: int
    needs_ocr: bool = False
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- category

CATEGORIES = ("くらし", "子育て", "健康", "しごと", "イベント", "講座", "スポーツ", "文化", "その他")

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "子育て": ("子育て", "子ども", "こども", "児童", "保育", "幼稚園", "乳幼児", "赤ちゃん", "妊娠", "出産", "学童", "小学生", "中学生", "親子", "育児", "放課後", "ひとり親", "母子"),
    "健康": ("健康", "健診", "検診", "予防接種", "ワクチン", "医療", "病院", "がん", "歯科", "感染", "熱中症", "介護予防", "食生活", "栄養", "保健", "骨密度", "血圧"),
    "しごと": ("求人", "就職", "就労", "採用", "職員募集", "会計年度任用", "仕事", "しごと", "創業", "起業", "事業者", "企業", "雇用", "資格取得", "アルバイト"),
    "イベント": ("イベント", "まつり", "祭", "フェスタ", "フェスティバル", "花火", "マルシェ", "コンサート", "上映", "参加無料", "体験会", "催し", "ツアー", "見学会"),
    "講座": ("講座", "教室", "講習", "セミナー", "講演", "研修", "学習会", "ワークショップ", "受講", "講師"),
    "スポーツ": ("スポーツ", "体育", "運動", "ウオーキング", "ウォーキング", "マラソン", "野球", "サッカー", "テニス", "水泳", "プール", "ヨガ", "体操", "卓球", "バドミントン", "大会", "競技"),
    "文化": ("文化", "美術", "芸術", "展示", "展覧", "博物館", "図書館", "郷土", "歴史", "文化財", "音楽", "映画", "読書", "作品", "写真展", "公民館"),
    "くらし": ("税", "保険", "年金", "ごみ", "ゴミ", "防災", "手続き", "届出", "住民", "マイナンバー", "道路", "水道", "下水", "交通", "選挙", "給付", "補助", "助成", "相談", "防犯", "環境", "リサイクル", "市役所", "窓口", "住宅"),
}


def guess_category(title: str, body: str) -> str:
    """Guess one of :data:`CATEGORIES` by counting keywords (title counts ×3).

    Without a clear signal the guess is くらし, the commonest category of the
    corpus (about 40 % of articles); reviewers correct it in the review queue.
    """
    best, best_score = "くらし", 0.0
    for cat, words in _KEYWORDS.items():
        score = 0.0
        for w in words:
            score += 3 * title.count(w) + min(body.count(w), 5)
        if score > best_score:
            best, best_score = cat, score
    return best if best_score >= 2 else "くらし"


# --------------------------------------------------------------------------- contents

_CONTENTS_WORD = re.compile(r"^(もくじ|目次|今月の内容|今号の内容|主な内容|contents|index|inside)+$", re.I)
_ENTRY = re.compile(r"^(?P<title>.{3,60}?)[\s・…‥.．·\-－—―:：]*(?:[pｐ][.．]?\s*)?(?P<page>[0-9０-９]{1,3})(?:ページ|頁)?$", re.I)
_NUMBER = re.compile(r"^(?:[pｐ][.．]?\s*)?(?P<page>[0-9０-９]{1,3})(?:ページ|頁)?$", re.I)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", re.sub(r"[\s　・…‥｜|]+", "", text)).lower()


@dataclass
class Contents:
    """A table of contents found on a page: its entries (title, printed page)."""

    page: int
    entries: list[tuple[str, int]]
    lines: list[Line]  # the lines it is made of (keyword, entries, page numbers)


def find_contents(lines: list[Line], page_count: int) -> Contents | None:
    """The table of contents on one page, or None.

    Entries are "title …… 3" on one line, or a title with its page number as a
    separate piece on the same row (flex or tab layouts).  Three entries with
    page numbers inside the issue, or the word もくじ/目次 with two, make a
    contents page."""
    if not lines:
        return None
    page = lines[0].page
    used: list[Line] = []
    entries: list[tuple[str, int]] = []
    numbers = [ln for ln in lines if _NUMBER.match(ln.text.strip())]
    keyword = [ln for ln in lines if _CONTENTS_WORD.match(_norm(ln.text))]
    for ln in lines:
        text = ln.text.strip()
        if ln in numbers or ln in keyword:
            continue
        m = _ENTRY.match(text)
        if m and not text[-4:].isdigit() and re.search(r"[\s・…‥.．]", text[:-len(m.group("page"))][-3:] or "x"):
            n = int(unicodedata.normalize("NFKC", m.group("page")))
            if 1 <= n <= page_count + 1:
                entries.append((m.group("title").strip(), n))
                used.append(ln)
            continue
        # a page number on the same row, to the right
        for num in numbers:
            ov = min(ln.bottom, num.bottom) - max(ln.top, num.top)
            if ov >= 0.5 * min(ln.bottom - ln.top, num.bottom - num.top) and num.x0 > ln.x1 and len(_norm(text)) >= 3:
                n = int(unicodedata.normalize("NFKC", _NUMBER.match(num.text.strip()).group("page")))
                if 1 <= n <= page_count + 1:
                    entries.append((text, n))
                    used.extend((ln, num))
                break
    if len(entries) >= 3 or (keyword and len(entries) >= 2):
        return Contents(page=page, entries=entries, lines=used + keyword)
    return None


def _similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if (a in b or b in a) and min(len(a), len(b)) >= 0.7 * max(len(a), len(b)):
        return 0.9
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def apply_contents(pages: list[tuple[list[Line], float]]) -> tuple[list[tuple[list[Line], float]], list[Contents], list[str]]:
    """Find contents pages, drop them (and the cover they sit on) from the
    articles, and mark the lines their entries name as article titles.

    A contents page is kept only for what is left once its entries are
    removed, and only when an entry points to that page (a cover story)."""
    warnings: list[str] = []
    found: list[Contents] = []
    page_count = len(pages)
    for lines, _body in pages:
        c = find_contents(lines, page_count)
        if c is not None:
            found.append(c)
    if not found:
        return pages, found, warnings
    out: list[tuple[list[Line], float]] = []
    entries = [(t, n, _norm(t)) for c in found for t, n in c.entries]
    contents_pages = {c.page: c for c in found}
    for lines, body in pages:
        if lines and lines[0].page in contents_pages:
            c = contents_pages[lines[0].page]
            if any(n == c.page for _t, n, _k in entries):
                # a cover story: keep the page without its contents and without the masthead
                # (the largest type above the contents), which is no article title
                drop = set(map(id, c.lines))
                first = min((ln.top for ln in c.lines), default=0.0)
                biggest = max((ln.size for ln in lines), default=0.0)
                lines = [
                    ln for ln in lines
                    if id(ln) not in drop and not (body and ln.size >= 2 * body and ln.size >= biggest * 0.95 and ln.bottom <= first)
                ]
            else:
                warnings.append(f"p.{c.page} は表紙・もくじとして記事にしませんでした")
                lines = []
        out.append((lines, body))
    # the lines the entries name become titles (the best match per entry)
    for title, n, key in entries:
        best, best_score = None, 0.0
        for lines, body in out:
            for ln in lines:
                if ln.table_row or len(ln.text) > 3 * len(title) + 10:
                    continue
                score = _similar(key, _norm(ln.text))
                if ln.page in (n, n - 1, n + 1):
                    score += 0.05
                if body and ln.size >= body * HEADING_RATIO:
                    score += 0.05
                if score > best_score:
                    best, best_score = ln, score
        if best is not None and best_score >= 0.85:
            best.role = "title"
    return out, found, warnings


# --------------------------------------------------------------------------- assembly


def classify(line: Line, body: float, *, headings_are_titles: bool = False) -> str:
    """'title', 'h1', 'h2' or 'body' for one line, relative to the body size.

    ``headings_are_titles``: the issue has no display titles at all (a notice
    board of short items), so its section-heading level names the articles."""
    if line.role in ("title", "board"):
        return "title"
    if body <= 0 or line.table_row or _NUMBER.match(line.text.strip()):
        return "body"
    ratio = line.size / body
    if ratio >= TITLE_RATIO:
        return "title"
    if ratio >= HEADING_RATIO:
        return "title" if headings_are_titles else "h1"
    if ratio >= 0.9 and line.bold >= 0.8:
        return "h2"
    return "body"


def _pitch(lines: list[Line], body: float) -> float:
    """The usual distance between consecutive body lines of one column."""
    d = []
    for p, c in zip(lines, lines[1:]):
        if (
            p.column == c.column
            and p.page == c.page
            and abs(p.size - body) < 0.1 * body
            and abs(c.size - body) < 0.1 * body
            and c.c0 > p.c0
        ):
            d.append(c.c0 - p.c0)
    return statistics.median(d) if d else body * 1.6


@dataclass
class _Logical:
    text: str
    kind: str  # body, h1, h2
    blank_before: bool
    lines: int = 1


@dataclass
class _Building:
    title: str
    title_line: Line | None
    pages: list[int]
    title_kind: str = ""  # display, contents, heading (notice board)
    chars: int = 0
    ocr_chars: int = 0
    logical: list[_Logical] = field(default_factory=list)
    last: Line | None = None
    last_kind: str = ""


# a jump line: "（2ページから続く）", "3面より続く", "前ページから続く"
_CONTINUED = re.compile(r"^[（(〈<【\[]?\s*([0-9０-９]{1,3}|前)\s*(?:ページ|頁|面|ﾍﾟｰｼﾞ|p\.?)\s*(?:から|より)(?:の)?続(?:く|き)\s*[）)〉>】\]]?$", re.I)


def _full(ln: Line) -> bool:
    return ln.a1 >= ln.column_end - 1.2 * ln.size


# a text frame narrower than its column: at least this many characters wide
FRAME_MIN_EMS = 15
FRAME_WINDOW = 4
# how many characters short of its frame's end a wrapped line may stop: a frame set ragged-right
# leaves up to 4 (おやじの会通信 1 and 2: "…声をかけて⏎もらえたら…" stopped 3.9 short)
FRAME_SLACK = 4.0


def mark_frame_ends(lines: list[Line]) -> None:
    """Set ``frame_end`` of the lines of a text frame narrower than its column (a box beside a
    photo, a boxed notice): where the lines around each one end, so that a line about as long as
    its neighbours is seen to wrap although it stops short of the column's end.

    A frame is a run of consecutive lines of one size in one column starting together (a
    first-line indent allowed).  A line's frame ends where the longest of the ``FRAME_WINDOW``
    lines before it ends, or of those after it if they end sooner: a wider paragraph may sit
    right above or below the frame in the same column.  Frames under ``FRAME_MIN_EMS``
    characters are left alone: short lines that end alike are a list of items more often than
    wrapped text."""
    i = 0
    while i < len(lines):
        first = lines[i]
        j = i + 1
        while j < len(lines):
            p, ln = lines[j - 1], lines[j]
            if (
                ln.page != first.page or ln.column != first.column or ln.vertical != first.vertical
                or ln.table_row or first.table_row or abs(ln.size - first.size) > 0.08 * first.size
                or abs(ln.a0 - p.a0) > 1.5 * ln.size or not 0 < ln.c0 - p.c0 <= 2.2 * ln.size
            ):
                break
            j += 1
        for k in range(i, j):
            ln = lines[k]
            sides = [side for side in (lines[max(i, k - FRAME_WINDOW) : k], lines[k + 1 : min(j, k + 1 + FRAME_WINDOW)]) if side]
            if len(sides) == 2 and min(map(len, sides)) < 2:
                sides = [max(sides, key=len)]  # one line alone may be the last of a paragraph
            edge = min((max(m.a1 for m in side) for side in sides), default=0.0)
            if edge - ln.a0 >= FRAME_MIN_EMS * ln.size and edge < ln.column_end - 1.2 * ln.size:
                ln.frame_end = edge
        i = j


def _frame_full(ln: Line, slack: float) -> bool:
    """A line that does not end a sentence and ends within ``slack`` characters short of its
    frame's end: it wraps (proportional type leaves a ragged edge a few characters deep).  A line
    reaching well beyond the lines around it is no frame's: they are just short lines."""
    return ln.frame_end > 0 and ln.frame_end - slack * ln.size <= ln.a1 <= ln.frame_end + 4 * ln.size and _runs_on(ln)


# a line that opens an item of a list: "場所：", "(2)", "〒243-8511" (an item ending short of a
# frame is over, whatever follows it: "(3)…していない⏎～(3)の全てを満たす…")
_ITEM = re.compile(r"^(?:[^\s：:、。]{1,8}[：:]|[(（]?[0-9０-９]{1,2}[)）]|[〒➀-➓①-⑳])")
_OPEN = "（(「『【〔［"
_CLOSE = "）)」』】〕］"
_END = "。．.！!？?」』）)】"


def _runs_on(ln: Line) -> bool:
    """The line does not end a sentence (nor is it empty)."""
    tail = ln.text.rstrip()
    return bool(tail) and tail[-1] not in _END


def _wraps(prev: Line, ln: Line, paragraph: str) -> bool:
    """Whether ``ln`` continues the line before it (a wrap, not a new paragraph).

    A line that reaches the end of its column wraps.  So does one that stops a
    little short because the next word would not fit (half-width numbers,
    words kept together) and does not end a sentence, and one that leaves a
    bracket open: "(中町" never ends a paragraph before "1-1-1)".  In a text frame
    narrower than its column, a line about as long as the frame's other lines
    wraps too, unless it or the next line is an item of a list."""
    if _full(prev):
        return True
    text = ln.text.lstrip()
    if not text or text[0] in MARKERS or ln.text.startswith("\u3000"):
        return False
    depth = sum(paragraph.count(c) for c in _OPEN) - sum(paragraph.count(c) for c in _CLOSE)
    if depth > 0 and ln.a0 <= prev.a0 + 0.5 * ln.size:
        return True
    if _hanging(prev, ln) and _runs_on(prev) and not _ITEM.match(text):
        return True
    if abs(ln.a0 - prev.a0) > 0.5 * ln.size:
        return False
    if _frame_full(prev, FRAME_SLACK) and not _ITEM.match(text) and not _ITEM.match(prev.text.lstrip()):
        return True
    return _runs_on(prev) and prev.a1 >= prev.column_end - 4 * prev.size


# what opens an item whose further lines hang under its text, not under the mark
_BULLETS = MARKERS + "➡→⇒▶►➤"


def _hanging(prev: Line, ln: Line) -> bool:
    """``ln`` hangs under the text of the item ``prev`` opens ("➡…ことで、⏎　子育てに…"): it starts
    about one mark further in, and ``prev`` is running text, as wide as a frame
    (``FRAME_MIN_EMS``) and most of the way to its column's end.  A shorter item is a label
    ("■災害情報のメールマガジン⏎　防災行政無線の内容も配信"), its next line a line of its own."""
    head = prev.text.lstrip()
    width = prev.a1 - prev.a0
    return (
        len(head) > 1 and head[0] in _BULLETS
        and 0.6 * ln.size <= ln.a0 - prev.a0 <= 1.6 * ln.size
        and width >= FRAME_MIN_EMS * prev.size and width >= 0.75 * (prev.column_end - prev.a0)
    )


def _centred(prev: Line, ln: Line) -> bool:
    """Heading line ``ln`` goes on with ``prev``: the two are centred on one axis in one size, close
    under each other, and ``prev`` does not end a sentence ("違いがあるの⏎知って⏎いますか？" in a
    speech bubble)."""
    return (
        _runs_on(prev) and prev.page == ln.page and prev.column == ln.column
        and abs(prev.size - ln.size) <= 0.05 * prev.size
        and abs((prev.a0 + prev.a1) - (ln.a0 + ln.a1)) <= ln.size
        and 0 <= ln.c0 - prev.c1 <= 0.8 * ln.size
        and abs(ln.a0 - prev.a0) > 0.5 * ln.size
    )


def _continues_title(t: Line, ln: Line) -> bool:
    """Whether title line ``ln`` continues title line ``t`` (a wrapped title, or a
    banner or kicker set right above it) rather than starting the next article
    whose body comes later in reading order.  Two lines that the table of
    contents names are two articles."""
    if t.role == "title" and ln.role == "title":
        return False
    if ln.role == "board" and t.role != "board":
        return False  # the banner of a notice board is not part of its first item's title
    if t.page != ln.page:
        return False
    if t.vertical != ln.vertical and len(t.text.strip()) > 1 and len(ln.text.strip()) > 1:
        return False  # a masthead set across the page does not run on into a 縦書き title (a lone glyph has no direction)
    if t.column != ln.column:
        # a title that ends its column with no body under it goes on at the top of the next
        # (a designer never leaves a whole title alone at the foot of a column)
        return (
            abs(t.size - ln.size) <= 0.12 * t.size and ln.c0 < t.c0
            and not t.text.rstrip().endswith(tuple(_END))
        )
    gap = ln.c0 - t.c1
    wrapped = _full(t) and abs(t.size - ln.size) <= 0.12 * t.size and t.column == ln.column
    return -0.5 * ln.size <= gap <= (2.0 if wrapped else 1.2) * max(t.size, ln.size)


def _render(b: _Building) -> str:
    out: list[str] = []
    item = False
    for lg in b.logical:
        text = lg.text.strip()
        if not text:
            continue
        # a list item set in bold (●, ・) is an item, not a heading, and follows the item before it
        was_item, item = item, lg.kind == "h2" and text[0] in MARKERS
        if lg.kind == "h2" and lg.lines >= 2 and text.endswith("。"):
            pass  # a sentence wrapped over lines in bold body type is a paragraph, no heading
            # (in larger type it is a heading: 広報あつぎ heads its notices "■…ます。")
        elif lg.kind == "h1" and not text.startswith(("■", "□", "◆", "●")):
            text = "■" + text
        elif lg.kind == "h2" and not item:
            text = "◇" + text
        if out and lg.blank_before and not (item and was_item):
            out.append("")
        out.append(text)
    return "\n".join(out).strip()


def mark_boards(lines: list[Line], body: float) -> None:
    """A notice board (掲示板): a banner set at title size, directly followed by
    entries headed at section-heading size, in a region set in smaller type than
    the page's body (a sidebar, a tinted box).  Its entries are the articles, so
    their headings become titles (``role="board"``) and the banner names none."""
    if body <= 0:
        return
    kinds = [classify(ln, body) for ln in lines]
    i = 0
    while i < len(lines):
        if kinds[i] != "title" or i + 1 >= len(lines) or kinds[i + 1] != "h1":
            i += 1
            continue
        j = i + 1
        while j < len(lines) and kinds[j] != "title":
            j += 1
        seg = range(i + 1, j)
        heads = sum(1 for k in seg if kinds[k] == "h1" and kinds[k - 1] != "h1")
        sizes: Counter[float] = Counter()
        for k in seg:
            if kinds[k] == "body" and not lines[k].table_row:
                sizes[round(lines[k].size * 4) / 4] += len(lines[k].text)
        local = sizes.most_common(1)[0][0] if sizes else body
        if heads >= 2 and local <= 0.95 * body:
            for k in seg:
                if kinds[k] == "h1":
                    lines[k].role = "board"
        i = j


# --------------------------------------------------------------------------- heading tiers of the issue


def _styles(lines: list[Line], *, face=lambda ln: ln.font, same: float = 0.95) -> tuple[dict[int, int], list[tuple]]:
    """Style number of each line (same ``face``, size within ``same`` of the style's largest),
    and each style's (face, largest size): a face's styles come largest first."""
    groups: list[tuple] = []
    out: dict[int, int] = {}
    for ln in sorted(lines, key=lambda ln: (face(ln), -ln.size)):
        for k, (f, size) in enumerate(groups):
            if f == face(ln) and ln.size >= same * size:
                out[id(ln)] = k
                break
        else:
            groups.append((face(ln), ln.size))
            out[id(ln)] = len(groups) - 1
    return out, groups


def page_title_tier(pages: list[tuple[list[Line], float]]) -> dict[int, str]:
    """Kinds that the issue's own heading tiers impose on title-size lines, by ``id(line)``.

    A style that leads (is the first title-size line of) at least three pages and a third of
    the pages with text, never more than twice on a page, makes an issue of one article per
    page or spread (a report, a feature issue).  Then only the first line of that style on a
    page (with the lines that continue it) names an article; other title-size lines are
    section headings of it (numbered sections, speech bubbles, sidebars, diagram labels).  A
    page without it starts an article only when it opens with a title-size line of a style
    used nowhere else but to open a page (the last page's appeal, a back cover); the rest
    goes on with the article before.  Without such a style nothing changes."""
    cands: list[list[Line]] = []
    for lines, body in pages:
        cands.append([ln for ln in lines if classify(ln, body) == "title" and ln.role not in ("title", "board")])
    style, _groups = _styles([ln for c in cands for ln in c])
    text_pages = sum(1 for lines, _ in pages if lines)
    # OCR gives no face and a size that wavers from line to line: the tier is found on the
    # text layer here (a scanned issue has its own rule, scan_title_tier)
    leads: Counter[int] = Counter(style[id(c[0])] for c in cands if c and not c[0].ocr)
    tier = None
    for st, n in leads.most_common():
        per_page = [sum(1 for ln in c if style[id(ln)] == st) for c in cands]
        if n >= 3 and n * 3 >= text_pages and max(per_page) <= 2:
            tier = st
            break
    if tier is None:
        return {}
    # styles that set anything but the opening line of a page are section headings
    under = {style[id(ln)] for (lines, _), c in zip(pages, cands) for ln in c if ln is not lines[0]}
    kinds: dict[int, str] = {}
    for (lines, _body), c in zip(pages, cands):
        if not c:
            continue
        ids = {id(ln) for ln in c}
        has_tier = any(style[id(ln)] == tier for ln in c)
        opener = not has_tier and lines[0] is c[0] and style[id(c[0])] not in under
        lead_style = tier if has_tier else (style[id(c[0])] if opener else None)
        state = "before"  # before the page's title, in it, after it
        for ln in lines:
            if id(ln) not in ids:
                if state == "in":
                    state = "after"
                continue
            if state != "after" and lead_style is not None and style[id(ln)] == lead_style:
                kinds[id(ln)] = "title"
                state = "in"
            else:
                kinds[id(ln)] = "h1"
                if state == "in":
                    state = "after"
    return kinds


# An OCR'd line's size is its ink measured to about a pixel (ocr.settle_sizes): one style of a
# scan spans up to 8 % (titles of one report 16.6–17.3 pt, its subheadings at most 14 pt).
SCAN_SAME_STYLE = 0.92


def _heads_text(lines: list[Line], i: int, body: float) -> bool:
    """Whether ``lines[i]`` heads running text: past the lines that continue it (its size, right
    under it), the next two lines are body-size text, the first right under it, the second right
    under that.  Display type in a picture, a chart's figures, a call-out list or a cover's
    teasers is followed by more display type, small print or nothing."""
    t = last = lines[i]
    j = i + 1
    while (
        j < len(lines) and lines[j].vertical == t.vertical and abs(lines[j].size - t.size) <= 0.12 * t.size
        and 0 <= lines[j].c0 - last.c1 <= t.size
    ):
        last, j = lines[j], j + 1
    run = lines[j : j + 2]
    return (
        len(run) == 2
        and all(ln.vertical == t.vertical and abs(ln.size - body) <= 0.1 * body for ln in run)
        and 0 <= run[0].c0 - last.c1 <= 2 * t.size
        and 0 <= run[1].c0 - run[0].c1 <= 2 * body
    )


def _runs(lines: list[Line], ids: set[int]) -> int:
    """How many runs of consecutive lines ``ids`` makes: a title and the line that continues it
    under it start one article."""
    runs, inside = 0, False
    for ln in lines:
        runs += id(ln) in ids and not inside
        inside = id(ln) in ids
    return runs


def scan_title_tier(pages: list[tuple[list[Line], float]]) -> dict[int, str]:
    """:func:`page_title_tier` for a scanned issue, whose OCR'd lines have no face and a size
    measured from the ink.  A style is a direction and a size within ``SCAN_SAME_STYLE``; only
    title-size lines that head running text (:func:`_heads_text`) count.  The largest such style,
    when it leads (is the first such line of) at least three scanned pages and a third of the
    pages with text, about once a page (at most twice a page on average: a page may hold a
    second short article, a printer's spread two pages), over a smaller style of subheadings used
    on at least two pages (a report's two tiers), names the articles, every line of it;
    the issue's other title-size lines (subheadings, display type in pictures and call-outs, the
    cover's teasers) are section headings of the article they stand in.  Without such a style
    nothing changes."""

    def display(ln: Line, body: float) -> bool:
        return classify(ln, body) == "title" and ln.role not in ("title", "board") and not fragment_title(ln.text)

    scanned = [bool(lines) and all(ln.ocr for ln in lines) for lines, _ in pages]
    heads = [
        [ln for i, ln in enumerate(lines) if display(ln, body) and _heads_text(lines, i, body)] if scan else []
        for (lines, body), scan in zip(pages, scanned)
    ]
    style, groups = _styles([ln for h in heads for ln in h], face=lambda ln: ln.vertical, same=SCAN_SAME_STYLE)
    leads: Counter[int] = Counter(style[id(h[0])] for h in heads if h)
    text_pages = sum(1 for lines, _ in pages if lines)
    tier = None
    for st, n in leads.most_common():
        pages_with = sum(1 for h in heads if any(style[id(ln)] == st for ln in h))
        starts = sum(_runs(lines, {id(ln) for ln in h if style[id(ln)] == st}) for (lines, _), h in zip(pages, heads))
        # the largest heading of running text (a section heading is never set larger than the
        # title of its article), over section headings of a smaller style on two pages or more:
        # a newsletter whose articles all share one heading style has no such pair
        vertical, size = groups[st]
        largest = next(k for k, g in enumerate(groups) if g[0] == vertical) == st
        sections = sum(1 for h in heads if any(ln.vertical == vertical and ln.size < SCAN_SAME_STYLE * size for ln in h))
        if n >= 3 and n * 3 >= text_pages and starts <= 2 * pages_with and largest and sections >= 2:
            tier = st
            break
    if tier is None:
        return {}
    kinds: dict[int, str] = {}
    for (lines, body), h, scan in zip(pages, heads, scanned):
        named = {id(ln) for ln in h if style[id(ln)] == tier}
        for ln in lines if scan else []:
            if display(ln, body):
                kinds[id(ln)] = "title" if id(ln) in named else "h1"
    return kinds


_LETTER = re.compile(r"[A-Za-z\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def fragment_title(text: str) -> bool:
    """Large type that names nothing: a number ("03", "03｜04"), a lone glyph of a logo or
    diagram ("ふ"), cells of a chart ("市長｜議案｜議会").  "募集" or "募集(2)" is a title."""
    t = unicodedata.normalize("NFKC", re.sub(r"\s+", "", text))
    cells = [c for c in t.split("|") if c]  # NFKC made "｜" "|"
    if len(cells) > 1 and max(len(c) for c in cells) <= 3:
        return True
    return len(_LETTER.findall(t.replace("ー", ""))) < 2


def _is_cover(b: _Building, pages: list[tuple[list[Line], float]]) -> bool:
    """Untitled text that opens the issue on page 1 is its masthead (name, number, date:
    short) or, when it is all of page 1 of a longer issue, its cover."""
    first = pages[0][0] if pages else []
    whole = sum(len(ln.text.strip()) for ln in first)
    return b.chars <= 80 or (len(pages) > 1 and b.chars >= 0.9 * whole)


def assemble(pages: list[tuple[list[Line], float]]) -> tuple[list[DraftArticle], list[str]]:
    """Turn every page's ordered lines (with that page's body size) into articles."""
    pages, _contents, warnings = apply_contents(pages)
    for lines, body in pages:
        mark_boards(lines, body)
        mark_frame_ends(lines)
    tiers = page_title_tier(pages) or scan_title_tier(pages)
    kinds = [classify(ln, body) for lines, body in pages for ln in lines]
    board = "title" not in kinds and kinds.count("h1") >= 2
    done: list[_Building] = []
    cur: _Building | None = None
    for lines, body in pages:
        if not lines:
            continue
        pitch = _pitch(lines, body)
        for ln in lines:
            kind = tiers.get(id(ln)) or classify(ln, body, headings_are_titles=board)
            text = ln.text.strip()
            if not text:
                continue
            continues = (
                kind == "title"
                and cur is not None
                and not cur.logical
                and cur.title_line is not None
                and cur.last_kind == "title"
                and _continues_title(cur.title_line, ln)
            )
            if kind == "title" and not continues and ln.role not in ("title", "board") and fragment_title(text):
                if len(text) < 2 or not re.search(r"\w", text):
                    continue  # a stray bracket, or a lone glyph of a logo or drawing
                kind = "body"  # a number or a label set large: part of the article it stands in
            if kind == "title":
                if continues:
                    t = cur.title_line
                    # wrapped in its column, or on into the next column: no space
                    same = abs(t.size - ln.size) <= 0.12 * t.size and (t.column == ln.column or ln.c0 < t.c0)
                    sep = "" if same and _full(t) else " "
                    cur.title = f"{cur.title}{sep}{text}"
                    cur.title_line = ln
                else:
                    if cur is not None and not any(b is cur for b in done):
                        done.append(cur)
                    kind_of_title = "contents" if ln.role == "title" else ("heading" if board else "display")
                    if ln.ocr:
                        text = clean_ocr_title(text)
                    if ln.ocr and not plausible_title(text):
                        # OCR noise set large ("上 IvyFンううテー"): no title rather than a wrong one
                        kind_of_title = "implausible"
                        text = ""
                    lead = ln.lead.strip()
                    if lead and text.startswith(lead) and len(text) > len(lead) + 1:
                        # a label before the title ("グアテマラ｜慢性栄養不良から…"): the article's
                        # first line, not part of its name
                        text = text[len(lead):].lstrip(" 　｜|")
                    else:
                        lead = ""
                    cur = _Building(title=text, title_line=ln, pages=[ln.page], title_kind=kind_of_title)
                    if lead:
                        cur.logical.append(_Logical(lead, "body", blank_before=False))
                        cur.chars += len(lead)
                    if not text:
                        cur.title_line = None
                cur.last, cur.last_kind = ln, "title"
                continue
            jump = _CONTINUED.match(text)
            if jump and len(text) <= 20:
                # "（2ページから続く）": what follows goes on with an article begun on that page
                src = ln.page - 1 if jump.group(1) == "前" else int(unicodedata.normalize("NFKC", jump.group(1)))
                started = [b for b in done + ([cur] if cur is not None else []) if b.pages and b.pages[0] == src and b.title]
                if started:
                    target = max(started, key=lambda b: b.title_line.size if b.title_line else 0.0)
                    if cur is not None and cur is not target and not any(b is cur for b in done):
                        done.append(cur)
                    cur = target
                    cur.last, cur.last_kind = None, ""
                    if ln.page not in cur.pages:
                        cur.pages.append(ln.page)
                    continue
            if cur is None:
                cur = _Building(title="", title_line=None, pages=[ln.page])
            if ln.page not in cur.pages:
                cur.pages.append(ln.page)
            cur.chars += len(text)
            cur.ocr_chars += len(text) if ln.ocr else ln.ocr_chars
            prev, prev_kind = cur.last, cur.last_kind
            if kind in ("h1", "h2"):
                if (
                    prev is not None and prev_kind == kind and cur.logical and cur.logical[-1].kind == kind
                    and (_full(prev) or _frame_full(prev, 1.2) or _centred(prev, ln)) and text[0] not in MARKERS
                ):
                    cur.logical[-1].text += text
                    cur.logical[-1].lines += 1
                else:
                    cur.logical.append(_Logical(text, kind, blank_before=True))
            else:
                joined = False
                if prev is not None and prev_kind == "body" and cur.logical and not ln.table_row and not prev.table_row:
                    same_col = prev.page == ln.page and prev.column == ln.column
                    gap_ok = not same_col or (ln.c0 - prev.c0) <= 1.35 * pitch
                    if gap_ok and _wraps(prev, ln, cur.logical[-1].text):
                        cur.logical[-1].text += text
                        joined = True
                if not joined:
                    blank = False
                    if prev is not None and prev_kind == "body":
                        same_col = prev.page == ln.page and prev.column == ln.column
                        blank = same_col and (ln.c0 - prev.c0) > 1.35 * pitch
                    cur.logical.append(_Logical(text, "body", blank_before=blank))
            cur.last, cur.last_kind = ln, kind
    if cur is not None and not any(b is cur for b in done):
        done.append(cur)

    # never the only text found: an issue is not all masthead (its title may just be unrecognised)
    if len(done) > 1 and not done[0].title and done[0].pages == [1] and _is_cover(done[0], pages):
        warnings.append("p.1 の題字・表紙を記事にしませんでした")
        done = done[1:]
    articles = []
    for b in done:
        body_text = _render(b)
        if not body_text:
            if b.title:
                warnings.append(f"本文のない見出しを除外しました: {b.title} (p.{b.pages[0]})")
            continue
        if not b.title:
            warnings.append(f"タイトルのない本文があります (p.{b.pages[0]})")
        title = re.sub(r"\s+", " ", b.title).strip()
        confidence, reasons = _confidence(b, title, body_text)
        articles.append(
            DraftArticle(
                title=title, body=body_text, pages=b.pages, category=guess_category(title, body_text),
                confidence=confidence, reasons=reasons,
            )
        )
    return articles, warnings


# --------------------------------------------------------------------------- confidence

# code: (penalty, meaning); the review screen words them for staff (ingest.models.CHECK_REASONS)
REASONS = {
    "no_title": (0.45, "no title could be found: the article may be the rest of the previous one"),
    "title_implausible": (0.4, "the large text read by OCR did not look like a title and was dropped"),
    "ocr": (0.35, "part of the body was read from an image (scaled by the share of OCR text)"),
    "title_from_heading": (0.15, "no display titles in the issue; the heading level was taken as titles"),
    "short": (0.2, "very short body: perhaps a caption, a label or a fragment"),
    "many_pages": (0.1, "runs over more than two pages without a new title: a split may be missing"),
}


def _confidence(b: _Building, title: str, body: str) -> tuple[float, list[str]]:
    """A confidence (0..1) from the signals the split rested on, with their codes."""
    penalties: list[tuple[float, str]] = []
    if b.title_kind == "implausible":
        penalties.append((REASONS["title_implausible"][0], "title_implausible"))
    elif not title:
        penalties.append((REASONS["no_title"][0], "no_title"))
    elif b.title_kind == "heading":
        penalties.append((REASONS["title_from_heading"][0], "title_from_heading"))
    if b.ocr_chars:
        share = b.ocr_chars / max(b.chars, 1)
        penalties.append((REASONS["ocr"][0] * max(share, 0.3), "ocr"))
    if len(re.sub(r"\s", "", body)) < 40:
        penalties.append((REASONS["short"][0], "short"))
    if len(b.pages) > 2:
        penalties.append((REASONS["many_pages"][0], "many_pages"))
    penalties.sort(reverse=True)
    confidence = 1.0
    for p, _code in penalties:
        confidence *= 1 - p
    return round(confidence, 3), [code for _p, code in penalties]


_JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff10-\uff19\u3005\u30fc]")


def clean_ocr_title(text: str) -> str:
    """Drop the specks OCR reads in front of a title ("=情緒…", "sa全会一致…", "m いじめ…"):
    symbols, or one to three lower-case letters before a kanji or hiragana (not "eスポーツ",
    not "NPO法人")."""
    text = re.sub(r"^[\s=\-_~'\"`.,:;|!¦/\\*+^]{1,3}(?=\S)", "", text)
    return re.sub(r"^[a-z]{1,3}\s?(?=[\u3040-\u309f\u3400-\u9fff])", "", text).strip()


def plausible_title(text: str) -> bool:
    """Whether OCR'd text could be a Japanese title: mostly Japanese characters,
    no Latin letters jumbled into kana, no runs of one repeated kana."""
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if len(t) < 2:
        return False
    ja = len(_JA.findall(t))
    latin = len(re.findall(r"[A-Za-z]", t))
    digits = len(re.findall(r"[0-9]", t))
    other = len(t) - ja - latin - digits
    if ja == 0:
        return latin >= 3 and other <= 0.2 * len(t)
    if latin and ja and latin / len(t) > 0.2 and not re.search(r"[A-Za-z]{4,}", t):
        return False  # "上IvyFンううテー": a few stray Latin letters among kana
    if re.search(r"([\u3040-\u30ff])\1", t) and ja < 8:
        return False
    return (ja + digits) / len(t) >= 0.6
