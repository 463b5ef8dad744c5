"""LINE: the webhook accepts only signed requests; new issues go to followers by push/multicast,
checked by a local server that speaks the Messaging API's documented endpoints."""
import base64
import hashlib
import hmac
import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.models import Category
from kohoshi.newsletters.services import ArticleInput, IssueInput, issue_import
from kohoshi.places.models import Municipality
from kohoshi.subscriptions import services
from kohoshi.subscriptions.models import Delivery, LineChannel, LineFollower

pytestmark = pytest.mark.django_db

TOMAKOMAI = "012131"
SECRET = "c0ffee" * 5 + "ab"
TOKEN = "line-channel-access-token-" + "x" * 40


def user(n: int) -> str:
    return "U" + f"{n:032x}"


@pytest.fixture
def channel(db):
    return services.line_channel_save(
        municipality=Municipality.objects.get(code=TOMAKOMAI), access_token=TOKEN, channel_secret=SECRET
    )


def webhook(client, body: dict, *, secret=SECRET, code=TOMAKOMAI):
    raw = json.dumps(body).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    return client.post(f"/subscriptions/line/{code}/webhook/", raw, content_type="application/json",
                       headers={"X-Line-Signature": signature})


def event(kind, user_id, **extra):
    return {"type": kind, "mode": "active", "timestamp": 1733300000000, "source": {"type": "user", "userId": user_id},
            "webhookEventId": "01H", "deliveryContext": {"isRedelivery": False}, **extra}


def publish(day, categories):
    return issue_import(
        IssueInput(
            municipality=Municipality.objects.get(code=TOMAKOMAI), newsletter_title="広報とまこまい",
            title=f"第{day}号", number=f"第{day}号", published_on=date(2024, 6, day),
            articles=[ArticleInput(title=f"{c}のお知らせ{n}", category=c, body="本文です。") for n, c in enumerate(categories)],
        ),
        publish=True, by=SYSTEM,
    ).issue


def test_webhook_refuses_a_body_not_signed_with_the_channel_secret(channel):
    client = Client()
    assert webhook(client, {"events": [event("follow", user(1))]}, secret="wrong").status_code == 403
    raw = json.dumps({"events": [event("follow", user(1))]}).encode()
    assert client.post(f"/subscriptions/line/{TOMAKOMAI}/webhook/", raw, content_type="application/json").status_code == 403
    assert not LineFollower.objects.exists()
    assert webhook(client, {"events": []}, code="011002").status_code == 404  # no channel for that town


def test_follow_postback_and_unfollow_keep_the_follower_only_while_following(channel):
    client = Client()
    assert webhook(client, {"destination": "U0", "events": [event("follow", user(1), replyToken="r")]}).status_code == 200
    follower = LineFollower.objects.get(user_id=user(1))
    webhook(client, {"events": [event("postback", user(1), postback={"data": "category=kosodate"})]})
    assert [c.slug for c in follower.categories.all()] == ["kosodate"]
    webhook(client, {"events": [event("postback", user(1), postback={"data": "category=kosodate"})]})
    assert not follower.categories.exists()  # a second tap turns it off
    webhook(client, {"events": [event("unfollow", user(1))]})
    assert not LineFollower.objects.exists()


def test_new_issue_goes_by_multicast_in_chunks_of_500_to_followers_who_chose_its_categories(
    channel, line_api, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://kohoshi.example"
    line_api.tokens.add(TOKEN)
    kosodate = Category.objects.get(slug="kosodate")
    sports = Category.objects.get(slug="sports")
    followers = LineFollower.objects.bulk_create([LineFollower(channel=channel, user_id=user(n)) for n in range(601)])
    for f in followers[:300]:
        f.categories.add(kosodate)
    sporty = LineFollower.objects.create(channel=channel, user_id=user(9999))
    sporty.categories.add(sports)
    with django_capture_on_commit_callbacks(execute=True):
        issue = publish(1, ["子育て", "くらし"])
    assert line_api.refused == []
    multicasts = [p for path, p in line_api.requests if path == "/v2/bot/message/multicast"]
    reached = [u for p in multicasts for u in p["to"]]
    assert sorted(reached) == sorted(user(n) for n in range(601))  # everyone but the sports fan, once
    assert max(len(p["to"]) for p in multicasts) <= 500
    kosodate_text = next(p for p in multicasts if user(0) in p["to"])["messages"][0]["text"]
    everyone_text = next(p for p in multicasts if user(600) in p["to"])["messages"][0]["text"]
    assert "子育てのお知らせ0" in kosodate_text and "くらし" not in kosodate_text
    assert "くらしのお知らせ1" in everyone_text
    assert everyone_text.endswith(f"記事の一覧: https://kohoshi.example{issue.get_absolute_url()}")
    # Sent in batches of at most 500 (one send task each), one request per condition group per batch.
    assert len(multicasts) == 3
    assert Delivery.objects.filter(issue=issue, channel="line", status="sent").count() == 601


def test_a_single_follower_gets_a_push_message_and_a_wrong_token_fails_without_retrying_forever(
    channel, line_api, django_capture_on_commit_callbacks
):
    LineFollower.objects.create(channel=channel, user_id=user(7))
    with django_capture_on_commit_callbacks(execute=True):
        publish(1, ["くらし"])
    assert line_api.refused == [("/v2/bot/message/push", 401, "token")]
    assert Delivery.objects.get().status == "failed"
    line_api.tokens.add(TOKEN)
    with django_capture_on_commit_callbacks(execute=True):
        publish(2, ["くらし"])
    [(path, payload)] = line_api.requests
    assert path == "/v2/bot/message/push" and payload["to"] == user(7)


def test_admin_never_shows_the_token_or_secret_back_and_blank_keeps_them(channel, client):
    admin = get_user_model().objects.create_superuser("root", "root@example.jp", "correct-horse-battery")
    client.force_login(admin)
    page = client.get(f"/admin/subscriptions/linechannel/{channel.pk}/change/").content.decode()
    assert TOKEN not in page and SECRET not in page
    response = client.post(f"/admin/subscriptions/linechannel/{channel.pk}/change/",
                           {"municipality": TOMAKOMAI, "access_token": "", "channel_secret": "", "enabled": ""})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.access_token, channel.channel_secret, channel.enabled) == (TOKEN, SECRET, False)
    client.post(f"/admin/subscriptions/linechannel/{channel.pk}/change/",
                {"municipality": TOMAKOMAI, "access_token": "new-token", "channel_secret": "", "enabled": "on"})
    channel.refresh_from_db()
    assert (channel.access_token, channel.channel_secret) == ("new-token", SECRET)
    assert LineChannel.objects.count() == 1
