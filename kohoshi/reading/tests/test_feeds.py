"""Feeds per condition (search, category, newsletter) in RSS and Atom, read back with feedparser,
on real 広報あつぎ issues from ../shared/corpus."""
import feedparser
import pytest
from django.urls import reverse

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article, Category, Newsletter

pytestmark = pytest.mark.django_db

ATSUGI = "142123"


@pytest.fixture
def atsugi(corpus_csv_files):
    report = files_import(corpus_csv_files[:2], kind="csv")
    assert not report.errors
    return Newsletter.objects.get(municipality_id=ATSUGI)


def _read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    return response, parsed


def _feed_urls(atsugi, category):
    newsletter_args = [ATSUGI, atsugi.slug]
    search = "?q=%E7%9B%B8%E8%AB%87&muni=142123"  # q=相談
    return {
        "rss": [
            reverse("newsletters:feed_newsletter", args=newsletter_args),
            reverse("newsletters:feed_category", args=[category.slug]),
            reverse("newsletters:feed_search") + search,
            reverse("newsletters:feed_search") + f"?cat={category.slug}",
            reverse("newsletters:feed_latest"),
            reverse("newsletters:feed_municipality", args=[ATSUGI]),
        ],
        "atom": [
            reverse("newsletters:feed_newsletter_atom", args=newsletter_args),
            reverse("newsletters:feed_category_atom", args=[category.slug]),
            reverse("newsletters:feed_search_atom") + search,
            reverse("newsletters:feed_search_atom") + f"?muni={ATSUGI}&cat={category.slug}",
        ],
    }


def test_every_feed_parses_without_bozo_in_its_format(client, atsugi):
    category = Category.objects.filter(articles__issue__newsletter=atsugi).distinct().first()
    urls = _feed_urls(atsugi, category)
    for kind, expected_version in (("rss", "rss20"), ("atom", "atom10")):
        for url in urls[kind]:
            response, parsed = _read(client, url)
            assert parsed.version == expected_version, url
            assert parsed.entries, url
            for entry in parsed.entries:
                assert entry.link.startswith("http://testserver/m/"), entry.link


def test_newsletter_feed_lists_its_newest_articles_with_absolute_links(client, atsugi):
    _, parsed = _read(client, reverse("newsletters:feed_newsletter_atom", args=[ATSUGI, atsugi.slug]))
    newest = Article.objects.published().filter(issue__newsletter=atsugi).order_by("-issue__published_on", "position")
    assert parsed.entries[0].title == newest[0].title
    assert parsed.entries[0].link == "http://testserver" + newest[0].get_absolute_url()
    assert parsed.entries[0].author == "神奈川県厚木市"
    assert len(parsed.entries) == 30


def test_category_feed_holds_only_that_category(client, atsugi):
    category = Category.objects.filter(articles__issue__newsletter=atsugi).distinct().first()
    _, parsed = _read(client, reverse("newsletters:feed_category", args=[category.slug]))
    assert {tag.term for entry in parsed.entries for tag in entry.tags} == {category.name}
    assert category.name in parsed.feed.title


def test_search_feed_uses_the_search_condition(client, atsugi):
    word = "相談"
    _, parsed = _read(client, reverse("newsletters:feed_search") + f"?q={word}&muni={ATSUGI}")
    assert parsed.entries
    for entry in parsed.entries:
        article = Article.objects.get(title=entry.title, issue__newsletter=atsugi, number=int(entry.link.rstrip("/").rsplit("/", 1)[1]))
        assert word in article.title + article.body_source
    assert "相談" in parsed.feed.title and "厚木市" in parsed.feed.title
    _, nothing = _read(client, reverse("newsletters:feed_search") + f"?q={word}&muni=011002")
    assert nothing.entries == []


def test_search_feed_refuses_an_empty_or_unknown_condition(client, atsugi):
    assert client.get(reverse("newsletters:feed_search")).status_code == 404
    assert client.get(reverse("newsletters:feed_search") + "?muni=999999").status_code == 404
    assert client.get(reverse("newsletters:feed_search_atom") + "?cat=no-such").status_code == 404


def test_pages_announce_their_feeds(client, atsugi):
    page = client.get(atsugi.get_absolute_url()).content.decode()
    assert f'type="application/rss+xml" title="広報あつぎの新着記事(RSS)" href="/m/{ATSUGI}/{atsugi.slug}/feed.xml"' in page
    assert f'href="/m/{ATSUGI}/{atsugi.slug}/feed.atom"' in page
    results = client.get(reverse("search:search") + f"?q=相談&muni={ATSUGI}").content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in results
    assert "/feeds/search.atom?q=%E7%9B%B8%E8%AB%87&amp;muni=142123" in results
    category = Category.objects.filter(articles__issue__newsletter=atsugi).distinct().first()
    by_category = client.get(reverse("search:search") + f"?q=市&cat={category.slug}").content.decode()
    assert f'href="/feeds/category/{category.slug}.xml"' in by_category


def test_search_feed_drops_characters_xml_cannot_carry(client, atsugi):
    _, parsed = _read(client, reverse("newsletters:feed_search") + "?q=%1B%E7%9B%B8%E8%AB%87%EF%BF%BE&muni=142123")
    assert parsed.feed.title == "kohoshi 「相談」 神奈川県厚木市 の記事"
