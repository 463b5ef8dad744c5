"""わたしのまち: the reader's towns in a cookie, the home page opening with them, and the
municipality search by name or reading — all without JavaScript."""
import pytest
from django.urls import reverse

from kohoshi.reading import mytown
from kohoshi.staff.tests.factories import SAPPORO, TOMAKOMAI, make_issue

pytestmark = pytest.mark.django_db
ATSUGI = "142123"


def _choose(client, code, next_url="/"):
    return client.get(reverse("newsletters:my_town"), {"add": code, "next": next_url})


def test_choosing_a_town_keeps_it_in_a_cookie_and_returns_home(client):
    response = _choose(client, TOMAKOMAI)
    assert response.status_code == 302 and response["Location"] == "/"
    cookie = response.cookies[mytown.COOKIE]
    assert cookie.value == TOMAKOMAI
    assert cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 300 * 24 * 3600


def test_home_opens_with_the_newest_issue_and_articles_of_each_chosen_town(client):
    make_issue(TOMAKOMAI, newsletter="広報とまこまい", day=1)
    newest = make_issue(TOMAKOMAI, newsletter="広報とまこまい", day=15, n_articles=8)
    make_issue(SAPPORO, newsletter="広報さっぽろ", day=3)
    _choose(client, SAPPORO)
    _choose(client, TOMAKOMAI)
    page = client.get("/")
    html = page.content.decode()
    assert "Cookie" in page["Vary"]
    assert "わたしのまちの広報紙" in html
    # The last chosen comes first; each town shows its newest issue, not an older one.
    assert html.index("北海道苫小牧市") < html.index("北海道札幌市")
    assert newest.get_absolute_url() in html
    assert "広報とまこまい 第1号" not in html.split("新着の号")[0]
    articles = list(newest.articles.order_by("position"))
    for article in articles[: mytown.ARTICLES_SHOWN]:
        assert article.get_absolute_url() in html
    assert articles[mytown.ARTICLES_SHOWN].get_absolute_url() not in html.split("新着の号")[0]
    assert "この号の記事をすべて見る" in html


def test_home_without_a_choice_offers_the_town_search(client):
    html = client.get("/").content.decode()
    assert "わたしのまちを選ぶ" in html and "わたしのまちの広報紙" not in html


@pytest.mark.parametrize("query", ["厚木", "あつぎ", "アツギ", "ｱﾂｷﾞ"])
def test_town_search_finds_by_name_or_reading(client, query):
    html = client.get("/", {"town": query}).content.decode()
    assert "神奈川県厚木市" in html
    assert f'name="add" value="{ATSUGI}"' in html


def test_town_search_puts_names_that_begin_with_the_query_first():
    found = mytown.municipalities_search("とまこまい")
    assert found[0].code == TOMAKOMAI
    assert [m.name for m in mytown.municipalities_search("ふちゅう")][:2] == ["府中市", "府中市"]


def test_town_search_json_for_suggestions(client):
    data = client.get(reverse("newsletters:towns_json"), {"town": "あつぎ"}).json()
    assert data["query"] == "あつぎ"
    assert {"code": ATSUGI, "name": "神奈川県厚木市", "kana": "アツギシ", "url": f"/m/{ATSUGI}/", "publishing": False} in data["results"]
    assert client.get(reverse("newsletters:towns_json"), {"town": "存在しない町名"}).json()["results"] == []


def test_town_search_says_when_nothing_matches(client):
    assert "当てはまる市区町村は見つかりませんでした" in client.get("/", {"town": "ぬぬぬぬ"}).content.decode()


def test_removing_a_town_and_removing_the_last_one_clears_the_cookie(client):
    _choose(client, TOMAKOMAI)
    _choose(client, SAPPORO)
    response = client.get(reverse("newsletters:my_town"), {"remove": TOMAKOMAI, "next": "/my-town/"})
    assert response["Location"] == "/my-town/"
    assert response.cookies[mytown.COOKIE].value == SAPPORO
    response = client.get(reverse("newsletters:my_town"), {"remove": SAPPORO})
    assert response.cookies[mytown.COOKIE].value == "" and response.cookies[mytown.COOKIE]["max-age"] == 0


def test_unknown_codes_are_ignored_and_at_most_five_towns_are_kept(client):
    response = _choose(client, "999999")
    assert mytown.COOKIE not in response.cookies or response.cookies[mytown.COOKIE].value == ""
    for code in ["011002", "012025", "012033", "012041", "012050", "012068"]:
        _choose(client, code)
    kept = client.cookies[mytown.COOKIE].value.split(".")
    assert len(kept) == mytown.MAX_TOWNS and kept[0] == "012068" and "011002" not in kept


def test_a_forged_cookie_is_read_safely(client):
    client.cookies[mytown.COOKIE] = "<script>.012131..abc.012131"
    html = client.get("/").content.decode()
    assert "北海道苫小牧市" in html.split("新着の号")[0]
    assert "<script>." not in html


def test_next_must_stay_on_this_site(client):
    assert _choose(client, TOMAKOMAI, "https://evil.example/").headers["Location"] == "/"


def test_municipality_page_offers_to_choose_it_without_javascript(client):
    html = client.get(f"/m/{TOMAKOMAI}/").content.decode()
    assert 'action="/my-town/"' in html and f'name="add" value="{TOMAKOMAI}"' in html


def test_my_town_page_lists_choices_with_remove_buttons(client):
    _choose(client, TOMAKOMAI)
    html = client.get(reverse("newsletters:my_town")).content.decode()
    assert f'name="remove" value="{TOMAKOMAI}"' in html
    assert "1つのまちを選んでいます" in html


def test_home_query_budget_with_five_towns(client, django_assert_max_num_queries):
    for code in ["011002", "012025", "012033", "012041", TOMAKOMAI]:
        make_issue(code, newsletter="広報", day=1)
        _choose(client, code)
    with django_assert_max_num_queries(20):
        assert client.get("/").status_code == 200
