"""PostgreSQL: a generated tsvector column over the token streams, with a GIN index.

The 'simple' configuration only lower-cases and splits on the spaces we put there; queries go
through phraseto_tsquery('simple', …) so they are split by the same parser as the documents.
Ranking is ts_rank_cd (cover density: the query's words close together score higher, like the
NEAR boost on SQLite), with weights title A (1.0), body D (0.1): the same 10:1 as SQLite.
"""
from .common import Criteria, where_filters

CONFIG = "simple"
INDEX = "search_document_vector_gin"
VECTOR = (
    f"setweight(to_tsvector('{CONFIG}'::regconfig, title_tokens), 'A') || "
    f"setweight(to_tsvector('{CONFIG}'::regconfig, body_tokens), 'D')"
)
CREATE_INDEX = f"CREATE INDEX {INDEX} ON search_searchdocument USING gin (search_vector)"
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


def candidates(connection, query, criteria: Criteria, *, limit: int, scored: bool) -> list[tuple[int, float]]:
    """(sort_key, score) of the newest `limit` matching published documents, newest first.

    The inner query only finds and orders (the planner walks the sort_key index newest first,
    testing @@, for common words, or takes the GIN bitmap for rare ones); ts_rank_cd runs on
    the `limit` rows it keeps, never on every match.
    """
    q_sql, q_params = tsquery(query)
    filters, f_params = where_filters(connection, criteria)
    score = f"ts_rank_cd(c.search_vector, ({q_sql}), 1)" if scored else "0.0"
    with connection.cursor() as cursor:
        # At a million rows the planner's costs pass jit_above_cost, and compiling takes ~0.35 s,
        # a hundred times the query. SET LOCAL in the same call (one statement for the query
        # budget; a multi-statement call is one implicit transaction) keeps it to this query.
        cursor.execute(
            "SET LOCAL jit = off; "
            f"SELECT c.sort_key, {score} FROM ("
            f"SELECT d.sort_key, d.search_vector FROM search_searchdocument d "
            f"WHERE d.search_vector @@ ({q_sql}) AND {' AND '.join(filters)} "
            "ORDER BY d.sort_key DESC LIMIT %s) c ORDER BY c.sort_key DESC",
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


def rebuild_finish(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(CREATE_INDEX)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("ANALYZE search_searchdocument")
