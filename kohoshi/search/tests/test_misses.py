"""Zero-result searches feed a staff dashboard: anyone can write there, so the writing is bounded
(issue #9): per client (a cache counter) and per municipality and day (distinct queries), and
old days are pruned."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from kohoshi.search import services
from kohoshi.search.models import SearchMiss
from kohoshi.search.services import MISS_OTHERS, search_miss_record, search_misses_for

pytestmark = pytest.mark.django_db


def miss_total() -> int:
    return sum(SearchMiss.objects.values_list("count", flat=True))


def test_300_crafted_misses_from_one_client_record_only_its_hourly_allowance(client, issue, settings):
    settings.KOHOSHI_SEARCH_MISS_RATE_LIMIT = (20, 3600)
    for n in range(300):
        response = client.get("/search/", {"q": f"存在しない語{n}"}, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 200  # the search itself is still answered
    assert miss_total() == SearchMiss.objects.count() == 20
    client.get("/search/", {"q": "別の人の語"}, REMOTE_ADDR="198.51.100.8")
    assert miss_total() == 21


def test_api_misses_count_against_the_same_allowance(client, issue, settings):
    settings.KOHOSHI_SEARCH_MISS_RATE_LIMIT = (5, 3600)
    for n in range(10):
        assert client.get("/api/v1/search", {"q": f"存在しない語{n}"}, REMOTE_ADDR="198.51.100.7").status_code == 200
    assert miss_total() == 5


def test_distinct_queries_per_municipality_and_day_are_capped(issue, monkeypatch):
    monkeypatch.setattr(services, "MISS_QUERIES_PER_DAY", 5)
    day = date(2025, 1, 1)
    for n in range(30):
        search_miss_record(f"語{n}", day=day)
    search_miss_record("語1", day=day)  # a query already kept is still counted as itself
    assert SearchMiss.objects.filter(day=day).count() == 6
    counts = {m.query: m.count for m in search_misses_for(None, since=day)}
    assert counts[MISS_OTHERS] == 25 and counts["語1"] == 2
    search_miss_record("翌日の語", day=day + timedelta(days=1))
    assert SearchMiss.objects.filter(query="翌日の語").exists()


def test_days_older_than_the_retention_are_pruned_when_a_new_day_starts(issue):
    today = timezone.localdate()
    old = today - timedelta(days=services.MISS_KEEP_DAYS + 1)
    kept = today - timedelta(days=services.MISS_KEEP_DAYS - 1)
    SearchMiss.objects.create(day=old, query="古い語", count=3)
    SearchMiss.objects.create(day=kept, query="残る語", count=3)
    search_miss_record("今日の語")
    assert set(SearchMiss.objects.values_list("query", flat=True)) == {"残る語", "今日の語"}
