"""Schemathesis walks /api/v1/openapi.json: every operation, with generated query parameters,
answers without a server error and as the schema documents (status codes, content type, body)."""
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from kohoshi.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def _connection_kept_open():
    """Schemathesis calls the WSGI app itself, not through the test client, so the request
    signals would close the connection that holds the test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_connection_kept_open")
@schema.parametrize()
@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_schema_documents(case):
    # The WSGI transport hands back bodies as sent; gzip (SecretFreeGZipMiddleware) would stay packed.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
