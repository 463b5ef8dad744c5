"""Article views counted in the cache first, written to the database in batches.

A reading page must not write to the database: on SQLite every write queues behind an import's
transaction, and a reader then waits seconds or gets "database is locked". A view is one atomic
`incr` in the cache (local memory, or Redis when several servers share it); `flush()` moves the
counts into ArticleDailyViews in one transaction.

Counts live in generations so that a flush never races a reader. A view adds to the counter
`views:<gen>:<day>:<article>`; the first view of a counter also writes an entry
`views:<gen>:e:<n>` naming it, so a flush can find every counter of a generation. A flush first
moves readers on to the next generation, then writes the generations closed at least GRACE
seconds ago (a reader that read the old generation number just before has long finished its
`incr`), and only after the database committed marks them done and deletes their keys. A
database error leaves everything in the cache for the next flush: counts are never lost, and a
flush at shutdown (`everything=True`) writes the open generation too.
"""
import logging
import threading
import time
from collections import Counter
from datetime import date

from django.core.cache import caches
from django.db import close_old_connections, transaction
from django.db.models import F

from kohoshi.newsletters.models import Article

from .models import ArticleDailyViews
from .signals import views_written

logger = logging.getLogger(__name__)

PREFIX = "kohoshi:views"
GENERATION = f"{PREFIX}:gen"
FLUSHED = f"{PREFIX}:flushed"
LOCK = f"{PREFIX}:lock"
# A closed generation is written this long after it was closed: a reader that took its number
# just before has finished its incr by then.
GRACE = 5.0
# Long enough that counts survive a worker that stops flushing for days; never reached normally.
TTL = 30 * 24 * 3600


class _Cache:
    """The "views" cache alias, looked up on use (tests swap settings)."""

    def __getattr__(self, name):
        return getattr(caches["views"], name)


cache = _Cache()


def _counter(key: str) -> int:
    """incr that creates the key first (the cache's incr refuses a missing key)."""
    cache.add(key, 0, timeout=TTL)
    try:
        return cache.incr(key)
    except ValueError:  # gone between add and incr (evicted, or flushed): start it again
        cache.add(key, 0, timeout=TTL)
        return cache.incr(key)


def _generation() -> int:
    gen = cache.get(GENERATION)
    if gen is None:
        cache.add(GENERATION, 1, timeout=None)
        gen = cache.get(GENERATION, 1)
    return gen


def add(article_id: int, day: date) -> None:
    for _ in range(2):
        gen = _generation()
        key = f"{PREFIX}:{gen}:{day.isoformat()}:{article_id}"
        if cache.add(key, 0, timeout=TTL):
            n = _counter(f"{PREFIX}:{gen}:n")
            cache.set(f"{PREFIX}:{gen}:e:{n}", (day.isoformat(), article_id), timeout=TTL)
        try:
            cache.incr(key)
            return
        except ValueError:
            # The key went between add and incr (a flush at shutdown took its generation): the
            # view goes into the next generation instead of failing the reader's page.
            continue
    logger.warning("article %s: a view could not be buffered", article_id)


def pending() -> Counter:
    """Counts not yet written, by (day, article id): for tests and the shutdown log."""
    totals: Counter = Counter()
    for gen in range((cache.get(FLUSHED) or 0) + 1, _generation() + 1):
        totals.update(_read(gen)[0])
    return totals


def _read(gen: int) -> tuple[Counter, list[str]]:
    n = cache.get(f"{PREFIX}:{gen}:n") or 0
    entry_keys = [f"{PREFIX}:{gen}:e:{i}" for i in range(1, n + 1)]
    entries = cache.get_many(entry_keys)
    counter_keys = {f"{PREFIX}:{gen}:{day}:{article_id}": (day, article_id) for day, article_id in entries.values()}
    counts = Counter()
    for key, value in cache.get_many(list(counter_keys)).items():
        if value:
            day, article_id = counter_keys[key]
            counts[(date.fromisoformat(day), article_id)] += value
    return counts, [f"{PREFIX}:{gen}:n", *entry_keys, *counter_keys]


def flush(*, everything: bool = False) -> int:
    """Write the counts of the generations closed at least GRACE seconds ago (all of them with
    `everything`, when no reader is left) to the database in one transaction; returns the number
    of views written."""
    if not cache.add(LOCK, 1, timeout=300):
        return 0  # another thread or process is flushing
    try:
        now = time.time()
        current = _generation()
        cache.set(f"{PREFIX}:{current}:closed", now, timeout=TTL)
        cache.incr(GENERATION)  # readers count into current + 1 from now on
        first = last = (cache.get(FLUSHED) or 0) + 1
        while last <= current:
            closed = cache.get(f"{PREFIX}:{last}:closed")
            if not everything and (closed is None or closed > now - GRACE):
                break
            last += 1
        last -= 1
        if last < first:
            return 0
        counts: Counter = Counter()
        keys: list[str] = []
        for gen in range(first, last + 1):
            gen_counts, gen_keys = _read(gen)
            counts.update(gen_counts)
            keys += [*gen_keys, f"{PREFIX}:{gen}:closed"]
        _write(counts)
        # Only now: had the database refused, the next flush would find every count still here.
        cache.set(FLUSHED, last, timeout=None)
        cache.delete_many(keys)
        if counts:
            views_written.send_robust(sender="engagement", article_ids=sorted({a for _, a in counts}))
        return sum(counts.values())
    finally:
        cache.delete(LOCK)


def is_process_local() -> bool:
    """Whether the counts live in this process only (the local-memory cache)."""
    from django.core.cache.backends.locmem import LocMemCache

    return isinstance(caches["views"], LocMemCache)


def _write(counts: Counter) -> None:
    existing = set(Article.objects.filter(pk__in={a for _, a in counts}).values_list("pk", flat=True))
    with transaction.atomic():
        for (day, article_id), views in sorted(counts.items()):
            if article_id not in existing:
                continue  # deleted since it was read
            rows = ArticleDailyViews.objects.filter(article_id=article_id, day=day)
            if not rows.update(views=F("views") + views):
                ArticleDailyViews.objects.create(article_id=article_id, day=day, views=views)


_flusher_lock = threading.Lock()
_flusher: threading.Thread | None = None


def flusher_start(interval: float) -> None:
    """Flush every `interval` seconds from a thread of this process, and everything at exit.

    The web server's process calls it (kohoshi/wsgi.py): with the local-memory cache the counts
    live in that process, so no other process can flush them.
    """
    import multiprocessing.util

    global _flusher
    with _flusher_lock:
        if _flusher is not None or interval <= 0:
            return

        def loop() -> None:
            stop = threading.Event()
            while not stop.wait(interval):
                close_old_connections()  # like a request: a connection the database dropped is replaced
                _flush_logged()

        _flusher = threading.Thread(target=loop, name="kohoshi-views-flush", daemon=True)
        _flusher.start()
        # At exit this process has no reader left; with a shared cache (Redis) other servers may
        # still count into the open generation, so it is left to the next flush elsewhere.
        # A multiprocessing Finalize runs at interpreter exit (through atexit) and also when a
        # multiprocessing worker ends, which skips atexit (granian's and uvicorn's workers).
        multiprocessing.util.Finalize(None, _flush_logged, kwargs={"everything": is_process_local()}, exitpriority=10)


def _flush_logged(*, everything: bool = False) -> None:
    try:
        flush(everything=everything)
    except Exception:
        logger.exception("writing buffered article views failed; they stay buffered for the next flush")
