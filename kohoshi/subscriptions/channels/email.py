"""E-mail: one digest per subscriber per issue, sent over one SMTP connection per batch."""
from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from kohoshi.newsletters.links import site_url

from ..matching import IssueMatcher
from ..models import Channel, Delivery
from ..tokens import token_for
from . import NotificationChannel, Outcome

logger = logging.getLogger(__name__)


def unsubscribe_headers(subscription, url: str | None = None) -> dict[str, str]:
    """RFC 2369 / RFC 8058: an https URL that unsubscribes on a POST without a further page,
    and a mailto: when KOHOSHI_UNSUBSCRIBE_MAILTO names a mailbox that handles them."""
    url = url or site_url() + reverse("subscriptions:unsubscribe", args=[token_for(subscription, "unsubscribe")])
    targets = [f"<{url}>"]
    if mailbox := getattr(settings, "KOHOSHI_UNSUBSCRIBE_MAILTO", ""):
        targets.append(f"<mailto:{mailbox}?subject=unsubscribe-{subscription.pk}>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"kohoshi <notify.{site_url().split('://', 1)[-1].split('/')[0].split(':')[0]}>",
        "Auto-Submitted": "auto-generated",
    }


def links_for(subscription) -> dict[str, str]:
    base = site_url()
    return {
        "manage_url": base + reverse("subscriptions:manage", args=[token_for(subscription, "manage")]),
        "unsubscribe_url": base + reverse("subscriptions:unsubscribe", args=[token_for(subscription, "unsubscribe")]),
    }


def digest_message(issue, subscription, articles) -> EmailMessage:
    municipality = issue.newsletter.municipality
    context = {
        "issue": issue,
        "municipality": municipality,
        "articles": [(a, site_url() + a.get_absolute_url()) for a in articles],
        "issue_url": site_url() + issue.get_absolute_url(),
        **links_for(subscription),
    }
    subject = f"【{municipality.full_name}】{issue.newsletter.title} {issue.number or issue.title} が公開されました"
    body = render_to_string("subscriptions/email/digest.txt", context)
    return EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[subscription.email],
        headers=unsubscribe_headers(subscription, context["unsubscribe_url"]),
    )


class EmailChannel(NotificationChannel):
    name = Channel.EMAIL
    batch_size = 200

    def send(self, issue, deliveries: list[Delivery]) -> list[Outcome]:
        matcher = IssueMatcher(issue)
        outcomes = []
        connection = get_connection(fail_silently=False)
        try:
            connection.open()
            for delivery in deliveries:
                sub = delivery.subscription
                articles = matcher.articles_for(
                    category_ids={c.pk for c in sub.categories.all()}, keywords=sub.keywords
                )
                if not articles or not sub.email:
                    outcomes.append(Outcome(delivery, sent=False, error="no matching article"))
                    continue
                outcomes.append(self._send_one(connection, digest_message(issue, sub, articles), delivery))
        finally:
            connection.close()
        return outcomes

    @staticmethod
    def _send_one(connection, message, delivery) -> Outcome:
        try:
            connection.send_messages([message])
        except smtplib.SMTPRecipientsRefused as exc:
            # Refused at once (550 no such user...): the address is not kept any longer.
            return Outcome(delivery, sent=False, error=_refusal(exc), gone=True)
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("mail for delivery %s failed: %s", delivery.pk, exc)
            try:  # the next message gets a fresh connection
                connection.close()
                connection.open()
            except (smtplib.SMTPException, OSError):
                pass
            return Outcome(delivery, sent=False, error=str(exc)[:300])
        return Outcome(delivery, sent=True)


def _refusal(exc: smtplib.SMTPRecipientsRefused) -> str:
    codes = [f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}" for code, msg in exc.recipients.values()]
    return ("refused: " + "; ".join(codes))[:300]
