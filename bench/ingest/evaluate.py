"""Scoring draft articles against ground truth.

Normalisation (applied to both sides before comparing):

* Unicode NFKC (full-width/half-width variants of the same character are equal);
* all whitespace removed: line breaks inside paragraphs depend on the column
  width and are not part of the text, and blank lines are scored separately by
  ``line_accuracy``;
* the structure markers (■ ◇ ・ ｜) are *kept*: headings that are detected from
  typography must come back with their marker to count as correct.

Character accuracy = 1 − edit distance / length of the expected text, summed
over all expected articles (an expected article that was not found counts as
entirely wrong).  Boundaries: a predicted article is a true positive when it is
aligned, in order, with an expected article whose title it reproduces (≥ 0.8
character accuracy on the title).
"""

from __future__ import annotations

import re
import unicodedata


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def norm_lines(text: str) -> str:
    """Keep line structure: NFKC, spaces inside a line removed, blank lines kept."""
    text = unicodedata.normalize("NFKC", text)
    lines = [re.sub(r"[ \t\u3000]+", "", ln) for ln in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, Myers/Hyyrö bit-parallel (fast in pure Python)."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def char_accuracy(got: str, want: str) -> float:
    g, w = norm(got), norm(want)
    if not w:
        return 1.0 if not g else 0.0
    return max(0.0, 1 - edit_distance(g, w) / len(w))


def align(pred: list, truth: list) -> list[tuple[int, int]]:
    """Order-preserving alignment of predicted to expected articles by title."""
    pairs = []
    j = 0
    for i, p in enumerate(pred):
        for k in range(j, min(j + 4, len(truth))):
            if char_accuracy(p.title, truth[k].title) >= 0.8:
                pairs.append((i, k))
                j = k + 1
                break
    return pairs


def score(pred: list, truth: list) -> dict:
    pairs = align(pred, truth)
    tp = len(pairs)
    precision = tp / len(pred) if pred else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    titles_exact = sum(1 for i, k in pairs if norm(pred[i].title) == norm(truth[k].title))
    total = sum(len(norm(t.body)) for t in truth)
    matched = {k: i for i, k in pairs}
    errors = 0
    line_total = line_errors = 0
    for k, t in enumerate(truth):
        want = norm(t.body)
        wl = norm_lines(t.body)
        line_total += len(wl)
        if k in matched:
            got = pred[matched[k]].body
            errors += min(len(want), edit_distance(norm(got), want))
            line_errors += min(len(wl), edit_distance(norm_lines(got), wl))
        else:
            errors += len(want)
            line_errors += len(wl)
    cat_ok = sum(1 for i, k in pairs if pred[i].category == truth[k].category)
    return {
        "articles": len(truth),
        "predicted": len(pred),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "title_accuracy": titles_exact / len(truth) if truth else 0.0,
        "char_accuracy": 1 - errors / total if total else 0.0,
        "line_accuracy": 1 - line_errors / line_total if line_total else 0.0,
        "category_accuracy": cat_ok / tp if tp else 0.0,
        "worst": sorted(
            ((char_accuracy(pred[matched[k]].body, t.body) if k in matched else 0.0, t.title) for k, t in enumerate(truth))
        )[:3],
    }
