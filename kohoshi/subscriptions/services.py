"""Every write of the subscriptions app: subscribing, confirming, changing, unsubscribing,
registering push endpoints and LINE followers, and queueing and sending notifications."""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterator
from datetime import timedelta
from itertools import chain, islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kohoshi.newsletters.links import site_url
from kohoshi.newsletters.models import Category, Issue
from kohoshi.places.models import Municipality

from .channels import channels
from .channels.email import links_for
from .matching import IssueMatcher
from .models import CONFIRM_DAYS, Channel, Delivery, IssueNotification, LineChannel, LineFollower, PushEndpoint, Subscription
from .tokens import token_for

logger = logging.getLogger(__name__)

MAX_MUNICIPALITIES = 20
# Issues published longer ago than this are never notified (a new installation, or a worker that
# was down for weeks, does not mail every back number).
NOTIFY_WINDOW = timedelta(days=3)
DELIVERY_CHUNK = 5000


# ---- subscriptions ------------------------------------------------------------------------------


def _conditions_set(subscription: Subscription, *, municipalities, categories, keywords: str) -> None:
    municipalities = list(municipalities)
    if not municipalities:
        raise ValidationError({"municipalities": "自治体を1つ以上選んでください"})
    if len(municipalities) > MAX_MUNICIPALITIES:
        raise ValidationError({"municipalities": f"自治体は{MAX_MUNICIPALITIES}までです"})
    subscription.keywords = (keywords or "").strip()[:100]
    subscription.save()
    subscription.municipalities.set(municipalities)
    subscription.categories.set(list(categories))


def subscription_request(*, email: str, municipalities, categories, keywords: str = "") -> Subscription:
    """Start a double opt-in: store the conditions unconfirmed and mail a confirmation link.

    An address already subscribed gets a mail with its change-conditions link instead (nothing
    changes, and the page answers the same, so the form does not tell who is subscribed).
    """
    email = email.strip().lower()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(email__iexact=email).first()
        if subscription is not None and subscription.status == Subscription.Status.ACTIVE:
            transaction.on_commit(lambda: _mail_send(subscription, "already"))
            return subscription
        if subscription is None:
            subscription = Subscription(email=email)
        _conditions_set(subscription, municipalities=municipalities, categories=categories, keywords=keywords)
        subscription_id = subscription.pk
        transaction.on_commit(lambda: _confirmation_enqueue(subscription_id))
    return subscription


def _confirmation_enqueue(subscription_id: int) -> None:
    from .tasks import send_confirmation

    send_confirmation.enqueue(subscription_id)


def subscription_confirmation_send(subscription_id: int) -> None:
    subscription = Subscription.objects.filter(pk=subscription_id, status=Subscription.Status.PENDING).first()
    if subscription is not None:
        _mail_send(subscription, "confirm")


def _mail_send(subscription: Subscription, kind: str) -> None:
    base = site_url()
    context = {
        "subscription": subscription,
        "municipalities": list(subscription.municipalities.select_related("prefecture")),
        "categories": list(subscription.categories.all()),
        "confirm_url": base + reverse("subscriptions:confirm", args=[token_for(subscription, "confirm")]),
        "confirm_days": CONFIRM_DAYS,
        **links_for(subscription),
    }
    subjects = {"confirm": "【kohoshi】購読の確認をお願いします", "already": "【kohoshi】購読の設定について"}
    message = EmailMessage(
        subject=subjects[kind],
        body=render_to_string(f"subscriptions/email/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        # A refused address is simply not subscribed: nothing of it is kept.
        if subscription.status == Subscription.Status.PENDING:
            Subscription.objects.filter(pk=subscription.pk, status=Subscription.Status.PENDING).delete()
            return
        raise


def subscription_confirm(subscription: Subscription) -> Subscription:
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.status != Subscription.Status.ACTIVE:
            subscription.status = Subscription.Status.ACTIVE
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["status", "confirmed_at"])
    return subscription


def subscription_update(
    subscription: Subscription, *, municipalities, categories, keywords: str, preferred_channel: str | None = None
) -> Subscription:
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if preferred_channel:
            if preferred_channel not in (Channel.EMAIL, Channel.PUSH):
                raise ValidationError({"preferred_channel": "受け取り方を選んでください"})
            subscription.preferred_channel = preferred_channel
        _conditions_set(subscription, municipalities=municipalities, categories=categories, keywords=keywords)
    return subscription


def subscription_delete(subscription: Subscription) -> None:
    """Unsubscribe: the address, conditions, push endpoints and delivery records go."""
    Subscription.objects.filter(pk=subscription.pk).delete()


def subscriptions_expire(*, now=None) -> int:
    """Delete requests left unconfirmed for CONFIRM_DAYS (their links have expired too)."""
    cutoff = (now or timezone.now()) - timedelta(days=CONFIRM_DAYS)
    _, per_model = Subscription.objects.filter(status=Subscription.Status.PENDING, created_at__lt=cutoff).delete()
    return per_model.get(Subscription._meta.label, 0)


# ---- push endpoints -----------------------------------------------------------------------------


def push_endpoint_register(
    *, endpoint: str, p256dh: str, auth: str, subscription: Subscription | None = None,
    municipalities=(), categories=(), keywords: str = "", prefer_push: bool = False,
) -> PushEndpoint:
    """Store a browser's PushSubscription.

    With `subscription` (the reader's manage link) the endpoint joins it and `prefer_push`
    makes push the one channel of that subscription; without, the conditions make a new
    subscription reached by push only (the browser's permission prompt was its opt-in).
    """
    with transaction.atomic():
        if subscription is None:
            subscription = Subscription(status=Subscription.Status.ACTIVE, preferred_channel=Channel.PUSH,
                                        confirmed_at=None)
            _conditions_set(subscription, municipalities=municipalities, categories=categories, keywords=keywords)
        elif prefer_push:
            Subscription.objects.filter(pk=subscription.pk).update(preferred_channel=Channel.PUSH)
        push, _ = PushEndpoint.objects.update_or_create(
            endpoint=endpoint, defaults={"subscription": subscription, "p256dh": p256dh, "auth": auth}
        )
    return push


def push_endpoint_delete(*, endpoint: str) -> bool:
    """Forget an endpoint; a push-only subscription left without endpoints goes with it."""
    with transaction.atomic():
        push = PushEndpoint.objects.select_related("subscription").filter(endpoint=endpoint).first()
        if push is None:
            return False
        subscription = push.subscription
        push.delete()
        if not subscription.email and not subscription.push_endpoints.exists():
            subscription.delete()
    return True


# ---- LINE followers -----------------------------------------------------------------------------


def line_follower_follow(*, channel: LineChannel, user_id: str) -> LineFollower:
    follower, _ = LineFollower.objects.get_or_create(channel=channel, user_id=user_id)
    return follower


def line_follower_unfollow(*, channel: LineChannel, user_id: str) -> None:
    LineFollower.objects.filter(channel=channel, user_id=user_id).delete()


def line_follower_categories_toggle(*, channel: LineChannel, user_id: str, slug: str) -> LineFollower:
    """A postback `category=<slug>` turns one category on or off (none chosen: every issue)."""
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise ValidationError({"category": f"unknown category {slug!r}"})
    with transaction.atomic():
        follower = line_follower_follow(channel=channel, user_id=user_id)
        if follower.categories.filter(pk=category.pk).exists():
            follower.categories.remove(category)
        else:
            follower.categories.add(category)
    return follower


def line_channel_save(*, municipality: Municipality, access_token: str = "", channel_secret: str = "",
                      enabled: bool = True) -> LineChannel:
    """Create or change a municipality's LINE channel; a blank token or secret keeps the stored one."""
    channel = LineChannel.objects.filter(municipality=municipality).first() or LineChannel(municipality=municipality)
    if access_token:
        channel.access_token = access_token
    if channel_secret:
        channel.channel_secret = channel_secret
    if not channel.access_token or not channel.channel_secret:
        raise ValidationError({"access_token": "チャネルアクセストークンとチャネルシークレットを入力してください"})
    channel.enabled = enabled
    channel.save()
    return channel


# ---- notifying an issue -------------------------------------------------------------------------


def issues_due_for_notification(*, now=None):
    """Public issues not yet notified: scheduled ones whose time has come, or ones whose
    publish-time task was lost. Issues older than NOTIFY_WINDOW are left alone."""
    now = now or timezone.now()
    return (
        Issue.objects.published(now)
        .filter(published_at__gte=now - NOTIFY_WINDOW)
        .exclude(pk__in=IssueNotification.objects.values("issue_id"))
        .values_list("pk", flat=True)
    )


def issue_notify(issue_id: int) -> int:
    """Queue one notification per recipient of a public issue; returns how many were queued.

    Runs once per issue (IssueNotification): a repeated publish queues nothing. Each matching
    subscription gets one Delivery on the channel its dedup rule picks; LINE followers of the
    municipality's account get one each. The sending happens in batches on the task queue.
    """
    issue = Issue.objects.select_related("newsletter__municipality__prefecture").filter(pk=issue_id).first()
    if issue is None or not issue.is_public():
        return 0
    all_channels = channels()
    with transaction.atomic():
        marker, created = IssueNotification.objects.get_or_create(issue=issue)
        if not created:
            return 0
        rows = _subscription_deliveries(issue, all_channels)
        for channel in all_channels.values():
            audience = channel.audience(issue)
            if audience is not None and channel.available():
                rows = chain(rows, (Delivery(issue=issue, line_follower_id=pk, channel=channel.name) for pk in audience.iterator()))
        queued = 0
        # In chunks, so the worker's memory stays flat however many subscribers a town has.
        while chunk := list(islice(rows, DELIVERY_CHUNK)):
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            queued += len(chunk)
        marker.recipients = queued
        marker.save(update_fields=["recipients"])
        transaction.on_commit(lambda: deliveries_enqueue(issue.pk))
    logger.info("issue %s: %d notifications queued", issue.pk, queued)
    return queued


def _subscription_deliveries(issue: Issue, all_channels) -> Iterator[Delivery]:
    push_ok = all_channels[Channel.PUSH].available()
    matching = Subscription.objects.for_issue(issue).values("pk")
    rows = (
        Subscription.objects.filter(pk__in=matching)
        .annotate(has_push=Exists(PushEndpoint.objects.filter(subscription=OuterRef("pk"))))
        .values_list("pk", "email", "confirmed_at", "preferred_channel", "keywords", "has_push")
    )
    matcher = IssueMatcher(issue)
    # Keywords narrow the categories' articles (both must hold): look up categories only for those.
    with_keywords = list(Subscription.objects.filter(pk__in=matching).exclude(keywords="").values_list("pk", flat=True))
    categories_of: dict[int, set[int]] = {}
    through = Subscription.categories.through
    for start in range(0, len(with_keywords), 5000):
        for sub_id, cat_id in through.objects.filter(subscription_id__in=with_keywords[start : start + 5000]).values_list(
            "subscription_id", "category_id"
        ):
            categories_of.setdefault(sub_id, set()).add(cat_id)
    for pk, email, confirmed_at, preferred, keywords, has_push in rows.iterator(chunk_size=DELIVERY_CHUNK):
        if keywords and not matcher.articles_for(category_ids=categories_of.get(pk, set()), keywords=keywords):
            continue
        channel = _channel_choice(can_mail=bool(email and confirmed_at), has_push=has_push and push_ok, preferred=preferred)
        if channel:
            yield Delivery(issue=issue, subscription_id=pk, channel=channel)


def _channel_choice(*, can_mail: bool, has_push: bool, preferred: str) -> str | None:
    """The dedup rule: the reader's choice when it can reach them, else the other one; never both."""
    if preferred == Channel.PUSH and has_push:
        return Channel.PUSH
    if can_mail:
        return Channel.EMAIL
    return Channel.PUSH if has_push else None


def deliveries_enqueue(issue_id: int) -> int:
    """Put the issue's queued deliveries on the task queue in batches; returns the batches."""
    from .tasks import send_deliveries

    batches = 0
    for name, channel in channels().items():
        ids = list(
            Delivery.objects.filter(issue_id=issue_id, channel=name, status=Delivery.Status.QUEUED)
            .order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(ids), channel.batch_size):
            send_deliveries.enqueue(ids[start : start + channel.batch_size])
            batches += 1
    return batches


def _claim(delivery_ids: list[int]) -> list[int]:
    """Move queued deliveries to SENDING; only the claimed ones are sent (by this worker alone).
    A worker that dies mid-batch leaves them SENDING: at most once, never twice."""
    with transaction.atomic():
        qs = Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.QUEUED)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.SENDING)
    return ids


def deliveries_send(delivery_ids: list[int]) -> int:
    ids = _claim(delivery_ids)
    if not ids:
        return 0
    deliveries = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("issue__newsletter__municipality__prefecture", "subscription", "line_follower__channel")
        .prefetch_related("subscription__categories", "subscription__push_endpoints", "line_follower__categories")
        .order_by("pk")
    )
    all_channels = channels()
    sent = 0
    by_issue_channel: dict[tuple[int, str], list[Delivery]] = {}
    for d in deliveries:
        by_issue_channel.setdefault((d.issue_id, d.channel), []).append(d)
    for (_, name), group in by_issue_channel.items():
        outcomes = all_channels[name].send(group[0].issue, group)
        sent += _outcomes_record(outcomes)
    return sent


def _outcomes_record(outcomes) -> int:
    now = timezone.now()
    sent_ids = [o.delivery.pk for o in outcomes if o.sent]
    Delivery.objects.filter(pk__in=sent_ids).update(status=Delivery.Status.SENT, sent_at=now)
    for o in outcomes:
        if o.sent:
            continue
        if o.gone and o.delivery.subscription_id:
            # The server refused the address: the subscription ends and the address is deleted.
            logger.info("subscription %s ended: %s", o.delivery.subscription_id, o.error)
            Subscription.objects.filter(pk=o.delivery.subscription_id).delete()
        elif o.gone and o.delivery.line_follower_id:
            LineFollower.objects.filter(pk=o.delivery.line_follower_id).delete()
        else:
            Delivery.objects.filter(pk=o.delivery.pk).update(status=Delivery.Status.FAILED, error=o.error[:300])
    return len(sent_ids)
