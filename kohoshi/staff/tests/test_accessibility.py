"""Automated accessibility audit of the staff workspace and PDF ingest with axe-core (WCAG 2.0–2.2
A/AA rules) in Debian chromium on a 390x844 phone; screenshots in test-artifacts/a11y-staff-*.png."""
from datetime import date

import pytest

from kohoshi.engagement.services import article_view_record, article_views_flush, survey_response_create
from kohoshi.ingest import runs as pipeline
from kohoshi.ingest.tests.newsletter_pdf import newsletter_pdf
from kohoshi.newsletters.services import article_delete
from kohoshi.reading.tests.test_accessibility import audit, focus_problems, report
from kohoshi.places.models import Municipality
from kohoshi.accounts.models import Membership, Role
from kohoshi.staff.tests.factories import PASSWORD, SAPPORO, TOMAKOMAI, make_issue, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTICLES = [
    {"title": "ごみの出し方が変わります", "body": "4月から分別の方法が変わります。\n\n■対象\n市内全域\n問合せ：環境課【電話】0144-32-6111"},
    {"title": "春の健康診断のお知らせ", "body": "今年も健康診断を行います。\n日時：5月10日\n場所：市民会館"},
    {"title": "図書館まつりを開きます", "body": "本の交換会や読み聞かせがあります。"},
]


@pytest.fixture
def workspace(live_server):
    """A publisher of 苫小牧市 with a published issue that has views, answers and an audit trail,
    and a PDF ingest run waiting for review. Made before the browser starts."""
    user = make_staff("tomakomai", role=Role.PUBLISHER)
    # Staff of two municipalities see the picker at /staff/ (staff of one land in their workspace).
    two = make_staff("two-towns", role=Role.VIEWER)
    Membership.objects.create(user=two, municipality_id=SAPPORO, role=Role.VIEWER)
    issue = make_issue(n_articles=4)
    articles = list(issue.articles.order_by("position"))
    for article in articles[:2]:
        article_view_record(article, user_agent="Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36")
    article_views_flush(everything=True)
    survey_response_create(articles[0], helpful="役に立った", clarity="ふつう", comment="写真があると嬉しいです", age_band="60代")
    survey_response_create(articles[1], helpful="役に立たなかった", clarity="わかりにくかった")
    article_delete(articles[3], by=user)
    run = pipeline.ingest_run_create(
        municipality=Municipality.objects.get(code=TOMAKOMAI),
        newsletter_title="広報とまこまい",
        published_on=date(2024, 5, 1),
        pdf_file=newsletter_pdf(ARTICLES),
        filename="koho-2024-05.pdf",
        by=user,
    )
    run = pipeline.ingest_run_process(run.pk)
    assert run.status == "needs_review", run.failure_reason
    first_draft = run.issue.articles.order_by("position").first()
    staff = f"/staff/m/{TOMAKOMAI}"
    ingest = f"{staff}/ingest/{run.pk}"
    return {
        "staff-municipality": f"{staff}/",
        "staff-issue": f"{staff}/issues/{issue.pk}/",
        "staff-issue-publish-confirm": f"{staff}/issues/{issue.pk}/publish/?at=2030-04-01T09:00",
        "staff-issue-unpublish-confirm": f"{staff}/issues/{issue.pk}/unpublish/",
        "staff-article-edit": f"{staff}/articles/{articles[0].pk}/edit/",
        "staff-article-delete": f"{staff}/articles/{articles[1].pk}/delete/",
        "staff-article-stats": f"{staff}/articles/{articles[0].pk}/stats/",
        "staff-dashboard": f"{staff}/dashboard/",
        "staff-comments": f"{staff}/comments/",
        "staff-audit": f"{staff}/audit/",
        "staff-survey-questions": f"{staff}/survey/questions/",
        "ingest-upload": f"{staff}/ingest/",
        "ingest-run": f"{ingest}/",
        "ingest-review": f"{ingest}/review/",
        "ingest-article": f"{ingest}/articles/{first_draft.number}/",
        "ingest-publish-confirm": f"{ingest}/publish/",
    }


def test_staff_pages_have_no_axe_violations(workspace, live_server, open_phone, artifacts_dir):
    page = open_phone()
    problems = []

    page.goto(live_server.url + "/staff/login/")
    problems.extend(audit(page, "staff-login", artifacts_dir))
    page.get_by_label("ユーザー名").fill("tomakomai")
    page.get_by_label("パスワード").fill("wrong-password")
    with page.expect_navigation():  # the server answers the form with a new page
        page.get_by_role("button", name="ログイン").click()
    assert page.get_by_role("alert").is_visible()
    problems.extend(audit(page, "staff-login-errors", artifacts_dir))
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"**/staff/m/{TOMAKOMAI}/")  # one municipality: straight into its workspace

    for name, path in workspace.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        problems.extend(audit(page, name, artifacts_dir))

    page.goto(live_server.url + workspace["staff-article-edit"])
    problems.extend(focus_problems(page, "staff-article-edit-focus"))
    page.get_by_label("タイトル").fill("")
    page.evaluate("document.querySelectorAll('form').forEach(form => form.noValidate = true)")  # the server's errors
    with page.expect_navigation():  # the server answers the form with a new page
        page.get_by_role("button", name="保存する").click()
    assert page.get_by_role("alert").is_visible()
    problems.extend(audit(page, "staff-article-edit-errors", artifacts_dir))

    page.goto(live_server.url + workspace["ingest-upload"])
    with page.expect_navigation():  # the server answers the form with a new page
        page.get_by_role("button", name="アップロードして読み取る").click()
    assert page.locator(".errorlist").first.is_visible()
    problems.extend(audit(page, "ingest-upload-errors", artifacts_dir))

    other = open_phone()
    other.goto(live_server.url + "/staff/login/")
    other.get_by_label("ユーザー名").fill("two-towns")
    other.get_by_label("パスワード").fill(PASSWORD)
    other.get_by_role("button", name="ログイン").click()
    other.wait_for_url("**/staff/")
    problems.extend(audit(other, "staff-home", artifacts_dir))

    assert not problems, report(problems)
