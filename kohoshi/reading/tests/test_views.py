import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article, Issue
from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.services import ArticleInput, IssueInput, issue_import
from kohoshi.places.models import Municipality

pytestmark = pytest.mark.django_db


def make_issue(code="012131", newsletter="広報テスト", day=1, n_articles=3, publish=True):
    return issue_import(
        IssueInput(
            municipality=Municipality.objects.get(code=code),
            newsletter_title=newsletter,
            title=f"{newsletter} 第{day}号",
            number=f"第{day}号",
            published_on=timezone.localdate().replace(day=day),
            articles=[
                ArticleInput(title=f"記事{n}", category="くらし", body=f"■見出し{n}\n本文{n}") for n in range(1, n_articles + 1)
            ],
        ),
        publish=publish,
        by=SYSTEM,
    ).issue


@pytest.fixture
def seed_article(seed_issue_file):
    assert not files_import([seed_issue_file], kind="json").errors
    return Article.objects.get(title="市政方針(2)")


def test_seed_article_page_shows_position_headings_and_place(client, seed_article):
    response = client.get(seed_article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-testid="position">6/37<', html)
    assert "北海道苫小牧市" in html
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)
    assert "基本政策" in headings and "重点施策" in headings
    subheadings = re.findall(r"<h3[^>]*>(.*?)</h3>", html, re.S)
    assert any("市民によるまちづくりの推進" in h for h in subheadings)
    assert any("子育て世代に手厚いまち" in h for h in subheadings)
    assert 'property="og:title"' in html and "市政方針(2)" in html
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_article_page_query_budget(client, django_assert_max_num_queries, seed_article):
    url = seed_article.get_absolute_url()
    phone = "Mozilla/5.0 (iPhone)"
    with django_assert_max_num_queries(6):  # the day's first view creates its counter row
        assert client.get(url, HTTP_USER_AGENT=phone).status_code == 200
    with django_assert_max_num_queries(3):  # article with its audio, its siblings, its figures (views are buffered)
        assert client.get(url, HTTP_USER_AGENT=phone).status_code == 200


def test_list_pages_query_budgets(client, django_assert_max_num_queries):
    for day in range(1, 6):
        make_issue(day=day, n_articles=8)
    make_issue(code="142123", newsletter="広報あつぎ", day=2)
    issue = Issue.objects.filter(newsletter__municipality_id="012131").select_related("newsletter").first()
    budgets = {
        "/": 3,
        "/p/01/": 4,
        "/m/012131/": 4,  # with one year of each newsletter's issues and the index of years
        issue.newsletter.get_absolute_url(): 3,
        issue.get_absolute_url(): 3,
        "/feeds/latest.xml": 3,
        "/m/012131/feed.xml": 3,
        "/sitemap.xml": 4,
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            response = client.get(url)
        assert response.status_code == 200, url


def test_issue_page_lists_articles_in_order_with_categories(client):
    issue = make_issue(n_articles=4)
    html = client.get(issue.get_absolute_url()).content.decode()
    titles = re.findall(r'class="kh-toc__title">(.*?)<', html)
    assert titles == ["記事1", "記事2", "記事3", "記事4"]
    assert html.count('class="kh-tag">くらし<') == 4


def test_municipality_page_groups_back_numbers_by_year(client):
    make_issue(day=1)
    html = client.get("/m/012131/").content.decode()
    assert f"{timezone.localdate().year}年" in html
    assert "広報テスト 第1号" in html


def _issue_on(published_on, number, newsletter="広報テスト"):
    return issue_import(
        IssueInput(
            municipality=Municipality.objects.get(code="012131"), newsletter_title=newsletter,
            title=f"{newsletter} 第{number}号", number=f"第{number}号", published_on=published_on,
            articles=[ArticleInput(title="記事", category="くらし", body="本文")],
        ),
        publish=True, by=SYSTEM,
    ).issue


def test_back_numbers_list_the_newest_year_and_link_every_other_year(client, django_assert_max_num_queries):
    """A town with many years of issues: the municipality and newsletter pages list one year (the
    newest) and an index of the years; each year has its own page. The pages' queries do not grow
    with the number of years or issues."""
    from datetime import date

    number = 0
    for year in (2021, 2022, 2023):
        for month in (1, 5, 9):
            number += 1
            _issue_on(date(year, month, 1), number)
    newsletter = Issue.objects.first().newsletter
    for url in ("/m/012131/", newsletter.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "広報テスト 第9号" in html and "広報テスト 第7号" in html  # 2023's issues
        assert "広報テスト 第6号" not in html  # 2022's are on their own page
        assert re.search(r'<span aria-current="true">2023年<span class="kh-count">\(3\)', html)
        assert f'href="{newsletter.get_absolute_url()}2022/"' in html
        assert f'href="{newsletter.get_absolute_url()}2021/"' in html
    year_page = client.get(f"{newsletter.get_absolute_url()}2022/")
    html = year_page.content.decode()
    assert year_page.status_code == 200
    assert "広報テスト 第4号" in html and "広報テスト 第6号" in html and "広報テスト 第9号" not in html
    assert "<title>広報テスト 2022年" in html
    assert f'href="{newsletter.get_absolute_url()}2023/"' in html
    assert client.get(f"{newsletter.get_absolute_url()}2020/").status_code == 404
    assert client.get(f"{newsletter.get_absolute_url()}0000/").status_code == 404  # not a year, not a 500
    # an issue's own URL (its slug is a date) still reaches the issue, not a year
    assert client.get(Issue.objects.get(number="第4号").get_absolute_url()).status_code == 200

    with django_assert_max_num_queries(12) as few:
        client.get("/m/012131/")
    for year in (2016, 2017, 2018, 2019, 2020):
        for month in range(1, 13):
            number += 1
            _issue_on(date(year, month, 2), number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/m/012131/").content.decode()
    assert not re.search(r"広報テスト 第([1-6][0-9])号", html)  # none of the 60 issues of 2016–2020
    assert len(re.findall(r'href="/m/012131/koho/20[0-9]{2}/"', html)) == 7  # 2016–2022: one link a year


def test_draft_and_scheduled_issues_are_not_public(client):
    draft = make_issue(day=1, publish=False)
    scheduled = make_issue(day=2)
    Issue.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() + timedelta(days=1))
    for issue in (draft, scheduled):
        assert client.get(issue.get_absolute_url()).status_code == 404
        assert client.get(issue.articles.first().get_absolute_url()).status_code == 404
    assert "広報テスト 第1号" not in client.get("/m/012131/").content.decode()
    assert "広報テスト 第2号" not in client.get("/").content.decode()


def test_unknown_urls_answer_with_the_japanese_404_page(client):
    for url in ("/m/999999/", "/p/99/", "/m/012131/koho/2020-01-01/", "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "ページが見つかりません" in response.content.decode()


def test_font_size_setting_is_kept_in_a_cookie_without_javascript(client):
    response = client.get("/settings/", {"font": "xl", "next": "/about/"})
    assert response.status_code == 302 and response["Location"] == "/about/"
    assert response.cookies["kh_font"].value == "xl"
    assert response.cookies["kh_font"]["max-age"] >= 365 * 24 * 3600
    html = client.get("/about/").content.decode()
    assert 'class="kh-font-xl' in html
    assert 'value="xl" aria-pressed="true"' in html


def test_settings_refuses_to_redirect_off_site_and_ignores_unknown_sizes(client):
    response = client.get("/settings/", {"font": "huge", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert "kh_font" not in response.cookies


def test_static_pages_render(client):
    for url, text in (("/about/", "このサイトについて"), ("/for-municipalities/", "費用"), ("/settings/", "文字サイズ")):
        response = client.get(url)
        assert response.status_code == 200 and text in response.content.decode()


def test_english_ui_is_available(client):
    response = client.get("/about/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()
    assert "About this site" in response.content.decode()


def test_server_error_page_is_japanese_and_standalone(client, settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "エラーが発生しました" in html and 'lang="ja"' in html


def test_issue_pdf_is_served_only_for_public_issues(client, tmp_path, settings):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    issue = make_issue(day=3)
    pdf_url = issue.get_absolute_url() + "shimen.pdf"
    assert client.get(pdf_url).status_code == 404  # no PDF attached
    issue.source_pdf.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    assert f'href="{pdf_url}"' in client.get(issue.get_absolute_url()).content.decode()
    response = client.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.DRAFT, published_at=None)
    assert client.get(pdf_url).status_code == 404
    assert client.get("/media/" + issue.source_pdf.name).status_code == 404


def test_reading_pages_set_no_cookies(client, seed_article):
    url = seed_article.get_absolute_url()
    for page in ("/", "/m/012131/", seed_article.issue.get_absolute_url(), url):
        response = client.get(page, HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
        assert response.status_code == 200
        assert not response.cookies, (page, list(response.cookies))


def test_language_is_switched_by_a_plain_link_and_kept(client):
    response = client.get("/settings/", {"language": "en", "next": "/about/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert "About this site" in client.get("/about/").content.decode()
    client.get("/settings/", {"language": "ja", "next": "/about/"})
    assert "このサイトについて" in client.get("/about/").content.decode()


def test_head_requests_are_answered_but_not_counted(client, seed_article):
    from kohoshi.engagement.models import ArticleDailyViews
    from kohoshi.engagement.services import article_views_flush

    url = seed_article.get_absolute_url()
    assert client.head(url, HTTP_USER_AGENT="Mozilla/5.0 (iPhone)").status_code == 200
    article_views_flush(everything=True)
    assert not ArticleDailyViews.objects.exists()
    client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    article_views_flush(everything=True)
    assert ArticleDailyViews.objects.get().views == 1


def test_for_municipalities_speaks_to_a_pr_officer_and_keeps_the_technical_part_last(client):
    html = client.get("/for-municipalities/").content.decode()
    technical = html.index('id="technical"')
    plain, details = html[:technical], html[technical:]
    for words in ("広報紙のPDF", "アップロード", "紙面の画像と下書きを横に並べて", "公開する", "利用料はかかりません",
                  "サーバーが1台", "シビックテック団体", "ご相談"):
        assert words in plain, words
    for jargon in ("SQLite", "PostgreSQL", "JSON", "CSV", "kohoshi import_"):
        assert jargon not in plain, jargon
        assert jargon in details, jargon
    assert 'href="#technical"' in plain


def _paper_issue(*, body: str, pages: str, pdf: bool):
    from django.core.files.base import ContentFile

    from kohoshi.newsletters.services import issue_publish

    issue = issue_import(
        IssueInput(
            municipality=Municipality.objects.get(code="142123"), newsletter_title="広報テスト",
            title="紙面のある号", published_on=timezone.localdate().replace(day=2),
            articles=[ArticleInput(title="まちの写真展", category="くらし", body=body, pages=pages)],
        ),
        publish=False, by=SYSTEM,
    ).issue
    issue_publish(issue, by=SYSTEM, source_pdf=ContentFile(b"%PDF-1.4\n%%EOF\n", name="x.pdf") if pdf else None)
    return issue.articles.get()


def test_article_links_its_page_of_the_paper_pdf(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = _paper_issue(body="入選作品を展示します。\n※写真は本紙をご覧ください", pages="3-4", pdf=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert re.search(r'href="/m/142123/koho/[^"]+/shimen\.pdf#page=3"', html)
    assert "紙の広報紙にだけ載っています" not in html


def test_article_that_points_at_the_paper_says_so_when_there_is_no_pdf(client):
    article = _paper_issue(body="入選作品を展示します。\n※写真は本紙をご覧ください", pages="3", pdf=False)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "shimen.pdf" not in html
    assert "紙の広報紙にだけ載っています" in html


def test_article_without_a_reference_to_the_paper_has_no_note(client):
    article = _paper_issue(body="入選作品を展示します。", pages="3", pdf=False)
    assert "紙の広報紙にだけ載っています" not in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.corpus
def test_every_corpus_article_pointing_at_the_paper_gets_the_note(client, corpus_csv_files):
    assert not files_import(corpus_csv_files[:12], kind="csv").errors
    pointing = [a for a in Article.objects.published() if "本紙" in a.body_source]
    assert pointing, "the first corpus issues refer to 本紙 somewhere"
    for article in pointing:
        assert "紙の広報紙にだけ載っています" in client.get(article.get_absolute_url()).content.decode()


def test_article_page_calls_local_numbers_with_the_towns_area_code(client):
    from django.core.management import call_command

    issue = issue_import(
        IssueInput(
            municipality=Municipality.objects.get(code="012131"),  # 苫小牧市: 0144, six-digit local numbers
            newsletter_title="広報とまこまい",
            title="広報とまこまい 第1号",
            number="第1号",
            published_on=timezone.localdate().replace(day=1),
            articles=[ArticleInput(title="窓口", category="くらし", body="本文。\n\n問合せ：市民課\n【電話】32-6111")],
        ),
        by=SYSTEM,
    ).issue
    html = client.get(issue.articles.get().get_absolute_url()).content.decode()
    assert '<a class="kh-tel" href="tel:+81-144-32-6111">0144-32-6111</a>' in html


def _back_issue():
    """An issue dated 2024-04-15, imported (and so published) now."""
    return issue_import(
        IssueInput(
            municipality=Municipality.objects.get(code="142123"),
            newsletter_title="広報あつぎ",
            title="広報あつぎ 第1421号",
            number="第1421号",
            published_on=timezone.datetime(2024, 4, 15).date(),
            articles=[ArticleInput(title="記事", category="くらし", body="本文")],
        ),
        by=SYSTEM,
    ).issue


def test_feeds_date_back_issues_by_their_own_date_not_the_import(client):
    _back_issue()
    today = timezone.localdate()
    for url in ("/feeds/latest.xml", "/m/142123/feed.xml"):
        xml = client.get(url).content.decode()
        assert "<pubDate>Mon, 15 Apr 2024 00:00:00 +0900</pubDate>" in xml, url
        assert f"{today:%d %b %Y}" not in xml


def test_feeds_keep_a_scheduled_issues_publish_time(client):
    issue = _back_issue()
    Issue.objects.filter(pk=issue.pk).update(
        published_at=timezone.make_aware(timezone.datetime(2024, 4, 15, 9, 30))
    )
    assert "<pubDate>Mon, 15 Apr 2024 09:30:00 +0900</pubDate>" in client.get("/feeds/latest.xml").content.decode()


def test_sitemap_lastmod_is_the_issues_date_not_the_import(client):
    _back_issue()
    xml = client.get("/sitemap.xml").content.decode()
    lastmods = re.findall(r"<lastmod>([^<]+)</lastmod>", xml)
    assert lastmods and set(lastmods) == {"2024-04-15"}, lastmods


def test_article_links_point_at_the_address_the_page_was_served_on(client, settings):
    settings.SITE_URL = ""
    article = make_issue().articles.first()
    html = client.get(article.get_absolute_url(), HTTP_HOST="127.0.0.1:18601").content.decode()
    url = "http://127.0.0.1:18601" + article.get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert "url=http%3A%2F%2F127.0.0.1%3A18601%2F" in html  # share links
    assert ":8000" not in html


def test_article_links_use_the_configured_site_url(client, settings):
    settings.SITE_URL = "https://koho.example.jp"
    article = make_issue().articles.first()
    html = client.get(article.get_absolute_url(), HTTP_HOST="127.0.0.1:18601").content.decode()
    assert f'<link rel="canonical" href="https://koho.example.jp{article.get_absolute_url()}">' in html


def test_command_output_links_use_the_port_it_was_given(monkeypatch, settings, seed_issue_file):
    from kohoshi.ingest.services import files_import

    settings.SITE_URL = ""
    monkeypatch.setenv("PORT", "18601")
    urls = files_import([seed_issue_file], kind="json").as_dict()["issue_urls"]
    assert urls and all(u.startswith("http://127.0.0.1:18601/") for u in urls)


def test_municipality_page_search_box_searches_that_municipality(client):
    make_issue(code="012131", newsletter="広報テスト", day=1)
    make_issue(code="131016", newsletter="区報テスト", day=2)
    html = client.get("/m/012131/").content.decode()
    assert '<input type="hidden" name="muni" value="012131">' in html
    assert 'name="muni"' not in client.get("/").content.decode()

    def places(params):
        return set(re.findall(r'class="kh-result__place">([^<]*)<', client.get("/search/", params).content.decode()))

    assert places({"q": "本文1"}) == {"北海道苫小牧市", "東京都千代田区"}
    assert places({"q": "本文1", "muni": "012131"}) == {"北海道苫小牧市"}
