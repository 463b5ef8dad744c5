"""What bumps the page cache's versions (kohoshi.reading.pagecache): connected in ReadingConfig.ready."""
import logging

from kohoshi.engagement.signals import views_written
from kohoshi.newsletters.models import Article, Issue, Newsletter
from kohoshi.newsletters.signals import issue_changed
from kohoshi.places.models import Municipality, Prefecture
from kohoshi.reading_aids.models import ArticleAudio, ArticleFurigana, ArticleTranslation

from . import pagecache

logger = logging.getLogger(__name__)

# Events that change which issues are public (lists everywhere) besides the issue's own pages.
_LISTED = {"import", "publish", "schedule", "unpublish"}


def on_issue_changed(sender, issue_id, event, **kwargs):
    row = (
        Issue.objects.filter(pk=issue_id)
        .values_list("newsletter__municipality_id", "newsletter__slug", "slug")
        .first()
    )
    if row is None:
        pagecache.bump("site")  # gone: whatever listed it must be rendered again
        return
    code, newsletter, slug = row
    scopes = [pagecache.issue_scope(code, newsletter, slug)]
    if event != "rerender":  # titles, order, categories: the municipality's lists show them
        scopes += [pagecache.municipality_scope(code), pagecache.most_read_scope(code)]
    if event in _LISTED:
        scopes.append("site")
    pagecache.bump(*scopes)


def on_aid_saved(sender, instance, **kwargs):
    """Furigana, audio or a translation made in the background: the article's page shows them
    (or its player) from now on, so its issue's pages (its translated pages too) are rendered again."""
    row = (
        Article.objects.filter(pk=instance.article_id)
        .values_list("issue__newsletter__municipality_id", "issue__newsletter__slug", "issue__slug")
        .first()
    )
    if row is not None:
        pagecache.bump(pagecache.issue_scope(*row))


def on_place_saved(sender, **kwargs):
    pagecache.bump("places")


def on_views_written(sender, article_ids, **kwargs):
    codes = set(
        Article.objects.filter(pk__in=article_ids)
        .values_list("issue__newsletter__municipality_id", flat=True).distinct()
    )
    if codes:
        pagecache.bump(*(pagecache.most_read_scope(c) for c in codes))


def connect():
    from django.db.models.signals import post_delete, post_save

    issue_changed.connect(on_issue_changed, dispatch_uid="kohoshi.reading.pagecache.issue")
    views_written.connect(on_views_written, dispatch_uid="kohoshi.reading.pagecache.views")
    for model in (ArticleAudio, ArticleFurigana, ArticleTranslation):
        post_save.connect(on_aid_saved, sender=model, dispatch_uid=f"kohoshi.reading.pagecache.{model.__name__}")
    for model in (Prefecture, Municipality, Newsletter):
        post_save.connect(on_place_saved, sender=model, dispatch_uid=f"kohoshi.reading.pagecache.{model.__name__}")
        post_delete.connect(on_place_saved, sender=model, dispatch_uid=f"kohoshi.reading.pagecache.{model.__name__}.d")
