"""Periodic upkeep the background worker does between tasks (`kohoshi worker`)."""
import logging

from kohoshi.engagement.services import article_views_flush
from kohoshi.ingest.runs import ingest_runs_retry_stale
from kohoshi.subscriptions.services import issues_due_for_notification, subscriptions_expire
from kohoshi.subscriptions.tasks import notify_issue

logger = logging.getLogger(__name__)


def maintenance_run() -> None:
    """Write buffered article views (those a shared cache holds; with the local-memory cache each
    web server process writes its own) and retry, once, the ingest runs whose worker died mid-run.
    Safe to call from several workers: the flush takes a lock in the cache, and each run change
    takes the run's row lock and re-checks its state.

    Also queues the notifications of issues that became public since (scheduled ones whose
    `published_at` has passed; notify_issue runs once per issue, so a second worker's enqueue is
    a no-op) and deletes subscription requests left unconfirmed."""
    article_views_flush()
    for run in ingest_runs_retry_stale():
        logger.warning("ingest run %s stalled: %s", run.pk, run.get_status_display())
    for issue_id in issues_due_for_notification():
        notify_issue.enqueue(issue_id)
    subscriptions_expire()


def maintenance_shutdown() -> None:
    """What must not be lost when the worker stops."""
    article_views_flush()
