"""PostgreSQL only: search_searchdocument becomes a table partitioned by publication year, its
tsvector gains the token-pair lexemes, and the optional RUM index of 0004 goes (see
search/backends/postgresql.py and docs/search.md). The rows are copied in SQL (the pairs are
made from the stored token streams), so no re-tokenising is needed; on SQLite nothing changes.
"""
import importlib

from django.db import migrations

from kohoshi.search.backends import postgresql

OLD = "search_searchdocument_unpartitioned"
_0002 = importlib.import_module("kohoshi.search.migrations.0002_fulltext_index")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = postgresql.TABLE
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT extract(year FROM published_on)::int FROM {table}")
        years = sorted(row[0] for row in cursor.fetchall())
    schema_editor.execute("DROP INDEX IF EXISTS search_document_vector_rum")
    schema_editor.execute(f"ALTER TABLE {table} RENAME TO {OLD}")
    # Index and constraint names are per schema: the old ones go before the new ones are made.
    schema_editor.execute(f"ALTER TABLE {OLD} DROP COLUMN search_vector")
    for name in ("search_doc_sort_key", *postgresql.FILTER_INDEXES):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT search_searchdocument_pkey")
    schema_editor.execute(postgresql.CREATE_PAIRS_FUNCTION)
    schema_editor.execute(postgresql.CREATE_TABLE)
    for year in years:
        schema_editor.execute(postgresql.create_partition_sql(year))
    columns = postgresql.COLUMNS
    schema_editor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {OLD} ORDER BY sort_key")
    # The new rows' foreign keys checked now, not at commit (a table with pending checks cannot be changed).
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute(f"DROP TABLE {OLD}")
    schema_editor.execute(f"SET LOCAL maintenance_work_mem = '{postgresql.BUILD_MEMORY}'")
    for sql in postgresql.CREATE_INDEXES:
        schema_editor.execute(sql)
    schema_editor.execute(f"ANALYZE {table}")


def backwards(apps, schema_editor):
    """The unpartitioned table of 0004 again (without RUM), the rows copied in SQL."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = postgresql.TABLE
    schema_editor.execute(
        f"CREATE TABLE {OLD} (LIKE {table} INCLUDING DEFAULTS)"
    )
    schema_editor.execute(f"ALTER TABLE {OLD} DROP COLUMN search_vector")
    columns = postgresql.COLUMNS
    schema_editor.execute(f"INSERT INTO {OLD} ({columns}) SELECT {columns} FROM {table}")
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute(f"DROP TABLE {table}")
    schema_editor.execute(f"DROP FUNCTION {postgresql.PAIRS_FUNCTION}(text)")
    schema_editor.execute(f"ALTER TABLE {OLD} RENAME TO {table}")
    schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT search_searchdocument_pkey PRIMARY KEY (article_id)")
    for column, target in postgresql.FOREIGN_KEYS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD FOREIGN KEY ({column}) REFERENCES {target} DEFERRABLE INITIALLY DEFERRED"
        )
    for sql in _0002.PG_SETUP:
        schema_editor.execute(sql)
    schema_editor.execute(f"CREATE INDEX search_doc_sort_key ON {table} (sort_key, published_at)")
    for sql in postgresql.FILTER_INDEXES.values():
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_rum_index")]
    operations = [migrations.RunPython(forwards, backwards)]
