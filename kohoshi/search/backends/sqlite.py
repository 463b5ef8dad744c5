"""SQLite FTS5: an external-content FTS5 table over search_searchdocument, fed by triggers.

The token streams are already analysed in Python, so FTS5's `ascii` tokenizer only splits on
the spaces we put there (it treats every non-ASCII character as part of a token) and every
token is exactly one of ours.
"""
from .common import Criteria, where_filters

TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0

CREATE_TABLE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title_tokens, body_tokens, content='search_searchdocument', content_rowid='article_id', "
    "tokenize='ascii', detail=full)"
)
CREATE_TRIGGERS = [
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.article_id, new.title_tokens, new.body_tokens);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.article_id, old.title_tokens, old.body_tokens);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE OF title_tokens, body_tokens ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.article_id, old.title_tokens, old.body_tokens);
        INSERT INTO search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.article_id, new.title_tokens, new.body_tokens);
    END""",
]
DROP_TRIGGERS = [f"DROP TRIGGER IF EXISTS search_fts_{n}" for n in ("insert", "delete", "update")]
SETUP = [CREATE_TABLE, *CREATE_TRIGGERS]
TEARDOWN = [*DROP_TRIGGERS, "DROP TABLE IF EXISTS search_fts"]


def _phrase(tokens) -> str:
    # Tokens are runs of letters and digits (analysis.fold): nothing in them needs escaping.
    return '"' + " ".join(tokens) + '"'


def _term(term) -> str:
    return "(" + " AND ".join(_phrase(p) for p in term.phrases) + ")"


NEAR_DISTANCE = 10


def match_expression(query) -> str:
    positive = " AND ".join("(" + " OR ".join(_term(t) for t in group) + ")" for group in query.groups)
    phrases = query.positive_phrases()
    if 1 < len(phrases) <= 6 and all(len(group) == 1 for group in query.groups):
        # Matches no more than `positive` does, but bm25 also scores the phrases found close
        # together: 子ども 医療費 prefers "子どもの医療費" to a page that says each once, far apart.
        near = f"NEAR({' '.join(_phrase(p) for p in phrases)}, {NEAR_DISTANCE})"
        positive = f"({positive}) OR {near}"
    if query.excluded:
        positive = f"({positive}) NOT ({' OR '.join(_term(t) for t in query.excluded)})"
    return positive


def search(connection, query, criteria: Criteria, *, order: str, limit: int, offset: int):
    filters, params = where_filters(connection, criteria)
    base = (
        "FROM search_fts JOIN search_searchdocument d ON d.article_id = search_fts.rowid "
        f"WHERE search_fts MATCH %s AND {' AND '.join(filters)}"
    )
    params = [match_expression(query), *params]
    if order == "newest":
        order_by = "d.published_on DESC, d.article_id DESC"
    else:
        order_by = f"bm25(search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}), d.published_on DESC, d.article_id DESC"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {base}", params)
        count = cursor.fetchone()[0]
        ids = []
        if count > offset:
            cursor.execute(f"SELECT d.article_id {base} ORDER BY {order_by} LIMIT %s OFFSET %s", [*params, limit, offset])
            ids = [row[0] for row in cursor.fetchall()]
    return count, ids


def rebuild_start(connection) -> None:
    """Before a bulk load: no per-row index work; the FTS table is rebuilt once at the end."""
    with connection.cursor() as cursor:
        for sql in DROP_TRIGGERS:
            cursor.execute(sql)
        cursor.execute("DELETE FROM search_searchdocument")
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")


def rebuild_finish(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
        for sql in CREATE_TRIGGERS:
            cursor.execute(sql)
