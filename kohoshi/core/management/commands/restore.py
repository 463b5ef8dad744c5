from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kohoshi.core.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore a `kohoshi backup` directory into an empty database and MEDIA_ROOT (checked against its "
        "manifest before and after). --force replaces a database and files that are already there."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--force", action="store_true",
            help="restore over a database that has tables; the files already in MEDIA_ROOT are moved aside",
        )
        parser.add_argument("--check", action="store_true", help="only verify the backup against its manifest")
        parser.add_argument("--database", default="default")

    def handle(self, *args, directory: Path, force: bool, check: bool, database: str, **options):
        try:
            if check:
                manifest = backup_verify(directory)
                self.stdout.write(f"バックアップは完全です: {directory} ({len(manifest.files)} ファイル)")
                return
            manifest = backup_restore(directory, force=force, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"戻しました: {directory} ({manifest.created_at} のバックアップ, {sum(manifest.tables.values()):,} 行)"
        )
