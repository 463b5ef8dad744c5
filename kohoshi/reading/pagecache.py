"""Public pages cached whole, invalidated by key version when what they show changes.

A cached page's key holds the versions of the *scopes* it shows (below); a write bumps the
versions of the scopes it touched, so the next request misses and renders the page again. Nothing
waits for a timeout:

- "places"         names of prefectures, municipalities and newsletters: every cached page;
- "site"           lists across the country: home, prefecture pages, the latest-issues feed;
- "m:<code>"       one municipality's lists: its page, its newsletters' pages, its feed;
- "r:<code>"       its most-read list (bumped when buffered views are written);
- "i:<code>/<newsletter>/<issue>"  one issue's page, its article pages and their translations.

`kohoshi.newsletters.signals.issue_changed` (after commit) bumps an issue's scopes; saving or
deleting a place or a newsletter bumps "places"; `kohoshi.engagement.signals.views_written`
bumps the most-read lists of the municipalities whose articles were read.

Scheduled issues appear on time: an entry is valid only until the next scheduled publication
(`published_at` in the future) known when it was stored, so the first request after that moment
renders the lists again. The day is part of the key too (most-read counts the last 30 days).
So is the code that renders (`code_version()`: a hash of kohoshi's Python modules, templates and
message catalogues), so an upgrade never serves pages the old templates rendered.

The key also holds what else changes the HTML for the same URL: the language Django chose
(cookie or Accept-Language), every reader setting of `READER_SETTINGS` normalized by
`reader_choices` (a new setting is covered without touching this file) and whether views are
counted by the page's beacon (behind nginx, kohoshi.reading.views.article_viewed).

Only anonymous GET/HEAD requests without a query string are looked up and stored, and only
200 answers that set no cookie, touched no session and rendered no CSRF token: a staff member's
request (session cookie) is never served from or written to the cache.

Answers carry an ETag and Last-Modified (304 for a matching conditional request) and
`Cache-Control: public, max-age=0, s-maxage=N`: browsers revalidate every time, and nginx
(deploy/nginx/) keeps the page for N seconds (KOHOSHI_MICROCACHE_SECONDS, default 1, never past
the next scheduled publication), then revalidates with the ETag.
"""
from __future__ import annotations

import hashlib
import time
import uuid
from email.utils import formatdate
from functools import lru_cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers

from kohoshi.engagement.services import article_view_record
from kohoshi.newsletters.models import Issue

from .context_processors import reader_choices
from .mytown import town_codes

ALIAS = "pages"
PREFIX = "kohoshi:page"
# Headers read from request.META (`request.headers` builds a dict of every header on first use:
# 1 % of an article page). nginx sends X-Kohoshi-Views: the article's view is then counted by the
# page's beacon, since nginx may answer later readers from its own cache without asking kohoshi.
_BEACON_META = "HTTP_X_KOHOSHI_VIEWS"
_SAVE_META = "HTTP_X_KOHOSHI_SAVE"  # pwa.js, keeping a copy for マイ切り抜き
_NO_NEXT = 0.0


def _cache():
    return caches[ALIAS]


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of what renders pages: kohoshi's Python modules, templates and compiled messages
    (tests excluded). Computed once per process (about 1,000 files, some 40 ms); the same
    release gives the same value on every app server."""
    return tree_hash(Path(__file__).resolve().parents[1])


def tree_hash(package: Path) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".html", ".mo", ".json") and "tests" not in path.relative_to(package).parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def enabled() -> bool:
    return settings.KOHOSHI_PAGE_CACHE


def beacon_mode(request) -> bool:
    return request.META.get(_BEACON_META) == "beacon"


# ---- scopes -------------------------------------------------------------------------------

def issue_scope(code: str, newsletter: str, issue: str) -> str:
    return f"i:{code}/{newsletter}/{issue}"


def municipality_scope(code: str) -> str:
    return f"m:{code}"


def most_read_scope(code: str) -> str:
    return f"r:{code}"


def _version_key(scope: str) -> str:
    return f"{PREFIX}:v:{scope}"


def bump(*scopes: str) -> None:
    """New versions for these scopes: every cached page that shows one of them is stale."""
    _cache().set_many({_version_key(s): uuid.uuid4().hex for s in scopes}, timeout=None)


def _versions(scopes: list[str]) -> list[str]:
    cache = _cache()
    keys = [_version_key(s) for s in scopes]
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    for key in missing:  # first use (or evicted): start a version; a race is settled by add
        cache.add(key, uuid.uuid4().hex, timeout=None)
    if missing:
        found.update(cache.get_many(missing))
    return [str(found.get(k, "")) for k in keys]


def _next_publication(site_version: str) -> float:
    """The next scheduled publication after now (a timestamp), or 0.0 for none; remembered under
    the "site" version, which every publish/schedule/unpublish bumps."""
    cache = _cache()
    key = f"{PREFIX}:next:{site_version}"
    now = time.time()
    value = cache.get(key)
    if value is None or (value != _NO_NEXT and value <= now):
        nxt = (
            Issue.objects.filter(status=Issue.Status.PUBLISHED, published_at__gt=timezone.now())
            .order_by("published_at").values_list("published_at", flat=True).first()
        )
        value = nxt.timestamp() if nxt else _NO_NEXT
        cache.set(key, value, timeout=None)
    return value


# ---- the decorator ------------------------------------------------------------------------

def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _cacheable_response(request, response) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (session is not None and session.accessed)
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _key(request, scopes: list[str], versions: list[str]) -> str:
    variant = "|".join([
        request.scheme,
        request.get_host(),  # absolute links (canonical, OGP) are built from it without KOHOSHI_SITE_URL
        request.path,
        getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        *(f"{k}={v}" for k, v in sorted(reader_choices(request).items())),
        # わたしのまち: the home page opens with the reader's own towns (reading.mytown)
        "towns=" + ".".join(town_codes(request)),
        "beacon" if beacon_mode(request) else "count",
        timezone.localdate().isoformat(),
        code_version(),
        *(f"{s}@{v}" for s, v in zip(scopes, versions)),
    ])
    return f"{PREFIX}:e:{hashlib.blake2b(variant.encode(), digest_size=20).hexdigest()}"


def _count_view(request, article_id: int | None) -> None:
    """A GET counts a view, unless the page counts itself with a beacon or the reader's browser is
    keeping a copy for マイ切り抜き (pwa.js sends X-Kohoshi-Save)."""
    if (
        article_id is not None
        and request.method == "GET"
        and not beacon_mode(request)
        and _SAVE_META not in request.META
    ):
        article_view_record(article_id, user_agent=request.META.get("HTTP_USER_AGENT", ""))


def _public_headers(response, *, etag: str, stored: float, until: float) -> None:
    micro = settings.KOHOSHI_MICROCACHE_SECONDS
    if until:
        micro = max(0, min(micro, int(until - time.time())))
    response["ETag"] = etag
    response["Last-Modified"] = formatdate(stored, usegmt=True)
    response["Cache-Control"] = f"public, max-age=0, s-maxage={micro}"
    patch_vary_headers(response, ("Cookie",))


def cached_page(scopes):
    """Cache a public view's answers; `scopes(**view_kwargs)` names what the page shows (besides
    "places", always included). An article view sets `response.kohoshi_article_id`: its views
    are counted on every answer, from the cache or not."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not enabled() or not _cacheable_request(request):
                response = view(request, *args, **kwargs)
                _count_view(request, getattr(response, "kohoshi_article_id", None))
                return response
            names = ["places", *scopes(**kwargs)]
            fetch = names if "site" in names else [*names, "site"]
            got = _versions(fetch)
            versions = got[: len(names)]
            until = _next_publication(got[fetch.index("site")])
            key = _key(request, names, versions)
            entry = _cache().get(key)
            if entry is not None and (not entry["until"] or entry["until"] > time.time()):
                _count_view(request, entry["article"])
                response = HttpResponse(entry["content"], content_type=entry["type"])
                _public_headers(response, etag=entry["etag"], stored=entry["stored"], until=entry["until"])
                response["X-Kohoshi-Cache"] = "hit"
                return get_conditional_response(
                    request, etag=entry["etag"], last_modified=int(entry["stored"]), response=response
                ) or response
            response = view(request, *args, **kwargs)
            article_id = getattr(response, "kohoshi_article_id", None)
            _count_view(request, article_id)
            if not _cacheable_response(request, response):
                return response
            stored = time.time()
            etag = '"%s"' % hashlib.blake2b(response.content, digest_size=16).hexdigest()
            _cache().set(key, {
                "content": response.content, "type": response["Content-Type"], "etag": etag, "stored": stored,
                "until": until, "article": article_id,
            }, timeout=settings.KOHOSHI_PAGE_CACHE_SECONDS)
            _public_headers(response, etag=etag, stored=stored, until=until)
            response["X-Kohoshi-Cache"] = "miss"
            return get_conditional_response(request, etag=etag, last_modified=int(stored), response=response) or response

        return wrapped

    return decorator
