"""PostgreSQL: the optional RUM index (migration 0004) finds exactly what the GIN query finds."""
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from kohoshi.search import query as query_language
from kohoshi.search.backends import postgresql
from kohoshi.search.backends.common import Criteria
from kohoshi.search.models import SORT_KEY_SPAN

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.corpus,
    pytest.mark.usefixtures("search_corpus"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def rum_index_exists():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [postgresql.RUM_INDEX])
        return cursor.fetchone() is not None


def rum_extension_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'rum'")
        return cursor.fetchone() is not None


def test_the_rum_index_is_there_when_the_extension_is_and_wanted():
    assert rum_index_exists() == (postgresql.rum_wanted() and rum_extension_installed())


@pytest.mark.parametrize(
    "text", ["市", "ごみ", "マイナンバーカード", '"移動図書館"', "マイナンバーカード -郵便局", "子育て OR 育児 支援", "防災 -訓練"]
)
@pytest.mark.parametrize("limit", [30, 1001])
def test_rum_and_gin_queries_return_the_same_candidates(text, limit, monkeypatch):
    if not rum_extension_installed():
        pytest.skip("no rum extension on this server")
    parsed = query_language.parse(text)
    now = timezone.now()
    newest_first = postgresql.candidates(connection, parsed, Criteria(now=now), limit=limit, scored=False)
    assert newest_first, text
    middle = date.fromordinal(newest_first[len(newest_first) // 2][0] // SORT_KEY_SPAN)
    for criteria in (Criteria(now=now), Criteria(now=now, date_from=date(2000, 1, 1), date_to=middle)):
        found = {}
        for rum in (False, True):
            monkeypatch.setattr(postgresql, "_uses_rum", lambda *args, rum=rum: rum)
            found[rum] = postgresql.candidates(connection, parsed, criteria, limit=limit, scored=True)
        assert found[True] == found[False], (text, limit, criteria)
