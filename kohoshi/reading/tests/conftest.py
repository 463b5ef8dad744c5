"""Fixtures shared by the reading tests."""
import pytest

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article


@pytest.fixture
def display_site(corpus_csv_files, live_server, settings, tmp_path):
    """One real issue of 広報あつぎ; its article page with a tap-to-call contact box, furigana and
    the read-aloud player."""
    from kohoshi.reading_aids import services

    settings.MEDIA_ROOT = tmp_path
    assert not files_import(corpus_csv_files[:1], kind="csv").errors
    with_contact = [
        a for a in Article.objects.select_related("issue__newsletter__municipality")
        if "kh-contact" in a.body_html and "kh-tel" in a.body_html and len(a.body_source) > 150
    ]
    article = min(with_contact, key=lambda a: len(a.body_source))
    services.furigana_refresh_articles(Article.objects.filter(pk=article.pk))
    audio = services.audio_make(article.pk) == "ready"
    issue = article.issue
    return {
        "audio": audio,
        "town": issue.newsletter.municipality_id,
        "pages": {
            "home": "/",
            "newsletter": issue.newsletter.get_absolute_url(),
            "issue": issue.get_absolute_url(),
            "article": article.get_absolute_url(),
            "search-results": "/search/?q=" + article.title[:4],
            "my-town": "/my-town/",
            "subscriptions": "/subscriptions/",
            "survey": f"/survey/a/{article.pk}/",
            "settings": "/settings/",
            "kirinuki": "/kirinuki/",
            "offline": "/offline/",
        },
    }
