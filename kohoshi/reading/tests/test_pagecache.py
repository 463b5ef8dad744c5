"""The public page cache (kohoshi.reading.pagecache): hits, invalidation by issue_changed and
friends, scheduled issues, reader-setting and language variants, view counts on cached pages,
conditional requests, and personalised pages never cached."""
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from kohoshi.accounts.policy import SYSTEM
from kohoshi.engagement import viewbuffer
from kohoshi.engagement.services import article_views_flush
from kohoshi.newsletters.models import Category
from kohoshi.newsletters.services import article_update, issue_publish, issue_unpublish
from kohoshi.places.models import Municipality
from kohoshi.staff.tests.factories import TOMAKOMAI, make_issue, make_staff

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.KOHOSHI_PAGE_CACHE = True


@pytest.fixture
def published(db, committed):
    return committed(make_issue)


def get(client, url, **headers):
    return client.get(url, HTTP_USER_AGENT=BROWSER, **headers)


def test_second_request_is_a_hit_with_the_same_page_and_validators(client, published):
    url = published.articles.order_by("position").first().get_absolute_url()
    first, second = get(client, url), get(client, url)
    assert first["X-Kohoshi-Cache"] == "miss" and second["X-Kohoshi-Cache"] == "hit"
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert "s-maxage=1" in second["Cache-Control"] and "public" in second["Cache-Control"]
    assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"]


def test_if_none_match_and_if_modified_since_get_304(client, published):
    url = published.get_absolute_url()
    first = get(client, url)
    assert get(client, url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert get(client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert get(client, url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_an_edit_shows_at_once_on_the_article_issue_and_municipality_pages(client, published, committed):
    article = published.articles.order_by("position").first()
    pages = [article.get_absolute_url(), published.get_absolute_url(), f"/m/{TOMAKOMAI}/"]
    for url in pages:
        get(client, url)
        assert get(client, url)["X-Kohoshi-Cache"] == "hit"
    committed(article_update, article, by=SYSTEM, title="更新された見出し", category=Category.objects.first(),
              body="本文を変えました。")
    article_page = get(client, article.get_absolute_url())
    assert article_page["X-Kohoshi-Cache"] == "miss"
    assert "更新された見出し" in article_page.content.decode()
    assert "更新された見出し" in get(client, published.get_absolute_url()).content.decode()


def test_an_edit_leaves_other_issues_pages_cached(client, published, committed):
    other = committed(make_issue, day=2)
    url = other.articles.first().get_absolute_url()
    get(client, url)
    article = published.articles.first()
    committed(article_update, article, by=SYSTEM, title="別の号の変更", category=Category.objects.first(), body="本文")
    assert get(client, url)["X-Kohoshi-Cache"] == "hit"


def test_publish_and_unpublish_change_the_lists_and_the_pages(client, published, committed):
    draft = committed(make_issue, day=9, publish=False, title="新しい号 第9号")
    for url in ("/", f"/m/{TOMAKOMAI}/", "/feeds/latest.xml"):
        get(client, url)
        assert "新しい号 第9号" not in get(client, url).content.decode()
    committed(issue_publish, draft, by=SYSTEM)
    for url in ("/", f"/m/{TOMAKOMAI}/", "/feeds/latest.xml"):
        assert "新しい号 第9号" in get(client, url).content.decode(), url
    article_url = draft.articles.first().get_absolute_url()
    assert get(client, article_url).status_code == 200
    committed(issue_unpublish, draft, by=SYSTEM)
    assert get(client, article_url).status_code == 404
    assert "新しい号 第9号" not in get(client, "/").content.decode()


def test_a_scheduled_issue_appears_on_time_without_any_write(client, published, committed):
    draft = committed(make_issue, day=9, publish=False, title="予約した号 第9号")
    committed(issue_publish, draft, by=SYSTEM, at=timezone.now() + timedelta(seconds=2))
    before = get(client, "/")
    assert "予約した号 第9号" not in before.content.decode()
    assert get(client, "/")["X-Kohoshi-Cache"] == "hit"
    time.sleep(2.2)
    after = get(client, "/")
    assert after["X-Kohoshi-Cache"] == "miss"
    assert "予約した号 第9号" in after.content.decode()


def test_reader_settings_and_language_get_their_own_variants(client, published):
    url = published.get_absolute_url()
    plain = get(client, url)
    client.cookies["kh_font"] = "xl"
    large = get(client, url)
    assert large["X-Kohoshi-Cache"] == "miss"
    assert 'class="kh-font-xl' in large.content.decode()
    client.cookies["kh_font"] = "nonsense"  # normalized to the default: the plain page's entry
    odd = get(client, url)
    assert odd["X-Kohoshi-Cache"] == "hit" and odd.content == plain.content
    client.cookies["kh_font"] = "m"
    client.cookies["kh_contrast"] = "high"
    assert "kh-contrast-high" in get(client, url).content.decode()
    del client.cookies["kh_contrast"]
    client.cookies["django_language"] = "en"
    english = get(client, url)
    assert english["X-Kohoshi-Cache"] == "miss"
    assert '<html lang="en"' in english.content.decode()
    del client.cookies["django_language"]
    assert '<html lang="en"' in get(client, url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_views_are_counted_on_cached_pages_and_not_for_head_or_bots(client, published):
    article = published.articles.first()
    url = article.get_absolute_url()
    for _ in range(3):
        get(client, url)
    client.head(url, HTTP_USER_AGENT=BROWSER)
    client.get(url, HTTP_USER_AGENT="Googlebot/2.1")
    assert sum(n for (_, pk), n in viewbuffer.pending().items() if pk == article.pk) == 3


def test_behind_nginx_the_page_counts_by_beacon(client, published):
    article = published.articles.first()
    url = article.get_absolute_url()
    for _ in range(2):
        page = get(client, url, HTTP_X_KOHOSHI_VIEWS="beacon")
        assert f'content="/v/{article.pk}/"' in page.content.decode()
    assert 'name="kh-view-beacon"' not in get(client, url).content.decode()  # its own entry
    viewbuffer.cache.clear()
    assert client.post(f"/v/{article.pk}/", HTTP_USER_AGENT=BROWSER).status_code == 204
    assert client.post(f"/v/{article.pk}/", HTTP_USER_AGENT="curl/8").status_code == 204
    assert client.get(f"/v/{article.pk}/").status_code == 405
    assert sum(viewbuffer.pending().values()) == 1


def test_written_views_renew_the_most_read_list(client, published):
    article = published.articles.order_by("position").last()
    url = f"/m/{TOMAKOMAI}/"
    get(client, url)
    get(client, article.get_absolute_url())
    article_views_flush(everything=True)
    page = get(client, url)
    assert page["X-Kohoshi-Cache"] == "miss"
    assert article.title in page.content.decode().split("kh-most-read", 1)[-1] or article.title in page.content.decode()


def test_renaming_a_municipality_renews_every_page(client, published):
    url = published.articles.first().get_absolute_url()
    get(client, url)
    town = Municipality.objects.get(code=TOMAKOMAI)
    town.name = "改名市"
    town.save()
    page = get(client, url)
    assert page["X-Kohoshi-Cache"] == "miss" and "改名市" in page.content.decode()


def test_staff_with_a_session_are_never_served_from_or_written_to_the_cache(client, published):
    url = published.get_absolute_url()
    client.force_login(make_staff("editor"))
    staff_page = get(client, url)
    assert "X-Kohoshi-Cache" not in staff_page
    assert "public" not in staff_page.get("Cache-Control", "")
    client.logout()
    client.cookies.pop("sessionid", None)
    assert get(client, url)["X-Kohoshi-Cache"] == "miss"


@pytest.mark.parametrize("path", ["/settings/", "/staff/", "/healthz"])
def test_personal_pages_are_never_public(client, published, path):
    response = get(client, path)
    assert "X-Kohoshi-Cache" not in response
    cache_control = response.get("Cache-Control", "")
    assert "public" not in cache_control and ("no-store" in cache_control or "no-cache" in cache_control or "private" in cache_control)


def test_survey_form_is_never_public(client, published):
    response = get(client, f"/survey/a/{published.articles.first().pk}/")
    assert response.status_code == 200
    assert "public" not in response.get("Cache-Control", "")
    assert "no-store" in response.get("Cache-Control", "") or "private" in response.get("Cache-Control", "")


def test_a_query_string_is_never_cached(client, published):
    url = published.get_absolute_url()
    get(client, url + "?x=1")
    assert "X-Kohoshi-Cache" not in get(client, url + "?x=1")


def test_a_new_release_never_serves_pages_the_old_code_rendered(client, published, monkeypatch):
    from kohoshi.reading import pagecache

    url = published.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Kohoshi-Cache"] == "hit"
    monkeypatch.setattr(pagecache, "code_version", lambda: "next-release")
    assert client.get(url)["X-Kohoshi-Cache"] == "miss"


def test_the_code_version_follows_templates_and_modules_not_tests(tmp_path):
    from kohoshi.reading.pagecache import tree_hash

    (tmp_path / "templates").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>{{ a }}</p>")
    (tmp_path / "views.py").write_text("X = 1\n")
    first = tree_hash(tmp_path)
    (tmp_path / "tests" / "test_x.py").write_text("def test(): pass\n")
    assert tree_hash(tmp_path) == first
    (tmp_path / "templates" / "page.html").write_text("<p>{{ b }}</p>")
    second = tree_hash(tmp_path)
    assert second != first
    (tmp_path / "views.py").write_text("X = 2\n")
    assert tree_hash(tmp_path) not in (first, second)
