"""A real browser (Debian chromium via Playwright) on a phone-sized screen."""
import os
import shutil

import pytest

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article

CHROMIUM = os.environ.get("KOHOSHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_page():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (make install brings Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="ja-JP")
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def seed_article_url(seed_issue_file, live_server):
    assert not files_import([seed_issue_file], kind="json").errors
    return live_server.url + Article.objects.get(title="市政方針(2)").get_absolute_url()


def _body_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.querySelector('.kh-body p, .kh-body')).fontSize)")


def test_font_size_change_is_kept_after_reload(seed_article_url, browser_page, artifacts_dir):
    page = browser_page
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
    page.screenshot(path=str(artifacts_dir / "article-font-xl-390x844.png"), full_page=False)


def test_font_size_change_works_without_javascript(seed_issue_file, live_server, artifacts_dir):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    assert not files_import([seed_issue_file], kind="json").errors
    url = live_server.url + Article.objects.get(title="市政方針(2)").get_absolute_url()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="ja-JP")
        page = context.new_page()
        response = page.goto(url)
        assert response.status == 200, page.content()[:2000]
        page.get_by_role("button", name="大", exact=True).click()
        page.wait_for_load_state()
        assert page.url == url
        assert "kh-font-l" in page.locator("html").get_attribute("class")
        page.goto(url)
        assert "kh-font-l" in page.locator("html").get_attribute("class")
        page.screenshot(path=str(artifacts_dir / "article-font-l-nojs-390x844.png"))
        browser.close()
