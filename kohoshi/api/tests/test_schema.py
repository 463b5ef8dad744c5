import pytest


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/search" in schema.json()["paths"]
    assert client.get("/api/v1/docs").status_code == 200
