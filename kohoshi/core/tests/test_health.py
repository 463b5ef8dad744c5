"""/healthz: 200 when the database and every cache answer, 503 naming the one that does not."""
import pytest
from django.db import connections


@pytest.mark.django_db
def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert set(response.json()["checks"]) >= {"database", "cache:default", "cache:views", "cache:pages"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_cache_that_does_not_answer_is_503(client, settings):
    from django.core.cache import caches

    # Nothing listens on port 9 (discard) of loopback: the Redis client fails to connect.
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.5},
    }}
    try:
        response = client.get("/healthz")
    finally:
        del caches["pages"]
    assert response.status_code == 503
    assert response.json()["checks"]["cache:pages"] == "error"
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_a_database_that_does_not_answer_is_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise connections["default"].Database.OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
