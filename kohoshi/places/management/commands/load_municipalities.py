import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kohoshi.places.services import DATA_FILE, municipalities_load


class Command(BaseCommand):
    help = "Load or refresh the 47 prefectures and 1,741 municipalities (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DATA_FILE))

    def handle(self, *args, file, **options):
        try:
            result = municipalities_load(file)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        self.stdout.write(json.dumps(result))
