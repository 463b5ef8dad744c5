"""Search: the one public entry, `search_articles`, and the count of searches that found nothing.

Callers see only these functions; the tokenizer (analysis), the query language (query) and the
database-specific index (backends) stay behind them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.safestring import SafeString

from kohoshi.accounts import ratelimit
from kohoshi.newsletters.models import Article, Category
from kohoshi.places.models import Municipality

from . import query as query_language
from .backends import backend_for
from .backends.common import Criteria
from .models import SearchMiss, article_id_of
from .snippets import snippet_html

ORDERS = ("relevance", "newest")
PER_PAGE = 20
# Nobody reads page 50 of a search; deep offsets only cost the database.
MAX_PAGE = 50
# A search looks at no more than the newest MATCH_LIMIT matching articles: the count is exact up
# to it and shown as "1,000件以上" beyond it, and relevance ranks those newest matches. Counting
# and ranking every article that says 市 would make the commonest words the slowest searches
# (see docs/search.md, "Limits on very common words"). Both backends walk their index newest first.
MATCH_LIMIT = 1000


# What no caller of search_articles shows of a hit (the page, the API, the feeds, subscription
# matching): the stored HTML, the timestamps, the source PDF's details, descriptions and kana.
# Not loading them spares parsing some 100 datetimes a page.
RESULT_DEFERRED = (
    "body_html", "pages", "created_at", "updated_at",
    "issue__created_at", "issue__updated_at", "issue__source_pdf", "issue__source_hash",
    "issue__newsletter__created_at", "issue__newsletter__description", "issue__newsletter__credit",
    "issue__newsletter__municipality__kana", "issue__newsletter__municipality__prefecture__kana",
)


@dataclass(frozen=True)
class SearchFilters:
    prefecture: str | None = None  # 2-digit code
    municipality: str | None = None  # 6-digit code
    newsletter: int | None = None  # id
    category: str | None = None  # slug
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return any(v not in (None, "") for v in vars(self).values())


@dataclass(frozen=True)
class SearchHit:
    article: Article
    snippet: SafeString


@dataclass
class SearchResults:
    query: str
    count: int = 0
    hits: list[SearchHit] = field(default_factory=list)
    page: int = 1
    per_page: int = PER_PAGE
    understood: bool = False  # False for an empty query or one with only exclusions
    # True when more than MATCH_LIMIT articles match: `count` is then MATCH_LIMIT, "at least".
    count_is_lower_bound: bool = False

    @property
    def num_pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.count // self.per_page)))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def search_articles(
    query: str,
    *,
    filters: SearchFilters | None = None,
    order: str = "relevance",
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
) -> SearchResults:
    """Published articles matching `query` (see kohoshi.search.query for the language).

    Words are ANDed, "phrases" kept together, OR offers alternatives, -word excludes; an unquoted
    word is also found inside longer words, and one in kana by reading. Order is "relevance"
    (search/ranking.py: exact matches first, title matches weigh 10× body matches) or "newest".
    When more than MATCH_LIMIT articles match, the count is a lower bound and relevance ranks the
    newest MATCH_LIMIT of them. Three queries at most.
    """
    filters = filters or SearchFilters()
    parsed = query_language.parse(query)
    page = min(max(1, page), MAX_PAGE)
    results = SearchResults(query=parsed.text, page=page, per_page=per_page, understood=not parsed.is_empty)
    if parsed.is_empty:
        return results
    criteria = _criteria(filters, now or timezone.now())
    if criteria is None:
        return results
    results.count, results.count_is_lower_bound, ids = _matching_ids(
        parsed, criteria, order=order if order in ORDERS else "relevance", offset=(page - 1) * per_page, limit=per_page
    )
    articles = Article.objects.with_place().defer(*RESULT_DEFERRED).in_bulk(ids)
    phrases = parsed.positive_phrases()
    parts = parsed.loose_words()
    results.hits = [
        SearchHit(article=articles[i], snippet=snippet_html(articles[i].plain_body, phrases, parts=parts))
        for i in ids
        if i in articles
    ]
    return results


def _matching_ids(parsed, criteria: Criteria, *, order: str, offset: int, limit: int) -> tuple[int, bool, list[int]]:
    """(count, count is a lower bound, the article ids of the page): one index query.

    The backend returns the newest MATCH_LIMIT + 1 matches with their scores; ranking them here
    keeps the order the same on both backends: score, then newest first.
    """
    found = backend_for().candidates(connection, parsed, criteria, limit=MATCH_LIMIT + 1, scored=order == "relevance")
    lower_bound = len(found) > MATCH_LIMIT
    found = found[:MATCH_LIMIT]
    if order == "relevance":
        found = sorted(found, key=lambda row: (-row[1], -row[0]))
    return len(found), lower_bound, [article_id_of(key) for key, _ in found[offset : offset + limit]]


def _criteria(filters: SearchFilters, now: datetime) -> Criteria | None:
    """Filters as column values; None when a filter names something that does not exist."""
    category_id = None
    if filters.category:
        category_id = Category.objects.filter(slug=filters.category).values_list("pk", flat=True).first()
        if category_id is None:
            return None
    return Criteria(
        now=now,
        prefecture_id=filters.prefecture or None,
        municipality_id=filters.municipality or None,
        newsletter_id=filters.newsletter or None,
        category_id=category_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


# A query that may carry personal data (a phone or house number, a date of birth, an e-mail
# address, a long sentence) is counted under this label instead of being kept as typed.
MISS_WITHHELD = "(個人情報を含むおそれがあるため記録しない語)"
_PERSONAL = re.compile(r"[0-9０-９]{4,}|[@＠]|[0-9０-９]+[-－ー‐][0-9０-９]+")
MISS_MAX_LENGTH = 30


# Anyone can write here (a search that finds nothing), and staff read it: the writing is bounded.
# - per client: KOHOSHI_SEARCH_MISS_RATE_LIMIT misses per window are recorded (the search is
#   still answered); a reader rarely misses 20 times an hour, a script does it in a second;
# - per municipality and day: MISS_QUERIES_PER_DAY distinct queries are kept, later new ones
#   are counted together under MISS_OTHERS, so a day adds at most MISS_QUERIES_PER_DAY + 1 rows
#   per municipality searched in (and one set for site-wide searches);
# - in time: days older than MISS_KEEP_DAYS are deleted, once a day, by the first miss of a day.
MISS_QUERIES_PER_DAY = 100
MISS_OTHERS = "(その他の語)"
MISS_KEEP_DAYS = 400
MISS_RATE_LIMIT = (20, 3600)


def _miss_allowed(client: str | None) -> bool:
    if client is None:
        return True
    limit, window = getattr(settings, "KOHOSHI_SEARCH_MISS_RATE_LIMIT", MISS_RATE_LIMIT)
    return ratelimit.hits_add("search-miss", client, window=window) <= limit


def search_misses_prune(*, today: date | None = None) -> int:
    """Delete the counts of days older than MISS_KEEP_DAYS; returns the rows deleted."""
    cutoff = (today or timezone.localdate()) - timedelta(days=MISS_KEEP_DAYS)
    deleted, _ = SearchMiss.objects.filter(day__lt=cutoff).delete()
    return deleted


def search_miss_record(
    query: str, *, municipality_code: str | None = None, day: date | None = None, client: str | None = None
) -> None:
    """Count one search that found nothing: query text, municipality searched in, day. Nothing else.

    `client` (ratelimit.client_id of the request) is used only for the per-client allowance, in
    the cache as an HMAC; it is never stored with the count.
    """
    text = query_language.normalize_query(query)
    if not text or not _miss_allowed(client):
        return
    if len(text) > MISS_MAX_LENGTH or _PERSONAL.search(text):
        text = MISS_WITHHELD
    municipality = Municipality.objects.filter(code=municipality_code).first() if municipality_code else None
    today = timezone.localdate()
    day = day or today
    key = {"municipality": municipality, "day": day, "query": text}
    if SearchMiss.objects.filter(**key).update(count=F("count") + 1):
        return
    if SearchMiss.objects.filter(municipality=municipality, day=day).count() >= MISS_QUERIES_PER_DAY:
        key["query"] = MISS_OTHERS
        if SearchMiss.objects.filter(**key).update(count=F("count") + 1):
            return
    SearchMiss.objects.create(**key, count=1)
    if day == today and cache.add(f"kh-search-miss-pruned:{today}", True, timeout=86400):
        search_misses_prune(today=today)


@dataclass(frozen=True)
class MissSummary:
    query: str
    count: int
    last_day: date


def search_misses_for(municipality: Municipality | None, *, since: date, limit: int = 50) -> list[MissSummary]:
    """Queries that found nothing when searching in this municipality (None: site-wide), most frequent first."""
    rows = (
        SearchMiss.objects.filter(municipality=municipality, day__gte=since)
        .values("query")
        .annotate(total=Sum("count"), last_day=Max("day"))
        .order_by("-total", "-last_day", "query")[:limit]
    )
    return [MissSummary(query=r["query"], count=r["total"], last_day=r["last_day"]) for r in rows]
