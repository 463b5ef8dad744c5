"""Every public URL (reading pages, search, feeds, sitemap, survey, API) with fuzzed GET query
parameters and fuzzed path segments: never a 500. The survey POST with random form data: never a
500, and a response row is saved whole (every answer it was given) or not at all.

The patterns are walked from the resolver, so a new public page is fuzzed without a change here;
one with a new kind of argument fails until it gets a value below (as staff/tests/test_permissions.py)."""
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kohoshi.engagement.models import SurveyResponse

pytestmark = pytest.mark.django_db
FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
PRIVATE = ("staff", "admin")
PARAMS = ["q", "page", "pref", "muni", "nl", "cat", "order", "since", "until", "next", "font", "contrast",
          "days", "language", "limit", "format", "sort", "town", "add", "remove"]  # fmt: skip
VALUES = ["", "0", "-1", "1", "99999999999999999999", "1e309", "NaN", "2024-02-30", "9999-12-31", "0001-01-01",
          "012131", "01", "//evil.example", "https://evil.example/", "\x00", "\ud800", "<script>", "あ" * 5000,
          "new", "relevance", "large", "high", "%", "'", "\""]  # fmt: skip
text = st.one_of(st.sampled_from(VALUES), st.text(max_size=40))
query = st.dictionaries(st.one_of(st.sampled_from(PARAMS), st.text(max_size=8)), st.one_of(text, st.lists(text, max_size=3)), max_size=5)


def public_patterns():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                namespace = p.namespace or ""
                if namespace in PRIVATE or str(p.pattern).startswith(PRIVATE):
                    continue
                yield from walk(p.url_patterns, f"{prefix}{namespace}:" if namespace else prefix)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{prefix}{p.name}", tuple(p.pattern.regex.groupindex)

    return sorted(set(walk(get_resolver().url_patterns)))


PATTERNS = public_patterns()


@pytest.fixture
def url_values(issue, article):
    from kohoshi.subscriptions.models import Subscription
    from kohoshi.subscriptions.tokens import token_for

    newsletter = issue.newsletter
    subscription = Subscription.objects.create(email="fuzz@example.jp", status="active")
    subscription.municipalities.add(newsletter.municipality)
    return {
        "code": newsletter.municipality_id, "newsletter": newsletter.slug, "issue": issue.slug,
        "number": article.number, "article_id": article.pk, "figure_id": 1,
        "token": token_for(subscription, "manage"),
        "slug": article.category.slug, "language": "en", "year": issue.published_on.year,
    }  # fmt: skip


def _query_string(params):
    # Lone surrogates go out as the invalid UTF-8 bytes a hostile client would send (%ED%A0%80).
    def q(value):
        return quote(value.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{q(k)}={q(v)}" for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs]))


def _path(name, args, values):
    if name == "newsletters:prefecture":
        values = {**values, "code": values["code"][:2]}
    return reverse(name, kwargs={a: values[a] for a in args})


def test_the_walk_finds_the_public_pages():
    names = {name for name, _ in PATTERNS}
    assert {"newsletters:home", "newsletters:article", "search:search", "engagement:survey", "sitemap"} <= names
    assert not any(n.startswith(("staff:", "admin:")) for n in names)


@pytest.mark.parametrize("name, args", PATTERNS, ids=[n for n, _ in PATTERNS])
@settings(FUZZ, max_examples=25)
@given(params=query)
def test_fuzzed_query_parameters_never_give_a_500(url_values, name, args, params):
    cache.clear()  # the survey's and search misses' rate limits would otherwise answer first
    url = _path(name, args, url_values)
    response = Client(raise_request_exception=False).get(f"{url}?{_query_string(params)}")
    assert response.status_code < 500, (url, params)


@pytest.mark.parametrize("name, args", [(n, a) for n, a in PATTERNS if a], ids=[n for n, a in PATTERNS if a])
@settings(FUZZ, max_examples=15)
@given(data=st.data())
def test_fuzzed_path_segments_never_give_a_500(url_values, name, args, data):
    values = dict(url_values)
    arg = data.draw(st.sampled_from(args))
    segment = data.draw(st.one_of(st.sampled_from(["0", "-1", "99999999999999999999", "999999", "012130", "..", "%2F"]),
                                  st.text(min_size=1, max_size=20)))  # fmt: skip
    url = _path(name, args, values)
    url = url.replace(f"/{quote(str(values[arg]))}/", f"/{quote(segment.encode('utf-8', 'surrogatepass'), safe='')}/", 1)
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code < 500, url


ANSWER_KEYS = ["helpful", "clarity", "comment", "age_band", "area", "website", "csrfmiddlewaretoken"]
ANSWER_VALUES = ["役に立った", "ふつう", "40代", "", "=HYPERLINK(\"x\")", "あ" * 1001, "\ud800", "\x00"]


VALID = {"helpful": "役に立った", "clarity": "ふつう", "comment": "ゴミの日がよくわかりました", "age_band": "40代", "area": ""}


@st.composite
def survey_forms(draw):
    """A valid answer with some fields dropped or replaced, or random fields added."""
    form = {k: v for k, v in VALID.items() if draw(st.integers(0, 4))}
    overrides = st.one_of(st.sampled_from(ANSWER_VALUES), st.text(max_size=30))
    form.update(draw(st.dictionaries(st.one_of(st.sampled_from(ANSWER_KEYS), st.text(max_size=8)), overrides, max_size=3)))
    return form


@settings(FUZZ, max_examples=100)
@given(form=survey_forms())
def test_random_survey_answers_never_give_a_500_nor_half_a_response(article, form):
    cache.clear()
    before = SurveyResponse.objects.count()
    response = Client(raise_request_exception=False).post(
        reverse("engagement:survey", args=[article.pk]), _query_string(form), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500, form
    saved = SurveyResponse.objects.count() - before
    assert saved in (0, 1)
    assert saved == (response.status_code == 302 and not form.get("website"))
