"""On an imported corpus article, in Debian chromium on a phone: furigana on and kept across pages,
the read-aloud audio plays, the podcast feed lists it."""
import shutil

import feedparser
import pytest

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article
from kohoshi.reading_aids import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.corpus,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed (make install)"),
]


@pytest.fixture
def corpus_article(corpus_csv_files, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert not files_import(corpus_csv_files[:1], kind="csv").errors
    articles = list(Article.objects.order_by("issue", "position"))
    services.furigana_refresh_articles(Article.objects.all())
    # Audio for one short article with kanji in its title (synthesis of all 34 takes minutes).
    article = min((a for a in articles[:12] if len(a.body_source) > 80), key=lambda a: len(a.body_source))
    assert services.audio_make(article.pk) == "ready"
    newsletter = article.issue.newsletter
    return {
        "article": live_server.url + article.get_absolute_url(),
        "other": live_server.url + next(a for a in articles if a.pk != article.pk).get_absolute_url(),
        "feed": f"{live_server.url}/m/{newsletter.municipality_id}/{newsletter.slug}/podcast.xml",
        "audio_path": article.get_absolute_url() + "audio.mp3",
    }


def test_furigana_stays_on_and_the_audio_plays(corpus_article, open_phone, artifacts_dir):
    page = open_phone()
    page.goto(corpus_article["article"])
    assert page.locator(".kh-body ruby").count() == 0
    with page.expect_navigation(url=corpus_article["article"]):
        page.get_by_role("button", name="ふりがなをつける").click()
    assert page.locator(".kh-body ruby rt").count() > 5
    assert page.locator("h1 ruby").count() > 0
    assert page.get_by_role("button", name="ふりがなを表示中").get_attribute("aria-pressed") == "true"
    page.goto(corpus_article["other"])  # another page: still on (the cookie)
    assert page.locator(".kh-body ruby rt").count() > 0
    page.screenshot(path=str(artifacts_dir / "reading-aids-other-article-ruby-390x844.png"))

    page.goto(corpus_article["article"])
    audio = page.locator("audio[controls]")
    assert audio.get_attribute("src") == corpus_article["audio_path"]
    page.get_by_role("button", name="はやい", exact=True).click()
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.25
    page.evaluate("(() => { const a = document.querySelector('audio'); a.muted = true; return a.play(); })()")
    for _ in range(60):  # wait_for_function evaluates a string, which the CSP forbids
        if page.evaluate("document.querySelector('audio').currentTime") > 0.3:
            break
        page.wait_for_timeout(250)
    assert page.evaluate("document.querySelector('audio').currentTime") > 0.3
    assert page.evaluate("document.querySelector('audio').readyState") >= 2
    assert page.evaluate("document.querySelector('audio').duration") > 3
    page.evaluate("document.querySelector('audio').pause()")
    audio.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "reading-aids-article-ruby-player-390x844.png"))
    # The speed buttons are reachable by keyboard.
    page.get_by_role("button", name="ゆっくり").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 0.75

    feed = feedparser.parse(page.request.get(corpus_article["feed"]).body())
    assert not feed.bozo
    assert [e.enclosures[0].href for e in feed.entries] == [corpus_article["article"] + "audio.mp3"]
