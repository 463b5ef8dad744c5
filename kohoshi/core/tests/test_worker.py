"""`kohoshi worker` lives through a database outage; readers never see a stale connection."""
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from kohoshi.core.maintenance import maintenance_run
from kohoshi.ingest import runs
from kohoshi.ingest.models import IngestRun
from kohoshi.places.models import Municipality
from kohoshi.staff.tests.factories import make_issue

from .outage import database_outage, terminate_connections

POSTGRES = connection.vendor == "postgresql"
needs_postgres = pytest.mark.skipif(not POSTGRES, reason="the outage is made with PostgreSQL's ALLOW_CONNECTIONS")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _wait_for(predicate, *, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _new_run(simple_pdf, day: int) -> IngestRun:
    return runs.ingest_run_create(
        municipality=Municipality.objects.get(code="142123"),
        newsletter_title="広報あつぎ",
        published_on=date(2024, 4, day),
        pdf_file=simple_pdf,
        filename="koho.pdf",
    )


def _status(run: IngestRun) -> str:
    return IngestRun.objects.values_list("status", flat=True).get(pk=run.pk)


@pytest.fixture
def worker_process(settings):
    """`kohoshi worker` in its own process, on the test database, with the database task queue."""
    settings.TASKS = DB_TASKS
    s = connection.settings_dict
    url = f"postgres://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kohoshi.settings",
        "DATABASE_URL": url,
        "KOHOSHI_TASKS": "db",
        "KOHOSHI_DATA_DIR": str(settings.DATA_DIR),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "kohoshi", "worker", "--interval", "0.2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    print(process.stdout.read())  # the worker's log, shown when the test fails


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_survives_a_database_outage_and_runs_the_jobs_queued_after_it(worker_process, simple_pdf):
    before = _new_run(simple_pdf, 1)
    assert _wait_for(lambda: _status(before) == IngestRun.Status.NEEDS_REVIEW, seconds=60)

    with database_outage():
        time.sleep(4)  # the worker's polls fail meanwhile and it backs off (1, 2 … s)
    assert worker_process.poll() is None, "the worker died with the database"

    after = _new_run(simple_pdf, 2)
    assert _wait_for(lambda: _status(after) == IngestRun.Status.NEEDS_REVIEW, seconds=60)
    assert worker_process.poll() is None


@pytest.fixture
def waitress_url():
    """The real WSGI application behind waitress (as `kohoshi serve` runs it) in this process."""
    from waitress.server import create_server

    from kohoshi.wsgi import application

    server = create_server(application, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    # The server's threads keep their connections (CONN_MAX_AGE): end them, or the test database
    # cannot be dropped at the end of the session.
    terminate_connections()
    connection.close()


def _get(url: str) -> int:
    request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 (test reader)"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_reader_sees_a_stale_connection_after_the_database_comes_back(waitress_url):
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0  # connections are kept between requests
    article = make_issue().articles.order_by("position").first()
    url = waitress_url + article.get_absolute_url()
    assert [_get(url) for _ in range(8)] == [200] * 8  # every server thread now holds a connection

    with database_outage():
        pass
    assert [_get(url) for _ in range(8)] == [200] * 8


# ---------------------------------------------------------------------------- upkeep


@pytest.mark.django_db
def test_upkeep_retries_a_stalled_run_once_and_then_fails_it(simple_pdf, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False):  # not run yet: as if the worker died
        run = _new_run(simple_pdf, 1)
    stalled_at = timezone.now() - IngestRun.STALE_AFTER * 2
    IngestRun.objects.filter(pk=run.pk).update(status=IngestRun.Status.EXTRACTING, updated_at=stalled_at)

    with django_capture_on_commit_callbacks(execute=True):  # the immediate backend runs it again
        maintenance_run()
    run.refresh_from_db()
    assert run.status == IngestRun.Status.NEEDS_REVIEW and run.auto_retried

    IngestRun.objects.filter(pk=run.pk).update(status=IngestRun.Status.EXTRACTING, updated_at=stalled_at)
    maintenance_run()
    run.refresh_from_db()
    assert (run.status, run.failure_code) == (IngestRun.Status.FAILED, "stalled")
    assert "自動でやり直しても" in run.failure_reason


@pytest.mark.django_db
def test_upkeep_leaves_a_run_that_is_still_moving_alone(simple_pdf, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False):
        run = _new_run(simple_pdf, 1)
    IngestRun.objects.filter(pk=run.pk).update(status=IngestRun.Status.EXTRACTING)
    maintenance_run()
    run.refresh_from_db()
    assert run.status == IngestRun.Status.EXTRACTING and not run.auto_retried
