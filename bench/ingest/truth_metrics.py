"""Independent scoring of extracted articles against producer truth (issue 11).

This module knows nothing about how the extractor works: it compares the public
result (title, body, pages of each draft article) with the truth written next to
each evaluation PDF.  The rules:

* **Normalisation** (both sides): Unicode NFKC, all whitespace removed, and the
  structure markers ``■ □ ◇ ◆ ● ○ ・ ｜ |`` removed — a designer may or may not
  print them; the text is what is measured.
* **Title similarity** = 1 − edit distance / length of the expected title (≥ 0.8
  counts as the same title); an extracted title that *starts with* the expected one and
  is at most 2.5 times as long (a subtitle printed after it, "旧佐川邸の公園整備
  実施設計の大詰めへ") counts as the same title too — a masthead or running head in front
  of a title does not.
* **Title recall**: share of expected titles found as the title of some article.
* **Boundaries**: expected and extracted articles are matched one to one, a pair
  being allowed when the titles are similar (≥ 0.8) and the extracted article's
  pages include the page where the expected one starts (when both know pages).
  Precision = matched / extracted, recall = matched / expected, F1 as usual; so a
  cover, a table of contents or a caption published as an article lowers
  precision, a merged article lowers recall.
* **Body character accuracy** = 1 − Σ edit distance / Σ expected length over the
  expected articles; an unmatched expected article counts as entirely wrong.
  Captions that the truth lists for an article are removed from the extracted
  body first (a caption read into its article is not an error).
* **One-character lines**: share of non-empty body lines of the extracted articles
  that hold one character (the symptom of horizontal text read as vertical).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .evaluate import edit_distance

MARKERS = re.compile(r"[\s■□◇◆●○・｜|]+")
SAME_TITLE = 0.8


def norm(text: str) -> str:
    return MARKERS.sub("", unicodedata.normalize("NFKC", text or ""))


def similarity(got: str, want: str) -> float:
    g, w = norm(got), norm(want)
    if not w:
        return 1.0 if not g else 0.0
    sim = max(0.0, 1 - edit_distance(g, w) / len(w))
    if len(w) >= 4 and g.startswith(w) and len(g) <= 2.5 * len(w):
        sim = max(sim, SAME_TITLE + 0.1 * len(w) / len(g))
    return sim


@dataclass
class Got:
    """An extracted article, as the extractor's public result gives it."""

    title: str
    body: str = ""
    pages: list[int] = field(default_factory=list)


@dataclass
class Want:
    """An expected article from the truth JSON."""

    title: str
    body: str | None = None  # None: unknown (real PDFs: titles and pages only)
    pages: list[int] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)


def title_recall(got: list[Got], want: list[Want]) -> float:
    if not want:
        return 1.0
    found = sum(1 for w in want if any(similarity(g.title, w.title) >= SAME_TITLE for g in got))
    return found / len(want)


def match(got: list[Got], want: list[Want]) -> list[tuple[int, int]]:
    """One-to-one pairs (got index, want index), best title similarity first."""
    cands = []
    for i, g in enumerate(got):
        for k, w in enumerate(want):
            s = similarity(g.title, w.title)
            if s < SAME_TITLE:
                continue
            if g.pages and w.pages and w.pages[0] not in g.pages:
                continue
            cands.append((-s, abs(i - k), i, k))
    cands.sort()
    used_g, used_w, pairs = set(), set(), []
    for _, _, i, k in cands:
        if i in used_g or k in used_w:
            continue
        used_g.add(i)
        used_w.add(k)
        pairs.append((i, k))
    return sorted(pairs)


def strip_captions(body: str, captions: list[str]) -> str:
    text = norm(body)
    for c in captions:
        c = norm(c)
        if c:
            text = text.replace(c, "", 1)
    return text


def one_char_line_share(got: list[Got]) -> float:
    lines = [ln.strip() for g in got for ln in g.body.split("\n") if ln.strip()]
    if not lines:
        return 0.0
    return sum(1 for ln in lines if len(ln) == 1) / len(lines)


def score(got: list[Got], want: list[Want]) -> dict:
    pairs = match(got, want)
    tp = len(pairs)
    precision = tp / len(got) if got else 0.0
    recall = tp / len(want) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    result = {
        "expected": len(want),
        "extracted": len(got),
        "matched": tp,
        "title_recall": title_recall(got, want),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "one_char_lines": one_char_line_share(got),
        "char_accuracy": None,
        "missed": [w.title for k, w in enumerate(want) if k not in {k2 for _, k2 in pairs}],
    }
    if want and all(w.body is not None for w in want):
        matched = {k: i for i, k in pairs}
        total = errors = 0
        for k, w in enumerate(want):
            expected = norm(w.body)
            total += len(expected)
            if k in matched:
                g = got[matched[k]]
                errors += min(len(expected), edit_distance(strip_captions(g.body, w.captions), expected))
            else:
                errors += len(expected)
        result["char_accuracy"] = 1 - errors / total if total else 1.0
    return result


def load_truth(data: dict) -> list[Want]:
    return [
        Want(a["title"], a.get("body"), list(a.get("pages") or []), list(a.get("captions") or []))
        for a in data["articles"]
    ]
