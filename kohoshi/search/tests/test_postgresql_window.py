"""PostgreSQL: the recency window tried first finds exactly what the query without it finds."""
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


@pytest.fixture(autouse=True)
def fresh_window_cache(monkeypatch):
    """The test corpus is small and its words common: let the window apply anyway."""
    monkeypatch.setattr(postgresql, "WINDOW_MIN_MATCH_LIMITS", 0)
    monkeypatch.setattr(postgresql, "_common", lambda *args: False)
    postgresql._window_cache.clear()
    yield
    postgresql._window_cache.clear()


def rum_extension_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'rum'")
        return cursor.fetchone() is not None


def all_matches(parsed, criteria):
    return postgresql.candidates(connection, parsed, criteria, limit=100_000, scored=False, window=False)


@pytest.mark.parametrize("rum", [False, True])
@pytest.mark.parametrize("text", ["市", "防災", "ごみ", '"移動図書館"', "マイナンバーカード", "マイナンバーカード -郵便局"])
@pytest.mark.parametrize("limit", [30, 1001])
def test_windowed_and_unwindowed_queries_return_the_same_candidates(text, limit, rum, monkeypatch):
    """A common word, rare words and phrases, with windows that hold all, some or none of the
    matches (so both the window's answer and the fallback are exercised). The RUM query takes
    no window and must not change either."""
    if rum and not rum_extension_installed():
        pytest.skip("no rum extension on this server")
    monkeypatch.setattr(postgresql, "_uses_rum", lambda *args: rum)
    parsed = query_language.parse(text)
    now = timezone.now()
    matches = all_matches(parsed, Criteria(now=now))
    assert matches, text
    keys = [key for key, _ in matches]
    windows = {keys[0], keys[min(len(keys) - 1, limit - 1)], keys[min(len(keys) - 1, limit)], keys[len(keys) // 2], keys[-1], keys[-1] - 1}
    middle = date.fromordinal(keys[len(keys) // 2] // SORT_KEY_SPAN)
    for criteria in (Criteria(now=now), Criteria(now=now, date_from=date(2000, 1, 1), date_to=middle)):
        unwindowed = postgresql.candidates(connection, parsed, criteria, limit=limit, scored=True, window=False)
        for key in windows:
            monkeypatch.setattr(postgresql, "_window_key", lambda *args, key=key: key)
            windowed = postgresql.candidates(connection, parsed, criteria, limit=limit, scored=True)
            assert windowed == unwindowed, (text, limit, rum, key, criteria)


def test_a_common_word_is_answered_by_the_window(monkeypatch):
    parsed = query_language.parse("市")
    now = timezone.now()
    keys = [key for key, _ in all_matches(parsed, Criteria(now=now))]
    assert len(keys) > 40
    monkeypatch.setattr(postgresql, "_window_key", lambda *args: keys[35])
    statements = []
    real = connection.cursor

    def counting_cursor(*args, **kwargs):
        cursor = real(*args, **kwargs)
        execute = cursor.execute

        def spy(sql, params=None):
            statements.append(sql)
            return execute(sql, params)

        cursor.execute = spy
        return cursor

    monkeypatch.setattr(connection, "cursor", counting_cursor)
    found = postgresql.candidates(connection, parsed, Criteria(now=now), limit=30, scored=False)
    assert [key for key, _ in found] == keys[:30]
    assert sum("search_vector @@" in sql for sql in statements) == 1


def test_the_window_is_the_newest_tenth_from_the_statistics():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")
        cursor.execute("SELECT sort_key FROM search_searchdocument ORDER BY sort_key DESC")
        keys = [row[0] for row in cursor.fetchall()]
        key = postgresql._window_key(connection, cursor)
    assert key is not None
    newer = sum(k >= key for k in keys) / len(keys)
    assert 0.05 < newer < 0.15, newer
    # A date range inside the window (or before it) gets no window.
    now = timezone.now()
    with connection.cursor() as cursor:
        assert postgresql._window(connection, cursor, Criteria(now=now)) == key
        assert postgresql._window(connection, cursor, Criteria(now=now, date_from=date.fromordinal(key // SORT_KEY_SPAN + 1))) is None
        assert postgresql._window(connection, cursor, Criteria(now=now, date_to=date.fromordinal(key // SORT_KEY_SPAN - 1))) is None
