"""Following newsletters: a published issue queues its notifications (never in the request)."""
from .tasks import notify_issue


def on_issue_changed(sender, *, issue_id: int, event: str, **kwargs) -> None:
    # "schedule" is picked up by the worker's upkeep once published_at has passed
    # (services.issues_due_for_notification); "import" that publishes is followed by "publish".
    if event == "publish":
        notify_issue.enqueue(issue_id)
