from django.core.management.base import BaseCommand, CommandError

from kohoshi.accounts.policy import SYSTEM
from kohoshi.engagement.exports import survey_responses_csv
from kohoshi.places.models import Municipality

class Command(BaseCommand):
    help = "Print a municipality's survey (アンケート) responses as CSV on standard output."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="6-digit local government code, e.g. 012131")

    def handle(self, *args, municipality, **options):
        town = Municipality.objects.filter(code=municipality).first()
        if town is None:
            raise CommandError(f"no municipality with code {municipality}")
        count = survey_responses_csv(town, self.stdout, by=SYSTEM)
        self.stderr.write(f"{count} responses", ending="\n")
