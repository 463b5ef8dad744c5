"""Membership and AuditEntry now belong to the accounts app (its 0001 takes them over, tables
and all); here they only leave the staff app's state. No table is dropped."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("staff", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEntry"),
                migrations.DeleteModel(name="Membership"),
            ],
            database_operations=[],
        ),
    ]
