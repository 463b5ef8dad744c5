"""The database-specific full-text structure over search_searchdocument (see search/backends)."""
from django.db import migrations

from kohoshi.search.backends import postgresql, sqlite

_SQL = {"sqlite": (sqlite.SETUP, sqlite.TEARDOWN), "postgresql": (postgresql.SETUP, postgresql.TEARDOWN)}


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
