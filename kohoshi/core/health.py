"""/healthz for load balancers and monitors: 200 when the database and every cache answer, 503
(naming what failed) when one does not. Never cached; it reveals nothing but "ok"/"error"."""
import logging
import uuid

from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not return 1")


def _cache(alias: str) -> None:
    cache = caches[alias]
    key, token = f"kohoshi:healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, token, timeout=10)
    try:
        if cache.get(key) != token:
            raise RuntimeError("the value written was not read back")
    finally:
        cache.delete(key)


@never_cache
@require_safe
def healthz(request):
    checks = {"database": _database, **{f"cache:{alias}": (lambda a=alias: _cache(a)) for alias in caches}}
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure is "down"; the log has the detail
            logger.error("healthz: %s is down: %s", name, exc, extra={"check": name})
            results[name] = "error"
    healthy = all(v == "ok" for v in results.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503)
