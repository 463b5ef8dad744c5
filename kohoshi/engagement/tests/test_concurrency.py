"""Parallel readers answering surveys against the running server lose no answer and store none twice."""
import re
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
from django.db import connection
from django.urls import reverse

from kohoshi.engagement.models import SurveyResponse
from kohoshi.staff.tests.factories import make_issue

POSTGRES = connection.vendor == "postgresql"
# SQLite's in-memory test database is one connection shared by the live server's threads, so
# requests are serialised there anyway: a smaller run still checks the whole path end to end.
CLIENTS, WORKERS = (200, 32) if POSTGRES else (40, 4)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _answer(base_url: str, survey_path: str, n: int) -> tuple[int, int]:
    """One reader with their own cookie jar: fetch the form, post it, then try to answer again."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    opener.addheaders = [("User-Agent", "Mozilla/5.0 (test reader)")]
    form = opener.open(base_url + survey_path, timeout=30).read().decode()
    data = {
        "csrfmiddlewaretoken": TOKEN.search(form).group(1),
        "helpful": "役に立った",
        "clarity": "わかりやすかった",
        "comment": f"reader-{n}",
    }
    body = urllib.parse.urlencode(data).encode()
    first = opener.open(base_url + survey_path, data=body, timeout=30)
    again = opener.open(base_url + survey_path, data=body, timeout=30)
    return first.status, again.status


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_survey_answers_are_each_stored_exactly_once(live_server, settings):
    settings.KOHOSHI_SURVEY_RATE_LIMIT = (10_000, 600)  # every client comes from 127.0.0.1
    articles = list(make_issue(n_articles=4).articles.order_by("position"))
    paths = [reverse("engagement:survey", args=[a.pk]) for a in articles]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(lambda n: _answer(live_server.url, paths[n % len(paths)], n), range(CLIENTS)))

    assert results == [(200, 200)] * CLIENTS  # the thank-you page, then "already answered"
    comments = Counter(SurveyResponse.objects.values_list("comment", flat=True))
    assert comments == Counter(f"reader-{n}" for n in range(CLIENTS))
    per_article = Counter(SurveyResponse.objects.values_list("article_id", flat=True))
    assert per_article == Counter({a.pk: CLIENTS // len(articles) for a in articles})
