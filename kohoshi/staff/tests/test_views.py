import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kohoshi.engagement.models import ArticleDailyViews
from kohoshi.engagement.services import article_view_record, article_views_flush, survey_response_create
from kohoshi.newsletters.models import Article, Category, Issue
from kohoshi.accounts.models import AuditEntry, Membership, Role
from kohoshi.staff.tests.factories import SAPPORO, TOMAKOMAI, make_issue, make_staff

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


def staff_client(role=Role.EDITOR, code=TOMAKOMAI, username=None):
    client = Client()
    client.force_login(make_staff(username or f"{role}-{code}", code, role=role))
    return client


def url(name, *args):
    return reverse(f"staff:{name}", args=args)


def test_home_lists_only_the_members_municipalities(issue):
    make_issue(SAPPORO)
    user = make_staff("two-towns", TOMAKOMAI)
    Membership.objects.create(user=user, municipality_id=SAPPORO, role=Role.VIEWER)
    make_issue(code="012041", newsletter="広報あさひかわ")  # 旭川市: not theirs
    client = Client()
    client.force_login(user)
    html = client.get(url("home")).content.decode()
    assert "苫小牧市" in html and "札幌市" in html and "旭川市" not in html


def test_staff_of_one_municipality_land_in_its_workspace(issue):
    response = staff_client(Role.VIEWER).get(url("home"))
    assert response.status_code == 302 and response["Location"] == url("municipality", TOMAKOMAI)


def test_superusers_keep_the_list_even_with_one_municipality(issue):
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.create_superuser("operator", password="x" * 12))
    response = client.get(url("home"))
    assert response.status_code == 200 and "苫小牧市" in response.content.decode()


def test_municipality_page_lists_issues_in_a_fixed_number_of_queries(django_assert_num_queries, issue):
    for day in range(2, 12):
        make_issue(day=day, publish=day % 2 == 0)
    client = staff_client(Role.VIEWER)
    # session, user, municipality, membership role, issues with counts
    with django_assert_num_queries(5):
        response = client.get(url("municipality", TOMAKOMAI))
    html = response.content.decode()
    assert html.count(reverse("staff:issue", args=[TOMAKOMAI, issue.pk])) == 1
    assert "公開中" in html and "非公開" in html


def test_issue_page_lists_articles_in_a_fixed_number_of_queries(django_assert_num_queries):
    issue = make_issue(n_articles=12)
    client = staff_client(Role.PUBLISHER)
    with django_assert_num_queries(7):  # … and whether a PDF ingest run awaits review
        response = client.get(url("issue", TOMAKOMAI, issue.pk))
    assert response.content.decode().count('name="position-') == 12


def test_editor_edits_an_article_and_the_reader_sees_it(issue):
    article = issue.articles.first()
    client = staff_client()
    form = client.get(url("article_edit", TOMAKOMAI, article.pk)).content.decode()
    assert 'name="title"' in form and "記事1" in form
    response = client.post(url("article_edit", TOMAKOMAI, article.pk), {
        "title": "ごみ収集日が変わります", "category": Category.objects.get(name="くらし").pk,
        "body": "■変更点\n4月から月曜日になります。",
    })
    assert response.status_code == 302
    page = Client().get(Article.objects.get(pk=article.pk).get_absolute_url()).content.decode()
    assert "ごみ収集日が変わります" in page and "4月から月曜日になります。" in page
    assert AuditEntry.objects.filter(action="article.edit", municipality_id=TOMAKOMAI).exists()


def test_article_editor_explains_the_contact_syntax_and_previews_without_saving(issue):
    article = issue.articles.first()
    client = staff_client()
    page = client.get(url("article_edit", TOMAKOMAI, article.pk)).content.decode()
    assert "問合せ：環境課【電話】0144-32-6111" in page and "【メール】" in page
    assert 'id="preview"' in page and "<h2>見出し1</h2>" in page  # the saved body, rendered

    body = "■日時\n5月10日\n\n問合せ：環境課【電話】0144-32-6111"
    data = {"title": "新しいタイトル", "category": article.category.pk, "body": body, "preview": "1"}
    response = client.post(url("article_edit", TOMAKOMAI, article.pk), data)
    html = response.content.decode()
    assert response.status_code == 200 and "まだ保存していません" in html
    assert '<aside class="kh-contact" aria-label="問合せ">' in html
    assert '<a class="kh-tel" href="tel:+81-144-32-6111">' in html
    assert "新しいタイトル" in html  # the form keeps what was typed
    article.refresh_from_db()
    assert article.title == "記事1" and "問合せ" not in article.body_source
    assert not AuditEntry.objects.filter(action="article.edit").exists()


def test_article_editor_shows_the_easy_japanese_check_of_what_is_previewed_and_never_blocks_a_save(issue):
    article = issue.articles.first()
    client = staff_client()
    long = "国民健康保険加入者で本年度中に40歳以上となる方を対象に、特定健康診査を市内指定医療機関において実施しますので、事前に申込みの上、受診してください。"
    data = {"title": "特定健康診査", "category": article.category.pk, "body": long, "preview": "1"}
    html = client.post(url("article_edit", TOMAKOMAI, article.pk), data).content.decode()
    assert "読みやすさ(やさしい日本語)" in html
    assert f"{len(long)} 字" in html and "国民健康保険加入者" in html and "在住" not in html
    assert "上級後半" in html
    del data["preview"]
    response = client.post(url("article_edit", TOMAKOMAI, article.pk), data)
    assert response.status_code == 302  # advice only: the hard text is saved
    article.refresh_from_db()
    assert article.body_source == long


def test_article_edit_errors_are_tied_to_their_field(issue):
    article = issue.articles.first()
    response = staff_client().post(url("article_edit", TOMAKOMAI, article.pk), {
        "title": "", "category": article.category_id, "body": "本文",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_title_error"' in html and 'aria-describedby="id_title_error"' in html


def test_viewer_may_look_but_not_edit(issue):
    article = issue.articles.first()
    client = staff_client(Role.VIEWER)
    page = client.get(url("issue", TOMAKOMAI, issue.pk)).content.decode()
    assert url("article_edit", TOMAKOMAI, article.pk) not in page
    assert client.get(url("article_edit", TOMAKOMAI, article.pk)).status_code == 404
    assert client.post(url("article_delete", TOMAKOMAI, article.pk)).status_code == 404
    assert Article.objects.filter(pk=article.pk).exists()


def test_reorder_form_saves_the_new_order(issue):
    a, b, c = issue.articles.order_by("position")
    staff_client().post(url("issue_reorder", TOMAKOMAI, issue.pk),
                        {f"position-{a.pk}": "3", f"position-{b.pk}": "1", f"position-{c.pk}": "2"})
    assert list(issue.articles.order_by("position").values_list("pk", flat=True)) == [b.pk, c.pk, a.pk]


def test_delete_asks_first_then_deletes(issue):
    article = issue.articles.first()
    client = staff_client()
    assert "取り消せません" in client.get(url("article_delete", TOMAKOMAI, article.pk)).content.decode()
    assert Article.objects.filter(pk=article.pk).exists()
    client.post(url("article_delete", TOMAKOMAI, article.pk))
    assert not Article.objects.filter(pk=article.pk).exists()
    assert AuditEntry.objects.filter(action="article.delete", municipality_id=TOMAKOMAI).exists()


def test_publisher_schedules_an_issue_that_goes_public_at_that_time():
    issue = make_issue(publish=False)
    at = timezone.localtime() + timedelta(days=2)
    response = staff_client(Role.PUBLISHER).post(url("issue_publish", TOMAKOMAI, issue.pk),
                                                 {"at": at.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PUBLISHED and not issue.is_public()
    assert issue.is_public(now=at + timedelta(minutes=1))
    assert Client().get(issue.get_absolute_url()).status_code == 404
    assert AuditEntry.objects.filter(action="issue.schedule").exists()


def test_publisher_publishes_now_and_unpublishes():
    issue = make_issue(publish=False)
    client = staff_client(Role.PUBLISHER)
    client.post(url("issue_publish", TOMAKOMAI, issue.pk), {"at": ""})
    assert Client().get(issue.get_absolute_url()).status_code == 200
    client.post(url("issue_unpublish", TOMAKOMAI, issue.pk))
    assert Client().get(issue.get_absolute_url()).status_code == 404


def test_publish_asks_first_saying_what_goes_public_when_and_where():
    issue = make_issue(publish=False, n_articles=3)
    client = staff_client(Role.PUBLISHER)
    page = client.get(url("issue", TOMAKOMAI, issue.pk)).content.decode()
    assert f'method="get" action="{url("issue_publish", TOMAKOMAI, issue.pk)}"' in page

    at = timezone.localtime() + timedelta(days=2)
    confirm = client.get(url("issue_publish", TOMAKOMAI, issue.pk), {"at": at.strftime("%Y-%m-%dT%H:%M")})
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "公開の確認" in html
    assert issue.title in html and "3件" in html
    assert f"{at:%Y}年{at.month}月{at.day}日{at.hour}:{at:%M}" in html and "日本時間" in html
    assert "http://testserver" + issue.get_absolute_url() in html
    assert f'name="at" value="{at:%Y-%m-%dT%H:%M}"' in html and 'method="post"' in html
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT  # asking changed nothing

    now = client.get(url("issue_publish", TOMAKOMAI, issue.pk), {"at": ""}).content.decode()
    assert "すぐに公開されます" in now


def test_unpublish_asks_first_saying_what_readers_lose():
    issue = make_issue(n_articles=2)
    client = staff_client(Role.PUBLISHER)
    page = client.get(url("issue", TOMAKOMAI, issue.pk)).content.decode()
    assert f'href="{url("issue_unpublish", TOMAKOMAI, issue.pk)}"' in page
    html = client.get(url("issue_unpublish", TOMAKOMAI, issue.pk)).content.decode()
    assert "非公開の確認" in html and "記事2件" in html and issue.get_absolute_url() in html
    assert Client().get(issue.get_absolute_url()).status_code == 200  # still public until confirmed
    client.post(url("issue_unpublish", TOMAKOMAI, issue.pk))
    assert Client().get(issue.get_absolute_url()).status_code == 404


def test_confirmation_pages_are_for_publishers_only():
    issue = make_issue()
    client = staff_client(Role.EDITOR)
    assert client.get(url("issue_publish", TOMAKOMAI, issue.pk)).status_code == 404
    assert client.get(url("issue_unpublish", TOMAKOMAI, issue.pk)).status_code == 404


def test_publishing_a_pdf_draft_from_the_workspace_closes_its_ingest_run(settings, tmp_path):
    from kohoshi.ingest.models import IngestRun
    from kohoshi.ingest.runs import ingest_run_create, ingest_run_process
    from kohoshi.ingest.tests.newsletter_pdf import newsletter_pdf
    from kohoshi.places.models import Municipality

    settings.MEDIA_ROOT = tmp_path
    pdf = newsletter_pdf([{"title": "図書館まつりのお知らせ", "body": "本の交換会を開きます。"}])
    run = ingest_run_create(
        municipality=Municipality.objects.get(code=TOMAKOMAI), newsletter_title="広報とまこまい",
        published_on=timezone.localdate(), pdf_file=pdf,
    )
    run = ingest_run_process(run.pk)
    assert run.status == IngestRun.Status.NEEDS_REVIEW
    publisher = staff_client(Role.PUBLISHER)
    page = publisher.get(url("issue", TOMAKOMAI, run.issue.pk)).content.decode()
    assert reverse("staff:ingest_review", args=[TOMAKOMAI, run.pk]) in page
    publisher.post(url("issue_publish", TOMAKOMAI, run.issue.pk), {"at": ""})
    run.refresh_from_db()
    assert run.status == IngestRun.Status.PUBLISHED
    assert run.issue.is_public() and run.issue.source_pdf


def test_editor_may_not_publish():
    issue = make_issue(publish=False)
    assert staff_client(Role.EDITOR).post(url("issue_publish", TOMAKOMAI, issue.pk), {"at": ""}).status_code == 404
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_audit_page_lists_only_this_municipalitys_entries(issue, django_assert_num_queries):
    client = staff_client()
    article = issue.articles.first()
    client.post(url("article_delete", TOMAKOMAI, article.pk))
    sapporo = make_issue(SAPPORO, newsletter="広報さっぽろ")
    staff_client(code=SAPPORO).post(url("article_delete", SAPPORO, sapporo.articles.first().pk))
    with django_assert_num_queries(6):
        html = client.get(url("audit", TOMAKOMAI)).content.decode()
    assert article.title in html and "記事を削除" in html
    assert sapporo.title not in html


def test_dashboard_shows_views_survey_answers_and_comments(issue, django_assert_num_queries):
    a, b, _ = issue.articles.order_by("position")
    for _ in range(3):
        article_view_record(a, user_agent=BROWSER)
    article_view_record(b, user_agent=BROWSER)
    article_views_flush(everything=True)
    survey_response_create(a, helpful="役に立った", clarity="ふつう", comment="地図があると助かります")
    client = staff_client(Role.VIEWER)
    with django_assert_num_queries(13):
        response = client.get(url("dashboard", TOMAKOMAI))
    html = response.content.decode()
    assert 'data-testid="total-views">4<' in html
    assert 'data-testid="total-responses">1<' in html
    assert "<svg" in html and "地図があると助かります" in html
    assert html.index(url("article_stats", TOMAKOMAI, a.pk)) < html.index(url("article_stats", TOMAKOMAI, b.pk))


def test_article_stats_page_shows_its_own_answers(issue):
    a, b, _ = issue.articles.order_by("position")
    survey_response_create(a, helpful="役に立った", comment="Aへの意見")
    survey_response_create(b, helpful="役に立たなかった", comment="Bへの意見")
    html = staff_client(Role.VIEWER).get(url("article_stats", TOMAKOMAI, a.pk)).content.decode()
    assert "Aへの意見" in html and "Bへの意見" not in html


def test_comments_page_lists_comments_in_a_fixed_number_of_queries(issue, django_assert_num_queries):
    for n, article in enumerate(issue.articles.all()):
        survey_response_create(article, comment=f"意見{n}")
    survey_response_create(issue.articles.first())  # without a comment
    client = staff_client(Role.VIEWER)
    with django_assert_num_queries(6):
        html = client.get(url("comments", TOMAKOMAI)).content.decode()
    assert html.count("<blockquote>") == 3


def test_survey_csv_export_has_the_answers_of_this_municipality_only(issue):
    survey_response_create(issue.articles.first(), helpful="役に立った", comment="苫小牧の意見")
    survey_response_create(make_issue(SAPPORO).articles.first(), comment="札幌の意見")
    response = staff_client(Role.VIEWER).get(url("export_survey", TOMAKOMAI))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "回答ID" and len(rows) == 2
    assert rows[1][2] == TOMAKOMAI and "苫小牧の意見" in rows[1]


def test_views_csv_export_has_one_row_per_article_and_day(issue):
    article = issue.articles.first()
    article_view_record(article, user_agent=BROWSER)
    article_view_record(article, user_agent=BROWSER)
    article_views_flush(everything=True)
    rows = list(csv.reader(io.StringIO(
        staff_client(Role.VIEWER).get(url("export_views", TOMAKOMAI)).content.decode("utf-8-sig"))))
    assert rows[1][-1] == "2" and rows[1][5] == article.title
    assert ArticleDailyViews.objects.count() == 1


def test_editor_rewords_the_survey_and_readers_see_it(issue):
    client = staff_client()
    page = client.get(url("survey_questions", TOMAKOMAI))
    assert page.status_code == 200 and page.content.decode().count("<legend>") == 5
    data = {}
    for question, _ in page.context["forms"]:
        data[f"{question.key}-text"] = question.text
        data[f"{question.key}-choices"] = "\n".join(question.choices)
        data[f"{question.key}-enabled"] = "on"
    data["area-text"] = "お住まいの地区"
    data["area-choices"] = "沼ノ端\n錦岡\n市外"
    assert client.post(url("survey_questions", TOMAKOMAI), data).status_code == 302
    survey = Client().get(reverse("engagement:survey", args=[issue.articles.first().pk])).content.decode()
    assert "お住まいの地区" in survey and "錦岡" in survey
    assert AuditEntry.objects.filter(action="survey.question").count() == 1


def test_survey_rewording_with_too_few_choices_saves_nothing(issue):
    client = staff_client()
    forms = client.get(url("survey_questions", TOMAKOMAI)).context["forms"]
    data = {}
    for question, _ in forms:
        data[f"{question.key}-text"] = question.text + "?"
        data[f"{question.key}-choices"] = "\n".join(question.choices)
        data[f"{question.key}-enabled"] = "on"
    data["helpful-choices"] = "はい\nいいえ"
    response = client.post(url("survey_questions", TOMAKOMAI), data)
    assert response.status_code == 200 and "3〜5個" in response.content.decode()
    assert not AuditEntry.objects.filter(action="survey.question").exists()
