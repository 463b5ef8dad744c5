"""LINE Messaging API: a new issue to the followers of the municipality's official account.

Documented endpoints (base URL KOHOSHI_LINE_API_BASE, https://api.line.me by default):
POST /v2/bot/message/multicast {"to": [up to 500 user ids], "messages": [...]} and
POST /v2/bot/message/push {"to": user id, "messages": [...]}, each with
`Authorization: Bearer <channel access token>` and an `X-Line-Retry-Key` (a UUID, so a retried
request is not delivered twice).
"""
from __future__ import annotations

import logging
import uuid
from collections import defaultdict

import requests
from django.conf import settings
from django.db.models import Q

from kohoshi.newsletters.links import site_url

from ..matching import IssueMatcher
from ..models import Channel, Delivery, LineChannel, LineFollower
from . import NotificationChannel, Outcome

logger = logging.getLogger(__name__)
MULTICAST_MAX = 500


def api_base() -> str:
    return getattr(settings, "KOHOSHI_LINE_API_BASE", "https://api.line.me").rstrip("/")


def issue_messages(issue, articles) -> list[dict]:
    municipality = issue.newsletter.municipality
    url = site_url() + issue.get_absolute_url()
    lines = [f"{municipality.full_name}の{issue.newsletter.title} {issue.number or issue.title} が公開されました。"]
    lines += [f"・{a.title}" for a in articles[:5]]
    if len(articles) > 5:
        lines.append(f"ほか{len(articles) - 5}件")
    lines.append(f"記事の一覧: {url}")
    return [{"type": "text", "text": "\n".join(lines)[:5000]}]


def line_post(channel: LineChannel, path: str, payload: dict) -> requests.Response:
    return requests.post(
        api_base() + path,
        json=payload,
        headers={"Authorization": f"Bearer {channel.access_token}", "X-Line-Retry-Key": str(uuid.uuid4())},
        timeout=10,
    )


class LineMessagingChannel(NotificationChannel):
    name = Channel.LINE
    batch_size = MULTICAST_MAX

    def audience(self, issue):
        channel = LineChannel.objects.filter(municipality_id=issue.newsletter.municipality_id, enabled=True).first()
        if channel is None:
            return LineFollower.objects.none()
        categories = issue.articles.values("category_id")
        return (
            LineFollower.objects.filter(channel=channel)
            .filter(Q(categories__isnull=True) | Q(categories__in=categories))
            .values_list("pk", flat=True)
            .distinct()
        )

    def send(self, issue, deliveries: list[Delivery]) -> list[Outcome]:
        matcher = IssueMatcher(issue)
        # Followers with the same categories get the same message: one multicast per group.
        groups: dict[tuple, list[Delivery]] = defaultdict(list)
        for delivery in deliveries:
            follower = delivery.line_follower
            key = (follower.channel_id, frozenset(c.pk for c in follower.categories.all()))
            groups[key].append(delivery)
        outcomes = []
        for (channel_id, category_ids), members in groups.items():
            articles = matcher.articles_for(category_ids=category_ids, keywords="")
            if not articles:
                outcomes += [Outcome(d, sent=False, error="no matching article") for d in members]
                continue
            channel = members[0].line_follower.channel
            messages = issue_messages(issue, articles)
            for start in range(0, len(members), MULTICAST_MAX):
                chunk = members[start : start + MULTICAST_MAX]
                ids = [d.line_follower.user_id for d in chunk]
                try:
                    if len(ids) == 1:
                        response = line_post(channel, "/v2/bot/message/push", {"to": ids[0], "messages": messages})
                    else:
                        response = line_post(channel, "/v2/bot/message/multicast", {"to": ids, "messages": messages})
                    ok, error = response.status_code == 200, "" if response.status_code == 200 else f"{response.status_code} {response.text[:200]}"
                except requests.RequestException as exc:
                    ok, error = False, str(exc)[:300]
                if not ok:
                    logger.warning("LINE send for issue %s failed: %s", issue.pk, error)
                outcomes += [Outcome(d, sent=ok, error=error) for d in chunk]
        return outcomes
