"""The manifest, the service worker script, the offline and マイ切り抜き pages (without a browser;
test_pwa_browser.py drives chromium)."""
import io
import json

import pytest
from django.urls import reverse
from PIL import Image

from kohoshi.engagement.services import article_views_flush
from kohoshi.engagement.models import ArticleDailyViews

pytestmark = pytest.mark.django_db


def test_manifest_names_the_app_and_icons_that_exist_at_their_sizes(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "広報紙 kohoshi"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    pngs = [i for i in manifest["icons"] if i["type"] == "image/png"]
    assert {(i["sizes"], i["purpose"]) for i in pngs} >= {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in pngs:
        served = client.get(icon["src"])
        assert served.status_code == 200, icon["src"]
        image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
        assert f"{image.width}x{image.height}" == icon["sizes"]
    for shortcut in manifest["shortcuts"]:
        assert client.get(shortcut["url"]).status_code == 200


def test_every_page_links_the_manifest_and_loads_the_app_script(client):
    html = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'src="/static/kohoshi/pwa.js"' in html


def _worker_config(response) -> dict:
    first, _, rest = response.content.decode().partition("\n")
    assert first.startswith("self.KH = ") and first.endswith(";")
    return json.loads(first[len("self.KH = "):-1]), rest


def test_service_worker_is_served_from_the_root_uncached_with_what_it_precaches(client):
    response = client.get("/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    config, source = _worker_config(response)
    assert config["offline"] == "/offline/" and "/kirinuki/" in config["precache"]
    for url in config["precache"]:
        assert client.get(url).status_code == 200, url
    assert "/staff/" in config["bypass"]
    # The push handlers (subscriptions) are optional: imported inside try/catch when present.
    assert "try {\n    importScripts(KH.push);" in source


def test_worker_version_changes_with_what_it_precaches(client, settings, monkeypatch):
    from kohoshi.reading import pwa

    before = _worker_config(client.get("/sw.js"))[0]["version"]
    monkeypatch.setattr(pwa, "PRECACHE_STATIC", (*pwa.PRECACHE_STATIC, "kohoshi/staff.css"))
    assert _worker_config(client.get("/sw.js"))[0]["version"] != before


def test_push_script_is_imported_only_when_it_exists(monkeypatch):
    from kohoshi.reading import pwa

    monkeypatch.setattr(pwa, "PUSH_SCRIPT", "kohoshi/no-such-push.js")
    assert pwa.worker_config()["push"] is None
    monkeypatch.setattr(pwa, "PUSH_SCRIPT", "kohoshi/reader.js")
    assert pwa.worker_config()["push"] == "/static/kohoshi/reader.js"


def test_offline_and_kirinuki_pages(client):
    offline = client.get(reverse("newsletters:offline")).content.decode()
    assert "オフラインです" in offline and 'href="/kirinuki/"' in offline
    kirinuki = client.get(reverse("newsletters:kirinuki")).content.decode()
    assert 'id="kh-kirinuki"' in kirinuki and "JavaScriptを有効にしたブラウザで使えます" in kirinuki


def test_article_page_has_a_hidden_save_tool_naming_the_article(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert "data-kh-save hidden" in html
    assert f'data-url="{article.get_absolute_url()}"' in html
    assert f'data-title="{article.title}"' in html


def test_keeping_a_copy_for_kirinuki_is_not_counted_as_a_view(client, article):
    reader = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile"}
    client.get(article.get_absolute_url(), headers=reader)
    client.get(article.get_absolute_url(), headers={**reader, "X-Kohoshi-Save": "1"})
    article_views_flush(everything=True)
    assert sum(ArticleDailyViews.objects.filter(article=article).values_list("views", flat=True)) == 1
