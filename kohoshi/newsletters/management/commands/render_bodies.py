"""Render stored article bodies again after the formatting rules changed (a dry run unless --apply)."""
from django.core.management.base import BaseCommand, CommandError

from kohoshi.newsletters.services import articles_rerender
from kohoshi.places.models import Municipality


class Command(BaseCommand):
    help = "Re-render every article's body_html from its body_source with its municipality (dry run unless --apply)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="only this 6-digit local government code")
        parser.add_argument("--apply", action="store_true", help="save the new HTML (default: only count changes)")

    def handle(self, *args, municipality=None, apply=False, **options):
        town = None
        if municipality:
            town = Municipality.objects.filter(code=municipality).first()
            if town is None:
                raise CommandError(f"no municipality with code {municipality}")
        changed = articles_rerender(municipality=town, apply=apply)
        verb = "re-rendered" if apply else "would change (dry run; --apply to save)"
        self.stdout.write(f"{changed} article bodies {verb}")
