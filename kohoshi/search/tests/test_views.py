import pytest
from django.urls import reverse

from .conftest import SEED_MUNICIPALITY, SEED_TITLE

pytestmark = [pytest.mark.django_db, pytest.mark.corpus, pytest.mark.usefixtures("search_corpus")]


def test_search_page_lists_results_with_place_issue_date_and_marked_snippet(client):
    response = client.get("/search/", {"q": "子ども 医療費"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "件の記事が見つかりました" in html
    assert SEED_TITLE in html
    assert "北海道苫小牧市" in html and "広報とまこまい" in html and "2024年4月1日" in html
    assert "<mark>医療費</mark>" in html


def test_bare_search_path_redirects_to_the_page(client):
    response = client.get("/search", {"q": "防災"})
    assert response.status_code in (301, 302)
    assert client.get(response["Location"]).status_code == 200


def test_search_box_is_on_every_page(client):
    for url in ("/", "/about/", reverse("search:search")):
        html = client.get(url).content.decode()
        assert 'role="search"' in html and 'name="q"' in html, url


def test_no_results_page_helps_and_counts_the_miss(client):
    from kohoshi.search.services import search_misses_for
    from datetime import date, timedelta

    html = client.get("/search/", {"q": "ほげほげふがふが星人", "muni": SEED_MUNICIPALITY}).content.decode()
    assert "見つかりませんでした" in html
    assert "絞り込みの条件を外して" in html
    from kohoshi.places.models import Municipality

    town = Municipality.objects.get(code=SEED_MUNICIPALITY)
    misses = search_misses_for(town, since=date.today() - timedelta(days=1))
    assert [(m.query, m.count) for m in misses] == [("ほげほげふがふが星人", 1)]
    client.get("/search/", {"q": "ほげほげふがふが星人", "muni": SEED_MUNICIPALITY})
    assert search_misses_for(town, since=date.today() - timedelta(days=1))[0].count == 2
    assert search_misses_for(None, since=date.today() - timedelta(days=1)) == []


def test_user_input_is_escaped(client):
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in html


def test_filters_and_pagination_keep_the_query(client):
    html = client.get("/search/", {"q": "市", "pref": "14", "order": "newest"}).content.decode()
    assert 'rel="next"' in html
    assert "pref=14" in html and "page=2" in html
    page2 = client.get("/search/", {"q": "市", "pref": "14", "order": "newest", "page": 2})
    assert page2.status_code == 200


def test_search_page_query_budget(client, django_assert_max_num_queries):
    # Results (3) + the filter form's choices (prefectures, towns, newsletters, categories) + session.
    with django_assert_max_num_queries(12):
        client.get("/search/", {"q": "子育て", "pref": "14"})


def test_api_v1_search_returns_a_small_stable_shape(client):
    response = client.get("/api/v1/search", {"q": "子ども 医療費", "limit": 3})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "results"}
    assert data["count"] >= 3 and len(data["results"]) == 3
    first = data["results"][0]
    assert set(first) == {"title", "url", "municipality_code", "published_on", "snippet"}
    seed = next(r for r in data["results"] if r["title"] == SEED_TITLE)
    assert seed["municipality_code"] == SEED_MUNICIPALITY
    assert seed["published_on"] == "2024-04-01"
    assert seed["url"].endswith("/m/012131/koho/2024-04-01/1/")
    assert "<mark>" in seed["snippet"]


def test_api_v1_search_validates_limit(client):
    assert client.get("/api/v1/search", {"q": "防災", "limit": 500}).status_code == 422
    assert client.get("/api/v1/search").status_code == 422
    assert client.get("/api/v1/search", {"q": "ほげほげふがふが星人"}).json() == {"count": 0, "results": []}


def test_a_count_beyond_the_match_limit_reads_as_at_least(client, monkeypatch):
    from kohoshi.search import services

    monkeypatch.setattr(services, "MATCH_LIMIT", 30)
    html = client.get("/search/", {"q": "市"}).content.decode()
    assert "30 件以上の記事が見つかりました" in html
    body = client.get("/api/v1/search", {"q": "市"}).json()
    assert body["count"] == 30 and body["count_is_lower_bound"] is True
    body = client.get("/api/v1/search", {"q": "産後ケア"}).json()
    assert body["count"] >= 1 and "count_is_lower_bound" not in body


def test_search_page_may_be_kept_by_nginx_for_the_micro_cache_moment_per_cookie(client, settings):
    settings.KOHOSHI_MICROCACHE_SECONDS = 1
    response = client.get("/search/", {"q": "防災"})
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=1"
    assert "Cookie" in response["Vary"]  # a reader's settings (text size, language) change the page
    assert not response.cookies  # nginx never keeps an answer that sets a cookie
