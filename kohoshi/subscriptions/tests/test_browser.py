"""The subscription pages on a 390x844 phone in Debian chromium: the whole walk from the form to
unsubscribing, each page checked with axe-core and saved in test-artifacts/subscriptions-*.png."""
import re

import pytest

from kohoshi.reading.tests.test_accessibility import audit, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_subscribe_confirm_manage_and_unsubscribe_on_a_phone(live_server, mailoutbox, settings, artifacts_dir, open_phone):
    settings.SITE_URL = live_server.url
    page = open_phone()
    problems = []  # no database calls below: Playwright's event loop runs in this thread
    page.goto(live_server.url + "/subscriptions/?m=142123")
    problems += audit(page, "subscriptions-form", artifacts_dir)
    assert page.get_by_label("自治体").input_value() == "神奈川県厚木市"

    page.get_by_label("メールアドレス").fill("reader@example.jp")
    page.get_by_label("自治体").fill("府中市")
    page.get_by_role("button", name="確認メールを送る").click()
    assert page.get_by_role("alert").is_visible()
    problems += audit(page, "subscriptions-form-errors", artifacts_dir)

    page.get_by_label("自治体").fill("厚木市、北海道苫小牧市")
    page.get_by_label("子育て").check()
    page.get_by_role("button", name="確認メールを送る").click()
    page.get_by_role("heading", name="確認メールを送りました").wait_for()
    problems += audit(page, "subscriptions-sent", artifacts_dir)

    [mail] = mailoutbox
    confirm = re.search(r"(http://\S+/confirm/\S+/)", mail.body).group(1)
    page.goto(confirm)
    problems += audit(page, "subscriptions-confirm", artifacts_dir)
    page.get_by_role("button", name="登録を完了する").click()
    page.get_by_role("status").first.wait_for()
    assert "登録が完了しました" in page.content()
    problems += audit(page, "subscriptions-manage", artifacts_dir)
    manage_url = page.url.split("?")[0]

    page.get_by_label("キーワード").fill("健診")
    page.get_by_role("button", name="保存する").click()
    assert "購読条件を保存しました" in page.content()
    assert page.get_by_label("キーワード").input_value() == "健診"

    page.get_by_role("link", name="購読をやめる").click()
    problems += audit(page, "subscriptions-unsubscribe", artifacts_dir)
    page.get_by_role("button", name="購読をやめる").click()
    page.get_by_role("heading", name="購読をやめました").wait_for()
    problems += audit(page, "subscriptions-unsubscribed", artifacts_dir)
    page.goto(manage_url)
    assert page.get_by_role("heading", name="このリンクは使えません").is_visible()
    assert not problems, report(problems)
