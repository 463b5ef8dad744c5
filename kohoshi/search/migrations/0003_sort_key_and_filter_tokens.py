"""sort_key (publication day, article id) and filter_tokens on every document; on SQLite the
FTS5 table is made again with sort_key as its rowid and the filter tokens as a third column,
on PostgreSQL each filter column gets a (column, sort_key) index. Existing rows are filled in
SQL (the same values indexing.py writes), so no re-tokenising is needed."""
import importlib

from django.db import migrations, models

from kohoshi.search.backends import postgresql, sqlite

_0002_sql = importlib.import_module("kohoshi.search.migrations.0002_fulltext_index")

# date.toordinal() in SQL, for the rows already there.
_ORDINAL = {
    "sqlite": "CAST(julianday(published_on) - 1721424.5 AS INTEGER)",
    "postgresql": "(published_on - DATE '0001-01-01' + 1)",
}
_FILL = (
    "UPDATE search_searchdocument SET sort_key = {ordinal} * 10000000000 + article_id, "
    "filter_tokens = 'p_' || prefecture_id || ' m_' || municipality_id || ' n_' || newsletter_id "
    "|| ' c_' || category_id"
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in _ORDINAL:
        return
    if vendor == "sqlite":
        for sql in _0002_sql.SQLITE_TEARDOWN:
            schema_editor.execute(sql)
    schema_editor.execute(_FILL.format(ordinal=_ORDINAL[vendor]))
    if vendor == "sqlite":
        for sql in sqlite.SETUP:
            schema_editor.execute(sql)
        schema_editor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    else:
        for sql in postgresql.FILTER_INDEXES.values():
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in sqlite.TEARDOWN:
            schema_editor.execute(sql)
        for sql in _0002_sql.SQLITE_SETUP:
            schema_editor.execute(sql)
        schema_editor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    elif vendor == "postgresql":
        for name in postgresql.FILTER_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_index")]
    operations = [
        migrations.AddField("searchdocument", "sort_key", models.BigIntegerField(default=0)),
        migrations.AddField("searchdocument", "filter_tokens", models.TextField(default="")),
        migrations.AddIndex(
            "searchdocument", models.Index(fields=["sort_key", "published_at"], name="search_doc_sort_key")
        ),
        migrations.RunPython(forwards, backwards),
    ]
