"""On an imported corpus article, in Debian chromium on a phone: tap 翻訳 / Translate, pick
English, see the "preparing" page, the translation is made (by the local LibreTranslate-speaking
server), the page shows it labelled as machine translation, the original one tap away; axe-clean."""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article
from kohoshi.reading.tests.test_accessibility import audit, report
from kohoshi.reading_aids import services
from kohoshi.reading_aids.models import ArticleTranslation

from .translation_server import TranslationServer, fake_translation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.corpus,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def translated_site(corpus_csv_files, live_server, settings):
    with TranslationServer() as server:
        settings.KOHOSHI_TRANSLATION_BACKEND = "libretranslate"
        settings.KOHOSHI_TRANSLATION_URL = server.url
        settings.KOHOSHI_TRANSLATION_LANGUAGES = ["en", "zh-hans", "ko", "vi", "pt"]
        # Queued, not run: the test plays the worker, so the "preparing" page can be seen.
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
        assert not files_import(corpus_csv_files[:1], kind="csv").errors
        # An article with headings, a list and a call link: the structure has something to keep.
        article = next(
            a for a in Article.objects.order_by("issue", "position")
            if "<h2>" in a.body_html and "<li>" in a.body_html and "kh-tel" in a.body_html and len(a.body_html) < 2500
        )
        yield {"server": server, "article": article, "url": live_server.url + article.get_absolute_url()}


def test_tap_translate_see_preparing_then_the_labelled_translation(translated_site, open_phone, artifacts_dir):
    article = translated_site["article"]
    page = open_phone()
    page.goto(translated_site["url"])
    control = page.locator("details.kh-translate")
    control.locator("summary").click()
    assert control.get_by_role("link").all_inner_texts() == ["English", "简体中文", "한국어", "Tiếng Việt", "Português"]
    control.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "translation-control-390x844.png"))
    with page.expect_navigation():
        control.get_by_role("link", name="English").click()
    assert page.url == translated_site["url"] + "en/"
    status = page.get_by_role("status")
    assert "翻訳を準備しています。" in status.inner_text() and "Preparing the translation" in status.inner_text()
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    page.screenshot(path=str(artifacts_dir / "translation-preparing-390x844.png"))
    problems = audit(page, "translation-preparing", artifacts_dir)

    # The worker's turn (in a thread: Playwright's event loop runs in this one); the page notices
    # by itself (translation.js) and shows the translation.
    with ThreadPoolExecutor(1) as worker:
        assert worker.submit(services.translation_make, article.pk, "en").result() == ArticleTranslation.Status.READY
    heading = page.locator('h1[lang="en"]')
    heading.wait_for(timeout=20_000)
    assert heading.inner_text() == fake_translation(article.title, "en")
    assert page.locator(".kh-mt").get_by_text("機械翻訳", exact=True).is_visible()
    assert page.get_by_text("Machine translation — may contain errors").is_visible()
    body = page.locator('.kh-body[lang="en"]')
    assert body.locator("h2").count() == len(re.findall(r"<h2>", article.body_html))
    assert body.locator("li").count() == len(re.findall(r"<li>", article.body_html))
    assert body.locator("a.kh-tel").evaluate_all("els => els.map(e => e.href)") == re.findall(r'href="(tel:[^"]+)"', article.body_html)
    page.screenshot(path=str(artifacts_dir / "translation-ready-390x844.png"))
    problems += audit(page, "translation-ready", artifacts_dir)
    assert not problems, report(problems)

    # The original, one tap away.
    with page.expect_navigation():
        page.get_by_test_id("original").click()
    assert page.url == translated_site["url"]
    assert page.locator('h1[lang="ja"]').inner_text() == article.title
