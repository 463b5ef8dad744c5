"""Periodic upkeep the background worker does between tasks (`kohoshi worker`)."""
import logging

from kohoshi.ingest.runs import ingest_runs_retry_stale

logger = logging.getLogger(__name__)


def maintenance_run() -> None:
    """Retry (once) the ingest runs whose worker died mid-run. Safe to call from several workers:
    each change takes the run's row lock and re-checks its state."""
    for run in ingest_runs_retry_stale():
        logger.warning("ingest run %s stalled: %s", run.pk, run.get_status_display())


def maintenance_shutdown() -> None:
    """What must not be lost when the worker stops."""
