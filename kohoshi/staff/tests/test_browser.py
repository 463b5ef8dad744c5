"""A reader answers a survey on a phone, the municipality's staff sees it on the dashboard (Debian
chromium via Playwright; screenshots in test-artifacts/)."""
import pytest

from kohoshi.accounts.models import Role
from kohoshi.staff.tests.factories import PASSWORD, TOMAKOMAI, make_issue, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone(open_phone):
    # Headless chromium says "HeadlessChrome" and would not be counted as a reader.
    return open_phone(
        java_script_enabled=False,
        user_agent="Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
    )


@pytest.fixture
def article(live_server):
    # Made before the browser starts: Playwright's event loop forbids database calls.
    make_staff("tomakomai", role=Role.VIEWER)
    return make_issue().articles.first()


def flush_views():
    """Write the buffered article views from another thread (Playwright's loop forbids database
    calls in this one)."""
    import threading

    from django.db import connections

    from kohoshi.engagement.services import article_views_flush

    def flush():
        try:
            article_views_flush(everything=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=flush)
    thread.start()
    thread.join()


def test_reader_answers_survey_and_staff_sees_it_on_the_dashboard(article, phone, live_server, artifacts_dir):

    phone.goto(live_server.url + article.get_absolute_url())
    phone.get_by_role("link", name="この記事についてアンケートにご協力ください").click()
    phone.get_by_role("button", name="送信する").click()  # nothing chosen: errors on the fields
    phone.locator("#id_helpful-error").wait_for()  # raises unless it shows up
    phone.get_by_role("group", name="この記事は役に立ちましたか").get_by_label("役に立った").check()
    phone.get_by_role("group", name="この記事はわかりやすかったですか").get_by_label("ふつう").check()
    phone.get_by_label("ご意見・ご感想(任意)").fill("写真があると嬉しいです")
    phone.screenshot(path=artifacts_dir / "survey-phone.png", full_page=True)
    phone.get_by_role("button", name="送信する").click()
    phone.get_by_role("heading", name="ご回答ありがとうございました").wait_for()  # raises unless it shows up
    flush_views()  # what the web server does every few seconds

    phone.goto(live_server.url + "/staff/")
    phone.get_by_label("ユーザー名").fill("tomakomai")
    phone.get_by_label("パスワード").fill(PASSWORD)
    phone.get_by_role("button", name="ログイン").click()
    phone.wait_for_url(f"**/staff/m/{TOMAKOMAI}/")  # one municipality: straight into its workspace
    phone.get_by_role("link", name="閲覧とアンケート").first.click()
    phone.get_by_text("写真があると嬉しいです").wait_for()  # raises unless it shows up
    assert phone.get_by_test_id("total-views").inner_text() == "1"
    phone.screenshot(path=artifacts_dir / "staff-dashboard-phone.png", full_page=True)
