"""The API's result URLs point at the address the client used unless KOHOSHI_SITE_URL names one."""

import pytest
from django.utils import timezone

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.services import ArticleInput, IssueInput, issue_import
from kohoshi.places.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    issue = issue_import(
        IssueInput(
            municipality=Municipality.objects.get(code="012131"),
            newsletter_title="広報テスト",
            title="広報テスト 第1号",
            number="第1号",
            published_on=timezone.localdate().replace(day=1),
            articles=[ArticleInput(title="防災訓練のお知らせ", category="くらし", body="防災訓練を行います。")],
        ),
        by=SYSTEM,
    ).issue
    return issue.articles.get()


def test_search_results_link_to_the_port_the_demo_serves_on(client, settings, article):
    settings.SITE_URL = ""
    results = client.get("/api/v1/search", {"q": "防災訓練"}, HTTP_HOST="127.0.0.1:18601").json()["results"]
    assert results[0]["url"] == "http://127.0.0.1:18601" + article.get_absolute_url()


def test_search_results_use_the_configured_site_url(client, settings, article):
    settings.SITE_URL = "https://koho.example.jp"
    results = client.get("/api/v1/search", {"q": "防災訓練"}, HTTP_HOST="127.0.0.1:18601").json()["results"]
    assert results[0]["url"] == "https://koho.example.jp" + article.get_absolute_url()
