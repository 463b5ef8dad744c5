import json

from django.core.management.base import BaseCommand, CommandError

from kohoshi.ingest.services import files_import


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")

    def handle(self, *args, files, **options):
        report = files_import(files, kind=self.kind)
        for error in report.errors:
            self.stderr.write(f"error: {error}")
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        if report.errors:
            raise CommandError(f"{len(report.errors)} 件のエラーがあり、その号は取り込まれませんでした")
