"""Once the optional RUM index over search_vector (PostgreSQL with the rum extension). Migration
0005 replaced it with a table partitioned by year and token-pair lexemes, which answer faster with
GIN alone (docs/search.md), and drops the RUM index where this migration had made it; so this
migration now does nothing, and stays for the migration history."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0003_sort_key_and_filter_tokens")]
    operations = []
