"""Render stored article bodies again after the formatting rules changed (a dry run unless --apply)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from kohoshi.newsletters.formatting import render_body
from kohoshi.newsletters.models import Article


class Command(BaseCommand):
    help = "Re-render every article's body_html from its body_source with its municipality (dry run unless --apply)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="only this 6-digit local government code")
        parser.add_argument("--apply", action="store_true", help="save the new HTML (default: only count changes)")

    def handle(self, *args, municipality=None, apply=False, **options):
        articles = Article.objects.select_related("issue__newsletter__municipality__prefecture").order_by("pk")
        if municipality:
            articles = articles.filter(issue__newsletter__municipality__code=municipality)
        changed = 0
        with transaction.atomic():
            for article in articles.iterator(chunk_size=500):
                html = render_body(article.body_source, municipality=article.issue.newsletter.municipality)
                if html != article.body_html:
                    changed += 1
                    if apply:
                        article.body_html = html
                        article.save(update_fields=["body_html", "updated_at"])
        verb = "re-rendered" if apply else "would change (dry run; --apply to save)"
        self.stdout.write(f"{changed} article bodies {verb}")
