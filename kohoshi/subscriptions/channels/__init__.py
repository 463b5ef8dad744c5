"""Notification channels behind one interface.

A channel turns claimed Delivery rows of one issue into messages and reports an Outcome for each.
E-mail and Web Push reach Subscriptions (each subscription picks one of them: the dedup rule);
LINE reaches the followers of a municipality's official account. A fourth channel (SMS, a
municipal app) is one subclass of NotificationChannel added to CHANNELS.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from ..models import Delivery


@dataclass
class Outcome:
    delivery: Delivery
    sent: bool
    error: str = ""
    # The recipient no longer exists (address refused, push endpoint gone, LINE user blocked):
    # the service deletes what it stored about them.
    gone: bool = False


class NotificationChannel:
    name: str = ""
    # Deliveries per send task; LINE's multicast takes 500 user ids at most.
    batch_size: int = 200

    def available(self) -> bool:
        """Whether the site is configured for this channel (keys, credentials)."""
        return True

    def audience(self, issue) -> QuerySet | None:
        """For a channel with its own followers (LINE): who gets `issue`, as a QuerySet whose
        values are recipient ids for Delivery.line_follower. None for channels that reach
        Subscriptions (chosen by Subscription.channel_for_delivery)."""
        return None

    def send(self, issue, deliveries: list[Delivery]) -> list[Outcome]:
        raise NotImplementedError


def channels() -> dict[str, NotificationChannel]:
    from .email import EmailChannel
    from .line import LineMessagingChannel
    from .webpush import WebPushChannel

    return {c.name: c for c in (EmailChannel(), WebPushChannel(), LineMessagingChannel())}
