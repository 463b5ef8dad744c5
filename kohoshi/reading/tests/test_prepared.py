"""kohoshi.reading.prepared: a queryset compiled once answers as the queryset itself would, for
every call's values, on SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kohoshi.newsletters.models import Article, Figure, Issue, Newsletter
from kohoshi.reading.prepared import Prepared
from kohoshi.staff.tests.factories import SAPPORO, TOMAKOMAI, make_issue

pytestmark = pytest.mark.django_db


def article_lookup(code, newsletter, issue, number, now):
    return (
        Article.objects.published(now).with_place()
        .annotate(has_figures=Exists(Figure.objects.filter(article=OuterRef("pk"))))
        .filter(issue__newsletter__municipality_id=code, issue__newsletter__slug=newsletter, issue__slug=issue,
                number=number)
    )


def prepared_lookup(built: list) -> Prepared:
    def build(**values):
        built.append(values)
        return article_lookup(**values)

    return Prepared(
        build, code=Newsletter._meta.get_field("municipality"), newsletter=Newsletter._meta.get_field("slug"),
        issue=Issue._meta.get_field("slug"), number=Article._meta.get_field("number"),
        now=Issue._meta.get_field("published_at"),
    )


def test_each_call_answers_what_the_queryset_answers_with_its_related_rows_in_one_query():
    first, second = make_issue(TOMAKOMAI, day=1), make_issue(SAPPORO, day=2, n_articles=4)
    built = []
    lookup = prepared_lookup(built)
    now = timezone.now()
    for edition in (first, second, first):
        for item in edition.articles.all():
            values = dict(code=edition.newsletter.municipality_id, newsletter=edition.newsletter.slug,
                          issue=edition.slug, number=item.number, now=now)
            with CaptureQueriesContext(connection) as queries:
                (got,) = lookup(**values)
                # issue, newsletter, town and prefecture came with the article: no more queries
                place = (got.issue.title, got.issue.newsletter.title, got.issue.newsletter.municipality.name,
                         got.issue.newsletter.municipality.prefecture.name, got.category.name)
            assert len(queries) == 1
            (expected,) = article_lookup(**values)
            assert got.pk == expected.pk == item.pk
            assert (got.title, got.body_html, got.has_figures) == (expected.title, expected.body_html, False)
            assert place == (expected.issue.title, expected.issue.newsletter.title,
                             expected.issue.newsletter.municipality.name,
                             expected.issue.newsletter.municipality.prefecture.name, expected.category.name)
    assert len(built) == 1  # compiled once; every later call only ran it


def test_a_time_value_is_the_calls_own_and_values_that_match_nothing_give_nothing():
    edition = make_issue(TOMAKOMAI, day=1)
    Issue.objects.filter(pk=edition.pk).update(published_at=timezone.now() + timedelta(hours=1))
    lookup = prepared_lookup([])
    values = dict(code=TOMAKOMAI, newsletter=edition.newsletter.slug, issue=edition.slug, number=1)
    assert lookup(**values, now=timezone.now()) == []  # not yet published
    assert [a.number for a in lookup(**values, now=timezone.now() + timedelta(hours=2))] == [1]
    assert lookup(**{**values, "number": 99}, now=timezone.now() + timedelta(hours=2)) == []
    assert lookup(**{**values, "code": SAPPORO}, now=timezone.now() + timedelta(hours=2)) == []
    # Beyond the column's range: Django's own lookup answers no row; so does this, without an error.
    assert lookup(**{**values, "number": 10**20}, now=timezone.now() + timedelta(hours=2)) == []
    assert list(article_lookup(**{**values, "number": 10**20}, now=timezone.now())) == []


def test_values_querysets_give_dicts_in_the_querysets_order():
    edition = make_issue(TOMAKOMAI, day=1, n_articles=4)
    Article.objects.filter(issue=edition, number=1).update(position=9)
    siblings = Prepared(
        lambda issue: Article.objects.filter(issue=issue).order_by("position").values("number", "title"),
        issue=Article._meta.get_field("issue"),
    )
    assert siblings(issue=edition.pk) == list(
        Article.objects.filter(issue=edition).order_by("position").values("number", "title"))
    assert [row["number"] for row in siblings(issue=edition.pk)] == [2, 3, 4, 1]
    assert siblings(issue=edition.pk + 1000) == []


def test_a_value_that_never_reaches_the_sql_is_refused_when_compiled():
    lookup = Prepared(lambda issue: Article.objects.all(), issue=Article._meta.get_field("issue"))
    with pytest.raises(ValueError, match="'issue' does not reach the SQL"):
        lookup(issue=1)
    with pytest.raises(TypeError, match="takes"):
        prepared_lookup([])(code=TOMAKOMAI)
