"""わたしのまち in chromium: choosing a town from the home page's search, with and without JavaScript."""
import re

import pytest

from kohoshi.ingest.services import files_import

# The visually hidden part of the name is a separate box: chromium joins it with a space.
CHOOSE_TOMAKOMAI = re.compile(r"^わたしのまちにする\s*: 北海道苫小牧市$")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(seed_issue_file, live_server):
    assert not files_import([seed_issue_file], kind="json").errors
    return live_server.url


def test_choosing_my_town_with_suggestions_while_typing(site, open_phone, artifacts_dir):
    page = open_phone()
    page.goto(site + "/")
    page.get_by_label("市区町村名(ひらがな・カタカナでも探せます)").fill("とまこまい")
    # Suggestions arrive without submitting the form.
    page.get_by_role("button", name=CHOOSE_TOMAKOMAI).click()
    page.wait_for_url(site + "/")
    assert page.get_by_role("heading", name="わたしのまちの広報紙").is_visible()
    assert page.get_by_role("link", name="広報とまこまい 2024年4月号", exact=True).is_visible()
    assert page.get_by_role("link", name="市政方針(2)").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "home-my-town-390x844.png"))
    # The municipality page knows it is chosen.
    page.goto(site + "/m/012131/")
    assert page.get_by_role("link", name="わたしのまちに選んでいます(変更する)").is_visible()
    assert page.get_by_role("button", name="わたしのまちにする").is_hidden()


def test_choosing_my_town_without_javascript(site, open_phone, artifacts_dir):
    page = open_phone(java_script_enabled=False)
    page.goto(site + "/")
    page.get_by_label("市区町村名(ひらがな・カタカナでも探せます)").fill("トマコマイ")
    page.get_by_role("button", name="探す").click()
    page.get_by_role("button", name=CHOOSE_TOMAKOMAI).click()
    page.wait_for_url(site + "/")
    assert page.get_by_role("heading", name="北海道苫小牧市").is_visible()
    page.screenshot(path=str(artifacts_dir / "home-my-town-nojs-390x844.png"), full_page=True)
