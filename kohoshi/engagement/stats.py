"""Read-only selectors for reading statistics and survey results."""
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from kohoshi.newsletters.models import Article, Issue

from .models import ArticleDailyViews, SurveyResponse

MOST_READ_DAYS = 30


def most_read_articles(municipality, *, days: int = MOST_READ_DAYS, limit: int = 5) -> list[Article]:
    """The municipality's public articles with the most views in the last `days` days.

    Counted from the recent view rows (the `day` index), not from the town's articles: a town with
    20,000 articles made the municipality page take 109 ms at 1M articles (bench/web/large.py).
    """
    since = timezone.localdate() - timedelta(days=days - 1)
    ranked = list(
        ArticleDailyViews.objects.filter(
            day__gte=since, article__in=Article.objects.published().for_municipality(municipality)
        )
        .values("article")
        .annotate(n=Sum("views"))
        .filter(n__gt=0)
        .order_by("-n", "-article")[:limit]
    )
    articles = Article.objects.select_related("issue__newsletter").in_bulk([row["article"] for row in ranked])
    out = []
    for row in ranked:
        article = articles[row["article"]]
        article.recent_views = row["n"]
        out.append(article)
    return out


def _int_subquery(queryset, field: str):
    return Coalesce(Subquery(queryset.values(field)[:1], output_field=IntegerField()), 0)


def _views_subquery(outer: str, since: date):
    """Views since `since` of the article (or issue) in OuterRef(outer), as a correlated subquery.

    Subqueries rather than joins: summing views and counting responses in one joined query would
    multiply one by the other.
    """
    rows = ArticleDailyViews.objects.filter(**{outer: OuterRef("pk")}, day__gte=since)
    return _int_subquery(rows.order_by().values(outer).annotate(n=Sum("views")), "n")


def _responses_subquery(outer: str, since: date):
    rows = SurveyResponse.objects.filter(**{outer: OuterRef("pk")}, created_at__date__gte=since)
    return _int_subquery(rows.order_by().values(outer).annotate(n=Count("pk")), "n")


def articles_with_stats(municipality, *, since: date):
    """All the municipality's articles (public or not) with `views` and `responses` since `since`."""
    return (
        Article.objects.for_municipality(municipality)
        .select_related("issue__newsletter")
        .annotate(views=_views_subquery("article", since), responses=_responses_subquery("article", since))
    )


def issues_with_stats(municipality, *, since: date):
    return (
        Issue.objects.for_municipality(municipality)
        .select_related("newsletter")
        .annotate(
            views=_views_subquery("article__issue", since),
            responses=_responses_subquery("article__issue", since),
        )
    )


def views_per_day(views_queryset, *, since: date, until: date) -> list[tuple[date, int]]:
    """Daily totals from `since` to `until`, days without views included as 0."""
    totals = {row["day"]: row["total"] for row in views_queryset.filter(day__gte=since, day__lte=until).per_day()}
    days = (until - since).days + 1
    return [(since + timedelta(d), totals.get(since + timedelta(d), 0)) for d in range(days)]


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float  # 0..1 of the total


def answer_distribution(responses, field: str, choices) -> list[Bar]:
    """Counts per choice in the question's order; answers to choices since removed come last."""
    counts = {
        row[field]: row["n"]
        for row in responses.exclude(**{field: ""}).order_by().values(field).annotate(n=Count("pk"))
    }
    labels = [*choices, *sorted(set(counts) - set(choices))]
    total = sum(counts.values()) or 1
    return [Bar(label, counts.get(label, 0), counts.get(label, 0) / total) for label in labels]


def responses_for(municipality):
    return SurveyResponse.objects.for_municipality(municipality)
