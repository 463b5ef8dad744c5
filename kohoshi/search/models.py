from django.db import models
from django.utils.translation import gettext_lazy as _

from kohoshi.newsletters.models import Article, Category, Newsletter
from kohoshi.places.models import Municipality, Prefecture


class SearchDocument(models.Model):
    """One article as the index sees it: its token streams and what results are filtered by.

    Written only by kohoshi.search.indexing. The database keeps its full-text structure in step
    with these rows (SQLite: an FTS5 table fed by triggers; PostgreSQL: a generated tsvector
    column with a GIN index), so a row written is a row findable, in the same transaction.
    Publication is copied from the issue and checked at query time, so a scheduled issue
    becomes findable when its time comes without touching the index.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="+")
    title_tokens = models.TextField()
    body_tokens = models.TextField()
    # Null unless the issue is published; public from this moment on.
    published_at = models.DateTimeField(null=True)
    published_on = models.DateField()
    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+", db_index=False)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+", db_index=False)
    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_index=False)
    # (published_on, article) as one integer (see sort_key_for): the order "newest" means, and
    # on SQLite the FTS5 rowid, so the index itself can be walked newest first.
    sort_key = models.BigIntegerField(default=0)
    # The filter values as index tokens (p_14 m_142123 n_7 c_3): on SQLite the filters are
    # answered by the FTS5 index with the words. Never produced by analysis (no "_" there).
    filter_tokens = models.TextField(default="")

    class Meta:
        indexes = [models.Index(fields=["sort_key", "published_at"], name="search_doc_sort_key")]
        verbose_name = _("検索用文書")
        verbose_name_plural = _("検索用文書")


# Article ids stay below this; the day is above it.
SORT_KEY_SPAN = 10**10


def sort_key_for(published_on, article_id: int) -> int:
    return published_on.toordinal() * SORT_KEY_SPAN + article_id


def article_id_of(sort_key: int) -> int:
    return sort_key % SORT_KEY_SPAN


def filter_tokens_for(*, prefecture_id, municipality_id, newsletter_id, category_id) -> str:
    return f"p_{prefecture_id} m_{municipality_id} n_{newsletter_id} c_{category_id}"


class SearchMiss(models.Model):
    """How often a query found nothing, per municipality searched in (null: all) and day.

    Only the query text and a count are kept: no user, session, address or time of day. Two
    requests racing on a new row may leave two rows for one key; readers sum them.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, null=True, related_name="+")
    day = models.DateField(_("日付"))
    query = models.CharField(_("検索語"), max_length=100)
    count = models.PositiveIntegerField(_("件数"), default=0)

    class Meta:
        verbose_name = _("ヒットしなかった検索")
        verbose_name_plural = _("ヒットしなかった検索")
        indexes = [models.Index(fields=["municipality", "day"])]
