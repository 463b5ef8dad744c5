"""Fixed-window counters in the cache, for rate limits and login lockouts.

Keys are HMACs of the client address or user name: neither is stored in the database, and the
cache holds no raw IP address either.
"""
from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac


def _key(scope: str, value: str) -> str:
    return f"kh-rl:{scope}:{salted_hmac('kohoshi.ratelimit', value).hexdigest()[:32]}"


def client_id(request) -> str:
    """The client's address; behind a proxy, the header it sets (KOHOSHI_CLIENT_IP_HEADER, e.g.
    HTTP_X_REAL_IP), or every reader would share the proxy's address and one limit."""
    header = settings.KOHOSHI_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def hits_add(scope: str, value: str, *, window: int) -> int:
    """Count one hit and return the hits in the current window."""
    key = _key(scope, value)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1


def hits_get(scope: str, value: str) -> int:
    return cache.get(_key(scope, value), 0)


def hits_clear(scope: str, value: str) -> None:
    cache.delete(_key(scope, value))
