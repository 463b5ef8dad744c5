"""PostgreSQL: the year partitions, the token-pair lexemes and the windows read newest first find
exactly what the exact query over every document finds."""
from datetime import date, datetime, timezone as dt_timezone

import pytest
from django.db import connection, transaction
from django.utils import timezone

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.services import ArticleInput, IssueInput, issue_import
from kohoshi.places.models import Municipality
from kohoshi.search import analysis, query as query_language
from kohoshi.search.backends import postgresql
from kohoshi.search.backends.common import Criteria, where_filters
from kohoshi.search.models import SORT_KEY_SPAN
from kohoshi.search.services import search_articles

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")

QUERIES = [
    "市", "防災", "ごみ", "医療費", '"移動図書館"', "マイナンバーカード", "子育て支援医療費助成制度",
    "マイナンバーカード -郵便局", "防災 -訓練", "図書館 子ども", "ワクチン OR 予防接種", "講座 OR 教室 子ども",
    "国民健康保険", '"子育て支援医療費助成制度"', '子ども -"子育て支援医療費"', '"国民健康保険" OR 健診',
]


def exact_matches(parsed, criteria):
    """Every match of the exact (positional) query over the whole table, newest first: no
    pairs, no windows, no limit."""
    exact_sql, exact_params = postgresql.tsquery(parsed)
    filters, params = where_filters(connection, criteria)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.sort_key FROM search_searchdocument d WHERE d.search_vector @@ ({exact_sql}) "
            f"AND {' AND '.join(filters)} ORDER BY d.sort_key DESC",
            [*exact_params, *params],
        )
        return [row[0] for row in cursor.fetchall()]


def keys(found):
    return [key for key, _ in found]


@pytest.mark.django_db
@pytest.mark.corpus
@pytest.mark.usefixtures("search_corpus")
class TestAgainstTheExactQuery:
    @pytest.mark.parametrize("walk", [False, True])
    @pytest.mark.parametrize("text", QUERIES)
    def test_the_newest_matches_are_those_of_the_exact_query(self, text, walk, monkeypatch):
        """Pairs for the index, the exact check on the rows kept, every window boundary, the
        btree walk and the GIN bitmap: always the newest `limit` of the exact query's matches."""
        monkeypatch.setattr(postgresql, "_common", lambda *args: walk)
        parsed = query_language.parse(text)
        now = timezone.now()
        expected = exact_matches(parsed, Criteria(now=now))
        assert expected, text
        months = sorted({key // SORT_KEY_SPAN // 30 for key in expected})
        # Windows anchored at the newest document, at none (today), at a match every few
        # months (a stale anchor: matches above the first window's start), and windows of one
        # month each.
        statistics = postgresql._statistics
        for newest in {None, expected[0], *(m * 30 * SORT_KEY_SPAN for m in months[::4])}:
            monkeypatch.setattr(
                postgresql, "_statistics", lambda *args, newest=newest: (*statistics(*args)[:2], newest)
            )
            for sizes in ((3, 9, 24, 48), (1, 1, 1)):
                monkeypatch.setattr(postgresql, "WINDOW_MONTHS", sizes)
                for limit in (1, 7, 30, 1001):
                    found = postgresql.candidates(connection, parsed, Criteria(now=now), limit=limit, scored=True)
                    assert keys(found) == expected[:limit], (text, newest, sizes, limit)

    @pytest.mark.parametrize("text", ["防災", "医療費", "国民健康保険", '市 -"子育て支援医療費"'])
    def test_date_ranges_and_filters(self, text):
        parsed = query_language.parse(text)
        now = timezone.now()
        all_keys = exact_matches(parsed, Criteria(now=now))
        middle = date.fromordinal(all_keys[len(all_keys) // 2] // SORT_KEY_SPAN)
        for criteria in (
            Criteria(now=now, date_to=middle),
            Criteria(now=now, date_from=middle),
            Criteria(now=now, date_from=date(middle.year - 1, 1, 1), date_to=middle),
            Criteria(now=now, municipality_id="142123"),
            Criteria(now=now, prefecture_id="01"),
        ):
            expected = exact_matches(parsed, criteria)
            found = postgresql.candidates(connection, parsed, criteria, limit=20, scored=False)
            assert keys(found) == expected[:20], (text, criteria)

    def test_two_token_phrases_are_answered_from_the_index_alone(self):
        for text in ("医療費", "防災", "マイナンバーカード -郵便局", "子育て支援医療費助成制度"):
            assert not postgresql.needs_check(query_language.parse(text)), text
        for text in ('"移動図書館"', "国民健康保険", '防災 -"子育て支援医療費"'):
            assert postgresql.needs_check(query_language.parse(text)), text

    def test_one_statement_per_search(self, django_assert_max_num_queries):
        parsed = query_language.parse("防災")
        postgresql.candidates(connection, parsed, Criteria(now=timezone.now()), limit=30, scored=True)  # statistics cached
        with django_assert_max_num_queries(1):
            assert len(postgresql.candidates(connection, parsed, Criteria(now=timezone.now()), limit=30, scored=True)) == 30


def _phrase_apart_issue(day, body, title="記事"):
    return IssueInput(
        municipality=Municipality.objects.get(code="012131"),
        newsletter_title="広報テスト",
        title=f"広報テスト {day:%Y年%m月}号",
        published_on=day,
        articles=[ArticleInput(title=title, category="くらし", body=body)],
    )


@pytest.mark.django_db
def test_a_phrase_whose_pairs_are_found_apart_is_not_a_match():
    """子育て支援医療費 has the pairs 子育て_支援, 支援_医療, 医療_費; a text with them apart is
    found by the pairs and dropped by the exact check, and the search reads on past it."""
    phrase = analysis.phrase_tokens("子育て支援医療費")
    assert len(phrase) >= 3
    apart = "子育て支援の集い。支援医療の窓口。医療費の話。"
    before = search_articles('"子育て支援医療費"').count, search_articles('子育て 支援 医療費 -"子育て支援医療費"').count
    issue_import(_phrase_apart_issue(date(2024, 6, 1), "子育て支援医療費の助成が始まります。"), by=SYSTEM)
    for month in range(1, 6):
        issue_import(_phrase_apart_issue(date(2025, month, 1), apart), by=SYSTEM)
    parsed = query_language.parse('"子育て支援医療費"')
    assert postgresql.needs_check(parsed)
    found = postgresql.candidates(connection, parsed, Criteria(now=timezone.now()), limit=1, scored=True)
    assert len(found) == 1 and date.fromordinal(found[0][0] // SORT_KEY_SPAN) == date(2024, 6, 1)
    assert search_articles('"子育て支援医療費"').count == before[0] + 1
    assert search_articles('子育て 支援 医療費 -"子育て支援医療費"').count == before[1] + 5


def partitions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'search_searchdocument'::regclass ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_year_partition_is_made_with_its_first_document_and_not_by_a_rolled_back_write():
    assert "search_searchdocument_y1987" not in partitions()
    with pytest.raises(RuntimeError), transaction.atomic():
        issue_import(_phrase_apart_issue(date(1987, 4, 1), "古い広報のかきごおり。"), by=SYSTEM)
        assert "search_searchdocument_y1987" in partitions()
        raise RuntimeError
    assert "search_searchdocument_y1987" not in partitions()
    issue_import(_phrase_apart_issue(date(1987, 4, 1), "古い広報のかきごおり。"), by=SYSTEM)
    issue_import(_phrase_apart_issue(date(9999, 12, 1), "遠い未来のかきごおり。"), by=SYSTEM)
    assert {"search_searchdocument_y1987", "search_searchdocument_y9999"} <= set(partitions())
    results = search_articles("かきごおり", order="newest")
    assert [h.article.issue.published_on.year for h in results.hits] == [9999, 1987]


def test_windows_are_newest_first_contiguous_and_cover_everything():
    now = datetime(2026, 11, 25, tzinfo=dt_timezone.utc)
    newest = date(2024, 12, 20).toordinal() * SORT_KEY_SPAN + 5

    def m(year, month):
        return date(year, month, 1).toordinal() * SORT_KEY_SPAN

    assert postgresql.windows(Criteria(now=now), newest=newest) == [
        (m(2024, 10), None), (m(2024, 1), m(2024, 10)), (m(2022, 1), m(2024, 1)), (m(2018, 1), m(2022, 1)), (None, m(2018, 1))
    ]
    assert postgresql.windows(Criteria(now=now), newest=None)[0] == (m(2026, 9), None)
    criteria = Criteria(now=now, date_from=date(2023, 3, 1), date_to=date(2024, 6, 30))
    low, high = criteria.sort_key_range()
    assert postgresql.windows(criteria, newest=newest) == [(m(2024, 4), high), (m(2023, 7), m(2024, 4)), (low, m(2023, 7))]
    assert postgresql.windows(Criteria(now=now), newest=newest, below=m(2023, 5)) == [
        (m(2022, 1), m(2023, 5)), (m(2018, 1), m(2022, 1)), (None, m(2018, 1))
    ]


def _migrate(target):
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("search", target)])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0005_turns_an_unpartitioned_index_into_the_partitioned_one_and_back():
    """Down to the unpartitioned table of 0004 and up again, with documents in two years: the
    rows survive both ways, the pairs are made in SQL (a 2-token phrase is found by its pair)."""
    issue_import(_phrase_apart_issue(date(2023, 6, 1), "医療費の助成について。"), by=SYSTEM)
    issue_import(_phrase_apart_issue(date(2024, 6, 1), "子ども医療費の申請。"), by=SYSTEM)
    before = [h.article.pk for h in search_articles("医療費").hits]
    assert len(before) == 2
    _migrate("0004_rum_index")
    try:
        assert partitions() == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_searchdocument WHERE search_vector @@ '医療 <-> 費'::tsquery")
            assert cursor.fetchone()[0] == 2
    finally:
        _migrate("0005_partitions_and_token_pairs")
    assert partitions() == ["search_searchdocument_y2023", "search_searchdocument_y2024"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchdocument WHERE search_vector @@ '医療_費'::tsquery")
        assert cursor.fetchone()[0] == 2
    assert [h.article.pk for h in search_articles("医療費").hits] == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_making_a_partition_does_not_make_searches_wait():
    """A writer that made a new year's partition and has not committed yet: a search from
    another connection answers at once (CREATE TABLE … PARTITION OF would hold it until then);
    the partition has the table's indexes and foreign keys."""
    import threading

    from django.db import connections

    made, release, failures = threading.Event(), threading.Event(), []

    def writer():
        try:
            with transaction.atomic():
                issue_import(_phrase_apart_issue(date(1991, 4, 1), "古い広報の灯台めぐり。"), by=SYSTEM)
                made.set()
                release.wait(10)
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
            made.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert made.wait(10) and not failures, failures
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        assert search_articles("灯台").count == 0, "not committed yet, and not waited for"
    finally:
        release.set()
        thread.join(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert not failures, failures
    assert search_articles("灯台").count == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'search_searchdocument_y1991'")
        indexes = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = 'search_searchdocument_y1991'::regclass AND contype = 'f'")
        foreign_keys = cursor.fetchone()[0]
    assert "gin (search_vector)" in indexes and "(sort_key, published_at)" in indexes
    assert foreign_keys == len(postgresql.FOREIGN_KEYS)
