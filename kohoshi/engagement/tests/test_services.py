import threading
import time
from datetime import date

import pytest

from kohoshi.accounts.policy import SYSTEM
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.utils import timezone

from kohoshi.engagement import services
from kohoshi.engagement.models import ArticleDailyViews, SurveyQuestion
from kohoshi.engagement.questions import survey_questions_for
from kohoshi.engagement import viewbuffer
from kohoshi.engagement.services import (
    article_view_record,
    article_views_flush,
    is_bot_user_agent,
    survey_question_update,
)
from kohoshi.accounts.models import AuditEntry
from kohoshi.newsletters.models import Article
from kohoshi.staff.tests.factories import make_issue

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


def test_view_record_counts_views_per_article_and_day(article):
    for _ in range(3):
        article_view_record(article, user_agent=BROWSER, day=date(2024, 4, 1))
    article_view_record(article, user_agent=BROWSER, day=date(2024, 4, 2))
    assert article_views_flush(everything=True) == 4
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
    article_views_flush(everything=True)
    assert not ArticleDailyViews.objects.exists()


def test_view_record_counts_ordinary_browsers(article):
    assert not is_bot_user_agent(BROWSER)
    assert article_view_record(article, user_agent=BROWSER) is True


def test_view_record_writes_nothing_to_the_database(article, django_assert_num_queries):
    with django_assert_num_queries(0):
        article_view_record(article, user_agent=BROWSER)
    assert viewbuffer.pending() == {(timezone.localdate(), article.pk): 1}


def test_views_are_written_in_batches_and_none_is_lost_across_flushes_and_shutdown(article, monkeypatch):
    day = date(2024, 4, 1)
    for _ in range(3):
        article_view_record(article, user_agent=BROWSER, day=day)
    # The counts a flush closes are written GRACE seconds later, once no reader can still be adding.
    assert article_views_flush() == 0 and not ArticleDailyViews.objects.exists()
    article_view_record(article, user_agent=BROWSER, day=day)
    monkeypatch.setattr(viewbuffer, "GRACE", 0)  # … and that time has passed
    assert article_views_flush() == 4
    article_view_record(article, user_agent=BROWSER, day=day)
    assert ArticleDailyViews.objects.get(article=article).views == 4
    viewbuffer._flush_logged(everything=True)  # what the web server's exit handler runs
    assert ArticleDailyViews.objects.get(article=article).views == 5
    assert not viewbuffer.pending() and article_views_flush(everything=True) == 0


def test_a_flush_the_database_refuses_keeps_the_counts_for_the_next(article, monkeypatch):
    for _ in range(2):
        article_view_record(article, user_agent=BROWSER, day=date(2024, 4, 1))

    def refuse(counts):
        raise OperationalError("database is locked")

    real = viewbuffer._write
    monkeypatch.setattr(viewbuffer, "_write", refuse)
    with pytest.raises(OperationalError):
        article_views_flush(everything=True)
    viewbuffer._flush_logged(everything=True)  # logged, not raised: the flusher thread goes on
    monkeypatch.setattr(viewbuffer, "_write", real)
    article_view_record(article, user_agent=BROWSER, day=date(2024, 4, 1))
    assert article_views_flush(everything=True) == 3
    assert ArticleDailyViews.objects.get(article=article).views == 3


def test_views_of_a_deleted_article_are_dropped_at_the_flush(issue):
    article = issue.articles.first()
    article_view_record(article, user_agent=BROWSER)
    Article.objects.filter(pk=article.pk).delete()
    assert article_views_flush(everything=True) == 1
    assert not ArticleDailyViews.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_view_record_loses_nothing_while_flushes_run_beside_the_readers(monkeypatch):
    from django.db import connections

    monkeypatch.setattr(viewbuffer, "GRACE", 0.5)
    article = make_issue().articles.first()
    threads_n, views_each = 8, 300
    barrier = threading.Barrier(threads_n + 1)
    done = threading.Event()

    def view():
        barrier.wait()
        for _ in range(views_each):
            article_view_record(article, user_agent=BROWSER, day=date(2024, 4, 1))

    def flusher():
        try:
            barrier.wait()
            while not done.is_set():
                article_views_flush()
                time.sleep(0.05)
        finally:
            connections.close_all()

    readers = [threading.Thread(target=view) for _ in range(threads_n)]
    flushing = threading.Thread(target=flusher)
    for t in [*readers, flushing]:
        t.start()
    for t in readers:
        t.join()
    done.set()
    flushing.join()
    article_views_flush(everything=True)
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
