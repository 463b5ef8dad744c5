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
        if exists:
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
    if not exists:
        return False
    return rows <= 0 or _share(query, frequencies) < 2 * (limit / rows) ** 0.5


def candidates(connection, query, criteria: Criteria, *, limit: int, scored: bool) -> list[tuple[int, float]]:
    """(sort_key, score) of the newest `limit` matching published documents, newest first.

    The inner query only finds and orders; ts_rank_cd runs on the `limit` rows it keeps, never
    on every match. With the RUM index, the index returns the matches newest first and the scan
    stops after `limit`; without it the planner walks the sort_key btree newest first, testing
    @@, for common words, or takes the GIN bitmap for rare ones.
    """
    q_sql, q_params = tsquery(query)
    filters, f_params = where_filters(connection, criteria)
    score = f"ts_rank_cd(c.search_vector, ({q_sql}), 1)" if scored else "0.0"
    with connection.cursor() as cursor:
        rum = _uses_rum(connection, cursor, query, limit)
        order = f"d.sort_key <=| {SORT_KEY_TOP}::bigint" if rum else "d.sort_key DESC"
        # At a million rows the planner's costs pass jit_above_cost, and compiling takes ~0.35 s,
        # a hundred times the query. SET LOCAL in the same call (one statement for the query
        # budget; a multi-statement call is one implicit transaction) keeps it to this query.
        # On the RUM path bitmap scans are off too: the planner underestimates phrases (576 rows
        # for マイナンバーカード, 19,400 in fact) and would take the GIN bitmap, recheck every
        # candidate and sort them (270 ms) instead of walking the RUM index newest first (15 ms).
        settings = (
            "SELECT set_config('jit', 'off', true), set_config('enable_bitmapscan', 'off', true); "
            if rum
            else "SET LOCAL jit = off; "
        )
        cursor.execute(
            settings +
            f"SELECT c.sort_key, {score} FROM ("
            f"SELECT d.sort_key, d.search_vector FROM search_searchdocument d "
            f"WHERE d.search_vector @@ ({q_sql}) AND {' AND '.join(filters)} "
            f"ORDER BY {order} LIMIT %s) c ORDER BY c.sort_key DESC",
            [*(q_params if scored else []), *q_params, *f_params, limit],
        )
        cursor.nextset()
        return cursor.fetchall()


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
