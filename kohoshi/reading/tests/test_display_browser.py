"""表示の設定 in Debian chromium on a 390x844 phone: 配色 自動 follows the device's colour scheme
and 明るい/暗い override it; 行間 is kept across pages; the settings work by keyboard alone; less
motion when asked; the page survives WCAG 1.4.12 text spacing. Screenshots in
test-artifacts/display-*.png."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

STYLE = """(selector) => {
  const el = document.querySelector(selector), style = getComputedStyle(el);
  return {background: style.backgroundColor, color: style.color, scheme: style.colorScheme,
          lineHeight: parseFloat(style.lineHeight) / parseFloat(style.fontSize)};
}"""
LIGHT_BG = "rgb(255, 255, 255)"
DARK_BG = "rgb(21, 24, 28)"  # --kh-bg of the dark palette
BLACK = "rgb(0, 0, 0)"


def test_auto_follows_the_device_and_a_choice_overrides_it(display_site, live_server, open_phone, artifacts_dir):
    article = live_server.url + display_site["pages"]["article"]
    dark_phone = open_phone(color_scheme="dark")
    dark_phone.goto(article)
    body = dark_phone.evaluate(STYLE, "body")
    assert body["background"] == DARK_BG and body["scheme"] == "light dark"
    assert dark_phone.evaluate(STYLE, "html")["scheme"] == "light dark"
    # Form controls follow: the search field's canvas is dark too.
    assert dark_phone.evaluate(STYLE, ".kh-search input")["background"] == DARK_BG
    assert dark_phone.evaluate("getComputedStyle(document.querySelector('.kh-contact')).backgroundColor") != LIGHT_BG

    with dark_phone.expect_navigation():
        dark_phone.goto(f"{live_server.url}/settings/?theme=light&next={display_site['pages']['article']}")
    body = dark_phone.evaluate(STYLE, "body")
    assert body["background"] == LIGHT_BG and dark_phone.evaluate(STYLE, "html")["scheme"] == "light"

    light_phone = open_phone(color_scheme="light")
    light_phone.goto(article)
    assert light_phone.evaluate(STYLE, "body")["background"] == LIGHT_BG
    light_phone.goto(f"{live_server.url}/settings/?theme=dark&contrast=high&next={display_site['pages']['article']}")
    body = light_phone.evaluate(STYLE, "body")
    assert body["background"] == BLACK and body["color"] == "rgb(255, 255, 255)"
    # Figures and photos are dimmed in the dark (no white glare); none in this article, so the
    # rule's custom property is checked.
    assert light_phone.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--kh-image-filter').trim()"
    ) == "brightness(.85)"
    light_phone.screenshot(path=artifacts_dir / "display-article-dark-high-390x844.png")
    light_phone.goto(f"{live_server.url}/settings/?contrast=normal&next={display_site['pages']['article']}")
    light_phone.screenshot(path=artifacts_dir / "display-article-dark-390x844.png")
    light_phone.locator(".kh-contact").scroll_into_view_if_needed()
    light_phone.screenshot(path=artifacts_dir / "display-article-dark-contact-390x844.png")
    if display_site["audio"]:  # the player's own buttons get our focus ring too
        for _ in range(40):
            light_phone.keyboard.press("Tab")
            if light_phone.evaluate("document.activeElement.tagName") == "AUDIO":
                break
        outline = light_phone.evaluate(
            "[getComputedStyle(document.querySelector('audio')).outlineStyle,"
            " getComputedStyle(document.querySelector('audio')).outlineColor]"
        )
        assert outline == ["solid", "rgb(255, 171, 94)"], outline  # --kh-focus of the dark palette
        light_phone.screenshot(path=artifacts_dir / "display-audio-focus-dark-390x844.png")


def test_line_spacing_is_kept_across_pages_and_survives_text_spacing(display_site, live_server, open_phone, artifacts_dir):
    page = open_phone(bypass_csp=True)  # the WCAG 1.4.12 style sheet below is added inline
    pages = display_site["pages"]
    page.goto(live_server.url + pages["article"])
    normal = page.evaluate(STYLE, ".kh-body p")["lineHeight"]
    page.goto(f"{live_server.url}/settings/?spacing=wider&font=xl&next={pages['issue']}")
    assert page.url.endswith(pages["issue"])
    for path in (pages["article"], pages["home"], pages["search-results"], pages["survey"]):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.className").count("kh-spacing-wider") == 1, path
        assert page.evaluate(STYLE, "body")["lineHeight"] == pytest.approx(2.5, abs=0.02), path
    page.goto(live_server.url + pages["article"])
    assert normal == pytest.approx(1.8, abs=0.02)
    assert page.evaluate(STYLE, ".kh-body p")["lineHeight"] == pytest.approx(2.5, abs=0.02)
    page.screenshot(path=artifacts_dir / "display-article-xl-wider-390x844.png")
    # WCAG 1.4.12: the reader's own style sheet may set these; nothing overflows sideways.
    page.add_style_tag(content="""* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
        word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }""")
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{width[0]}px wide on a {width[1]}px screen with WCAG text spacing"


def test_settings_page_works_by_keyboard_alone(display_site, live_server, open_phone, artifacts_dir):
    page = open_phone(color_scheme="dark")
    article = display_site["pages"]["article"]
    page.goto(live_server.url + article)
    # From the header's compact control to the settings page, by keyboard.
    link = page.get_by_role("link", name="行間・配色など")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "行間・配色など":
            break
    assert link.evaluate("el => el === document.activeElement")
    page.screenshot(path=artifacts_dir / "display-header-focus-dark-390x844.png")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/settings/" in page.url
    page.screenshot(path=artifacts_dir / "display-settings-dark-390x844.png", full_page=True)

    spacing = page.get_by_role("group", name="行間")
    spacing.get_by_label("標準").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert spacing.get_by_label("とても広め").is_checked()
    theme = page.get_by_role("group", name="配色")
    theme.get_by_label("自動(端末の設定に合わせる)").focus()
    page.keyboard.press("ArrowDown")
    assert theme.get_by_label("明るい").is_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form
    assert page.url.endswith(article)
    classes = page.evaluate("document.documentElement.className").split()
    assert "kh-spacing-wider" in classes and "kh-theme-light" in classes
    assert page.evaluate(STYLE, "body")["background"] == LIGHT_BG  # light although the phone is dark
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["kh_spacing"] == "wider" and cookies["kh_theme"] == "light"
    page.goto(live_server.url + "/settings/")
    page.screenshot(path=artifacts_dir / "display-settings-light-wider-390x844.png", full_page=True)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1]


def test_no_motion_when_the_reader_asks_for_less(display_site, live_server, open_phone):
    probe = """() => {
      const el = document.createElement("div");
      el.style.transition = "opacity 2s"; el.style.animation = "x 3s infinite";
      document.body.append(el);
      const style = getComputedStyle(el);
      return [parseFloat(style.transitionDuration), style.animationIterationCount,
              getComputedStyle(document.documentElement).scrollBehavior];
    }"""
    calm = open_phone(reduced_motion="reduce")
    calm.goto(live_server.url + display_site["pages"]["article"])
    duration, iterations, scroll = calm.evaluate(probe)
    assert duration < 0.001 and iterations == "1" and scroll == "auto"
    usual = open_phone(reduced_motion="no-preference")
    usual.goto(live_server.url + display_site["pages"]["article"])
    assert usual.evaluate(probe)[0] == 2


def test_a_saved_article_opened_offline_takes_todays_settings(display_site, live_server, open_phone, artifacts_dir):
    article = live_server.url + display_site["pages"]["article"]
    page = open_phone()
    page.goto(article)
    page.wait_for_function(
        "() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'",
        timeout=15000,
    )
    page.get_by_role("button", name="切り抜きに保存").click()
    page.get_by_role("status").filter(has_text="切り抜きに保存しました").wait_for()
    # Saved in the default settings; the reader then chooses 暗い and とても広め.
    page.goto(f"{live_server.url}/settings/?theme=dark&spacing=wider&next=/")
    page.context.set_offline(True)
    page.goto(article)
    assert page.locator("h1").count() == 1
    classes = page.evaluate("document.documentElement.className").split()
    assert "kh-theme-dark" in classes and "kh-spacing-wider" in classes
    assert "kh-theme-auto" not in classes and "kh-spacing-normal" not in classes
    assert page.evaluate(STYLE, "body")["background"] == DARK_BG
    page.screenshot(path=artifacts_dir / "display-kirinuki-offline-dark-390x844.png")
