"""The interface language chosen in a real browser (Debian chromium, 390x844): from an article
page's menu without and with JavaScript, kept on the next page; the glyphs of every language drawn
by a font that has them; axe (WCAG 2.2 AA) clean on the article in Korean and Vietnamese.
Screenshots: test-artifacts/i18n-*.png."""
import pytest

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article
from kohoshi.reading.tests.test_accessibility import audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The interface's own font per language (site.css; Debian fonts-ipaexfont, fonts-noto-cjk,
# fonts-dejavu-core), and a word of the translated footer that needs it.
FONTS = {
    "ja": ("IPAexGothic", "オープンソース"),
    "en": ("IPAexGothic", "open-source"),
    "zh-Hans": ("Noto Sans CJK SC", "开源"),
    "ko": ("Noto Sans CJK KR", "오픈 소스"),
    "vi": ("DejaVu Sans", "mã nguồn mở"),
    "pt": ("IPAexGothic", "código aberto"),
}


@pytest.fixture
def article_url(seed_issue_file, live_server):
    assert not files_import([seed_issue_file], kind="json").errors
    return live_server.url + Article.objects.get(title="市政方針(2)").get_absolute_url()


def _choose_from_menu(page, name: str):
    """Open the menu (a <details>, no script needed), pick the language, press the button."""
    page.locator(".kh-menu summary").click()
    page.locator("#kh-lang-select").select_option(label=name)
    with page.expect_navigation():  # /settings/?language=… answers with a redirect back
        page.locator(".kh-lang button[type=submit]").click()


def _fonts_used(page, selector: str) -> dict[str, int]:
    """The platform fonts chromium drew the element's text with (DevTools CSS domain)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"]: f["glyphCount"] for f in fonts}


def test_language_chosen_without_javascript_is_kept_on_the_next_page(article_url, open_phone, artifacts_dir):
    page = open_phone(java_script_enabled=False)
    page.goto(article_url)
    assert page.locator("html").get_attribute("lang") == "ja"
    _choose_from_menu(page, "한국어")
    assert page.url == article_url  # back on the same article
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator(".kh-menu summary").inner_text() == "메뉴"
    assert page.locator(".kh-body").get_attribute("lang") == "ja"  # the article itself stays Japanese
    page.screenshot(path=str(artifacts_dir / "i18n-article-ko-nojs-390x844.png"))
    page.get_by_role("link", name="다음 기사").click()
    page.wait_for_load_state()
    assert page.url != article_url
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.get_by_role("link", name="이전 기사").count() == 1
    assert page.locator("#kh-lang-select").input_value() == "ko"


def test_language_chosen_with_javascript_is_kept_on_the_next_page(article_url, open_phone, artifacts_dir):
    page = open_phone()
    page.goto(article_url)
    _choose_from_menu(page, "Tiếng Việt")
    assert page.url == article_url
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("link", name="Mục lục").first.click()  # 目次: the issue page
    page.wait_for_load_state()
    assert page.url == article_url.rsplit("/", 2)[0] + "/"
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator(".kh-footer p").inner_text().startswith("kohoshi là dịch vụ mã nguồn mở")
    page.screenshot(path=str(artifacts_dir / "i18n-issue-vi-js-390x844.png"))


@pytest.mark.parametrize("lang", list(FONTS))
def test_every_language_is_drawn_with_a_font_that_has_its_letters(
    article_url, open_phone, artifacts_dir, lang, live_server
):
    page = open_phone()
    code = lang.lower()
    page.goto(f"{live_server.url}/settings/?language={code}&next={article_url.removeprefix(live_server.url)}")
    assert page.locator("html").get_attribute("lang") == lang
    family, word = FONTS[lang]
    assert word in page.locator(".kh-footer p").inner_text()
    used = _fonts_used(page, ".kh-footer p")
    assert family in used, (lang, used)
    if lang in ("zh-Hans", "ko", "vi"):  # every glyph of the sentence from the language's own font
        assert set(used) == {family}, (lang, used)
    # The newsletter's own words keep a Japanese font in every interface language.
    assert set(_fonts_used(page, "h1")) <= {"IPAexGothic", "Noto Sans CJK JP"}, _fonts_used(page, "h1")
    # Longer labels than Japanese still fit the phone: nothing overflows, and the text-size
    # buttons (小・中・大・特大) keep each label on one line.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for button in page.locator(".kh-fontsize button").all():
        box, line = button.bounding_box(), button.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)")
        assert box["height"] < 1.5 * line + 16, (lang, button.inner_text(), box)  # one line
    page.screenshot(path=str(artifacts_dir / f"i18n-article-{lang}-390x844.png"))
    page.locator(".kh-menu summary").click()
    page.screenshot(path=str(artifacts_dir / f"i18n-menu-{lang}-390x844.png"))
    for name, path in (("settings", "/settings/"), ("home", "/")):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (lang, name)
        page.screenshot(path=str(artifacts_dir / f"i18n-{name}-{lang}-390x844.png"), full_page=True)


@pytest.fixture
def survey_path(article_url):
    return f"/survey/a/{Article.objects.get(title='市政方針(2)').pk}/"


@pytest.mark.parametrize("lang", ["ko", "vi"])
def test_article_page_is_accessible_in_korean_and_vietnamese(
    article_url, survey_path, open_phone, artifacts_dir, lang, live_server
):
    page = open_phone()
    page.goto(f"{live_server.url}/settings/?language={lang}&next={article_url.removeprefix(live_server.url)}")
    assert page.locator("html").get_attribute("lang") == lang
    problems = audit(page, f"i18n-article-{lang}", artifacts_dir)
    page.locator(".kh-menu summary").click()
    problems += audit(page, f"i18n-article-{lang}-menu", artifacts_dir)
    for name, path in (("home", "/"), ("search", "/search/?q=市政"), ("survey", survey_path)):
        page.goto(live_server.url + path)
        problems += audit(page, f"i18n-{name}-{lang}", artifacts_dir)
    assert not problems, "\n".join(problems)
