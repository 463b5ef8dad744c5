from django.core.management.base import BaseCommand

from kohoshi.newsletters.models import Article, Issue
from kohoshi.reading_aids import services


class Command(BaseCommand):
    help = (
        "ふりがな(と読み上げ音声)を既存の記事について作る / compute furigana for articles that have none or "
        "whose text changed; with --audio, also queue audio for published articles. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="only this municipality (6-digit code)")
        parser.add_argument("--audio", action="store_true", help="also make the audio of published articles")
        parser.add_argument("--now", action="store_true", help="make audio here, not through the task queue")

    def handle(self, *args, municipality=None, audio=False, now=False, **options):
        articles = Article.objects.all()
        if municipality:
            articles = articles.filter(issue__newsletter__municipality_id=municipality)
        furigana = services.furigana_refresh_articles(articles.order_by("pk"))
        self.stdout.write(f"furigana computed: {furigana} of {articles.count()} articles")
        if audio:
            ids = list(articles.filter(issue__status=Issue.Status.PUBLISHED).values_list("pk", flat=True))
            if now:
                statuses = [services.audio_make(pk) for pk in ids]
                self.stdout.write(f"audio: {statuses.count('ready')} ready, {statuses.count('failed')} failed")
            else:
                services.audio_refresh_articles(ids)
                self.stdout.write(f"audio queued: {len(ids)} articles")
