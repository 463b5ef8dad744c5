import json

from django.core.management.base import BaseCommand, CommandError

from kohoshi.ingest.services import files_import


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument(
            "--credit",
            default=None,
            help="出典・ライセンス表示 shown under every article of the newsletters imported (e.g. CC BY 4.0 credit)",
        )

    def handle(self, *args, files, credit, **options):
        report = files_import(files, kind=self.kind, credit=credit)
        for error in report.errors:
            self.stderr.write(f"error: {error}")
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        if report.errors:
            raise CommandError(f"{len(report.errors)} 件のエラーがあり、その号は取り込まれませんでした")
