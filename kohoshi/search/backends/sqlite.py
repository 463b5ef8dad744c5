"""SQLite FTS5: an external-content FTS5 table over search_searchdocument, fed by triggers.

The token streams are already analysed in Python, so FTS5's `ascii` tokenizer only splits on
the spaces we put there (it treats every non-ASCII character as part of a token) and every
token is exactly one of ours. The third column holds the filter values as tokens (p_14,
m_142123, …; "_" is a token character here and never part of a word token), so a filter is one
more term of the MATCH and the index intersects it with the words.

The FTS5 rowid is the document's sort_key, (publication day, article id): the index lists
every token's documents newest first, and `ORDER BY rowid DESC LIMIT n` stops after n matches
instead of visiting them all; a date range is a rowid range.
"""
from ..ranking import BODY_WEIGHT, FILTER_WEIGHT, NEAR_DISTANCE, NEAR_FACTOR, TITLE_WEIGHT, tiered
from .common import Criteria

CREATE_TABLE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title_tokens, body_tokens, filter_tokens, content='search_searchdocument', content_rowid='sort_key', "
    "tokenize=\"ascii tokenchars '_'\", detail=full)"
)
_NEW = "new.sort_key, new.title_tokens, new.body_tokens, new.filter_tokens"
_OLD = "old.sort_key, old.title_tokens, old.body_tokens, old.filter_tokens"
_COLUMNS = "rowid, title_tokens, body_tokens, filter_tokens"
CREATE_TRIGGERS = [
    f"""CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts({_COLUMNS}) VALUES ({_NEW});
    END""",
    f"""CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, {_COLUMNS}) VALUES ('delete', {_OLD});
    END""",
    f"""CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, {_COLUMNS}) VALUES ('delete', {_OLD});
        INSERT INTO search_fts({_COLUMNS}) VALUES ({_NEW});
    END""",
]
DROP_TRIGGERS = [f"DROP TRIGGER IF EXISTS search_fts_{n}" for n in ("insert", "delete", "update")]
SETUP = [CREATE_TABLE, *CREATE_TRIGGERS]
TEARDOWN = [*DROP_TRIGGERS, "DROP TABLE IF EXISTS search_fts"]


def _phrase(tokens) -> str:
    # Tokens are runs of letters and digits (analysis.fold): nothing in them needs escaping.
    return '"' + " ".join(tokens) + '"'


def _either(parts) -> str:
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _term(term) -> str:
    phrases = " AND ".join(
        _either([_phrase(p), *(_phrase((x,)) for x in term.phrase_alternatives(p))]) for p in term.phrases
    )
    return _either([f"({phrases})", *(_phrase((r,)) for r in term.readings)])


def match_expression(query, filter_tokens=()) -> str:
    positive = " AND ".join("(" + " OR ".join(_term(t) for t in group) + ")" for group in query.groups)
    if query.excluded:
        positive = f"({positive}) NOT ({' OR '.join(_term(t) for t in query.excluded)})"
    if filter_tokens:
        positive = " AND ".join(f'"{t}"' for t in filter_tokens) + f" AND ({positive})"
    return positive


def near_expression(query) -> str | None:
    phrases = query.positive_phrases()
    if 1 < len(phrases) <= 6 and all(len(group) == 1 for group in query.groups):
        return f"NEAR({' '.join(_phrase(p) for p in phrases)}, {NEAR_DISTANCE})"
    return None


def candidates(connection, query, criteria: Criteria, *, limit: int, scored: bool) -> list[tuple[int, float]]:
    """(sort_key, score) of the newest `limit` matching published documents, newest first.

    The score is -bm25 (higher is better; title matches weigh 10× body matches), times
    NEAR_FACTOR when the words are also found close together, below every exact match when the
    match is only loose (ranking.tiered); 0 unless `scored`. The NEAR test
    is a second FTS5 cursor over the candidates' rowid range, without bm25: bm25 reads every
    document of each of its phrases for their frequencies, and a NEAR inside the bm25 query
    would double that work, the largest cost of a multi-word search at a million articles.
    """
    sql = ["search_fts MATCH %s", "d.published_at <= %s"]
    params: list = [
        match_expression(query, criteria.filter_tokens()),
        connection.ops.adapt_datetimefield_value(criteria.now),
    ]
    low, high = criteria.sort_key_range()
    if low is not None:
        sql.append("search_fts.rowid >= %s")
        params.append(low)
    if high is not None:
        sql.append("search_fts.rowid < %s")
        params.append(high)
    score = f"-bm25(search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}, {FILTER_WEIGHT})" if scored else "0.0"
    found = (
        "SELECT search_fts.rowid AS k, {score} AS s FROM search_fts "
        "JOIN search_searchdocument d ON d.sort_key = search_fts.rowid "
        f"WHERE {' AND '.join(sql)} ORDER BY search_fts.rowid DESC LIMIT %s"
    ).format(score=score)
    params.append(limit)
    near = near_expression(query) if scored else None
    exact = match_expression(query.exact()) if scored and query.is_loose else None
    if near is None and exact is None:
        with connection.cursor() as cursor:
            cursor.execute(found, params)
            return cursor.fetchall()

    def among_candidates(expression) -> str:
        params.append(expression)
        return (
            "k IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s "
            "AND rowid >= (SELECT min(k) FROM c) AND rowid <= (SELECT max(k) FROM c))"
        )

    # Which candidates have the words close together, and which match the exact query (loose
    # matches rank after them): FTS5 cursors over the candidates' rowid range, without bm25.
    close = among_candidates(near) if near else "0"
    is_exact = among_candidates(exact) if exact else "1"
    statement = f"WITH c AS MATERIALIZED ({found}) SELECT k, s, {close}, {is_exact} FROM c ORDER BY k DESC"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return [(k, tiered(s * NEAR_FACTOR if c else s, exact=bool(e))) for k, s, c, e in rows]


def prepare_write(connection, days) -> None:
    """Nothing to make before writing documents (PostgreSQL makes its year partitions here)."""


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
        # One segment instead of a few: fewer b-trees to merge on every query (16 s at 1M).
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        for sql in CREATE_TRIGGERS:
            cursor.execute(sql)
