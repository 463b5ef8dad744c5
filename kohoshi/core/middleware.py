"""Compression for the reading pages, and only where it gives nothing away."""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware


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
