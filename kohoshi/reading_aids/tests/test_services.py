import shutil

import feedparser
import pytest

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.services import article_update, issue_unpublish
from kohoshi.reading_aids import services
from kohoshi.reading_aids.models import ArticleAudio, ArticleFurigana, NameReading
from kohoshi.staff.tests.factories import make_issue

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed (make install)")


pytestmark = pytest.mark.django_db


@pytest.fixture
def aids_on(settings, tmp_path, django_capture_on_commit_callbacks):
    """Reading aids follow writes (off in other apps' tests); after-commit work runs at once."""
    settings.KOHOSHI_READING_AIDS_AUTO = True
    settings.MEDIA_ROOT = tmp_path
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _write(article, title, body):
    return article_update(article, by=SYSTEM, title=title, category=article.category, body=body)


def test_writing_an_issue_stores_furigana_and_editing_recomputes_only_that_article(aids_on):
    with aids_on():
        issue = make_issue(publish=False)
    first, second, _ = issue.articles.order_by("position")
    assert ArticleFurigana.objects.filter(article__issue=issue).count() == 3
    before = ArticleFurigana.objects.get(article=second).updated_at
    with aids_on():
        first = _write(first, "市民課からのお知らせ", "■申込み\n厚木市役所へ。")
    stored = ArticleFurigana.objects.get(article=first)
    assert "<ruby>市民<rt>しみん</rt></ruby>" in stored.title_html
    assert "<ruby>厚木<rt>あつぎ</rt></ruby>" in stored.body_html
    assert ArticleFurigana.objects.get(article=second).updated_at == before
    assert services.furigana_for(first) == stored


def test_a_draft_gets_no_audio(aids_on):
    with aids_on():
        issue = make_issue(publish=False)
    assert ArticleFurigana.objects.filter(article__issue=issue).exists()
    assert not ArticleAudio.objects.filter(article__issue=issue).exists()


@needs_ffmpeg
def test_publishing_makes_mp3_audio_and_an_edit_makes_it_again(aids_on):
    with aids_on():
        issue = make_issue(n_articles=1)
    article = issue.articles.get()
    audio = ArticleAudio.objects.get(article=article)
    assert audio.status == ArticleAudio.Status.READY
    data = audio.file.read()
    assert data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3")
    assert audio.duration_seconds > 0.5 and audio.size_bytes == len(data)
    old_name = audio.file.name
    with aids_on():
        article = _write(article, "記事1", "■見出し\n本文が変わりました。")
    audio.refresh_from_db()
    assert audio.file.name != old_name and not audio.file.storage.exists(old_name)
    assert services.audio_for(article) == audio


def test_audio_of_changed_text_is_not_offered(aids_on, settings):
    issue = make_issue(n_articles=1)
    article = issue.articles.get()
    ArticleAudio.objects.update_or_create(
        article=article, defaults={"status": ArticleAudio.Status.READY, "file": "audio/x.mp3", "source_hash": "old"}
    )
    assert services.audio_for(article) is None


def test_the_page_checks_ready_audio_by_its_inputs_without_preparing_the_speech_text(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    issue = make_issue(n_articles=1)
    article = issue.articles.get()
    names = services.names_for(issue.newsletter.municipality_id)
    legacy = ArticleAudio.objects.create(
        article=article, status=ArticleAudio.Status.READY, file="audio/x.mp3",
        source_hash=services._script_hash(services._script(article, names)),
    )
    assert services.audio_for(article) == legacy  # made before inputs_hash: the speech text decides
    monkeypatch.setattr(services.speech, "article_audio", lambda *a, **k: pytest.fail("audio made again"))
    assert services.audio_make(article.pk) == ArticleAudio.Status.READY  # current: only its inputs recorded
    legacy.refresh_from_db()
    assert legacy.inputs_hash == services._audio_inputs_hash(article, names)

    monkeypatch.setattr(services.speech, "speech_script", lambda *a, **k: pytest.fail("speech text prepared"))
    assert services.audio_for(article) == legacy
    article.body_html += "<p>追記があります。</p>"
    assert services.audio_for(article) is None  # the text changed: no audio of the old text
    article.refresh_from_db()
    NameReading.objects.create(municipality_id=issue.newsletter.municipality_id, surface="厚木", reading="あつぎ")
    assert services.audio_for(article) is None  # a name reading changes what is read aloud


def test_a_name_reading_recomputes_the_municipalitys_furigana(aids_on):
    with aids_on():
        issue = make_issue(n_articles=1, publish=False)
        article = _write(issue.articles.get(), "鳶尾の催し", "荻野小または鳶尾小の敷地")
    assert "いちはつ" in ArticleFurigana.objects.get(article=article).body_html
    NameReading.objects.create(municipality_id=issue.newsletter.municipality_id, surface="鳶尾", reading="とびお")
    assert services.furigana_for(article) is None  # stale ruby is never shown
    with aids_on():  # what the admin does on save
        services.names_changed(issue.newsletter.municipality_id)
    stored = ArticleFurigana.objects.get(article=article)
    assert "<ruby>鳶尾<rt>とびお</rt></ruby>" in stored.body_html and "とびお" in stored.title_html


def test_unpublishing_keeps_aids_but_the_public_audio_and_feed_drop_the_article(aids_on, client):
    issue = make_issue(n_articles=1)
    article = issue.articles.get()
    ArticleAudio.objects.update_or_create(
        article=article, defaults={"status": ArticleAudio.Status.READY, "file": "audio/x.mp3", "source_hash": "x",
                                   "size_bytes": 3, "duration_seconds": 1}
    )
    feed_url = f"/m/{issue.newsletter.municipality_id}/{issue.newsletter.slug}/podcast.xml"
    assert len(feedparser.parse(client.get(feed_url).content).entries) == 1
    issue_unpublish(issue, by=SYSTEM)
    assert client.get(article.get_absolute_url() + "audio.mp3").status_code == 404
    assert feedparser.parse(client.get(feed_url).content).entries == []


def test_the_admin_saves_a_name_reading_and_recomputes_furigana(aids_on, client):
    from django.contrib.auth import get_user_model

    with aids_on():
        issue = make_issue(n_articles=1, publish=False)
        article = _write(issue.articles.get(), "鳶尾の催し", "荻野小または鳶尾小の敷地")
    admin = get_user_model().objects.create_superuser("root", password="correct-horse-battery")
    client.force_login(admin)
    url = "/admin/reading_aids/namereading/add/"
    bad = client.post(url, {"municipality": issue.newsletter.municipality_id, "surface": "鳶尾", "reading": "トビオ"})
    assert "読みはひらがなで入力してください。" in bad.content.decode()
    with aids_on():
        done = client.post(url, {"municipality": issue.newsletter.municipality_id, "surface": "鳶尾", "reading": "とびお"})
    assert done.status_code == 302
    assert "<ruby>鳶尾<rt>とびお</rt></ruby>" in ArticleFurigana.objects.get(article=article).body_html
