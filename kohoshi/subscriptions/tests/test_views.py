import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client

from kohoshi.subscriptions.forms import municipalities_parse
from kohoshi.subscriptions.models import PushEndpoint, Subscription
from kohoshi.subscriptions.tokens import subscription_for_token, token_for

pytestmark = pytest.mark.django_db


def test_the_form_names_an_unknown_or_ambiguous_municipality(client):
    response = client.post("/subscriptions/", {"email": "a@example.jp", "municipalities": "府中市、ほげ市"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "「府中市」は複数あります。都道府県名から入力してください" in page
    assert "「ほげ市」という自治体は見つかりません" in page
    assert 'aria-invalid="true"' in page
    assert [m.code for m in municipalities_parse("東京都府中市、142123")] == ["132063", "142123"]
    assert not Subscription.objects.exists()


def test_the_form_refuses_a_bad_address_and_needs_csrf(client):
    response = client.post("/subscriptions/", {"email": "not-an-address", "municipalities": "厚木市"})
    assert "メールアドレスの形式が正しくありません" in response.content.decode()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/subscriptions/", {"email": "a@example.jp", "municipalities": "厚木市"}).status_code == 403


def test_subscribing_is_rate_limited_per_client_and_per_address(client, settings):
    settings.KOHOSHI_SUBSCRIBE_RATE_LIMIT = (3, 3600)
    for n in range(3):
        assert client.post("/subscriptions/", {"email": f"r{n}@example.jp", "municipalities": "厚木市"}).status_code == 302
    assert client.post("/subscriptions/", {"email": "r9@example.jp", "municipalities": "厚木市"}).status_code == 429
    assert Subscription.objects.count() == 3


def test_one_address_gets_at_most_three_confirmation_mails_a_day(client, mailoutbox, django_capture_on_commit_callbacks):
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/subscriptions/", {"email": "same@example.jp", "municipalities": "厚木市"}).status_code == 302
    assert len(mailoutbox) == 3


def test_the_subscribe_page_prefills_towns_and_category_from_links(client):
    page = client.get("/subscriptions/?m=142123&m=012131&category=kosodate").content.decode()
    assert 'value="神奈川県厚木市、北海道苫小牧市"' in page
    assert 'value="kosodate" checked' in page or 'checked' in page.split('value="kosodate"')[1][:40]


def test_links_expire_or_die_with_the_subscription(client):
    sub = Subscription.objects.create(email="x@example.jp")
    token = token_for(sub, "confirm")
    assert subscription_for_token(token, "confirm") == sub
    assert subscription_for_token(token, "manage") is None  # purposes do not mix
    with mock.patch("django.core.signing.time.time", return_value=signing.time.time() + timedelta(days=8).total_seconds()):
        assert subscription_for_token(token, "confirm") is None
    manage = token_for(sub, "manage")
    sub.delete()
    assert client.get(f"/subscriptions/manage/{manage}/").status_code == 404
    assert "このリンクは使えません" in client.get(f"/subscriptions/confirm/{token}/").content.decode()


def test_push_keys_command_writes_a_private_key_once_and_the_key_endpoint_serves_its_public_half(client, settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    settings.KOHOSHI_VAPID_PRIVATE_KEY = ""
    assert client.get("/subscriptions/push/key.json").status_code == 404
    call_command("push_keys")
    key_file = tmp_path / "vapid_private.pem"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    first = key_file.read_bytes()
    call_command("push_keys")
    assert key_file.read_bytes() == first
    public = client.get("/subscriptions/push/key.json").json()["applicationServerKey"]
    assert public in capsys.readouterr().out
    raw = __import__("base64").urlsafe_b64decode(public + "==")
    assert len(raw) == 65 and raw[0] == 4  # an uncompressed P-256 point, as pushManager.subscribe wants


def test_push_registration_names_the_bad_field(client, vapid_key):
    def post(body):
        return client.post("/subscriptions/push/", json.dumps(body), content_type="application/json")

    assert post({"subscription": {"endpoint": "x"}}).json()["errors"].keys() == {"subscription"}
    bad_url = {"endpoint": "ftp://x", "keys": {"p256dh": "A" * 87, "auth": "A" * 22}}
    assert post({"subscription": bad_url}).json()["errors"].keys() == {"subscription.endpoint"}
    short = {"endpoint": "https://push.example/1", "keys": {"p256dh": "A", "auth": "A" * 22}}
    assert post({"subscription": short}).json()["errors"].keys() == {"subscription.keys"}
    ok = {"endpoint": "https://push.example/1", "keys": {"p256dh": "A" * 87, "auth": "A" * 22}}
    assert post({"subscription": ok, "municipalities": []}).json()["errors"].keys() == {"municipalities"}
    assert post({"subscription": ok, "token": "forged"}).status_code == 404
    assert post({"subscription": ok, "municipalities": ["142123"]}).status_code == 201
    assert PushEndpoint.objects.get().subscription.email is None
    client.post("/subscriptions/push/delete/", json.dumps({"endpoint": ok["endpoint"]}), content_type="application/json")
    assert not Subscription.objects.exists()  # a push-only subscription goes with its last endpoint


def test_unsubscribe_get_shows_a_button_and_deletes_nothing(client):
    sub = Subscription.objects.create(email="stay@example.jp", status="active")
    page = client.get(f"/subscriptions/unsubscribe/{token_for(sub, 'unsubscribe')}/")
    assert page.status_code == 200 and "購読をやめる" in page.content.decode()
    assert Subscription.objects.filter(pk=sub.pk).exists()
