"""Search quality measures over a judged query set: recall@k and mean reciprocal rank.

Test code: only the tests (test_quality.py) and the benchmarks read the quality set.

recall@k is |relevant ∩ top k| / min(k, |relevant|), so a query with 40 relevant articles can
still reach 1.0 when its first page is all relevant.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kohoshi.search.services import search_articles

QUALITY_SET = Path(__file__).resolve().parent / "data" / "quality.json"


@dataclass(frozen=True)
class QueryScore:
    query: str
    recall: float
    reciprocal_rank: float
    relevant: int


def evaluate(path: Path = QUALITY_SET, *, k: int = 10) -> list[QueryScore]:
    scores = []
    for item in json.loads(path.read_text(encoding="utf-8"))["queries"]:
        relevant = {(title, day) for title, day in item["relevant"]}
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
