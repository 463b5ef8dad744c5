"""Regression test for search quality on the Atsugi corpus (see tests/data/quality.json)."""
import pytest

from .quality import evaluate, summary

pytestmark = [pytest.mark.django_db, pytest.mark.corpus, pytest.mark.usefixtures("search_corpus")]

# Measured on both backends over the 41 queries (SQLite 0.95 / 0.98, PostgreSQL 0.97 / 0.98); a drop
# below is a regression.
MIN_RECALL_AT_10 = 0.90
MIN_MRR = 0.95
# The held-out third (quality.held_out: 10 queries) before readings and parts were indexed: 0.875
# on both backends (こそだて found nothing); 0.975 since. Changes are tuned on the other queries.
MIN_HELD_OUT_RECALL_AT_10 = 0.95


def test_quality_set_has_at_least_30_queries():
    assert len(evaluate()) >= 30


def test_recall_at_10_and_mrr_do_not_regress():
    scores = evaluate()
    result = summary(scores)
    weak = [(s.query, round(s.recall, 2), round(s.reciprocal_rank, 2)) for s in scores if s.recall < 0.5]
    print(result, weak)
    assert result["recall_at_10"] >= MIN_RECALL_AT_10, weak
    assert result["mrr"] >= MIN_MRR, weak


def test_held_out_queries_do_not_regress():
    scores = evaluate(part="held_out")
    assert 8 <= len(scores) <= 16
    result = summary(scores)
    assert result["recall_at_10"] >= MIN_HELD_OUT_RECALL_AT_10, [(s.query, s.recall) for s in scores]
