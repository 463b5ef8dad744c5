import threading
from datetime import date

import pytest

from kohoshi.accounts.policy import SYSTEM
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from kohoshi.engagement import services
from kohoshi.engagement.models import ArticleDailyViews, SurveyQuestion
from kohoshi.engagement.questions import survey_questions_for
from kohoshi.engagement.services import article_view_record, is_bot_user_agent, survey_question_update
from kohoshi.accounts.models import AuditEntry
from kohoshi.staff.tests.factories import make_issue

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


def test_view_record_counts_views_per_article_and_day(article):
    for _ in range(3):
        article_view_record(article, user_agent=BROWSER, day=date(2024, 4, 1))
    article_view_record(article, user_agent=BROWSER, day=date(2024, 4, 2))
    rows = dict(ArticleDailyViews.objects.filter(article=article).values_list("day", "views"))
    assert rows == {date(2024, 4, 1): 3, date(2024, 4, 2): 1}


@pytest.mark.parametrize(
    "user_agent",
    ["", "Googlebot/2.1 (+http://www.google.com/bot.html)", "Mozilla/5.0 (compatible; bingbot/2.0)",
     "curl/8.5.0", "Python-urllib/3.11", "facebookexternalhit/1.1", "Mozilla/5.0 HeadlessChrome/120.0"],
)
def test_view_record_ignores_bots_and_empty_user_agents(article, user_agent):
    assert is_bot_user_agent(user_agent)
    assert article_view_record(article, user_agent=user_agent) is False
    assert not ArticleDailyViews.objects.exists()


def test_view_record_counts_ordinary_browsers(article):
    assert not is_bot_user_agent(BROWSER)
    assert article_view_record(article, user_agent=BROWSER) is True


def test_article_page_is_served_when_the_view_cannot_be_written(article, client, monkeypatch, caplog):
    """Found by the soak (issue 12): on SQLite an import held the write lock past busy_timeout
    and the reader got a 500 for a view count."""
    def locked(*args):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "_views_add", locked)
    assert article_view_record(article, user_agent=BROWSER) is False
    response = client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert "not counted: database is locked" in caplog.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: no race to lose")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_view_record_loses_nothing_under_concurrent_first_views():
    from django.db import connections

    article = make_issue().articles.first()
    threads_n, views_each = 16, 25
    barrier = threading.Barrier(threads_n)

    def view():
        try:
            barrier.wait()
            for _ in range(views_each):
                article_view_record(article, user_agent=BROWSER, day=date(2024, 4, 1))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=view) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ArticleDailyViews.objects.get(article=article).views == threads_n * views_each


def test_questions_default_until_a_municipality_rewords_them(issue):
    town = issue.newsletter.municipality
    helpful = survey_questions_for(town)[0]
    assert helpful.key == "helpful" and helpful.required and 3 <= len(helpful.choices) <= 5

    survey_question_update(town, key="helpful", text="参考になりましたか", choices=["はい", "少し", "いいえ", "わからない"],
                           enabled=True, by=SYSTEM)
    helpful = survey_questions_for(town)[0]
    assert helpful.text == "参考になりましたか"
    assert helpful.choices == ("はい", "少し", "いいえ", "わからない")
    assert AuditEntry.objects.filter(municipality=town, action="survey.question").count() == 1


@pytest.mark.parametrize("choices", [["はい", "いいえ"], ["1", "2", "3", "4", "5", "6"]])
def test_question_update_refuses_rating_scale_outside_3_to_5(issue, choices):
    with pytest.raises(ValidationError):
        survey_question_update(issue.newsletter.municipality, key="clarity", text="", choices=choices,
                               enabled=True, by=SYSTEM)
    assert not SurveyQuestion.objects.exists()


def test_optional_question_can_be_switched_off(issue):
    town = issue.newsletter.municipality
    survey_question_update(town, key="area", text="地区", choices=["東部", "西部"], enabled=False, by=SYSTEM)
    area = next(q for q in survey_questions_for(town) if q.key == "area")
    assert not area.enabled and area.choices == ("東部", "西部")
