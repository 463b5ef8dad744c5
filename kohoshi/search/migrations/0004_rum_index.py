"""PostgreSQL only, optional: a RUM index over search_vector with sort_key attached, which returns
the matches newest first (see search/backends/postgresql.py). Created only when the server has
the rum extension (Debian: postgresql-15-rum) and the migrating role may create it; otherwise
nothing happens and the GIN index answers alone. KOHOSHI_SEARCH_PG_RUM=0 skips it.
Run this migration again later (migrate search 0003, then migrate) to add the index once the
extension is installed."""
from django.db import migrations

from kohoshi.search.backends import postgresql


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not postgresql.rum_available(connection):
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {postgresql.RUM_INDEX}")
    schema_editor.execute(postgresql.CREATE_RUM_INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {postgresql.RUM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_sort_key_and_filter_tokens")]
    operations = [migrations.RunPython(forwards, backwards)]
