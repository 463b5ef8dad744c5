"""Signed links in e-mails: confirm (expires), manage and unsubscribe (valid while subscribed).

Each token signs the subscription id and its `secret`; deleting the subscription or changing the
secret voids every link sent before. Separate salts keep an unsubscribe link (which mail clients
see in the List-Unsubscribe header) from changing conditions.
"""
from django.core import signing

from .models import CONFIRM_DAYS, Subscription

PURPOSES = ("confirm", "manage", "unsubscribe")


def token_for(subscription: Subscription, purpose: str) -> str:
    assert purpose in PURPOSES
    return signing.dumps([subscription.pk, subscription.secret], salt=f"kohoshi.subscriptions.{purpose}", compress=True)


def subscription_for_token(token: str, purpose: str) -> Subscription | None:
    max_age = CONFIRM_DAYS * 86400 if purpose == "confirm" else None
    try:
        pk, secret = signing.loads(token, salt=f"kohoshi.subscriptions.{purpose}", max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    subscription = Subscription.objects.filter(pk=pk).first()
    if subscription is None or not signing.constant_time_compare(subscription.secret, str(secret)):
        return None
    return subscription
