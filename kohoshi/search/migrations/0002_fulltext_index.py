"""The database-specific full-text structure over search_searchdocument (see search/backends).

The statements are the first version's, kept here as they were: 0003 replaces the SQLite ones,
0005 the PostgreSQL ones.
"""
from django.db import migrations

_PG_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_tokens), 'D')"
)
PG_SETUP = [
    f"ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({_PG_VECTOR}) STORED",
    "CREATE INDEX search_document_vector_gin ON search_searchdocument USING gin (search_vector)",
]
PG_TEARDOWN = [
    "DROP INDEX IF EXISTS search_document_vector_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
]

_SQLITE_TRIGGERS = [
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
SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title_tokens, body_tokens, content='search_searchdocument', content_rowid='article_id', "
    "tokenize='ascii', detail=full)",
    *_SQLITE_TRIGGERS,
]
SQLITE_TEARDOWN = [
    *(f"DROP TRIGGER IF EXISTS search_fts_{n}" for n in ("insert", "delete", "update")),
    "DROP TABLE IF EXISTS search_fts",
]

_SQL = {"sqlite": (SQLITE_SETUP, SQLITE_TEARDOWN), "postgresql": (PG_SETUP, PG_TEARDOWN)}


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    _run(schema_editor, _SQL.get(schema_editor.connection.vendor, ((), ()))[0])


def backwards(apps, schema_editor):
    _run(schema_editor, _SQL.get(schema_editor.connection.vendor, ((), ()))[1])


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
