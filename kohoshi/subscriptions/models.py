"""購読条件 (saved conditions) and the notifications sent for them.

A reader needs no account: a Subscription is a set of conditions (municipalities, categories,
keywords) with the channels that reach its reader, an e-mail address and/or the browsers' push
endpoints. The address is kept only while the subscription lives: unsubscribing, a refused
address or an unconfirmed request left for CONFIRM_DAYS deletes the row. LINE followers belong
to the municipality's LINE official account and choose categories there.
"""
import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kohoshi.newsletters.models import Category, Issue
from kohoshi.places.models import Municipality

# Days an unconfirmed request (and its confirmation link) lives.
CONFIRM_DAYS = 7


def _secret() -> str:
    return secrets.token_urlsafe(18)


class Channel(models.TextChoices):
    EMAIL = "email", _("メール")
    PUSH = "push", _("プッシュ通知")
    LINE = "line", _("LINE")


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Subscription.Status.ACTIVE)

    def for_issue(self, issue: Issue):
        """Active subscriptions whose municipality and category conditions an issue meets
        (keywords are checked by the caller with search_articles)."""
        categories = issue.articles.values("category_id")
        return (
            self.active()
            .filter(municipalities=issue.newsletter.municipality_id)
            .filter(Q(categories__isnull=True) | Q(categories__in=categories))
            .distinct()
        )


class Subscription(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("確認待ち")
        ACTIVE = "active", _("購読中")

    # Null for a subscription made by a browser's push registration alone.
    email = models.EmailField(_("メールアドレス"), max_length=254, null=True, blank=True, unique=True)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.PENDING)
    municipalities = models.ManyToManyField(Municipality, verbose_name=_("自治体"), related_name="+")
    categories = models.ManyToManyField(Category, verbose_name=_("カテゴリ"), blank=True, related_name="+")
    keywords = models.CharField(_("キーワード"), max_length=100, blank=True)
    # The dedup rule: a reader with both e-mail and push gets each issue on this one channel.
    preferred_channel = models.CharField(
        _("受け取り方"), max_length=8, choices=[c for c in Channel.choices if c[0] != "line"], default=Channel.EMAIL
    )
    # Part of every signed link: changing it (or deleting the row) voids links sent before.
    secret = models.CharField(max_length=32, default=_secret)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("購読")
        verbose_name_plural = _("購読")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"購読 {self.pk}"


class PushEndpoint(models.Model):
    """A browser's PushSubscription (endpoint URL and the keys that encrypt messages for it)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="push_endpoints")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("プッシュ通知の登録")
        verbose_name_plural = _("プッシュ通知の登録")

    def __str__(self) -> str:
        return f"push {self.pk}"

    def subscription_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class LineChannel(models.Model):
    """A municipality's LINE official account (Messaging API channel). The access token and the
    channel secret are written in the admin and never shown again."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("自治体"))
    access_token = models.CharField(_("チャネルアクセストークン"), max_length=500)
    channel_secret = models.CharField(_("チャネルシークレット"), max_length=100)
    enabled = models.BooleanField(_("新しい号を配信する"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LINE公式アカウント")
        verbose_name_plural = _("LINE公式アカウント")

    def __str__(self) -> str:
        return f"LINE {self.municipality_id}"


class LineFollower(models.Model):
    """A LINE user who follows a municipality's account; kept only while they follow it."""

    channel = models.ForeignKey(LineChannel, on_delete=models.CASCADE, related_name="followers")
    user_id = models.CharField(max_length=64)
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "user_id"], name="line_follower_unique")]

    def __str__(self) -> str:
        return f"LINE follower {self.pk}"


class IssueNotification(models.Model):
    """An issue whose notifications have been queued (once; see services.issue_notify)."""

    issue = models.OneToOneField(Issue, on_delete=models.CASCADE, primary_key=True, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)


class Delivery(models.Model):
    """One notification of one issue to one subscriber (or LINE follower) on one channel.

    The unique constraints make sending idempotent: a repeated publish, a re-run task or a
    second worker finds the row and sends nothing. A subscription has one row per issue whatever
    its channels (the dedup rule), so e-mail and push never both go out.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("送信待ち")
        SENDING = "sending", _("送信中")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("失敗")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    line_follower = models.ForeignKey(LineFollower, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "issue"], condition=Q(subscription__isnull=False), name="delivery_once_per_subscription"
            ),
            models.UniqueConstraint(
                fields=["line_follower", "issue"], condition=Q(line_follower__isnull=False), name="delivery_once_per_follower"
            ),
            models.CheckConstraint(
                condition=Q(subscription__isnull=True) ^ Q(line_follower__isnull=True), name="delivery_one_recipient"
            ),
        ]
        indexes = [models.Index(fields=["issue", "status"])]
