"""Reads from PostgreSQL streaming replicas, everything else from the primary.

With `DATABASE_REPLICA_URL` set (one URL, or several separated by commas) the settings add the
aliases `replica`, `replica2`, … and this router. The rule is the other way round from the
usual "reads to the replica": **everything uses the primary** (`default`) unless a request has
been found safe to answer from a replica by `ReplicaReadMiddleware`:

- a GET or HEAD request,
- not under /staff/ or /admin/,
- without a session cookie (only staff sign in: a signed-in staff member always reads the
  primary, so what they just saved is what they see, on every page),
- without the pin cookie `kohoshi_primary`, which any request that wrote to the database sets
  for `KOHOSHI_REPLICA_PIN_SECONDS` (10): a reader who answered a survey sees their answer
  counted, even before the replica has replayed it. (Requests other than GET/HEAD read the
  primary themselves, but only a write sets the cookie: a view beacon does not.)

Inside such a request a read still goes to the primary when it runs inside a transaction on the
primary (`atomic()`: the read-then-write of a service function must not read an old row), and
writes (`save`, `select_for_update`, `get_or_create`) always go to the primary, which is also the
only database migrations run on. Background tasks (RQ or `kohoshi worker`), management commands
and shells never enter a request, so they read the primary: a task queued right after a write
finds that write.

`use_primary()` pins a block of code to the primary by hand.

The WAL fence (PostgreSQL). A replica replays the primary's writes a few milliseconds late, and
caches are invalidated the moment a write commits: a reader arriving in between would render the
old page from the replica and the page cache would keep it under the new version. So every
transaction that writes to the primary, in a request, a task or a command, raises a fence after
it commits — the primary's WAL position, `pg_current_wal_lsn()`, kept in the shared cache
(`REDIS_URL`) before any after-commit invalidation of that transaction runs — and a request is
answered from a replica only once that replica has replayed up to the fence
(`pg_last_wal_replay_lsn()`, asked at most once per request and not at all once the replica was
seen past it). A replica that cannot answer that question sends the request to the primary.
"""
import logging
import random
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
PIN_COOKIE = "kohoshi_primary"
FENCE_KEY = "kohoshi:replica-fence"
FENCE_SECONDS = 24 * 3600
_SAFE_METHODS = frozenset({"GET", "HEAD"})
_PRIMARY_PREFIXES = ("/staff/", "/admin/")


class _RequestState:
    __slots__ = ("replica", "wrote", "fence_checked")

    def __init__(self, replica: str | None):
        self.replica = replica  # the alias this request may read from, or None: the primary
        self.wrote = False
        self.fence_checked = False


# None outside a request (tasks, commands, shells): the primary.
_state: ContextVar[_RequestState | None] = ContextVar("kohoshi_db_state", default=None)


def replicas() -> list[str]:
    return list(getattr(settings, "KOHOSHI_DB_REPLICAS", ()))


@contextmanager
def use_primary():
    """Read from the primary inside this block, whatever request it is in."""
    token = _state.set(None)
    try:
        yield
    finally:
        _state.reset(token)


@contextmanager
def reading_from_replica(alias: str | None = None):
    """Let reads in this block go to a replica (ReplicaReadMiddleware does this for a request)."""
    names = replicas()
    state = _RequestState(alias or (random.choice(names) if names else None))
    token = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(token)


def current_read_alias() -> str:
    state = _state.get()
    if state is None or state.replica is None or state.wrote:
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    if not state.fence_checked:
        state.fence_checked = True
        if not replica_has_replayed(state.replica, fence()):
            state.replica = None
            return PRIMARY
    return state.replica


# ------------------------------------------------------------------------------ the WAL fence


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def fence() -> int:
    return cache.get(FENCE_KEY) or 0


def _raise_fence() -> None:
    """After a commit on the primary: replicas serve again once they have replayed this far."""
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            position = _lsn(cursor.fetchone()[0])
        if position > fence():
            cache.set(FENCE_KEY, position, FENCE_SECONDS)
    except Exception:  # the write is committed; readers then wait out the pin cookie or the lag
        logger.exception("could not raise the replica fence")


# Per process: how far each replica was last seen to have replayed (it only moves forward).
_replayed: dict[str, int] = {}


def replica_has_replayed(alias: str, position: int) -> bool:
    if position == 0 or position <= _replayed.get(alias, -1):
        return True
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn()")
            replayed = cursor.fetchone()[0]
    except DatabaseError:
        logger.warning("replica %s did not answer; reading from the primary", alias, exc_info=True)
        connection.close()
        return False
    if replayed is None:  # not in recovery (a promoted replica): it has everything it will get
        return True
    _replayed[alias] = max(_replayed.get(alias, 0), _lsn(replayed))
    return _replayed[alias] >= position


def _fence_after_commit(alias: str = PRIMARY) -> None:
    """Once per transaction on the primary: raise the fence when it commits, before the
    after-commit work (cache invalidation) registered after this transaction's first write."""
    if not replicas():
        return
    connection = connections[alias]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    if any(callback is _raise_fence for _, callback, _ in connection.run_on_commit):
        return
    connection.on_commit(_raise_fence)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return current_read_alias()

    def db_for_write(self, model, **hints):
        state = _state.get()
        if state is not None:
            state.wrote = True  # read-your-writes: this request reads the primary from now on
        _fence_after_commit()
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's rows: an object read from one may point to one from another.
        pool = {PRIMARY, *replicas()}
        if obj1._state.db in pool and obj2._state.db in pool:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A hot standby is read-only and replays the primary's schema changes itself.
        return db == PRIMARY


class ReplicaReadMiddleware:
    """Answers safe, anonymous requests from a replica; sets the pin cookie after a write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas():
            return self.get_response(request)
        replica_ok = (
            request.method in _SAFE_METHODS
            and not request.path_info.startswith(_PRIMARY_PREFIXES)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and PIN_COOKIE not in request.COOKIES
        )
        with reading_from_replica() as state:
            if not replica_ok:
                state.replica = None
            response = self.get_response(request)
        if state.wrote and connections[PRIMARY].vendor == "postgresql":
            _raise_fence()  # writes made outside a transaction (autocommit) are fenced here
        # Only after a database write: a POST that writes nothing (a refused login, an article's
        # view beacon, which counts in the cache) must not move every reader onto the primary.
        if state.wrote:
            response.set_cookie(
                PIN_COOKIE, "1", max_age=settings.KOHOSHI_REPLICA_PIN_SECONDS,
                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
