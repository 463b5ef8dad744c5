"""Every kind of page works under the Content-Security-Policy: Debian chromium reports no CSP
violation and no console error, with JavaScript on (issue #10)."""
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from kohoshi.accounts.models import Role
from kohoshi.staff.tests.factories import PASSWORD, TOMAKOMAI, make_issue, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(live_server, settings, tmp_path):
    # Made before the browser starts: Playwright's event loop forbids database calls.
    from kohoshi.engagement.services import survey_response_create
    from kohoshi.ingest import runs
    from kohoshi.ingest.tests.newsletter_pdf import SAMPLE_ARTICLES, newsletter_pdf
    from kohoshi.places.models import Municipality

    settings.MEDIA_ROOT = tmp_path / "media"
    staff = make_staff("editor", role=Role.PUBLISHER)
    get_user_model().objects.filter(pk=staff.pk).update(is_staff=True, is_superuser=True)
    issue = make_issue()
    article = issue.articles.first()
    survey_response_create(article, helpful="役に立った", comment="わかりやすい")
    run = runs.ingest_run_create(
        municipality=Municipality.objects.get(code=TOMAKOMAI), newsletter_title="広報テスト",
        published_on=date(2024, 5, 1), pdf_file=newsletter_pdf(SAMPLE_ARTICLES), filename="koho.pdf",
    )
    runs.ingest_run_process(run.pk)
    return {"article": article, "issue": issue, "run": run}


def test_pages_work_under_the_csp_without_console_errors(site, open_phone, live_server):
    article, issue, run = site["article"], site["issue"], site["run"]
    code = TOMAKOMAI
    public = [
        "/", "/about/", "/for-municipalities/", "/settings/", f"/m/{code}/", issue.get_absolute_url(),
        article.get_absolute_url(), "/search/?q=本文", "/search/?q=ないないない語", f"/survey/a/{article.pk}/",
        "/api/v1/docs", "/staff/login/",
    ]
    private = [
        "/staff/", f"/staff/m/{code}/", f"/staff/m/{code}/dashboard/", f"/staff/m/{code}/comments/",
        f"/staff/m/{code}/issues/{issue.pk}/", f"/staff/m/{code}/articles/{article.pk}/edit/",
        f"/staff/m/{code}/articles/{article.pk}/stats/", f"/staff/m/{code}/survey/questions/",
        f"/staff/m/{code}/audit/", f"/staff/m/{code}/ingest/", f"/staff/m/{code}/ingest/{run.pk}/",
        f"/staff/m/{code}/ingest/{run.pk}/review/", f"/staff/m/{code}/ingest/{run.pk}/articles/1/",
        "/admin/", "/admin/engagement/", "/admin/engagement/surveyresponse/", "/admin/ingest/ingestrun/", f"/admin/ingest/ingestrun/{run.pk}/change/",
        "/admin/auth/user/add/",
    ]
    page = open_phone()
    problems = []
    # Chromium asks for /favicon.ico on its own; the site has none (a 404 is not a CSP matter).
    page.on("console", lambda m: m.type in ("error", "warning") and "status of 404" not in m.text
            and problems.append(f"{page.url}: {m.type}: {m.text}"))
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
            and problems.append(f"{r.url}: {r.status}"))
    page.on("pageerror", lambda e: problems.append(f"{page.url}: pageerror: {e}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    for url in public:
        assert page.goto(live_server.url + url).status == 200, url
    page.goto(live_server.url + "/staff/login/")
    page.get_by_label("ユーザー名").fill("editor")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(live_server.url + "/staff/")
    for url in private:
        assert page.goto(live_server.url + url).status == 200, url
        page.wait_for_load_state("networkidle")
    # Swagger UI renders with its script (not blocked): the operation is listed.
    page.goto(live_server.url + "/api/v1/docs")
    page.get_by_text("/api/v1/search").first.wait_for()
    assert problems == []
