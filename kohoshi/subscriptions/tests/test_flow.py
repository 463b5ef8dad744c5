"""The whole path a reader takes: subscribe, confirm, receive one digest per matching issue — by
e-mail through a real SMTP server on loopback, and by Web Push through a local push service that
decrypts the message."""
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.models import Issue
from kohoshi.newsletters.services import ArticleInput, IssueInput, issue_import, issue_publish, issue_unpublish
from kohoshi.places.models import Municipality
from kohoshi.subscriptions import services
from kohoshi.subscriptions.models import Delivery, IssueNotification, Subscription

from .conftest import links_in

pytestmark = pytest.mark.django_db

TOMAKOMAI, SAPPORO, OTARU = "012131", "011002", "012033"


def publish_issue(code, *, day, categories, newsletter="広報テスト", publish=True, titles=None):
    titles = titles or [f"{category}の記事{n}" for n, category in enumerate(categories, 1)]
    return issue_import(
        IssueInput(
            municipality=Municipality.objects.get(code=code),
            newsletter_title=newsletter,
            title=f"{newsletter} 第{day}号",
            number=f"第{day}号",
            published_on=date(2024, 5, day),
            articles=[
                ArticleInput(title=title, category=category, body=f"■{title}\n{title}のお知らせです。")
                for title, category in zip(titles, categories)
            ],
        ),
        publish=publish,
        by=SYSTEM,
    ).issue


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """committed(): a block whose on-commit callbacks (signals, task enqueues) run at its end, as
    after a real commit; use one block per request or publish, in the order they happen."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def subscribe_and_confirm(committed, client, mailbox, email, towns="北海道苫小牧市、札幌市", categories=("kosodate",), keywords=""):
    with committed():
        response = client.post("/subscriptions/", {"email": email, "municipalities": towns, "categories": list(categories), "keywords": keywords})
    assert response.status_code == 302, response.content.decode()[:2000]
    [mail] = mailbox.messages(to=email)
    confirm_path = next(p for p in links_in(mail) if "/confirm/" in p)
    assert client.get(confirm_path).status_code == 200  # a page with a button: opening confirms nothing
    assert Subscription.objects.get(email=email).status == Subscription.Status.PENDING
    with committed():
        response = client.post(confirm_path)
    assert response.status_code == 302 and "/manage/" in response["Location"]
    mailbox.clear()
    return response["Location"].split("?")[0]


def test_reader_subscribed_to_kosodate_in_two_towns_gets_one_digest_per_matching_issue(
    smtp_server, committed
):
    client = Client()
    subscribe_and_confirm(committed, client, smtp_server, "reader@example.jp")
    with committed():
        issue = publish_issue(TOMAKOMAI, day=1, categories=["子育て", "子育て", "くらし"],
                              titles=["子育て支援センターの催し", "児童手当の手続き", "ごみの出し方"])
    [digest] = smtp_server.messages(to="reader@example.jp")
    # Django folds the encoded words onto the next line; the decoded value starts after the fold.
    assert digest["Subject"].strip() == "【北海道苫小牧市】広報テスト 第1号 が公開されました"
    raw = smtp_server.raw()[0]
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and re.search(rb"Subject:\s+=\?utf-8\?b\?", head)  # RFC 2047 words, not raw UTF-8
    assert digest["From"] == "kohoshi <notify@kohoshi.example>"
    assert digest.get_content_charset() == "utf-8"
    body = digest.get_content()
    assert "子育て支援センターの催し" in body and "児童手当の手続き" in body
    assert "ごみの出し方" not in body  # くらし is not one of the reader's conditions
    assert f"https://kohoshi.example{issue.get_absolute_url()}" in body
    unsubscribe = digest["List-Unsubscribe"].strip()
    assert re.fullmatch(r"<https://kohoshi\.example/subscriptions/unsubscribe/[\w:.-]+/>", unsubscribe), unsubscribe
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Publishing again, re-running the task, an issue of another town or without 子育て: no mail.
    smtp_server.clear()
    with committed():
        issue_unpublish(issue, by=SYSTEM)
        issue_publish(issue, by=SYSTEM)
        services.issue_notify(issue.pk)
        services.deliveries_enqueue(issue.pk)
        publish_issue(OTARU, day=2, categories=["子育て"])
        publish_issue(SAPPORO, day=3, categories=["くらし", "健康"])
    assert smtp_server.messages() == []
    assert Delivery.objects.filter(subscription__email="reader@example.jp").count() == 1

    # The second town's next 子育て issue: exactly one more.
    with committed():
        publish_issue(SAPPORO, day=4, categories=["子育て", "子育て"])
    assert len(smtp_server.messages(to="reader@example.jp")) == 1


def test_reader_with_email_and_push_gets_the_issue_by_push_only_when_they_chose_push(
    smtp_server, push_service, vapid_key, committed
):
    client = Client()
    browser = push_service.browser("phone")
    manage_path = subscribe_and_confirm(committed, client, smtp_server, "both@example.jp")
    with committed():
        token = manage_path.rstrip("/").rsplit("/", 1)[-1]
        client.get(manage_path)  # sets the CSRF cookie the page's script would send back
        response = client.post(
            "/subscriptions/push/",
            {"subscription": browser.subscription_json(), "token": token, "prefer": "push"},
            content_type="application/json",
            headers={"X-CSRFToken": client.cookies["csrftoken"].value},
        )
        assert response.status_code == 201, response.content
        issue = publish_issue(TOMAKOMAI, day=1, categories=["子育て", "くらし"], titles=["育児相談の日程", "道路工事"])
    assert smtp_server.messages() == []  # the dedup rule: push was chosen, so no mail
    assert push_service.refused == []
    [(name, payload, headers)] = push_service.received
    assert name == "phone"
    assert payload["title"] == "苫小牧市 広報テスト 第1号"
    assert payload["body"] == "育児相談の日程"
    assert payload["url"] == f"https://kohoshi.example{issue.get_absolute_url()}"

    # Back to e-mail on the manage page: the next issue comes by mail only.
    push_service.received.clear()
    response = client.post(manage_path, {"municipalities": "苫小牧市、札幌市", "categories": ["kosodate"], "keywords": "",
                                         "preferred_channel": "email"})
    assert response.status_code == 200 and "購読条件を保存しました" in response.content.decode()
    with committed():
        publish_issue(SAPPORO, day=2, categories=["子育て"])
    assert push_service.received == []
    assert len(smtp_server.messages(to="both@example.jp")) == 1


def test_push_only_reader_registered_from_the_browser_gets_one_push(
    push_service, vapid_key, committed
):
    browser = push_service.browser()
    client = Client()
    response = client.post(
        "/subscriptions/push/",
        {"subscription": browser.subscription_json(), "municipalities": [TOMAKOMAI, SAPPORO], "categories": ["kosodate"]},
        content_type="application/json",
    )
    assert response.status_code == 201
    with committed():
        publish_issue(TOMAKOMAI, day=1, categories=["子育て", "子育て", "子育て", "子育て"])
        publish_issue(TOMAKOMAI, day=2, categories=["くらし"])
    assert len(push_service.received) == 1
    assert push_service.received[0][1]["body"].endswith(" ほか")  # four matches, one message


def test_push_service_answering_410_gone_deletes_the_endpoint(push_service, vapid_key, committed):
    browser = push_service.browser("old")
    push_service.gone.add("old")
    services.push_endpoint_register(
        endpoint=browser.endpoint, p256dh=browser.p256dh, auth="A" * 22,
        municipalities=[Municipality.objects.get(code=TOMAKOMAI)], categories=[],
    )
    with committed():
        publish_issue(TOMAKOMAI, day=1, categories=["くらし"])
    assert push_service.refused == [("old", "gone")]
    assert not Subscription.objects.exists() or not Subscription.objects.get().push_endpoints.exists()


def test_one_click_unsubscribe_by_post_deletes_the_address_without_a_confirmation_page(
    smtp_server, committed
):
    subscribe_and_confirm(committed, Client(), smtp_server, "leaving@example.jp")
    with committed():
        publish_issue(TOMAKOMAI, day=1, categories=["子育て"])
    [digest] = smtp_server.messages()
    url = re.search(r"<(https://[^>]+)>", digest["List-Unsubscribe"]).group(1)
    path = url.removeprefix("https://kohoshi.example")
    # A mail provider's POST (RFC 8058): no cookie, no CSRF token, body List-Unsubscribe=One-Click.
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not Subscription.objects.filter(email="leaving@example.jp").exists()
    assert provider.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code == 200
    # The old manage link is dead too.
    assert Client().get(path.replace("unsubscribe", "manage")).status_code == 404


def test_an_address_the_smtp_server_refuses_ends_the_subscription(smtp_server, committed):
    town = Municipality.objects.get(code=TOMAKOMAI)
    kept = Subscription.objects.create(email="kept@example.jp", status="active", confirmed_at=timezone.now())
    gone = Subscription.objects.create(email="bounce-me@example.jp", status="active", confirmed_at=timezone.now())
    for s in (kept, gone):
        s.municipalities.add(town)
    with committed():
        publish_issue(TOMAKOMAI, day=1, categories=["くらし"])
    assert [m["To"] for m in smtp_server.messages()] == ["kept@example.jp"]
    assert not Subscription.objects.filter(email__startswith="bounce").exists()
    assert Subscription.objects.filter(pk=kept.pk).exists()


def test_a_refused_address_never_becomes_a_pending_subscription(smtp_server, committed):
    with committed():
        response = Client().post("/subscriptions/", {"email": "bounce@example.jp", "municipalities": "苫小牧市"})
    assert response.status_code == 302
    assert not Subscription.objects.exists()


def test_keywords_narrow_the_digest_with_the_site_search(smtp_server, committed):
    subscribe_and_confirm(committed, Client(), smtp_server, "kw@example.jp", towns="苫小牧市", categories=(), keywords="健診")
    with committed():
        publish_issue(TOMAKOMAI, day=1, categories=["くらし", "くらし"], titles=["ごみの出し方", "道路工事"])
        publish_issue(TOMAKOMAI, day=2, categories=["健康", "くらし"], titles=["特定健診のご案内", "道路工事"])
    [mail] = smtp_server.messages()
    assert "特定健診のご案内" in mail.get_content() and "道路工事" not in mail.get_content()


def test_scheduled_issue_is_notified_by_the_worker_upkeep_once_it_is_public(
    smtp_server, committed
):
    from kohoshi.core.maintenance import maintenance_run

    subscribe_and_confirm(committed, Client(), smtp_server, "later@example.jp")
    with committed():
        issue = publish_issue(TOMAKOMAI, day=1, categories=["子育て"], publish=False)
        issue_publish(issue, by=SYSTEM, at=timezone.now() + timedelta(hours=2))
        maintenance_run()
    assert smtp_server.messages() == []  # not public yet
    Issue.objects.filter(pk=issue.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    with committed():
        maintenance_run()
        maintenance_run()
    assert len(smtp_server.messages(to="later@example.jp")) == 1
    assert IssueNotification.objects.filter(issue=issue).exists()


def test_unconfirmed_requests_expire_and_are_not_notified(smtp_server, committed):
    with committed():
        Client().post("/subscriptions/", {"email": "maybe@example.jp", "municipalities": "苫小牧市"})
    assert len(smtp_server.messages()) == 1  # the confirmation
    smtp_server.clear()
    with committed():
        publish_issue(TOMAKOMAI, day=1, categories=["くらし"])
    assert smtp_server.messages() == []
    assert services.subscriptions_expire(now=timezone.now() + timedelta(days=6)) == 0
    assert services.subscriptions_expire(now=timezone.now() + timedelta(days=8)) == 1
    assert not Subscription.objects.exists()
