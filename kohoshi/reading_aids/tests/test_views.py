import re

import feedparser
import pytest
from django.core.files.base import ContentFile

from kohoshi.reading_aids import services
from kohoshi.reading_aids.models import ArticleAudio
from kohoshi.staff.tests.factories import make_issue

pytestmark = pytest.mark.django_db
MP3 = b"ID3\x04\x00" + bytes(range(256)) * 4


@pytest.fixture
def article(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issue = make_issue(n_articles=2)
    item = issue.articles.order_by("position").first()
    item.title = "市民課のお知らせ"  # as if written by the services; the ruby is computed below
    item.save(update_fields=["title"])
    services.furigana_refresh_articles(issue.articles.all())
    return item


def _ready(article):
    script_hash = services._script_hash(services._script(article, {}))
    audio = ArticleAudio(article=article, status=ArticleAudio.Status.READY, source_hash=script_hash,
                         duration_seconds=83.4, size_bytes=len(MP3))
    audio.file.save("a.mp3", ContentFile(MP3), save=False)
    audio.save()
    return audio


def test_ruby_shows_only_when_the_reader_turned_it_on(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<ruby>" not in page and 'value="on" aria-pressed="false"' in page
    client.cookies["kh_ruby"] = "on"
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<h1 id=\"article-title\" lang=\"ja\"><ruby>市民<rt>しみん</rt></ruby>" in page
    assert "<ruby>見出<rt>みだ</rt></ruby>し" in page  # the body too
    assert 'value="off" aria-pressed="true"' in page


def test_the_settings_form_turns_ruby_on_without_javascript(client, article):
    response = client.get("/settings/", {"ruby": "on", "next": article.get_absolute_url()})
    assert response.status_code == 302 and response.cookies["kh_ruby"].value == "on"
    assert 'name="ruby"' in client.get("/settings/").content.decode()


def test_no_player_until_the_audio_is_ready(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert "音声を準備中です" in page and "<audio" not in page
    assert client.get(article.get_absolute_url() + "audio.mp3").status_code == 404


def test_the_player_plays_the_articles_mp3_with_byte_ranges(client, article):
    _ready(article)
    page = client.get(article.get_absolute_url()).content.decode()
    src = re.search(r'<audio[^>]* controls[^>]* src="([^"]+)"', page).group(1)
    assert src == article.get_absolute_url() + "audio.mp3"
    assert "長さ 1分23秒" in page and "CC BY 3.0" in page and "音声を準備中です" not in page
    assert re.search(r'role="group" aria-label="再生の速さ"', page)
    whole = client.get(src)
    assert whole["Content-Type"] == "audio/mpeg" and b"".join(whole.streaming_content) == MP3
    part = client.get(src, HTTP_RANGE="bytes=3-9")
    assert part.status_code == 206 and part.content == MP3[3:10]
    assert part["Content-Range"] == f"bytes 3-9/{len(MP3)}"
    assert client.get(src, HTTP_RANGE=f"bytes={len(MP3)}-").status_code == 416


def test_the_podcast_feed_lists_ready_audio_and_is_discoverable(client, article):
    _ready(article)
    newsletter = article.issue.newsletter
    feed_url = f"/m/{newsletter.municipality_id}/{newsletter.slug}/podcast.xml"
    for page in (article.get_absolute_url(), f"/m/{newsletter.municipality_id}/{newsletter.slug}/"):
        assert f'type="application/rss+xml" title="{newsletter.title}(読み上げ・ポッドキャスト)" href="{feed_url}"' in client.get(page).content.decode()
    xml = client.get(feed_url).content
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.itunes_type == "episodic" and parsed.feed.author
    assert b"<itunes:explicit>false</itunes:explicit>" in xml
    (entry,) = parsed.entries
    assert entry.title.startswith("市民課のお知らせ")
    (enclosure,) = entry.enclosures
    assert enclosure.type == "audio/mpeg" and int(enclosure.length) == len(MP3)
    assert enclosure.href.endswith(article.get_absolute_url() + "audio.mp3")
    assert entry.itunes_duration == "0:01:23"
