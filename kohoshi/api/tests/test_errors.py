"""The API answers in JSON even when it cannot work (issue #10)."""
import pytest
from django.db import InterfaceError, OperationalError


@pytest.mark.parametrize("error", [OperationalError("connection refused"), InterfaceError("connection already closed")])
def test_database_down_is_a_json_503(client, monkeypatch, error):
    def down(*args, **kwargs):
        raise error

    monkeypatch.setattr("kohoshi.api.search.search_articles", down)
    response = client.get("/api/v1/search", {"q": "子育て"})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "データベースに接続できません。しばらくしてからもう一度お試しください。"}
    assert "Retry-After" in response


def test_database_down_while_connecting_is_a_json_503(client, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(self):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    response = client.get("/api/v1/search", {"q": "子育て"})
    assert response.status_code == 503
    assert response.json()["detail"]


def test_bad_parameters_are_still_a_json_422(client):
    response = client.get("/api/v1/search", {"q": "x", "limit": 0})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")


def test_a_bug_is_a_json_500(client, monkeypatch):
    def bug(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr("kohoshi.api.search.search_articles", bug)
    response = client.get("/api/v1/search", {"q": "子育て"})
    assert response.status_code == 500
    assert response.json() == {"detail": "サーバーでエラーが起きました。"}
