"""The translate control and the translated article page: shown only with a backend, labelled as
machine translation, the original one tap away, not indexed, cached only once ready."""
import re

import pytest
from django.urls import reverse

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.services import article_update, issue_unpublish
from kohoshi.reading_aids import services
from kohoshi.reading_aids.models import ArticleTranslation
from kohoshi.staff.tests.factories import make_issue

from .translation_server import TranslationServer, fake_translation

pytestmark = pytest.mark.django_db


@pytest.fixture
def server():
    with TranslationServer(key="k") as running:
        yield running


@pytest.fixture
def translation_on(settings, server):
    settings.KOHOSHI_TRANSLATION_BACKEND = "deepl"
    settings.KOHOSHI_TRANSLATION_URL = server.url
    settings.KOHOSHI_TRANSLATION_KEY = "k"
    settings.KOHOSHI_TRANSLATION_LANGUAGES = ["en", "zh-hans", "ko", "vi", "pt"]
    return server


def _url(article, language):
    n = article.issue.newsletter
    return reverse("newsletters:article_translation", args=[n.municipality_id, n.slug, article.issue.slug, article.number, language])


def test_without_a_backend_there_is_no_translate_control_and_no_translated_page(client, article, settings):
    settings.KOHOSHI_TRANSLATION_BACKEND = ""
    page = client.get(article.get_absolute_url()).content.decode()
    assert "kh-translate" not in page and "Translate" not in page
    assert client.get(_url(article, "en")).status_code == 404


def test_the_article_page_lists_the_configured_languages_only(client, article, translation_on, settings):
    settings.KOHOSHI_TRANSLATION_LANGUAGES = ["vi", "en"]
    page = client.get(article.get_absolute_url()).content.decode()
    assert "翻訳" in page and "Translate" in page
    links = re.findall(r'<a href="([^"]+)" lang="([^"]+)" hreflang="[^"]+" rel="nofollow">([^<]+)</a>', page)
    assert links == [(_url(article, "vi"), "vi", "Tiếng Việt"), (_url(article, "en"), "en", "English")]
    assert client.get(_url(article, "ko")).status_code == 404  # not configured
    assert client.get(_url(article, "fr")).status_code == 404


def test_first_visit_prepares_then_the_page_shows_the_labelled_translation(client, article, translation_on, committed):
    url = _url(article, "en")
    first = committed(client.get, url)  # the task runs once the request's work has committed
    page = first.content.decode()
    assert "翻訳を準備しています" in page and "Preparing the translation" in page
    assert "no-store" in first["Cache-Control"]
    assert 'name="robots" content="noindex"' in page
    page = client.get(url).content.decode()
    assert "翻訳を準備しています" not in page
    assert f'<h1 id="article-title" lang="en">{fake_translation(article.title, "EN-US")}</h1>' in page
    assert '<div class="kh-body" lang="en"' in page
    assert fake_translation("見出し1", "EN-US") in page
    assert "機械翻訳" in page and '<span lang="en">Machine translation — may contain errors</span>' in page
    assert f'<a href="{article.get_absolute_url()}" hreflang="ja" data-testid="original">' in page
    assert 'name="robots" content="noindex"' in page
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in page
    # the other configured languages, one tap away too
    assert f'href="{_url(article, "ko")}" lang="ko"' in page and f'href="{_url(article, "en")}" lang="en"' not in page


def test_a_failed_translation_says_so_in_both_languages(client, article, translation_on, committed):
    translation_on.fail_next = [456]  # DeepL's "quota exceeded"
    page = committed(client.get, _url(article, "ko")).content.decode()
    assert "翻訳を準備しています" in page
    page = client.get(_url(article, "ko")).content.decode()
    assert "翻訳できませんでした" in page and "번역하지 못했습니다" in page
    assert "deepl: HTTP 456" in ArticleTranslation.objects.get(article=article).error
    assert "deepl" not in page  # the backend's error stays in the log and the admin


def test_unpublished_articles_have_no_translated_page(client, translation_on, committed):
    issue = committed(make_issue)
    article = issue.articles.first()
    services.translation_make(article.pk, "en")
    committed(issue_unpublish, issue, by=SYSTEM)
    assert client.get(_url(article, "en")).status_code == 404


def test_the_ready_page_is_cached_and_rendered_again_after_an_edit(client, translation_on, committed, settings):
    settings.KOHOSHI_PAGE_CACHE = True
    issue = committed(make_issue)
    article = issue.articles.order_by("position").first()
    url = _url(article, "en")
    pending = committed(client.get, url)
    assert "X-Kohoshi-Cache" not in pending and "no-store" in pending["Cache-Control"]  # never stored
    ready = client.get(url)  # the translation's save bumped the issue's pages
    assert ready["X-Kohoshi-Cache"] == "miss" and "public" in ready["Cache-Control"]
    assert client.get(url)["X-Kohoshi-Cache"] == "hit"
    committed(article_update, article, by=SYSTEM, title="新しい題", category=article.category, body="■見出し\n本文です。")
    after = committed(client.get, url)
    assert "翻訳を準備しています" in after.content.decode() and "X-Kohoshi-Cache" not in after
    assert fake_translation("新しい題", "EN-US") in client.get(url).content.decode()


def test_each_client_starts_only_so_many_new_translations(client, translation_on, committed, settings):
    settings.KOHOSHI_TRANSLATION_RATE_LIMIT = (2, 3600)
    first, second, third = make_issue().articles.order_by("position")
    committed(client.get, _url(first, "en"))
    for _ in range(3):  # reading a made translation costs nothing
        assert client.get(_url(first, "en")).status_code == 200
    with_pending = client.get(_url(second, "ko"))  # queued, not run: reloads are free too
    assert client.get(_url(second, "ko")).status_code == with_pending.status_code == 200
    limited = client.get(_url(third, "vi"))
    assert limited.status_code == 429 and "no-store" in limited["Cache-Control"]
    assert "しばらく受け付けを止めています" in limited.content.decode()
    assert not ArticleTranslation.objects.filter(article=third).exists()
    assert client.get(_url(first, "en"), REMOTE_ADDR="203.0.113.9").status_code == 200
    assert client.get(_url(third, "vi"), REMOTE_ADDR="203.0.113.9").status_code == 200  # another reader
