"""The primary/replica router (kohoshi/core/dbrouter.py) on whichever database the suite runs on.

A second alias, `replica`, is opened on the test database (a second connection, as a hot standby
is a second server holding the same rows), and the queries each connection runs are counted: the
rules are about which connection a query goes to. The real streaming replica, with its lag, is
exercised by test_scaleout.py.
"""
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext

from kohoshi.core import dbrouter
from kohoshi.core.dbrouter import PIN_COOKIE, PrimaryReplicaRouter, reading_from_replica, use_primary
from kohoshi.newsletters.models import Article
from kohoshi.staff.tests.factories import PASSWORD, make_issue, make_staff

# Rows must be committed for the second connection to see them.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def replica(django_db_setup, transactional_db, settings):
    # Made by hand rather than declared in DATABASES: the test case allows it like a connection
    # code opens at run time, and no test database is created for it.
    primary = connections["default"]
    connections["replica"] = load_backend(primary.settings_dict["ENGINE"]).DatabaseWrapper(
        {**primary.settings_dict}, alias="replica"
    )
    settings.KOHOSHI_DB_REPLICAS = ["replica"]
    yield connections["replica"]
    connections["replica"].close()
    del connections["replica"]


@pytest.fixture
def article(db):
    return make_issue().articles.order_by("position").first()


class Counted:
    """Queries run on the primary and on the replica inside the block (the router's own WAL
    fence queries apart: `fence_queries`)."""

    def __enter__(self):
        self._primary = CaptureQueriesContext(connections["default"])
        self._replica = CaptureQueriesContext(connections["replica"])
        self._primary.__enter__()
        self._replica.__enter__()
        return self

    def __exit__(self, *exc):
        self._replica.__exit__(*exc)
        self._primary.__exit__(*exc)

    @staticmethod
    def _data(queries):
        return [q for q in queries if "_wal_" not in q["sql"]]

    @property
    def primary(self):
        return self._data(self._primary.captured_queries)

    @property
    def replica(self):
        return self._data(self._replica.captured_queries)

    @property
    def fence_queries(self):
        return [q for q in [*self._primary.captured_queries, *self._replica.captured_queries] if "_wal_" in q["sql"]]


# ------------------------------------------------------------------------------ the rules


def test_outside_a_request_everything_reads_the_primary(replica, article):
    # Tasks, management commands and shells: a task queued right after a write must find it.
    with Counted() as q:
        assert Article.objects.filter(pk=article.pk).exists()
    assert len(q.replica) == 0
    assert len(q.primary) == 1


def test_a_replica_request_reads_the_replica_and_writes_the_primary(replica, article):
    with reading_from_replica() as state, Counted() as q:
        assert state.replica == "replica"
        assert Article.objects.get(pk=article.pk).title == article.title
        assert len(q.replica) == 1 and len(q.primary) == 0
        Article.objects.filter(pk=article.pk).update(title="書き換え")
        assert len(q.primary) == 1
        # After a write the same request reads its own write from the primary.
        assert Article.objects.get(pk=article.pk).title == "書き換え"
    assert len(q.replica) == 1
    assert len(q.primary) == 2


def test_reads_inside_a_transaction_use_the_primary(replica, article):
    with reading_from_replica(), Counted() as q:
        with transaction.atomic():
            Article.objects.get(pk=article.pk)
        with use_primary():
            Article.objects.get(pk=article.pk)
        Article.objects.get(pk=article.pk)
    assert len(q.replica) == 1  # only the last one
    assert len([x for x in q.primary if x["sql"].startswith("SELECT")]) == 2


def test_select_for_update_goes_to_the_primary(replica, article):
    with reading_from_replica(), Counted() as q, transaction.atomic():
        Article.objects.select_for_update().get(pk=article.pk)
    assert len(q.replica) == 0


def test_migrations_only_on_the_primary(replica):
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "newsletters")
    assert not router.allow_migrate("replica", "newsletters")
    assert router.db_for_write(Article) == "default"


def test_objects_from_primary_and_replica_may_be_related(replica, article):
    with reading_from_replica():
        from_replica = Article.objects.select_related(None).get(pk=article.pk)
    assert from_replica._state.db == "replica"
    assert PrimaryReplicaRouter().allow_relation(from_replica, article.issue) is True


# ------------------------------------------------------------------------------ over HTTP


def test_an_anonymous_reader_is_served_from_the_replica(replica, client, article):
    with Counted() as q:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert article.title in response.content.decode()
    assert len(q.replica) > 0
    assert len(q.primary) == 0
    assert PIN_COOKIE not in response.cookies


def test_without_replicas_the_middleware_does_nothing(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert PIN_COOKIE not in response.cookies


@pytest.mark.parametrize("url", ["article", "/staff/"])
def test_signed_in_staff_read_the_primary_everywhere(replica, client, article, url):
    client.force_login(make_staff("editor"))
    with Counted() as q:
        response = client.get(article.get_absolute_url() if url == "article" else url, follow=True)
    assert response.status_code == 200
    assert len(q.replica) == 0
    assert len(q.primary) > 0


def test_after_a_write_the_browser_reads_the_primary_for_a_while(replica, client, article, settings):
    make_staff("editor")
    response = client.post("/staff/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == settings.KOHOSHI_REPLICA_PIN_SECONDS
    assert pin["httponly"]
    client.logout()
    client.cookies[PIN_COOKIE] = "1"
    with Counted() as q:
        assert client.get(article.get_absolute_url()).status_code == 200
    assert len(q.replica) == 0
    # Once the cookie has expired the reader is back on the replica.
    del client.cookies[PIN_COOKIE]
    with Counted() as q:
        assert client.get(article.get_absolute_url()).status_code == 200
    assert len(q.replica) > 0 and len(q.primary) == 0


def test_a_post_reads_the_primary_but_pins_only_if_it_wrote(replica, client):
    # A refused login writes nothing (its lockout counter is in the cache), like the article
    # page's view beacon every reader sends: pinning those would move every reader to the primary.
    with Counted() as q:
        response = client.post("/staff/login/", {"username": "nobody", "password": "wrong-password"})
    assert response.status_code == 200
    assert len(q.replica) == 0 and len(q.primary) > 0
    assert PIN_COOKIE not in response.cookies


def test_staff_see_their_save_at_once(replica, client, article):
    """Even if the replica were behind, the staff member's next page comes from the primary."""
    staff = make_staff("editor")
    client.force_login(staff)
    Article.objects.filter(pk=article.pk).update(title="公開後の修正")
    with Counted() as q:
        page = client.get(article.get_absolute_url()).content.decode()
    assert "公開後の修正" in page
    assert len(q.replica) == 0
    assert get_user_model().objects.filter(pk=staff.pk).exists()


# ------------------------------------------------------------------------------ the WAL fence

needs_postgresql = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""), reason="the WAL fence is PostgreSQL's (DATABASE_URL)"
)


@needs_postgresql
def test_a_commit_raises_the_fence_before_its_after_commit_work(replica, article):
    """Cache invalidation runs after commit: by then the fence must already hold the commit."""
    cache.delete(dbrouter.FENCE_KEY)
    seen = []
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(title="書き換え")
        transaction.on_commit(lambda: seen.append(dbrouter.fence()))  # e.g. a page-cache version bump
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        now = dbrouter._lsn(cursor.fetchone()[0])
    assert 0 < seen[0] <= now
    # Once per transaction, however many writes it makes.
    with transaction.atomic():
        for n in range(3):
            Article.objects.filter(pk=article.pk).update(title=f"書き換え{n}")
        assert [f for _, f, _ in connections["default"].run_on_commit].count(dbrouter._raise_fence) == 1


def test_a_replica_behind_the_fence_is_not_read(replica, article, monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_has_replayed", lambda alias, position: False)
    with reading_from_replica() as state, Counted() as q:
        assert Article.objects.get(pk=article.pk).title == article.title
        assert state.replica is None
    assert len(q.replica) == 0 and len(q.primary) == 1


@needs_postgresql
def test_a_replica_that_does_not_answer_sends_readers_to_the_primary(replica, client, article):
    replica.settings_dict["PORT"] = "1"  # nothing listens there
    replica.close()
    cache.set(dbrouter.FENCE_KEY, 1)
    dbrouter._replayed.pop("replica", None)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert article.title in response.content.decode()


@needs_postgresql
def test_a_replica_is_asked_about_the_fence_once_per_request(replica, client, article):
    # The test's "replica" is the primary itself, not in recovery: it has everything.
    cache.set(dbrouter.FENCE_KEY, 1)
    dbrouter._replayed.pop("replica", None)
    with Counted() as q:
        client.get(article.get_absolute_url())
    assert len(q.fence_queries) == 1 and len(q.replica) > 0 and len(q.primary) == 0


# ------------------------------------------------------------------------------ settings


def _settings_in_child(env: dict) -> subprocess.CompletedProcess:
    code = "import kohoshi.settings as s; print(sorted(s.DATABASES), s.KOHOSHI_DB_REPLICAS, s.DATABASES.get('replica2', {}).get('TEST'))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, timeout=60)


def test_replica_urls_become_aliases(tmp_path):
    done = _settings_in_child({
        "KOHOSHI_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u@primary/k",
        "DATABASE_REPLICA_URL": "postgres://u@replica1/k, postgres://u@replica2/k",
        "REDIS_URL": "redis://cache:6379/0",
    })
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['default', 'replica', 'replica2'] ['replica', 'replica2'] {'MIRROR': 'default'}"


def test_a_replica_of_another_kind_is_refused(tmp_path):
    done = _settings_in_child({
        "KOHOSHI_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u@primary/k",
        "DATABASE_REPLICA_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        "REDIS_URL": "redis://cache:6379/0",
    })
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL entry 1" in done.stderr


def test_replicas_need_a_shared_cache(tmp_path):
    done = _settings_in_child({
        "KOHOSHI_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u@primary/k",
        "DATABASE_REPLICA_URL": "postgres://u@replica1/k",
    })
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL needs REDIS_URL" in done.stderr


def test_rq_queue_and_view_counts_can_live_in_a_redis_that_never_evicts(tmp_path):
    code = (
        "import kohoshi.settings as s; "
        "print(s.CACHES['default']['LOCATION'], s.CACHES['views']['LOCATION'], "
        "s.RQ_QUEUES['default']['URL'], s.RQ_QUEUES['default']['DEFAULT_TIMEOUT'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "KOHOSHI_"))}
    env.update(KOHOSHI_DATA_DIR=str(tmp_path), KOHOSHI_TASKS="rq", KOHOSHI_INGEST_SECONDS="600",
               REDIS_URL="redis://cache:6379/0", REDIS_QUEUE_URL="redis://queue:6379/0")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # RQ's own default timeout (180 s) would kill a long ingest run: the queue allows the run's limit.
    assert done.stdout.split() == ["redis://cache:6379/0", "redis://queue:6379/0", "redis://queue:6379/0", "900"]
    del env["REDIS_QUEUE_URL"]
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split()[:3] == ["redis://cache:6379/0"] * 3
