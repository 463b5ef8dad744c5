"""Search quality measures over a judged query set: recall@k and mean reciprocal rank.

Test code: only the tests (test_quality.py) and the benchmarks read the quality set.

recall@k is |relevant ∩ top k| / min(k, |relevant|), so a query with 40 relevant articles can
still reach 1.0 when its first page is all relevant.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from kohoshi.newsletters.formatting import plain_text, repair_text
from kohoshi.newsletters.models import Article
from kohoshi.search import query as query_language
from kohoshi.search.backends.common import Criteria
from kohoshi.search.services import _matching_ids, search_articles

QUALITY_SET = Path(__file__).resolve().parent / "data" / "quality.json"


@dataclass(frozen=True)
class QueryScore:
    query: str
    recall: float
    reciprocal_rank: float
    relevant: int


def held_out(query: str) -> bool:
    """About a third of the judged queries, fixed by a hash of their text: looked at only to
    check that a change tuned on the others does not lose recall on queries it was not tuned on."""
    return hashlib.sha256(query.encode()).digest()[0] % 3 == 0


def evaluate(path: Path = QUALITY_SET, *, k: int = 10, part: str = "all") -> list[QueryScore]:
    """Scores of the judged queries; part: "all", "tuning" or "held_out" (see held_out)."""
    scores = []
    for item in json.loads(path.read_text(encoding="utf-8"))["queries"]:
        if part != "all" and held_out(item["query"]) != (part == "held_out"):
            continue
        # The set names articles by title as the source printed it; imports repair titles.
        relevant = {(repair_text(title), day) for title, day in item["relevant"]}
        hits = search_articles(item["query"], per_page=k).hits
        ranked = [(h.article.title, h.article.issue.published_on.isoformat()) for h in hits]
        found = [i for i, key in enumerate(ranked, 1) if key in relevant]
        scores.append(
            QueryScore(
                query=item["query"],
                recall=len(found) / min(k, len(relevant)),
                reciprocal_rank=1 / found[0] if found else 0.0,
                relevant=len(relevant),
            )
        )
    return scores


def summary(scores: list[QueryScore]) -> dict:
    n = len(scores)
    return {
        "queries": n,
        "recall_at_10": sum(s.recall for s in scores) / n,
        "mrr": sum(s.reciprocal_rank for s in scores) / n,
    }


def matching_ids(text: str) -> set[int]:
    """Every published article a query finds (up to the match limit, above this corpus's size)."""
    parsed = query_language.parse(text)
    _, _, ids = _matching_ids(parsed, Criteria(now=timezone.now()), order="newest", offset=0, limit=10**6)
    return set(ids)


def substring_recall(word: str) -> tuple[float, int]:
    """(share of the published articles whose title or body contains `word` as written that a
    search for it finds, how many contain it)."""
    containing = {
        a.pk
        for a in Article.objects.published().only("pk", "title", "body_source")
        if word in a.title or word in plain_text(a.body_source)
    }
    if not containing:
        return 1.0, 0
    return len(containing & matching_ids(word)) / len(containing), len(containing)
