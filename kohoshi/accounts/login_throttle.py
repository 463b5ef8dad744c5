"""Brute-force protection for the staff log-in: failed attempts counted in the cache.

Counted per user name (guessing one account's password) and per client address (trying many
accounts); after too many failures within the window, log-in is refused until it passes, even
with the right password. Nothing is written to the database.
"""
from django.conf import settings

from . import ratelimit


def _limits() -> dict:
    return {"per_user": 5, "per_client": 20, "window": 15 * 60, **getattr(settings, "KOHOSHI_LOGIN_LIMITS", {})}


def login_locked(request, username: str) -> bool:
    limits = _limits()
    return (
        ratelimit.hits_get("login-user", username.casefold()) >= limits["per_user"]
        or ratelimit.hits_get("login-client", ratelimit.client_id(request)) >= limits["per_client"]
    )


def login_failure_record(request, username: str) -> None:
    window = _limits()["window"]
    ratelimit.hits_add("login-user", username.casefold(), window=window)
    ratelimit.hits_add("login-client", ratelimit.client_id(request), window=window)


def login_success_clear(request, username: str) -> None:
    ratelimit.hits_clear("login-user", username.casefold())
