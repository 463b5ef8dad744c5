"""On the phone like an app: the web app manifest, the service worker (/sw.js, scope /), the
offline page and マイ切り抜き (saved articles, kept in the browser and readable offline).

The service worker's code is the static file kohoshi/sw.js; /sw.js serves it from the site's
root (a worker's scope cannot reach above its own URL) with a first line naming the files to
precache under their hashed static names, so every deployment that changes one of them is a new
worker and old caches are dropped. Push and notification-click handlers live in
kohoshi/sw-push.js (the subscriptions app); the worker imports it when it exists.
"""
import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .context_processors import html_lang

THEME_COLOR = "#0b5cad"
# Static files every page needs, cached when the worker installs (cache-first afterwards).
PRECACHE_STATIC = (
    "kohoshi/site.css",
    "kohoshi/body.css",
    "kohoshi/reach.css",
    "kohoshi/reader.js",
    "kohoshi/mytown.js",
    "kohoshi/pwa.js",
    "kohoshi/favicon.svg",
    "kohoshi/icons/icon-192.png",
)
PUSH_SCRIPT = "kohoshi/sw-push.js"
ICONS = (
    ("kohoshi/icons/icon.svg", "any", "image/svg+xml", "any"),
    ("kohoshi/icons/icon-192.png", "192x192", "image/png", "any"),
    ("kohoshi/icons/icon-512.png", "512x512", "image/png", "any"),
    ("kohoshi/icons/maskable-192.png", "192x192", "image/png", "maskable"),
    ("kohoshi/icons/maskable-512.png", "512x512", "image/png", "maskable"),
)


@require_safe
def manifest(request):
    data = {
        "name": _("広報紙 kohoshi"),
        "short_name": "kohoshi",
        "description": _("全国の自治体の広報紙を、記事ごとに読みやすく。"),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "lang": html_lang(),  # the names are in the interface language
        "dir": "ltr",
        "theme_color": THEME_COLOR,
        "background_color": "#ffffff",
        "categories": ["news", "government"],
        "icons": [
            {"src": static(path), "sizes": sizes, "type": kind, "purpose": purpose}
            for path, sizes, kind, purpose in ICONS
        ],
        "shortcuts": [
            {"name": _("マイ切り抜き"), "url": reverse("newsletters:kirinuki")},
            {"name": _("わたしのまち"), "url": reverse("newsletters:my_town")},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    patch_vary_headers(response, ("Cookie",))  # the language cookie (Accept-Language: LocaleMiddleware)
    return response


@lru_cache(maxsize=1)
def _worker_source() -> str:
    with open(finders.find("kohoshi/sw.js"), encoding="utf-8") as f:
        return f.read()


def _push_script_url() -> str | None:
    if not finders.find(PUSH_SCRIPT):
        return None
    try:
        return static(PUSH_SCRIPT)
    except ValueError:  # not collected yet under a hashed name
        return None


def worker_config() -> dict:
    precache = [reverse("newsletters:offline"), reverse("newsletters:kirinuki"), *map(static, PRECACHE_STATIC)]
    config = {
        "precache": precache,
        "offline": reverse("newsletters:offline"),
        "push": _push_script_url(),
        "static": settings.STATIC_URL,
        # Paths the worker never answers for: staff and admin pages, the API, and itself.
        "bypass": ["/staff/", "/admin/", "/api/", "/sw.js"],
    }
    source = _worker_source()
    config["version"] = hashlib.sha256((json.dumps(config, sort_keys=True) + source).encode()).hexdigest()[:12]
    return config


@require_safe
def service_worker(request):
    body = f"self.KH = {json.dumps(worker_config())};\n{_worker_source()}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on every navigation when this is not cached.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline(request):
    return render(request, "reading/offline.html")


@require_safe
def kirinuki(request):
    """マイ切り抜き: the list lives in the reader's browser (localStorage, pages in Cache Storage);
    this page is the same for everyone and is precached, so it opens offline too."""
    return render(request, "reading/kirinuki.html")
