"""`kohoshi worker`: django-tasks-db's worker, kept alive through database outages.

`kohoshi db_worker` exits on the first database error that is not a lock (a restart of
PostgreSQL, a dropped connection), and nothing starts it again: tasks queued after the database
is back wait forever. This command runs the same worker in batch mode inside a loop that, on
any database error, closes every connection, waits (1, 2, 4 … 30 seconds) and carries on; and
between batches it does the periodic upkeep of kohoshi.core.maintenance (a stalled ingest run
is retried once). `kohoshi serve` starts this command.
"""
import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, close_old_connections, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from kohoshi.core.maintenance import maintenance_run, maintenance_shutdown

logger = logging.getLogger("kohoshi.worker")

BACKOFF_MAX = 30.0


class Command(BaseCommand):
    help = "Run background tasks (django-tasks-db) and periodic upkeep; survives database outages."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument(
            "--maintenance-interval", type=float, default=60.0, help="seconds between upkeep rounds (default 60)"
        )
        parser.add_argument(
            "--maintenance-only", action="store_true",
            help="only the upkeep, no tasks (beside RQ workers, with KOHOSHI_TASKS=rq)",
        )
        parser.add_argument("--queue-name", default="default")

    def handle(self, *args, interval, maintenance_interval, maintenance_only, queue_name, **options):
        self.stopping = False
        self.worker = None
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        self.worker = worker
        logging.getLogger("django_tasks_db").setLevel(logging.WARNING)  # not "no more tasks" every second
        logger.info("kohoshi worker %s started", worker.worker_id)
        failures = 0
        next_upkeep = 0.0
        try:
            while not self.stopping:
                try:
                    close_old_connections()
                    if time.monotonic() >= next_upkeep:
                        maintenance_run()
                        next_upkeep = time.monotonic() + maintenance_interval
                    if not maintenance_only and not self.stopping:
                        worker.running = True
                        worker.run()  # every ready task, then back here
                    if failures:
                        logger.warning("kohoshi worker: the database answers again")
                    failures = 0
                    self._sleep(interval)
                except (DatabaseError, InterfaceError):
                    failures += 1
                    wait = min(BACKOFF_MAX, 2.0 ** (failures - 1))
                    logger.exception("kohoshi worker: database error (%s in a row); again in %.0f s", failures, wait)
                    self._reset_connections()
                    self._sleep(wait)
                except Exception:
                    # A bug in upkeep must not stop the tasks either; tasks' own errors are
                    # recorded on their results by the worker.
                    logger.exception("kohoshi worker: unexpected error; going on")
                    self._sleep(interval)
        finally:
            try:
                close_old_connections()
                maintenance_shutdown()
            except Exception:
                logger.exception("kohoshi worker: upkeep at shutdown failed")
            logger.info("kohoshi worker %s stopped", worker.worker_id)

    def _stop(self, signum, frame):
        # Finish the task at hand, then leave the loop (a second signal stops at once).
        if self.stopping:
            raise SystemExit(1)
        self.stopping = True
        if self.worker is not None:
            self.worker.running = False

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()))

    @staticmethod
    def _reset_connections() -> None:
        for conn in connections.all(initialized_only=True):
            try:
                conn.close()
            except Exception:
                pass  # a dead connection may fail to close; it is dropped all the same
