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
