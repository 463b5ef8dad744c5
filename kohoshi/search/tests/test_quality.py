"""Regression test for search quality on the Atsugi corpus (see tests/data/quality.json)."""
import pytest

from .quality import evaluate, summary

pytestmark = [pytest.mark.django_db, pytest.mark.corpus, pytest.mark.usefixtures("search_corpus")]

# Measured on both backends (SQLite 0.93 / 1.00, PostgreSQL 0.97 / 0.97); a drop below is a regression.
MIN_RECALL_AT_10 = 0.90
MIN_MRR = 0.95


def test_quality_set_has_at_least_30_queries():
    assert len(evaluate()) >= 30


def test_recall_at_10_and_mrr_do_not_regress():
    scores = evaluate()
    result = summary(scores)
    weak = [(s.query, round(s.recall, 2), round(s.reciprocal_rank, 2)) for s in scores if s.recall < 0.5]
    print(result, weak)
    assert result["recall_at_10"] >= MIN_RECALL_AT_10, weak
    assert result["mrr"] >= MIN_MRR, weak
