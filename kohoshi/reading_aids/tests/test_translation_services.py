"""Machine translation of articles: the body's structure kept on the corpus' real articles,
translations made on request, cached per article and language, made again when the text changes."""
import csv
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.formatting import render_body
from kohoshi.newsletters.services import article_update
from kohoshi.places.models import Municipality
from kohoshi.reading_aids import services
from kohoshi.reading_aids.models import ArticleTranslation
from kohoshi.reading_aids.translation.backends import LibreTranslate
from kohoshi.reading_aids.translation.segments import texts_of, translate_html
from kohoshi.staff.tests.factories import make_issue

from .translation_server import TranslationServer, fake_translation

_JAPANESE = re.compile(r"[\u3041-\u30ff\u3400-\u9fff々]")
_TAG = re.compile(r"<(/?)([a-z0-9]+)")
_TEL = re.compile(r'href="(tel:[^"]+)"')
# Phone and fax numbers as printed: "046-225-2746", "225-2746" (not an address's "1-16-302").
_NUMBER = re.compile(r"(?<![\d-])(?:0\d{1,4}[-－‐]\d{1,4}[-－‐]\d{3,4}|\d{3,4}[-－‐]\d{4})(?![\d-])")


@pytest.fixture
def server():
    with TranslationServer() as running:
        yield running


@pytest.fixture
def translation_on(settings, server):
    settings.KOHOSHI_TRANSLATION_BACKEND = "libretranslate"
    settings.KOHOSHI_TRANSLATION_URL = server.url
    settings.KOHOSHI_TRANSLATION_KEY = ""
    return server


# ---- the body's structure, on every corpus article ------------------------------------------

def test_markup_links_and_numbers_are_kept_and_only_japanese_text_is_sent():
    body = (
        '<h2>申込み</h2>\n<p>電話 <a class="kh-tel" href="tel:+81-46-225-2746">046-225-2746</a>'
        "で受付。FAX 046-223-0000(平日9時～17時)</p>\n<ul><li>対象：市内在住の方</li><li>10:00</li></ul>"
        '\n<p>詳細は <a href="https://example.jp/a?x=1&amp;y=2">https://example.jp/a?x=1&amp;y=2</a> へ &amp; 窓口</p>'
    )
    assert texts_of(body) == ["申込み", "電話", "で受付。FAX", "(平日9時～17時)", "対象：市内在住の方", "詳細は", "へ & 窓口"]
    out = translate_html(body, lambda texts: [f"<{t}>" for t in texts])
    assert out == (
        '<h2>&lt;申込み&gt;</h2>\n<p>&lt;電話&gt; <a class="kh-tel" href="tel:+81-46-225-2746">046-225-2746</a>'
        "&lt;で受付。FAX&gt; 046-223-0000&lt;(平日9時～17時)&gt;</p>\n<ul><li>&lt;対象：市内在住の方&gt;</li><li>10:00</li></ul>"
        '\n<p>&lt;詳細は&gt; <a href="https://example.jp/a?x=1&amp;y=2">https://example.jp/a?x=1&amp;y=2</a> &lt;へ &amp; 窓口&gt;</p>'
    )


@pytest.mark.corpus
@pytest.mark.django_db
def test_every_corpus_article_is_translated_block_by_block_keeping_its_structure(corpus_csv_files, server):
    """All the corpus' articles, rendered as the site stores them (with their town's area codes),
    translated through the local LibreTranslate: every heading, paragraph, list item and fact is
    translated (no Japanese is left), the tags are the same in number, phone links and printed
    numbers are unchanged."""
    towns = {m.name: m for m in Municipality.objects.all()}
    backend = LibreTranslate(url=server.url)
    rows = [row for file in corpus_csv_files for row in csv.DictReader(file.open(encoding="utf-8-sig"))]
    totals = Counter()
    for row in rows:
        name = row["自治体名"]
        town = next((m for n, m in towns.items() if name.endswith(n)), None)
        body = render_body(row["記事本文"], municipality=town)
        if not body:
            continue
        translated = translate_html(body, lambda texts: backend.translate(texts, target="en"))
        assert Counter(_TAG.findall(translated)) == Counter(_TAG.findall(body))
        assert _TEL.findall(translated) == _TEL.findall(body)
        assert _NUMBER.findall(translated) == _NUMBER.findall(body)
        left = _JAPANESE.search(translated)
        assert not left, (row["記事タイトル"], translated[max(0, left.start() - 120) : left.end() + 40])
        totals["articles"] += 1
        totals["texts"] += len(texts_of(body))
        totals["headings"] += len(re.findall(r"<h[234]>", body))
        totals["items"] += len(re.findall(r"<li>", body))
        totals["tel"] += len(_TEL.findall(body))
        totals["numbers"] += len(_NUMBER.findall(body))
    assert totals["articles"] > 800
    assert totals["headings"] > 500 and totals["items"] > 1000 and totals["tel"] > 300
    print(dict(totals), "requests:", len(server.requests))


# ---- made on request, stored, refreshed -------------------------------------------------------



@pytest.mark.django_db
def test_a_request_queues_one_translation_which_is_stored_labelled_by_language(
    translation_on, django_capture_on_commit_callbacks
):
    article = make_issue().articles.order_by("position").first()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        row = services.translation_request(article, "en")
        again = services.translation_request(article, "en")  # a reload: nothing more queued
    assert row.status == again.status == ArticleTranslation.Status.PENDING
    assert len(queued) == 1
    assert services.translation_for(article, "en") is None
    assert services.translation_make(article.pk, "en") == ArticleTranslation.Status.READY
    stored = services.translation_for(article, "en")
    assert stored.title == fake_translation(article.title, "en")
    assert fake_translation("見出し1", "en") in stored.body_html and "<h2>" in stored.body_html
    assert stored.backend == "libretranslate"
    requests = len(translation_on.requests)
    assert services.translation_make(article.pk, "en") == "ready"  # current: not sent again
    assert len(translation_on.requests) == requests
    assert services.translation_for(article, "ko") is None  # per language
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.translation_request(article, "en") == stored
    assert not queued


@pytest.mark.django_db
def test_a_failure_is_recorded_and_asked_again_only_after_a_while(translation_on, django_capture_on_commit_callbacks):
    article = make_issue().articles.order_by("position").first()
    translation_on.fail_next = [403]
    assert services.translation_make(article.pk, "vi") == ArticleTranslation.Status.FAILED
    row = ArticleTranslation.objects.get(article=article, language="vi")
    assert "libretranslate: HTTP 403" in row.error
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.translation_request(article, "vi")
    assert not queued  # just failed: the page says so, no new work
    ArticleTranslation.objects.filter(pk=row.pk).update(requested_at=timezone.now() - timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.translation_request(article, "vi")
    assert len(queued) == 1
    assert services.translation_for(article, "vi").title == fake_translation(article.title, "vi")


@pytest.mark.django_db
def test_an_edited_article_gets_its_existing_translations_made_again(
    translation_on, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.KOHOSHI_READING_AIDS_AUTO = True
    monkeypatch.setattr(services, "audio_refresh_articles", lambda ids: 0)  # speech is not under test
    first, second, _ = make_issue().articles.order_by("position")
    services.translation_make(first.pk, "en")
    services.translation_make(second.pk, "pt")
    old = ArticleTranslation.objects.get(article=second)
    with django_capture_on_commit_callbacks(execute=True):
        first = article_update(first, by=SYSTEM, title="図書館のお知らせ", category=first.category, body="■休館日\n月曜日です。")
    stale = ArticleTranslation.objects.get(article=first, language="en")
    assert stale.title == fake_translation("図書館のお知らせ", "en")
    assert fake_translation("月曜日です。", "en") in stale.body_html
    assert services.translation_for(first, "en") == stale
    assert ArticleTranslation.objects.get(article=second).updated_at == old.updated_at  # unchanged article
    assert not ArticleTranslation.objects.filter(article=first, language="ko").exists()  # none made unasked


@pytest.mark.django_db
def test_a_changed_article_shows_no_stale_translation_while_it_is_made_again(
    translation_on, django_capture_on_commit_callbacks
):
    article = make_issue().articles.order_by("position").first()
    services.translation_make(article.pk, "en")
    type(article).objects.filter(pk=article.pk).update(title="変更後のタイトル")
    article.refresh_from_db()
    assert services.translation_for(article, "en") is None
    with django_capture_on_commit_callbacks(execute=False) as queued:
        row = services.translation_request(article, "en")
    assert row.status == ArticleTranslation.Status.PENDING and len(queued) == 1
    queued[0]()
    assert services.translation_for(article, "en").title == fake_translation("変更後のタイトル", "en")


@pytest.mark.django_db
def test_another_backend_makes_translations_again(translation_on, settings):
    article = make_issue().articles.order_by("position").first()
    services.translation_make(article.pk, "en")
    assert services.translation_for(article, "en") is not None
    settings.KOHOSHI_TRANSLATION_CODES = "en=en-GB"
    assert services.translation_for(article, "en") is None


@pytest.mark.django_db
def test_without_a_backend_nothing_is_made(settings):
    settings.KOHOSHI_TRANSLATION_BACKEND = ""
    article = make_issue().articles.order_by("position").first()
    assert services.translation_make(article.pk, "en") == "off"
    assert not ArticleTranslation.objects.exists()
