import re

import pytest

from kohoshi.accounts.policy import SYSTEM
from django.test import Client
from django.urls import reverse

from kohoshi.engagement.models import ArticleDailyViews, SurveyResponse
from kohoshi.engagement.services import article_views_flush
from kohoshi.engagement.services import survey_question_update
from kohoshi.engagement.views import ANSWERED_COOKIE
from kohoshi.newsletters.services import issue_unpublish
from kohoshi.staff.tests.factories import make_issue

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
ANSWER = {"helpful": "役に立った", "clarity": "ふつう", "comment": "ゴミの日がよくわかりました", "age_band": "40代", "area": ""}


def survey_url(article):
    return reverse("engagement:survey", args=[article.pk])


def test_article_page_links_to_its_survey(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{survey_url(article)}"' in html


def test_article_view_is_counted_without_setting_any_cookie(article):
    client = Client(HTTP_USER_AGENT=BROWSER)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    # (base.html's language form sets the CSRF cookie; counting adds none of its own)
    assert set(response.cookies) <= {"csrftoken"}
    assert not ArticleDailyViews.objects.exists()  # counted in the cache: the page wrote nothing
    article_views_flush(everything=True)
    assert ArticleDailyViews.objects.get(article=article).views == 1


def test_article_view_by_a_crawler_is_not_counted(article):
    Client(HTTP_USER_AGENT="Googlebot/2.1").get(article.get_absolute_url())
    article_views_flush(everything=True)
    assert not ArticleDailyViews.objects.exists()


def test_municipality_page_lists_most_read_articles_first(issue):
    first, second, third = issue.articles.order_by("position")
    client = Client(HTTP_USER_AGENT=BROWSER)
    for article, times in ((first, 1), (second, 3)):
        for _ in range(times):
            client.get(article.get_absolute_url())
    article_views_flush(everything=True)
    html = client.get(issue.newsletter.municipality.get_absolute_url()).content.decode()
    section = html[html.index("よく読まれている記事"):]
    assert section.index(second.get_absolute_url()) < section.index(first.get_absolute_url())
    assert third.get_absolute_url() not in section


def test_municipality_page_without_views_shows_no_most_read_list(client, issue):
    html = client.get(issue.newsletter.municipality.get_absolute_url()).content.decode()
    assert "よく読まれている記事" not in html


def test_survey_form_groups_radio_choices_in_fieldsets_with_legends(client, article):
    html = client.get(survey_url(article)).content.decode()
    assert html.count("<fieldset") == 4  # helpful, clarity, age band, area
    assert "<legend>この記事は役に立ちましたか" in html
    assert re.search(r'<label for="id_comment">', html) and 'id="id_comment"' in html
    assert 'name="website"' in html and "<div hidden>" in html


def test_survey_answer_is_stored_and_shows_thank_you_page(client, article):
    response = client.post(survey_url(article), ANSWER)
    assert response.status_code == 302
    assert response["Location"] == reverse("engagement:thanks", args=[article.pk])
    stored = SurveyResponse.objects.get()
    assert (stored.article, stored.municipality_id) == (article, "012131")
    assert (stored.helpful, stored.clarity, stored.comment, stored.age_band, stored.area) == (
        "役に立った", "ふつう", "ゴミの日がよくわかりました", "40代", "")
    assert "ご回答ありがとうございました" in client.get(response["Location"]).content.decode()


def test_survey_stores_nothing_that_identifies_the_reader(client, article):
    client.post(survey_url(article), ANSWER, REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT=BROWSER)
    values = " ".join(str(v) for v in SurveyResponse.objects.values().get().values())
    assert "203.0.113.77" not in values and "Android" not in values


def test_second_answer_from_the_same_browser_is_refused(client, article):
    client.post(survey_url(article), ANSWER)
    again = client.post(survey_url(article), ANSWER)
    assert "回答済み" in again.content.decode()
    assert "回答済み" in client.get(survey_url(article)).content.decode()
    assert SurveyResponse.objects.count() == 1


def test_answered_cookie_is_signed_and_scoped_to_the_survey(client, article):
    response = client.post(survey_url(article), ANSWER)
    cookie = response.cookies[ANSWERED_COOKIE]
    assert cookie["path"] == "/survey/" and cookie["httponly"]
    client.cookies[ANSWERED_COOKIE] = "forged"
    assert client.post(survey_url(article), ANSWER).status_code == 302
    assert SurveyResponse.objects.count() == 2


def test_answering_one_article_leaves_the_others_open(client, issue):
    first, second, _ = issue.articles.order_by("position")
    client.post(survey_url(first), ANSWER)
    client.post(survey_url(second), ANSWER)
    assert SurveyResponse.objects.count() == 2


def test_honeypot_answer_looks_accepted_but_is_not_stored(client, article):
    response = client.post(survey_url(article), {**ANSWER, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not SurveyResponse.objects.exists()


def test_missing_required_answer_is_reported_on_its_field(client, article):
    response = client.post(survey_url(article), {**ANSWER, "helpful": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_helpful-error"' in html
    assert 'aria-describedby="id_helpful-error"' in html
    assert not SurveyResponse.objects.exists()


def test_answer_outside_the_choices_is_refused(client, article):
    assert client.post(survey_url(article), {**ANSWER, "clarity": "<script>"}).status_code == 400
    assert not SurveyResponse.objects.exists()


def test_survey_requires_csrf_token(article):
    client = Client(enforce_csrf_checks=True)
    assert client.post(survey_url(article), ANSWER).status_code == 403
    assert not SurveyResponse.objects.exists()


def test_many_answers_from_one_client_are_rate_limited(client, settings, issue):
    settings.KOHOSHI_SURVEY_RATE_LIMIT = (2, 600)
    articles = list(issue.articles.order_by("position"))
    statuses = [Client().post(survey_url(a), ANSWER).status_code for a in articles]
    assert statuses == [302, 302, 429]
    assert SurveyResponse.objects.count() == 2


def test_survey_of_an_unpublished_article_is_not_found(client, issue):
    article = issue.articles.first()
    issue_unpublish(issue, by=SYSTEM)
    assert client.get(survey_url(article)).status_code == 404
    assert client.post(survey_url(article), ANSWER).status_code == 404


def test_survey_shows_the_municipalitys_own_questions(client, article):
    town = article.issue.newsletter.municipality
    survey_question_update(town, key="area", text="お住まいの地区", choices=["沼ノ端", "錦岡"], enabled=True, by=SYSTEM)
    survey_question_update(town, key="age_band", text="年代", choices=["若い"], enabled=False, by=SYSTEM)
    html = client.get(survey_url(article)).content.decode()
    assert "お住まいの地区" in html and "沼ノ端" in html
    assert 'name="age_band"' not in html
    client.post(survey_url(article), {**ANSWER, "area": "錦岡", "age_band": "40代"})
    stored = SurveyResponse.objects.get()
    assert (stored.area, stored.age_band) == ("錦岡", "")


def test_other_municipalities_keep_the_default_questions(client):
    sapporo = make_issue("011002").articles.first()
    survey_question_update(make_issue().newsletter.municipality, key="area", text="お住まいの地区",
                           choices=["沼ノ端"], enabled=True, by=SYSTEM)
    assert "お住まいの地区" not in client.get(survey_url(sapporo)).content.decode()


def test_behind_a_proxy_the_limit_counts_per_client_address_header(settings, issue):
    settings.KOHOSHI_SURVEY_RATE_LIMIT = (1, 600)
    settings.KOHOSHI_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    first, second, third = list(issue.articles.order_by("position"))
    assert Client(HTTP_X_REAL_IP="192.0.2.1").post(survey_url(first), ANSWER).status_code == 302
    assert Client(HTTP_X_REAL_IP="192.0.2.2").post(survey_url(second), ANSWER).status_code == 302
    assert Client(HTTP_X_REAL_IP="192.0.2.1").post(survey_url(third), ANSWER).status_code == 429
