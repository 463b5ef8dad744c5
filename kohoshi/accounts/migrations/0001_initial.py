"""Membership and AuditEntry move here from the staff app. Their tables keep their names
(staff_membership, staff_auditentry): only Django's state moves, so an existing database migrates
in place without copying a row."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _content_types_relabel(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("membership", "auditentry"):
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_move(apps, schema_editor):
    _content_types_relabel(apps, "staff", "accounts")


def content_types_back(apps, schema_editor):
    _content_types_relabel(apps, "accounts", "staff")


state_operations = [
    migrations.CreateModel(
        name='AuditEntry',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('action', models.CharField(max_length=40, verbose_name='操作')),
            ('target_type', models.CharField(max_length=40)),
            ('target_id', models.CharField(max_length=40)),
            ('summary', models.CharField(blank=True, max_length=500, verbose_name='内容')),
            ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
            ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ('municipality', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audit_entries', to='places.municipality')),
        ],
        options={
            'db_table': 'staff_auditentry',
            'verbose_name': '操作記録',
            'verbose_name_plural': '操作記録',
            'ordering': ['-created_at', '-pk'],
        },
    ),
    migrations.CreateModel(
        name='Membership',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('role', models.CharField(choices=[('viewer', '閲覧'), ('editor', '編集'), ('publisher', '公開')], default='viewer', max_length=12, verbose_name='権限')),
            ('created_at', models.DateTimeField(auto_now_add=True)),
            ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='places.municipality')),
            ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
        ],
        options={
            'db_table': 'staff_membership',
            'verbose_name': '担当者',
            'verbose_name_plural': '担当者',
            'constraints': [models.UniqueConstraint(fields=('user', 'municipality'), name='membership_unique'), models.CheckConstraint(condition=models.Q(('role__in', ['viewer', 'editor', 'publisher'])), name='membership_role_valid')],
        },
    ),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("places", "0002_load_local_governments"),
        ("staff", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
        migrations.RunPython(content_types_move, content_types_back),
    ]
