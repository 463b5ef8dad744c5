"""From ordered lines to draft articles: titles, headings, paragraphs, category.

Typography decides the structure, relative to the body size of the page (the most
common character size):

* ``size >= 1.3 × body``: an article title.  Consecutive title lines form one
  title (a category banner above a title is joined with a space).
* ``1.08 × body <= size < 1.3 × body``: a section heading, written ``■...``.
* body size in an emphasised face (bold weight, bold name, fill+stroke, or a
  family other than the body's): a sub-heading, written ``◇...``.
* everything else is body text.  A line that reaches the end of its column is
  wrapped and joins the next line; a wider gap than the usual line pitch is a
  blank line between paragraphs.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from .layout import Line

TITLE_RATIO = 1.3
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


# --------------------------------------------------------------------------- assembly


def classify(line: Line, body: float) -> str:
    """'title', 'h1', 'h2' or 'body' for one line, relative to the body size."""
    if body <= 0 or line.table_row:
        return "body"
    ratio = line.size / body
    if ratio >= TITLE_RATIO:
        return "title"
    if ratio >= HEADING_RATIO:
        return "h1"
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


@dataclass
class _Building:
    title: str
    title_line: Line | None
    pages: list[int]
    logical: list[_Logical] = field(default_factory=list)
    last: Line | None = None
    last_kind: str = ""


def _full(ln: Line) -> bool:
    return ln.a1 >= ln.column_end - 1.2 * ln.size


def _render(b: _Building) -> str:
    out: list[str] = []
    for lg in b.logical:
        text = lg.text.strip()
        if not text:
            continue
        if lg.kind == "h1" and not text.startswith(("■", "□", "◆", "●")):
            text = "■" + text
        elif lg.kind == "h2" and not text.startswith(("◇", "◆", "□", "■", "▽")):
            text = "◇" + text
        if out and lg.blank_before:
            out.append("")
        out.append(text)
    return "\n".join(out).strip()


def assemble(pages: list[tuple[list[Line], float]]) -> tuple[list[DraftArticle], list[str]]:
    """Turn every page's ordered lines (with that page's body size) into articles."""
    warnings: list[str] = []
    done: list[_Building] = []
    cur: _Building | None = None
    for lines, body in pages:
        if not lines:
            continue
        pitch = _pitch(lines, body)
        for ln in lines:
            kind = classify(ln, body)
            text = ln.text.strip()
            if not text:
                continue
            if kind == "title":
                if cur is not None and not cur.logical and cur.title_line is not None and cur.last_kind == "title":
                    t = cur.title_line
                    same = abs(t.size - ln.size) <= 0.12 * t.size and t.column == ln.column
                    sep = "" if same and _full(t) else " "
                    cur.title = f"{cur.title}{sep}{text}"
                    cur.title_line = ln
                else:
                    if cur is not None:
                        done.append(cur)
                    cur = _Building(title=text, title_line=ln, pages=[ln.page])
                cur.last, cur.last_kind = ln, "title"
                continue
            if cur is None:
                cur = _Building(title="", title_line=None, pages=[ln.page])
            if ln.page not in cur.pages:
                cur.pages.append(ln.page)
            prev, prev_kind = cur.last, cur.last_kind
            if kind in ("h1", "h2"):
                if prev is not None and prev_kind == kind and cur.logical and cur.logical[-1].kind == kind and _full(prev):
                    cur.logical[-1].text += text
                else:
                    cur.logical.append(_Logical(text, kind, blank_before=True))
            else:
                joined = False
                if prev is not None and prev_kind == "body" and cur.logical and not ln.table_row and not prev.table_row:
                    same_col = prev.page == ln.page and prev.column == ln.column
                    gap_ok = not same_col or (ln.c0 - prev.c0) <= 1.35 * pitch
                    if _full(prev) and gap_ok:
                        cur.logical[-1].text += text
                        joined = True
                if not joined:
                    blank = False
                    if prev is not None and prev_kind == "body":
                        same_col = prev.page == ln.page and prev.column == ln.column
                        blank = same_col and (ln.c0 - prev.c0) > 1.35 * pitch
                    cur.logical.append(_Logical(text, "body", blank_before=blank))
            cur.last, cur.last_kind = ln, kind
    if cur is not None:
        done.append(cur)

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
        articles.append(DraftArticle(title=title, body=body_text, pages=b.pages, category=guess_category(title, body_text)))
    return articles, warnings
