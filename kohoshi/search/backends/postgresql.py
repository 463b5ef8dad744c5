"""PostgreSQL: search_searchdocument partitioned by publication year, a generated tsvector with a
GIN index on each partition, and the matches read newest first, a few months at a time.

The vector holds the token streams ('simple' configuration: it only splits on the spaces we put
there; title weight A, body D, with positions) and, without positions, every pair of adjacent
tokens as one lexeme, `a_b` (tokens never contain "_"). A query word is the phrase of its
tokens; GIN keeps no positions, so a phrase given to GIN as `a <-> b` must be rechecked on the
row of every candidate, and that recheck was most of the time at a million documents. Given as
its pairs instead (`'a_b' & 'b_c'`), it is answered from the index alone: exactly for one or two
tokens; for three or more the pairs may be found apart, so the exact phrase is checked on the
rows kept, only there (see candidates).

Partitions (RANGE on sort_key, one per calendar year, made when a year is first written, by
prepare_write) keep each GIN posting list short, and the newest 1,001 matches are looked for in
the newest three months first, then the nine before them, two years, four years, then the rest
(WINDOW_MONTHS): a word common in every year reads a few months of its matches, not all of them.

Ranking is ts_rank_cd (cover density: the query's words close together score higher, like the
NEAR boost on SQLite) over the exact phrase query, with the weights of search/ranking.py (title
10× body, as on SQLite), and only on the rows kept.
"""
import time
from datetime import date

from ..models import SORT_KEY_SPAN
from ..ranking import PG_BODY_LABEL, PG_TITLE_LABEL, pg_rank_sql, tiered
from .common import Criteria, where_filters

CONFIG = "simple"
TABLE = "search_searchdocument"
PAIR_JOIN = "_"
# Adjacent tokens of a space-separated token stream, as "a_b" lexemes.
PAIRS_FUNCTION = "search_token_pairs"
CREATE_PAIRS_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PAIRS_FUNCTION}(tokens text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(a || '{PAIR_JOIN}' || b), '{{}}') FROM (
    SELECT t AS a, lead(t) OVER (ORDER BY n) AS b
    FROM unnest(string_to_array(tokens, ' ')) WITH ORDINALITY AS u(t, n)
  ) s WHERE b IS NOT NULL
$$"""
VECTOR = (
    f"setweight(to_tsvector('{CONFIG}'::regconfig, title_tokens), '{PG_TITLE_LABEL}') || "
    f"setweight(to_tsvector('{CONFIG}'::regconfig, body_tokens), '{PG_BODY_LABEL}') || "
    f"array_to_tsvector({PAIRS_FUNCTION}(title_tokens) || {PAIRS_FUNCTION}(body_tokens))"
)
INDEX = "search_document_vector_gin"
CREATE_INDEX = f"CREATE INDEX {INDEX} ON {TABLE} USING gin (search_vector)"
# Each filter column with sort_key: a filtered search walks one place's documents newest first
# (or ANDs the bitmap with the GIN one), instead of every match of a common word.
FILTER_INDEXES = {
    f"search_document_{column}_sort": f"CREATE INDEX search_document_{column}_sort ON {TABLE} ({column}, sort_key)"
    for column in ("prefecture_id", "municipality_id", "newsletter_id", "category_id")
}
# The table as migration 0005 makes it (the columns of models.SearchDocument). A partitioned
# table's primary key must hold the partition key, so it is (article_id, sort_key); article ids
# stay unique because indexing deletes an issue's documents before writing them again.
FOREIGN_KEYS = {
    "article_id": "newsletters_article (id)",
    "category_id": "newsletters_category (id)",
    "municipality_id": "places_municipality (code)",
    "newsletter_id": "newsletters_newsletter (id)",
    "prefecture_id": "places_prefecture (code)",
}
CREATE_TABLE = f"""
CREATE TABLE {TABLE} (
    article_id bigint NOT NULL,
    title_tokens text NOT NULL,
    body_tokens text NOT NULL,
    published_at timestamp with time zone NULL,
    published_on date NOT NULL,
    category_id bigint NOT NULL,
    municipality_id varchar(6) NOT NULL,
    newsletter_id bigint NOT NULL,
    prefecture_id varchar(2) NOT NULL,
    sort_key bigint NOT NULL,
    filter_tokens text NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED,
    CONSTRAINT search_searchdocument_pkey PRIMARY KEY (article_id, sort_key),
    {", ".join(f"FOREIGN KEY ({c}) REFERENCES {t} DEFERRABLE INITIALLY DEFERRED" for c, t in FOREIGN_KEYS.items())}
) PARTITION BY RANGE (sort_key)"""
CREATE_INDEXES = [
    CREATE_INDEX,
    f"CREATE INDEX search_doc_sort_key ON {TABLE} (sort_key, published_at)",
    *FILTER_INDEXES.values(),
]
COLUMNS = (
    "article_id, title_tokens, body_tokens, published_at, published_on, category_id, municipality_id, "
    "newsletter_id, prefecture_id, sort_key, filter_tokens"
)
# Taken while a partition is made, so that two writers never make the same one.
PARTITION_LOCK = 0x6B6F686F  # "koho"


def partition_name(year: int) -> str:
    return f"{TABLE}_y{year:04d}"


def _year_key(year: int) -> int:
    return date(year, 1, 1).toordinal() * SORT_KEY_SPAN


def _partition_bounds(year: int) -> str:
    high = str(_year_key(year + 1)) if year < date.max.year else "MAXVALUE"
    return f"FOR VALUES FROM ({_year_key(year)}) TO ({high})"


def create_partition_sql(year: int) -> str:
    """One statement making a year's partition (for migrations, where nobody reads)."""
    return f"CREATE TABLE IF NOT EXISTS {partition_name(year)} PARTITION OF {TABLE} {_partition_bounds(year)}"


def prepare_write(connection, days) -> None:
    """Make the partitions of the years of these publication days, where missing, in the
    writer's transaction (a rolled-back write leaves no partition behind).

    Made as a table of the same shape, then attached: CREATE TABLE … PARTITION OF would hold an
    ACCESS EXCLUSIVE lock on the whole table until the writer commits, and every search would
    wait; ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE, which readers and writers pass. The
    indexes made by LIKE are taken over as the partition's; the foreign keys come with ATTACH."""
    with connection.cursor() as cursor:
        for year in sorted({day.year for day in days}):
            name = partition_name(year)
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PARTITION_LOCK])
                cursor.execute("SELECT to_regclass(%s)", [name])
                if cursor.fetchone()[0] is None:
                    cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING ALL)")
                    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} {_partition_bounds(year)}")


# --- queries -------------------------------------------------------------------------------

def _either(parts, join: str) -> str:
    return parts[0] if len(parts) == 1 else "(" + join.join(parts) + ")"


def _exact_term(term, params) -> str:
    def phrase_query(text):
        params.append(text)
        return f"phraseto_tsquery('{CONFIG}', %s)"

    parts = [
        _either([phrase_query(" ".join(phrase)), *(phrase_query(x) for x in term.phrase_alternatives(phrase))], " || ")
        for phrase in term.phrases
    ]
    return _either(["(" + " && ".join(parts) + ")", *(phrase_query(r) for r in term.readings)], " || ")


def tsquery(query) -> tuple[str, list]:
    """The query with positions, as SQL and its parameters: for ranking, and for checking the
    rows kept when the index query is wider (see needs_check). Loose alternatives included, as
    the query has them (Query.exact() for the exact one)."""
    params: list = []
    sql = " && ".join("(" + " || ".join(_exact_term(t, params) for t in group) + ")" for group in query.groups)
    if query.excluded:
        sql = f"({sql}) && !!({' || '.join(_exact_term(t, params) for t in query.excluded)})"
    return sql, params


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def index_lexemes(phrase) -> list[str]:
    """The lexemes a phrase is looked up by: its token, or the pairs of its adjacent tokens."""
    if len(phrase) == 1:
        return [phrase[0]]
    return [a + PAIR_JOIN + b for a, b in zip(phrase, phrase[1:])]


def _long(term) -> bool:
    return any(len(phrase) > 2 for phrase in term.phrases)


def _index_term(term) -> str:
    phrases = [
        _either([" & ".join(_lexeme(x) for x in index_lexemes(phrase)), *map(_lexeme, term.phrase_alternatives(phrase))], " | ")
        for phrase in term.phrases
    ]
    return _either(["(" + " & ".join(phrases) + ")", *map(_lexeme, term.readings)], " | ")


def index_tsquery(query) -> str:
    """The query GIN answers without looking at a row: no positions, only lexemes and pairs.

    It finds every match of the exact query and, when a phrase has 3 tokens or more, perhaps
    more (its pairs apart). An excluded term with such a phrase is left out here (excluding by
    its pairs could drop a match) and excluded by the exact check."""
    sql = " & ".join("(" + " | ".join(_index_term(t) for t in group) + ")" for group in query.groups)
    excluded = [t for t in query.excluded if not _long(t)]
    if excluded:
        sql = f"({sql}) & !({' | '.join(_index_term(t) for t in excluded)})"
    return sql


def needs_check(query) -> bool:
    """True when index_tsquery may find rows the exact query does not."""
    return any(_long(t) for group in query.groups for t in group) or any(_long(t) for t in query.excluded)


# --- statistics: which way to read a window -------------------------------------------------

# Looked up again after this many seconds (per process and database).
STATISTICS_TTL = 300.0
_statistics_cache: dict = {}


def _database(connection) -> tuple:
    return connection.settings_dict["HOST"], connection.settings_dict["PORT"], connection.settings_dict["NAME"]


def _statistics(connection, cursor) -> tuple[dict[str, float], float, int | None]:
    """({lexeme: share of documents} for the commonest lexemes, documents in the largest
    partition, the largest sort_key in the index), looked up together and cached per process
    and database for STATISTICS_TTL seconds. The shares come from the planner's statistics of
    the partitions (pg_stats keeps the ~1,000 commonest tsvector elements of each after ANALYZE,
    which autovacuum runs). A stale value costs time, never results: it only picks the way to
    read and where the windows start, and the first window is open above."""
    database = _database(connection)
    cached = _statistics_cache.get(database)
    now = time.monotonic()
    if cached is None or now - cached[0] > STATISTICS_TTL:
        cursor.execute(
            "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, greatest(c.reltuples, 0) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = c.relname "
            "AND s.attname = 'search_vector' AND NOT s.inherited "
            f"WHERE i.inhparent = to_regclass('{TABLE}')"
        )
        totals: dict[str, float] = {}
        rows = largest = 0.0
        for elements, frequencies, tuples in cursor.fetchall():
            largest = max(largest, tuples)
            if not elements:
                continue
            rows += tuples
            for element, frequency in zip(elements, frequencies):
                totals[element] = totals.get(element, 0.0) + frequency * tuples
        shares = {element: total / rows for element, total in totals.items()} if rows else {}
        cursor.execute(f"SELECT max(sort_key) FROM {TABLE}")
        cached = (now, shares, largest, cursor.fetchone()[0])
        _statistics_cache[database] = cached
    return cached[1:]


def _share(query, frequencies) -> float:
    """The share of documents the query's positive part matches, from the lexeme frequencies:
    a phrase as its least common lexeme, the terms of a group added, the groups taken as
    independent; a lexeme not among the commonest counts as rare (0)."""
    def phrase(t, p):
        return min(frequencies.get(x, 0.0) for x in index_lexemes(p)) + sum(
            frequencies.get(x, 0.0) for x in t.phrase_alternatives(p)
        )

    def term(t):
        return min(phrase(t, p) for p in t.phrases) + sum(frequencies.get(x, 0.0) for x in t.readings)

    share = 1.0
    for group in query.groups:
        share *= min(1.0, sum(term(t) for t in group))
    return share


def _common(query, frequencies, rows: float, limit: int) -> bool:
    """The query matches so many documents that walking the sort_key btree newest first, testing
    each row, finds `limit` of them sooner than reading the GIN bitmap of the first window.

    `rows`: documents in the first window. The walk tests about limit / share rows, each ~4
    times the cost of a bitmap match (measured at 1M); the bitmap reads share × rows. They cost
    the same at share = 2 × sqrt(limit / rows): 40 % with 25,000 documents in three months."""
    return rows > 0 and _share(query, frequencies) >= 2 * (limit / rows) ** 0.5


# --- candidates -----------------------------------------------------------------------------

# The windows' sizes in months, newest first, counted back from the month of the newest
# document (_statistics; or of date_to): 3 months, the 9 before them, 2 years, 4 years; then the rest. Small
# first windows because a window is read whole: a word in 10 % of the documents has 1,001 in a
# quarter of a million-document index, not in a year. Within a year's partition the planner ANDs
# the GIN bitmap with the (sort_key, published_at) btree's range.
WINDOW_MONTHS = (3, 9, 24, 48)


def _month_key(month: int) -> int:
    """The sort_key where a month (year × 12 + month - 1) starts."""
    return date(max(1, month // 12), month % 12 + 1, 1).toordinal() * SORT_KEY_SPAN


def windows(criteria: Criteria, *, newest: int | None, below: int | None = None) -> list[tuple[int | None, int | None]]:
    """Half-open sort_key ranges (None: open), newest first, within the date range (and below
    `below`): WINDOW_MONTHS back from the month of `newest` (else of today), or of date_to if
    earlier, the first open above; then everything older."""
    low, high = criteria.sort_key_range()
    if below is not None:
        high = below if high is None else min(high, below)
    top = date.fromordinal(newest // SORT_KEY_SPAN) if newest else criteria.now.date()
    if criteria.date_to:
        top = min(top, criteria.date_to)
    month = top.year * 12 + top.month  # the month after top's (months counted from year 0)
    edges = []
    for size in WINDOW_MONTHS:
        month -= size
        edges.append(_month_key(month))
    bounds = [None, *edges, None]
    out = []
    for upper, lower in zip(bounds, bounds[1:]):
        lo = max((x for x in (lower, low) if x is not None), default=None)
        hi = min((x for x in (upper, high) if x is not None), default=None)
        if lo is None or hi is None or lo < hi:
            out.append((lo, hi))
    return out


def candidates(connection, query, criteria: Criteria, *, limit: int, scored: bool) -> list[tuple[int, float]]:
    """(sort_key, score) of the newest `limit` matching published documents, newest first.

    One statement: the windows (newest first) as a UNION ALL of "the newest `limit` matches of
    index_tsquery in this window" under an outer LIMIT, so PostgreSQL's Append reads the next
    window only while the newer ones had too few (parallel plans are off: a parallel Append would
    not keep the order). In a window GIN finds the matches (its bitmap ANDed with the filters);
    for a query common enough (_common) the sort_key btree is walked newest first instead,
    testing each row. Only on the rows kept is the exact query checked (when needs_check) and
    ts_rank_cd run; when the check drops some, the next statement reads on below the last row.
    """
    index_query = index_tsquery(query)
    query_sql, query_params = tsquery(query)
    tiers = scored and query.is_loose
    exact_sql, exact_params = tsquery(query.exact()) if tiers else ("NULL::tsquery", [])
    check = needs_check(query)
    filters, f_params = where_filters(connection, criteria)
    # A document's vector (some 9 kB, stored out of line) is read back from TOAST by every
    # expression that takes it, and reading it costs more than ranking it. When two or three
    # take it, it is read once: setweight with no lexemes gives an in-memory copy, made in a
    # subquery of its own (OFFSET 0: not inlined, so made once a row).
    once = [scored, check, tiers].count(True) > 1
    vector = "v.vector" if once else "c.search_vector"
    detoast = ", LATERAL (SELECT setweight(c.search_vector, 'A', '{}'::text[]) AS vector OFFSET 0) v" if once else ""
    score = pg_rank_sql(vector, "x.q") if scored else "0.0"
    ok = f"{vector} @@ x.q" if check else "true"
    # Loose matches rank after exact ones (ranking.tiered).
    is_exact = f"{vector} @@ x.e" if tiers else "true"
    found: list[tuple[int, float]] = []
    below = None
    with connection.cursor() as cursor:
        frequencies, rows_per_year, newest = _statistics(connection, cursor)
        walk = _common(query, frequencies, rows_per_year * WINDOW_MONTHS[0] / 12, limit)
        # At a million rows the planner's costs pass jit_above_cost, and compiling takes ~0.35 s,
        # a hundred times the query. set_config(…, true) in the same call (one statement for
        # the query budget; a multi-statement call is one implicit transaction) keeps the
        # switches to this query, and each sets all of them, so none leaks into the next.
        # No sequential scans: the planner reads a small partition whole (a young index, a new
        # year) and tests @@ on every row, reading each row's vector back from TOAST, a cost
        # it does not count; GIN answers without them (1,000 documents: median 48 → 30 ms).
        settings = (
            "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true), "
            "set_config('enable_seqscan', 'off', true), "
            f"set_config('enable_bitmapscan', '{'off' if walk else 'on'}', true), "
            f"set_config('enable_indexscan', '{'on' if walk else 'off'}', true); "
        )
        while len(found) < limit:
            want = limit - len(found)
            parts, params = [], []
            for lo, hi in windows(criteria, newest=newest, below=below):
                bounds = "".join(
                    sql for sql, value in ((" AND d.sort_key >= %s", lo), (" AND d.sort_key < %s", hi)) if value is not None
                )
                parts.append(
                    f"(SELECT d.sort_key, d.search_vector FROM {TABLE} d "
                    f"WHERE d.search_vector @@ %s::tsquery AND {' AND '.join(filters)}{bounds} "
                    "ORDER BY d.sort_key DESC LIMIT %s)"
                )
                params += [index_query, *f_params, *(v for v in (lo, hi) if v is not None), want]
            if not parts:
                break
            cursor.execute(
                settings +
                f"SELECT c.sort_key, {score}, {ok}, {is_exact} "
                f"FROM (SELECT * FROM ({' UNION ALL '.join(parts)}) u LIMIT %s) c{detoast}, "
                f"(SELECT {query_sql} AS q, {exact_sql} AS e) x ORDER BY c.sort_key DESC",
                [*params, want, *query_params, *exact_params],
            )
            cursor.nextset()
            rows = cursor.fetchall()
            found.extend((key, tiered(rank, exact=exact) if tiers else rank) for key, rank, matched, exact in rows if matched)
            if len(rows) < want or all(matched for _, _, matched, _ in rows):
                break
            below = rows[-1][0]
    return found


# --- rebuild --------------------------------------------------------------------------------

def rebuild_start(connection) -> None:
    """Before a bulk load: building the GIN index once at the end is far faster than row by row."""
    with connection.cursor() as cursor:
        # TRUNCATE refuses while deferred FK checks are pending in this transaction: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {TABLE}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


# A GIN build is several times faster with more than the default 64 MB (for this transaction only).
BUILD_MEMORY = "256MB"


def rebuild_finish(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [BUILD_MEMORY])
        cursor.execute(CREATE_INDEX)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # The partitions' statistics (read by _statistics), and the parent's for the planner.
        cursor.execute(f"ANALYZE {TABLE}")
