"""sort_key (publication day, article id) and filter_tokens on every document; on SQLite the
FTS5 table is made again with sort_key as its rowid and the filter tokens as a third column,
on PostgreSQL each filter column gets a (column, sort_key) index. Existing rows are filled in
SQL (the same values indexing.py writes), so no re-tokenising is needed.

The statements are frozen here as the backends made them when this migration was written:
a later change to search/backends must not change what this migration did.
"""
import importlib

from django.db import migrations, models

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

SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title_tokens, body_tokens, filter_tokens, content='search_searchdocument', content_rowid='sort_key', "
    "tokenize=\"ascii tokenchars '_'\", detail=full)",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_tokens, body_tokens, filter_tokens) VALUES (new.sort_key, new.title_tokens, new.body_tokens, new.filter_tokens);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens, filter_tokens) VALUES ('delete', old.sort_key, old.title_tokens, old.body_tokens, old.filter_tokens);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens, filter_tokens) VALUES ('delete', old.sort_key, old.title_tokens, old.body_tokens, old.filter_tokens);
        INSERT INTO search_fts(rowid, title_tokens, body_tokens, filter_tokens) VALUES (new.sort_key, new.title_tokens, new.body_tokens, new.filter_tokens);
    END""",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
]
PG_FILTER_INDEXES = {
    "search_document_prefecture_id_sort":
        "CREATE INDEX search_document_prefecture_id_sort ON search_searchdocument (prefecture_id, sort_key)",
    "search_document_municipality_id_sort":
        "CREATE INDEX search_document_municipality_id_sort ON search_searchdocument (municipality_id, sort_key)",
    "search_document_newsletter_id_sort":
        "CREATE INDEX search_document_newsletter_id_sort ON search_searchdocument (newsletter_id, sort_key)",
    "search_document_category_id_sort":
        "CREATE INDEX search_document_category_id_sort ON search_searchdocument (category_id, sort_key)",
}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in _ORDINAL:
        return
    if vendor == "sqlite":
        for sql in _0002_sql.SQLITE_TEARDOWN:
            schema_editor.execute(sql)
    schema_editor.execute(_FILL.format(ordinal=_ORDINAL[vendor]))
    if vendor == "sqlite":
        for sql in SQLITE_SETUP:
            schema_editor.execute(sql)
        schema_editor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    else:
        for sql in PG_FILTER_INDEXES.values():
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE_TEARDOWN:
            schema_editor.execute(sql)
        for sql in _0002_sql.SQLITE_SETUP:
            schema_editor.execute(sql)
        schema_editor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    elif vendor == "postgresql":
        for name in PG_FILTER_INDEXES:
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
