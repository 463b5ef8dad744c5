"""PostgreSQL only: search_searchdocument becomes a table partitioned by publication year, its
tsvector gains the token-pair lexemes, and the optional RUM index of 0004 goes (see
search/backends/postgresql.py and docs/search.md). The rows are copied in SQL (the pairs are
made from the stored token streams), so no re-tokenising is needed; on SQLite nothing changes.

The statements are frozen here as search/backends/postgresql.py made them when this migration
was written: a later change to the backend must not change what this migration did.
"""
import importlib
from datetime import date

from django.db import migrations

TABLE = "search_searchdocument"
OLD = "search_searchdocument_unpartitioned"
_0002 = importlib.import_module("kohoshi.search.migrations.0002_fulltext_index")
_0003 = importlib.import_module("kohoshi.search.migrations.0003_sort_key_and_filter_tokens")

PAIRS_FUNCTION = "search_token_pairs"
CREATE_PAIRS_FUNCTION = """
CREATE OR REPLACE FUNCTION search_token_pairs(tokens text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(a || '_' || b), '{}') FROM (
    SELECT t AS a, lead(t) OVER (ORDER BY n) AS b
    FROM unnest(string_to_array(tokens, ' ')) WITH ORDINALITY AS u(t, n)
  ) s WHERE b IS NOT NULL
$$"""
CREATE_TABLE = """
CREATE TABLE search_searchdocument (
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
    search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || setweight(to_tsvector('simple'::regconfig, body_tokens), 'D') || array_to_tsvector(search_token_pairs(title_tokens) || search_token_pairs(body_tokens))) STORED,
    CONSTRAINT search_searchdocument_pkey PRIMARY KEY (article_id, sort_key),
    FOREIGN KEY (article_id) REFERENCES newsletters_article (id) DEFERRABLE INITIALLY DEFERRED, FOREIGN KEY (category_id) REFERENCES newsletters_category (id) DEFERRABLE INITIALLY DEFERRED, FOREIGN KEY (municipality_id) REFERENCES places_municipality (code) DEFERRABLE INITIALLY DEFERRED, FOREIGN KEY (newsletter_id) REFERENCES newsletters_newsletter (id) DEFERRABLE INITIALLY DEFERRED, FOREIGN KEY (prefecture_id) REFERENCES places_prefecture (code) DEFERRABLE INITIALLY DEFERRED
) PARTITION BY RANGE (sort_key)"""
CREATE_INDEXES = [
    "CREATE INDEX search_document_vector_gin ON search_searchdocument USING gin (search_vector)",
    "CREATE INDEX search_doc_sort_key ON search_searchdocument (sort_key, published_at)",
    *_0003.PG_FILTER_INDEXES.values(),
]
COLUMNS = (
    "article_id, title_tokens, body_tokens, published_at, published_on, category_id, municipality_id, "
    "newsletter_id, prefecture_id, sort_key, filter_tokens"
)
FOREIGN_KEYS = {
    "article_id": "newsletters_article (id)",
    "category_id": "newsletters_category (id)",
    "municipality_id": "places_municipality (code)",
    "newsletter_id": "newsletters_newsletter (id)",
    "prefecture_id": "places_prefecture (code)",
}
BUILD_MEMORY = "256MB"


def _year_key(year: int) -> int:
    # sort_key = day ordinal × 10**10 + article id (search.models.sort_key_for).
    return date(year, 1, 1).toordinal() * 10**10


def create_partition_sql(year: int) -> str:
    high = str(_year_key(year + 1)) if year < date.max.year else "MAXVALUE"
    return (
        f"CREATE TABLE IF NOT EXISTS {TABLE}_y{year:04d} PARTITION OF {TABLE} "
        f"FOR VALUES FROM ({_year_key(year)}) TO ({high})"
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT extract(year FROM published_on)::int FROM {TABLE}")
        years = sorted(row[0] for row in cursor.fetchall())
    schema_editor.execute("DROP INDEX IF EXISTS search_document_vector_rum")
    schema_editor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    # Index and constraint names are per schema: the old ones go before the new ones are made.
    schema_editor.execute(f"ALTER TABLE {OLD} DROP COLUMN search_vector")
    for name in ("search_doc_sort_key", *_0003.PG_FILTER_INDEXES):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT search_searchdocument_pkey")
    schema_editor.execute(CREATE_PAIRS_FUNCTION)
    schema_editor.execute(CREATE_TABLE)
    for year in years:
        schema_editor.execute(create_partition_sql(year))
    schema_editor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {OLD} ORDER BY sort_key")
    # The new rows' foreign keys checked now, not at commit (a table with pending checks cannot be changed).
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute(f"DROP TABLE {OLD}")
    schema_editor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for sql in CREATE_INDEXES:
        schema_editor.execute(sql)
    schema_editor.execute(f"ANALYZE {TABLE}")


def backwards(apps, schema_editor):
    """The unpartitioned table of 0004 again (without RUM), the rows copied in SQL."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE TABLE {OLD} (LIKE {TABLE} INCLUDING DEFAULTS)")
    schema_editor.execute(f"ALTER TABLE {OLD} DROP COLUMN search_vector")
    schema_editor.execute(f"INSERT INTO {OLD} ({COLUMNS}) SELECT {COLUMNS} FROM {TABLE}")
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute(f"DROP TABLE {TABLE}")
    schema_editor.execute(f"DROP FUNCTION {PAIRS_FUNCTION}(text)")
    schema_editor.execute(f"ALTER TABLE {OLD} RENAME TO {TABLE}")
    schema_editor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT search_searchdocument_pkey PRIMARY KEY (article_id)")
    for column, target in FOREIGN_KEYS.items():
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD FOREIGN KEY ({column}) REFERENCES {target} DEFERRABLE INITIALLY DEFERRED"
        )
    for sql in _0002.PG_SETUP:
        schema_editor.execute(sql)
    schema_editor.execute(f"CREATE INDEX search_doc_sort_key ON {TABLE} (sort_key, published_at)")
    for sql in _0003.PG_FILTER_INDEXES.values():
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_rum_index")]
    operations = [migrations.RunPython(forwards, backwards)]
