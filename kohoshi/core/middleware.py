"""Site-wide request checks and response headers, before and after any view runs.

SecurityHeadersMiddleware: Content-Security-Policy (every response but PDFs) and Permissions-Policy,
and `Cache-Control: no-store` on the staff workspace and the admin (their pages and CSV
exports hold survey answers and unpublished drafts: no shared or back-button cache keeps them).

RequestBodyLimitMiddleware: an anonymous request may send KOHOSHI_ANONYMOUS_BODY_MAX bytes
(a survey answer is a few KB); a signed-in staff member KOHOSHI_STAFF_BODY_MAX (the 50 MB PDF
upload). Larger bodies are refused with 413 from the Content-Length, before anything reads them.

NulRejectMiddleware: a NUL character in the path, the query string, a cookie or a form field
is never meaningful here, and PostgreSQL refuses it in a text parameter (a 500 deep inside
whichever view passed it on). Refusing it once, at the door, covers every view and every
future one.

SecretFreeGZipMiddleware: gzip for the reading pages, and only where it gives nothing away.
"""
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponse, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import add_never_cache_headers

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_PRIVATE_PREFIXES = ("/staff/", "/admin/")
# Personal to one reader: a survey form (CSRF token, rate limits) and the reader-settings form.
_NEVER_SHARED_PREFIXES = ("/survey/", "/settings/", "/v/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Not on the 紙面PDF: the browser's own PDF viewer is not our page, and a document CSP
        # (object-src 'none') on the PDF has been known to leave Chromium's viewer blank.
        if not response.get("Content-Type", "").startswith("application/pdf"):
            response.headers.setdefault("Content-Security-Policy", settings.KOHOSHI_CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.KOHOSHI_PERMISSIONS_POLICY)
        if request.path_info.startswith(_PRIVATE_PREFIXES):
            add_never_cache_headers(response)
        elif request.path_info.startswith(_NEVER_SHARED_PREFIXES) and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
        if length > settings.KOHOSHI_ANONYMOUS_BODY_MAX:
            # Only now look at the session: small requests never pay for it.
            limit = settings.KOHOSHI_STAFF_BODY_MAX if request.user.is_authenticated else settings.KOHOSHI_ANONYMOUS_BODY_MAX
            if length > limit:
                return HttpResponse(
                    "Request body too large.\n", status=413, content_type="text/plain; charset=utf-8",
                    headers={"Connection": "close"},
                )
        return self.get_response(request)


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


class NulRejectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if (
            "\x00" in request.path_info
            or "%00" in query
            or "\x00" in query
            or _has_nul(request.GET.keys())
            or _has_nul(v for _, values in request.GET.lists() for v in values)
            or _has_nul(request.COOKIES.values())
            or _has_nul(request.COOKIES.keys())
        ):
            if request.path_info.startswith("/api/"):
                # API clients read JSON, and the schema documents this 400 (found by schemathesis).
                return JsonResponse({"detail": "リクエストにNUL文字が含まれています。"}, status=400)
            raise BadRequest("NUL character in the request")
        if request.method == "POST" and request.content_type in _FORM_TYPES:
            # Uploaded files may hold NUL bytes; only the text fields are checked.
            if _has_nul(request.POST.keys()) or _has_nul(v for _, values in request.POST.lists() for v in values):
                raise BadRequest("NUL character in a form field")
        return self.get_response(request)


class SecretFreeGZipMiddleware(GZipMiddleware):
    """gzip HTML and JSON that hold no secret.

    BREACH recovers a secret from the compressed size of a page that also reflects the attacker's
    input, so a response that rendered a CSRF token, or went to someone with a session (staff),
    is sent uncompressed. A token was rendered when the request is marked for a CSRF cookie
    (CsrfViewMiddleware clears the mark on its way out, so this sits just inside it) or, behind
    a csrf_protect decorator, when the cookie is already on the response. Static files are
    compressed ahead of time by whitenoise.
    """

    def process_response(self, request, response):
        token_used = request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or settings.CSRF_COOKIE_NAME in response.cookies
        if token_used or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return response
        return super().process_response(request, response)
