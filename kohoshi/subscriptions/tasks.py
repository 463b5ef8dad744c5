"""Thin tasks: take ids, call a service."""
from django_tasks import task

from . import services


@task()
def notify_issue(issue_id: int) -> int:
    """Queue the notifications of a newly public issue; returns the recipients queued."""
    return services.issue_notify(issue_id)


@task()
def send_deliveries(delivery_ids: list[int]) -> int:
    """Send a batch of queued notifications; returns how many went out."""
    return services.deliveries_send(delivery_ids)


@task()
def send_confirmation(subscription_id: int) -> None:
    services.subscription_confirmation_send(subscription_id)
