import pytest
from django.core.cache import cache

from kohoshi.staff.tests.factories import make_issue


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issue(db):
    return make_issue()


@pytest.fixture
def article(issue):
    return issue.articles.order_by("position").first()
