"""Favicon, robots.txt, compression and cache lifetimes, and the API docs without a CDN."""

import gzip

import pytest
from django.core.management import call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_staff(client, settings):
    settings.SITE_URL = ""
    response = client.get("/robots.txt", HTTP_HOST="127.0.0.1:18601")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://127.0.0.1:18601/sitemap.xml" in text
    assert "Disallow: /staff/" in text and "Disallow: /admin/" in text


def test_pages_name_an_icon_and_favicon_ico_finds_it(client):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/kohoshi/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/kohoshi/favicon.svg"


def test_reading_pages_are_gzipped(client, issue):
    response = client.get(issue.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "<html" in gzip.decompress(response.content).decode()


def test_pages_with_a_csrf_token_or_a_session_are_not_gzipped(client, issue):
    # BREACH: a secret on a compressed page can be read from its size.
    login = client.get("/staff/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert login.status_code == 200 and "csrfmiddlewaretoken" in login.content.decode()
    assert not login.has_header("Content-Encoding")
    client.cookies["sessionid"] = "x"
    assert not client.get(issue.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip").has_header("Content-Encoding")


def test_hashed_static_files_are_cached_for_years_and_served_compressed(settings, tmp_path):
    from django.templatetags.static import static
    from whitenoise.middleware import WhiteNoiseMiddleware

    from kohoshi import settings as production

    settings.STORAGES = {**settings.STORAGES, "staticfiles": production.STORAGES["staticfiles"]}
    settings.STATIC_ROOT = tmp_path
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    url = static("kohoshi/site.css")
    assert url != "/static/kohoshi/site.css"  # a hashed name
    serve = WhiteNoiseMiddleware(lambda request: None)
    response = serve(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip"))
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
    assert response["Content-Encoding"] == "gzip"


def test_api_docs_load_swagger_from_our_own_static_files(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
