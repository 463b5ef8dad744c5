"""Fixtures shared by the apps' tests: a fresh cache, a published issue, a phone-sized browser."""
import os

import pytest
from django.core.cache import caches

from kohoshi.core.browser import CHROMIUM, launch
from kohoshi.staff.tests.factories import make_issue


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and buffered view counts live in caches: each test starts from zero."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def issue(db):
    return make_issue()


@pytest.fixture
def article(issue):
    return issue.articles.order_by("position").first()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """committed(fn, *args): run a write and its after-commit callbacks (issue_changed, task
    enqueues), as a real request would. (subscriptions' flow tests use a block form of their own.)"""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "locale": "ja-JP"}


@pytest.fixture
def open_phone():
    """open_phone(**context_options) -> a page in Debian chromium on a 390x844 screen.

    Request this fixture after the ones that write to the database: once Playwright's event loop
    runs in this thread, Django refuses database calls here.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (make install brings Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)

        def new_page(**options):
            return browser.new_context(**{**PHONE, **options}).new_page()

        yield new_page
        browser.close()


@pytest.fixture(scope="session")
def simple_pdf() -> bytes:
    """A three-article newsletter PDF laid out by the test generator (kohoshi/ingest/tests)."""
    from kohoshi.ingest.tests.newsletter_pdf import SAMPLE_ARTICLES, newsletter_pdf

    return newsletter_pdf(SAMPLE_ARTICLES)
