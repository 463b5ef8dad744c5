"""Brute-force protection for the staff log-in: failed attempts counted in the cache.

Counted per user name (guessing one account's password) and per client address (trying many
accounts); after too many failures within the window, log-in is refused until it passes, even
with the right password. Nothing is written to the database.

A stranger who knows a staff member's user name could lock that account out this way. So a
browser that has logged in to an account before carries a signed "known device" cookie for that
account (made by `known_device_cookie` on a successful log-in), and there the account's shared
lock does not apply: that browser has a failure counter of its own, with the same limit. The
attacker's guesses still lock the account everywhere else, and a known device never helps
another account, because the cookie is signed for one user name.
"""
import secrets

from django.conf import settings
from django.core import signing

from . import ratelimit

KNOWN_DEVICE_COOKIE = "kh_known_device"
KNOWN_DEVICE_MAX_AGE = 180 * 24 * 3600
_SALT = "kohoshi.accounts.known-device"


def _limits() -> dict:
    return {"per_user": 5, "per_client": 20, "window": 15 * 60, **getattr(settings, "KOHOSHI_LOGIN_LIMITS", {})}


def _known_device(request, username: str) -> str | None:
    """The id of this browser if it has logged in to `username` before, else None."""
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE, "")
    try:
        data = signing.loads(raw, salt=_SALT, max_age=KNOWN_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != username.casefold():
        return None
    return str(data.get("d", "")) or None


def known_device_cookie(username: str) -> dict:
    """Keyword arguments for response.set_cookie after a successful log-in as `username`."""
    value = signing.dumps({"u": username.casefold(), "d": secrets.token_hex(16)}, salt=_SALT)
    return {
        "key": KNOWN_DEVICE_COOKIE,
        "value": value,
        "max_age": KNOWN_DEVICE_MAX_AGE,
        "httponly": True,
        "secure": settings.SESSION_COOKIE_SECURE,
        "samesite": "Lax",
    }


def login_locked(request, username: str) -> bool:
    limits = _limits()
    device = _known_device(request, username)
    if device:
        return ratelimit.hits_get("login-device", device) >= limits["per_user"]
    return (
        ratelimit.hits_get("login-user", username.casefold()) >= limits["per_user"]
        or ratelimit.hits_get("login-client", ratelimit.client_id(request)) >= limits["per_client"]
    )


def login_failure_record(request, username: str) -> None:
    window = _limits()["window"]
    ratelimit.hits_add("login-user", username.casefold(), window=window)
    device = _known_device(request, username)
    if device:
        ratelimit.hits_add("login-device", device, window=window)
    else:
        ratelimit.hits_add("login-client", ratelimit.client_id(request), window=window)


def login_success_clear(request, username: str) -> None:
    ratelimit.hits_clear("login-user", username.casefold())
    device = _known_device(request, username)
    if device:
        ratelimit.hits_clear("login-device", device)
