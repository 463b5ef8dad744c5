"""PostgreSQL: a generated tsvector column over the token streams, with a GIN index.

The 'simple' configuration only lower-cases and splits on the spaces we put there; queries go
through phraseto_tsquery('simple', …) so they are split by the same parser as the documents.
Ranking is ts_rank_cd (cover density: the query's words close together score higher, like the
NEAR boost on SQLite), with weights title A (1.0), body D (0.1): the same 10:1 as SQLite.

Optional accelerator: when the `rum` extension is installed (Debian: postgresql-15-rum),
migration 0004 adds a RUM index over the same tsvector with sort_key attached, which returns
the matches newest first (`ORDER BY sort_key <=| SORT_KEY_TOP`) and rechecks phrases only on
the rows it returns. The GIN index stays: queries common enough for the sort_key btree walk
keep the GIN query (see _uses_rum), and the query is the same but for its ORDER BY, so the
results do not depend on which index answers. KOHOSHI_SEARCH_PG_RUM=0 forces the GIN query
(and makes the migration and the rebuild leave RUM alone).
"""
import os
import time

from django.db import DatabaseError, transaction

from .common import Criteria, where_filters

CONFIG = "simple"
INDEX = "search_document_vector_gin"
VECTOR = (
    f"setweight(to_tsvector('{CONFIG}'::regconfig, title_tokens), 'A') || "
    f"setweight(to_tsvector('{CONFIG}'::regconfig, body_tokens), 'D')"
)
CREATE_INDEX = f"CREATE INDEX {INDEX} ON search_searchdocument USING gin (search_vector)"
RUM_INDEX = "search_document_vector_rum"
CREATE_RUM_INDEX = (
    f"CREATE INDEX {RUM_INDEX} ON search_searchdocument USING rum (search_vector rum_tsvector_addon_ops, sort_key) "
    "WITH (attach = 'sort_key', to = 'search_vector')"
)
# `sort_key <=| SORT_KEY_TOP` is SORT_KEY_TOP - sort_key as a float8: exact (so in the same order
# as sort_key DESC, with no ties) while sort keys stay below 2**53, i.e. issue days before 2466.
SORT_KEY_TOP = 2**53 - 1
SETUP = [
    f"ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED",
    CREATE_INDEX,
]
TEARDOWN = [f"DROP INDEX IF EXISTS {INDEX}", "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector"]
# Each filter column with sort_key: a filtered search walks one place's documents newest first
# (or ANDs the bitmap with the GIN one), instead of every match of a common word.
FILTER_INDEXES = {
    f"search_document_{column}_sort": f"CREATE INDEX search_document_{column}_sort ON search_searchdocument ({column}, sort_key)"
    for column in ("prefecture_id", "municipality_id", "newsletter_id", "category_id")
}


def _term(term, params) -> str:
    parts = []
    for phrase in term.phrases:
        parts.append(f"phraseto_tsquery('{CONFIG}', %s)")
        params.append(" ".join(phrase))
    return "(" + " && ".join(parts) + ")"


def tsquery(query) -> tuple[str, list]:
    params: list = []
    sql = " && ".join("(" + " || ".join(_term(t, params) for t in group) + ")" for group in query.groups)
    if query.excluded:
        sql = f"({sql}) && !!({' || '.join(_term(t, params) for t in query.excluded)})"
    return sql, params


def rum_wanted() -> bool:
    return os.environ.get("KOHOSHI_SEARCH_PG_RUM", "1") != "0"


def rum_available(connection) -> bool:
    """Install the rum extension if the server has it (in a savepoint: a failure leaves the
    transaction usable); False when it cannot be had or is not wanted."""
    if not rum_wanted():
        return False
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
    except DatabaseError:
        return False
    return True


def _rum_state(connection, cursor):
    """(RUM index exists, {token: share of documents} for the commonest tokens, rows): looked up
    once per database connection, from pg_indexes and the planner's statistics (pg_stats keeps
    the ~1,000 commonest tsvector elements and their frequencies after ANALYZE)."""
    raw = connection.connection
    cached = getattr(connection, "_kohoshi_search_rum", None)
    if cached is None or cached[0] is not raw:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE tablename = 'search_searchdocument' AND indexname = %s", [RUM_INDEX])
        exists = cursor.fetchone() is not None
        frequencies, rows = {}, 0.0
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'search_searchdocument' AND attname = 'search_vector'"
        )
        row = cursor.fetchone()
        if row and row[0]:
            frequencies = dict(zip(row[0], row[1]))
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'search_searchdocument'")
        rows = float(cursor.fetchone()[0])
        cached = (raw, exists, frequencies, rows)
        connection._kohoshi_search_rum = cached
    return cached[1:]


def _share(query, frequencies) -> float:
    """The share of documents the query's positive part matches, from the token frequencies,
    taking tokens as independent (a phrase as all its tokens); a token not among the commonest
    counts as rare (0)."""
    def term(t):
        share = 1.0
        for phrase in t.phrases:
            for token in phrase:
                share *= frequencies.get(token, 0.0)
        return share

    share = 1.0
    for group in query.groups:
        share *= min(1.0, sum(term(t) for t in group))
    return share


def _uses_rum(connection, cursor, query, limit: int) -> bool:
    """Take the RUM index unless the query is common enough for the sort_key btree walk.

    RUM returns the matches in sort_key order by sorting all of them (rum 1.3 does not stop
    early, even with order_by_attach), so its cost grows with the number of matches,
    share × rows; the btree walk tests about limit / share rows on the heap before it has
    `limit` matches, each about 4 times the cost of a sorted index entry (measured at 1M). They
    cost the same at share = 2 × sqrt(limit / rows) (6 % at a million documents): above it
    the GIN query is faster.
    """
    if not rum_wanted():
        return False
    exists, frequencies, rows = _rum_state(connection, cursor)
    return exists and not _common(query, frequencies, rows, limit)


def _common(query, frequencies, rows: float, limit: int) -> bool:
    """The query matches so many documents that walking the sort_key btree newest first finds
    `limit` of them soon: at least 2 × sqrt(limit / rows) of the documents (see _uses_rum)."""
    return rows > 0 and _share(query, frequencies) >= 2 * (limit / rows) ** 0.5


# The recency window: the newest WINDOW_SHARE of the documents, by sort_key, read from the planner's
# histogram of sort_key (pg_stats, refreshed by ANALYZE), so it follows the corpus, not the clock.
WINDOW_SHARE = 0.10
# Only where the window holds at least this many times `limit` documents (100,000 at a million
# documents; none at 100,000): a word must be in 1 / this of the documents to fill it, and the
# smaller the window the fewer words fill it before they are common enough for the btree walk.
WINDOW_MIN_MATCH_LIMITS = 50
# Looked up again after this many seconds (per process): new issues move the window slowly.
WINDOW_TTL = 300.0
_window_cache: dict = {}


def _window_key(connection, cursor) -> int | None:
    """The sort_key above which the newest WINDOW_SHARE of the documents lie; None without statistics.

    Cached per process and database for WINDOW_TTL seconds. A stale key costs time, never results."""
    database = (connection.settings_dict["HOST"], connection.settings_dict["PORT"], connection.settings_dict["NAME"])
    cached = _window_cache.get(database)
    now = time.monotonic()
    if cached is None or now - cached[0] > WINDOW_TTL:
        cursor.execute(
            "SELECT histogram_bounds::text::bigint[] FROM pg_stats "
            "WHERE tablename = 'search_searchdocument' AND attname = 'sort_key'"
        )
        row = cursor.fetchone()
        bounds = row[0] if row and row[0] else []
        # The bounds are quantiles: each of the len - 1 buckets holds the same share of rows.
        key = bounds[round((len(bounds) - 1) * (1 - WINDOW_SHARE))] if len(bounds) > 10 else None
        cached = (now, key)
        _window_cache[database] = cached
    return cached[1]


def _window(connection, cursor, criteria: Criteria) -> int | None:
    """The window's lower sort_key for this search, or None when a window would not narrow it
    (no statistics, or the date range already lies within or before it)."""
    key = _window_key(connection, cursor)
    if key is None:
        return None
    low, high = criteria.sort_key_range()
    if (low is not None and low >= key) or (high is not None and high <= key):
        return None
    return key


def candidates(connection, query, criteria: Criteria, *, limit: int, scored: bool, window: bool = True) -> list[tuple[int, float]]:
    """(sort_key, score) of the newest `limit` matching published documents, newest first.

    The inner query only finds and orders; ts_rank_cd runs on the `limit` rows it keeps, never
    on every match. With the RUM index, the index returns the matches newest first and the scan
    stops after `limit`; without it the planner walks the sort_key btree newest first, testing
    @@, for common words, or takes the GIN bitmap for rare ones.

    On the GIN query, for a query not common enough for the btree walk, a recency window is
    tried first: the same query over the newest WINDOW_SHARE of the documents (`sort_key >= key`,
    bitmap scans only, so the GIN bitmap is ANDed with the sort_key range). When it finds `limit`
    matches they are the newest `limit` overall, since sort_key orders by date; otherwise the
    query runs again without the window. A word in 1–3 % of a million documents then reads a
    tenth of its matches. Not on the RUM query, which already stops after `limit` rechecks and
    for which the window query costs more than it saves. `window=False` skips it (tests).
    """
    q_sql, q_params = tsquery(query)
    filters, f_params = where_filters(connection, criteria)
    score = f"ts_rank_cd(c.search_vector, ({q_sql}), 1)" if scored else "0.0"

    def run(cursor, settings, order, extra="", extra_params=()):
        cursor.execute(
            settings +
            f"SELECT c.sort_key, {score} FROM ("
            f"SELECT d.sort_key, d.search_vector FROM search_searchdocument d "
            f"WHERE d.search_vector @@ ({q_sql}) AND {' AND '.join(filters)}{extra} "
            f"ORDER BY {order} LIMIT %s) c ORDER BY c.sort_key DESC",
            [*(q_params if scored else []), *q_params, *f_params, *extra_params, limit],
        )
        cursor.nextset()
        return cursor.fetchall()

    with connection.cursor() as cursor:
        rum = _uses_rum(connection, cursor, query, limit)
        # At a million rows the planner's costs pass jit_above_cost, and compiling takes ~0.35 s,
        # a hundred times the query. set_config(…, true) in the same call (one statement for
        # the query budget; a multi-statement call is one implicit transaction) keeps it to this
        # query, and each query sets all three planner switches, so none leaks into the next
        # inside an outer transaction.
        if window and not rum:
            _, frequencies, rows = _rum_state(connection, cursor)
            low = (
                _window(connection, cursor, criteria)
                if rows * WINDOW_SHARE >= WINDOW_MIN_MATCH_LIMITS * limit and not _common(query, frequencies, rows, limit)
                else None
            )
            if low is not None:
                # Bitmap scans only: the GIN bitmap ANDed with the sort_key range reads only the
                # window's candidates; a btree walk could test every row of the window.
                found = run(
                    cursor,
                    "SELECT set_config('jit', 'off', true), set_config('enable_bitmapscan', 'on', true), "
                    "set_config('enable_indexscan', 'off', true); ",
                    "d.sort_key DESC",
                    " AND d.sort_key >= %s",
                    [low],
                )
                if len(found) >= limit:
                    return found
        # On the RUM path bitmap scans are off: the planner underestimates phrases (576 rows
        # for マイナンバーカード, 19,400 in fact) and would take the GIN bitmap, recheck every
        # candidate and sort them (270 ms) instead of walking the RUM index newest first (15 ms).
        return run(
            cursor,
            f"SELECT set_config('jit', 'off', true), set_config('enable_bitmapscan', '{'off' if rum else 'on'}', true), "
            "set_config('enable_indexscan', 'on', true); ",
            f"d.sort_key <=| {SORT_KEY_TOP}::bigint" if rum else "d.sort_key DESC",
        )


def rebuild_start(connection) -> None:
    """Before a bulk load: building the GIN index once at the end is far faster than row by row."""
    with connection.cursor() as cursor:
        # TRUNCATE refuses while deferred FK checks are pending in this transaction: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE search_searchdocument")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        if rum_wanted():
            cursor.execute(f"DROP INDEX IF EXISTS {RUM_INDEX}")


def rebuild_finish(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(CREATE_INDEX)
        if rum_wanted():
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'rum'")
            if cursor.fetchone():
                cursor.execute(CREATE_RUM_INDEX)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("ANALYZE search_searchdocument")
