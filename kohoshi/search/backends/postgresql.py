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


def search(connection, query, criteria: Criteria, *, order: str, limit: int, offset: int):
    q_sql, q_params = tsquery(query)
    filters, f_params = where_filters(connection, criteria)
    base = f"FROM search_searchdocument d WHERE d.search_vector @@ ({q_sql}) AND {' AND '.join(filters)}"
    params = [*q_params, *f_params]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {base}", params)
        count = cursor.fetchone()[0]
        ids = []
        if count > offset:
            if order == "newest":
                order_by, order_params = "d.published_on DESC, d.article_id DESC", []
            else:
                order_by = f"ts_rank_cd(d.search_vector, ({q_sql}), 1) DESC, d.published_on DESC, d.article_id DESC"
                order_params = q_params
            cursor.execute(
                f"SELECT d.article_id {base} ORDER BY {order_by} LIMIT %s OFFSET %s",
                [*params, *order_params, limit, offset],
            )
            ids = [row[0] for row in cursor.fetchall()]
    return count, ids


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
