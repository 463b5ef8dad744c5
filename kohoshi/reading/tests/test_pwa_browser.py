"""The PWA in Debian chromium: installable (manifest parsed, service worker active), and a
saved article (マイ切り抜き) opens with the network off."""
import pytest

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def seed_urls(seed_issue_file, live_server):
    assert not files_import([seed_issue_file], kind="json").errors
    saved = Article.objects.get(title="市政方針(2)")
    other = Article.objects.get(title="お知らせ7", issue=saved.issue)
    return live_server.url, saved.get_absolute_url(), other.get_absolute_url()


def _controlled(page):
    page.wait_for_function(
        "() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'",
        timeout=15000,
    )


def test_the_site_is_installable_with_an_active_service_worker(seed_urls, open_phone):
    base, article, _ = seed_urls
    page = open_phone()
    page.goto(base + "/")
    _controlled(page)
    state = page.evaluate("navigator.serviceWorker.ready.then(r => [r.active.state, r.scope])")
    assert state == ["activated", base + "/"]
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == base + "/manifest.webmanifest"
    assert manifest["errors"] == [], manifest["errors"]
    parsed = manifest.get("manifest") or {}
    if parsed:  # newer chromium returns the parsed manifest too
        assert parsed["display"].lower().endswith("standalone")
    # Playwright's contexts are incognito, which chromium reports as a reason of its own; every
    # other reason (icons, manifest fields, no service worker, …) is about the site.
    errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
    assert [e for e in errors if e != "in-incognito"] == []


def test_a_saved_article_opens_offline_and_is_listed_on_the_kirinuki_page(seed_urls, open_phone, artifacts_dir):
    base, article, other = seed_urls
    page = open_phone()
    page.goto(base + article)
    _controlled(page)
    save = page.get_by_role("button", name="切り抜きに保存")
    assert save.is_visible()
    page.screenshot(path=str(artifacts_dir / "article-save-390x844.png"))
    save.click()
    page.get_by_role("status").filter(has_text="切り抜きに保存しました").wait_for()
    assert page.get_by_role("button", name="保存済み(押すと削除)").get_attribute("aria-pressed") == "true"

    page.context.set_offline(True)
    page.goto(base + "/kirinuki/")
    link = page.get_by_role("link", name="市政方針(2)")
    link.wait_for()
    assert "北海道苫小牧市" in page.locator(".kh-kirinuki__item").first.inner_text()
    page.screenshot(path=str(artifacts_dir / "kirinuki-offline-390x844.png"))
    link.click()
    page.wait_for_url(base + article)
    assert page.locator("h1").inner_text() == "市政方針(2)"
    assert page.locator("[data-testid=position]").inner_text() == "6/37"
    # The stylesheet came from the cache too: the page is laid out, not bare HTML.
    assert page.evaluate("getComputedStyle(document.querySelector('.kh-header')).borderBottomStyle") == "solid"

    # An article that was never saved gives the offline page, which points to the clippings.
    page.goto(base + other)
    assert page.locator("h1").inner_text() == "オフラインです"
    assert page.get_by_role("link", name="マイ切り抜きを開く").is_visible()

    # Removing it offline empties the list.
    page.goto(base + "/kirinuki/")
    page.get_by_role("button", name="削除").click()
    page.get_by_text("まだ保存した記事はありません。").wait_for()
    page.goto(base + article)
    assert page.locator("h1").inner_text() == "オフラインです"


def test_without_javascript_the_save_button_stays_hidden(seed_urls, open_phone):
    base, article, _ = seed_urls
    page = open_phone(java_script_enabled=False)
    page.goto(base + article)
    assert page.locator("[data-kh-save]").is_hidden()
    page.goto(base + "/kirinuki/")
    assert "JavaScriptを有効にしたブラウザで使えます" in page.locator("main").inner_text()
