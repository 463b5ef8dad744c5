"""Absolute URLs of the site, for canonical links, OGP, share links, feeds, API results and command output."""

import os

from django.conf import settings


def site_url(request=None) -> str:
    """The site's base URL without a trailing slash.

    KOHOSHI_SITE_URL when it is set (a deployment behind a proxy names its public address);
    otherwise the address the request came to, so `PORT=18601 make demo` links to :18601 (the
    host is one ALLOWED_HOSTS accepted); outside a request, the local server on $PORT.
    """
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
