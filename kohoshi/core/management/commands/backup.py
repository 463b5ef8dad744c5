from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kohoshi.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump) and the uploaded files "
        "into a new directory, with manifest.json (sha256 of every file, rows per table)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new or empty directory")
        parser.add_argument("--database", default="default")

    def handle(self, *args, directory: Path, database: str, **options):
        try:
            manifest = backup_create(directory, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest.tables.values())
        media = sum(name.startswith("media/") for name in manifest.files)
        self.stdout.write(
            f"バックアップしました: {directory} ({manifest.vendor}, {len(manifest.tables)} テーブル {rows:,} 行, "
            f"ファイル {media:,} 個)"
        )
