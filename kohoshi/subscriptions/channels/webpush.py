"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291), via pywebpush."""
from __future__ import annotations

import json
import logging

import requests
from django.conf import settings
from pywebpush import WebPushException, webpush

from kohoshi.newsletters.links import site_url

from ..matching import IssueMatcher
from ..models import Channel, Delivery, PushEndpoint
from ..vapid import vapid
from . import NotificationChannel, Outcome

logger = logging.getLogger(__name__)
TTL = 2 * 24 * 3600


def push_payload(issue, articles) -> dict:
    municipality = issue.newsletter.municipality
    titles = "、".join(a.title for a in articles[:3]) + (" ほか" if len(articles) > 3 else "")
    return {
        "title": f"{municipality.name} {issue.newsletter.title} {issue.number or issue.title}",
        "body": titles,
        "url": site_url() + issue.get_absolute_url(),
        "tag": f"issue-{issue.pk}",
    }


class WebPushChannel(NotificationChannel):
    name = Channel.PUSH
    batch_size = 200

    def available(self) -> bool:
        return vapid() is not None

    def send(self, issue, deliveries: list[Delivery]) -> list[Outcome]:
        key = vapid()
        if key is None:
            return [Outcome(d, sent=False, error="VAPID key not configured") for d in deliveries]
        claims = {"sub": getattr(settings, "KOHOSHI_VAPID_SUBJECT", "") or f"mailto:{settings.DEFAULT_FROM_EMAIL}"}
        matcher = IssueMatcher(issue)
        session = requests.Session()
        outcomes = []
        for delivery in deliveries:
            sub = delivery.subscription
            articles = matcher.articles_for(category_ids={c.pk for c in sub.categories.all()}, keywords=sub.keywords)
            if not articles:
                outcomes.append(Outcome(delivery, sent=False, error="no matching article"))
                continue
            data = json.dumps(push_payload(issue, articles), ensure_ascii=False)
            sent, errors = 0, []
            for endpoint in sub.push_endpoints.all():
                try:
                    webpush(
                        endpoint.subscription_info(), data=data, vapid_private_key=key, vapid_claims=dict(claims),
                        ttl=TTL, content_encoding="aes128gcm", requests_session=session, timeout=10,
                    )
                    sent += 1
                except WebPushException as exc:
                    status = getattr(exc.response, "status_code", None)
                    if status in (404, 410):  # the browser unsubscribed: forget the endpoint
                        PushEndpoint.objects.filter(pk=endpoint.pk).delete()
                    errors.append(f"{status}: {exc.message}"[:100])
                except requests.RequestException as exc:
                    errors.append(str(exc)[:100])
            outcomes.append(Outcome(delivery, sent=sent > 0, error="; ".join(errors)[:300]))
        return outcomes
