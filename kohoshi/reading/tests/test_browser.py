"""A real browser (Debian chromium via Playwright) on a phone-sized screen."""
import pytest

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def seed_article_url(seed_issue_file, live_server):
    assert not files_import([seed_issue_file], kind="json").errors
    return live_server.url + Article.objects.get(title="市政方針(2)").get_absolute_url()


def _body_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.querySelector('.kh-body p, .kh-body')).fontSize)")


def test_font_size_change_is_kept_after_reload(seed_article_url, open_phone, artifacts_dir):
    page = open_phone()
    page.goto(seed_article_url)
    assert page.locator("[data-testid=position]").inner_text() == "6/37"
    assert page.locator("h1").inner_text() == "市政方針(2)"
    before = _body_font_px(page)

    page.get_by_role("button", name="特大").click()
    page.wait_for_function("document.documentElement.classList.contains('kh-font-xl')")
    page.reload()
    assert "kh-font-xl" in page.evaluate("document.documentElement.className")
    assert page.get_by_role("button", name="特大").get_attribute("aria-pressed") == "true"
    after = _body_font_px(page)
    assert after >= before * 1.4
    # Nothing overflows the phone's width at the largest size.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "article-font-xl-390x844.png"))


def test_font_size_change_works_without_javascript(seed_article_url, open_phone, artifacts_dir):
    page = open_phone(java_script_enabled=False)
    response = page.goto(seed_article_url)
    assert response.status == 200
    with page.expect_navigation(url=seed_article_url):  # via /settings/ and its redirect back
        page.get_by_role("button", name="大", exact=True).click()
    assert page.url == seed_article_url
    assert "kh-font-l" in page.locator("html").get_attribute("class")
    page.goto(seed_article_url)
    assert "kh-font-l" in page.locator("html").get_attribute("class")
    page.screenshot(path=str(artifacts_dir / "article-font-l-nojs-390x844.png"))


@pytest.fixture
def contact_article_url(live_server):
    from django.core.management import call_command
    from django.utils import timezone

    from kohoshi.accounts.policy import SYSTEM
    from kohoshi.newsletters.services import ArticleInput, IssueInput, issue_import
    from kohoshi.places.models import Municipality

    body = "■窓口のご案内\n本文です。\n\nお問い合わせ\n市民課\nTEL 32-6111　FAX 32-6112\nE-mail shimin@example.jp"
    issue = issue_import(
        IssueInput(
            municipality=Municipality.objects.get(code="012131"),  # 苫小牧市: 0144
            newsletter_title="広報とまこまい",
            title="広報とまこまい 第1号",
            number="第1号",
            published_on=timezone.localdate().replace(day=1),
            articles=[ArticleInput(title="窓口", category="くらし", body=body)],
        ),
        by=SYSTEM,
    ).issue
    return live_server.url + issue.articles.get().get_absolute_url()


def test_contact_box_calls_the_full_number_on_a_phone(contact_article_url, open_phone, artifacts_dir):
    page = open_phone()
    page.goto(contact_article_url)
    box = page.get_by_role("complementary", name="お問い合わせ")
    assert box.get_by_role("link", name="0144-32-6111").get_attribute("href") == "tel:+81-144-32-6111"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "article-contact-390x844.png"))
