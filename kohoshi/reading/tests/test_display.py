"""表示の設定 (issue 15): 行間 and 配色 kept in cookies without JavaScript, rendered on the server as
classes on <html>, cached per reader by the page cache, and the colour palettes of site.css
measured against WCAG AA."""
import re
from pathlib import Path

import pytest

from kohoshi.reading.context_processors import READER_SETTINGS
from kohoshi.staff.tests.factories import make_issue, make_staff

STATIC = Path(__file__).resolve().parents[2] / "static" / "kohoshi"
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1"


def html_classes(response) -> set[str]:
    return set(re.search(r'<html[^>]* class="([^"]*)"', response.content.decode()).group(1).split())


# ---- settings kept across pages without JavaScript ------------------------------------------

@pytest.mark.django_db
def test_spacing_and_theme_are_kept_across_pages_without_javascript(client):
    issue = make_issue()
    response = client.get("/settings/", {"spacing": "wider", "theme": "dark", "next": issue.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == issue.get_absolute_url()
    assert response.cookies["kh_spacing"].value == "wider"
    assert response.cookies["kh_theme"].value == "dark"
    assert response.cookies["kh_theme"]["max-age"] >= 365 * 24 * 3600
    article = issue.articles.order_by("position").first()
    for url in (issue.get_absolute_url(), article.get_absolute_url(), "/about/", "/search/?q=記事"):
        page = client.get(url)
        assert {"kh-spacing-wider", "kh-theme-dark"} <= html_classes(page), url
        html = page.content.decode()
        assert '<meta name="color-scheme" content="dark">' in html
        assert 'media="(prefers-color-scheme' not in html  # the reader's choice overrides the device
    settings_page = client.get("/settings/").content.decode()
    assert re.search(r'name="spacing" value="wider" checked', settings_page)
    assert re.search(r'name="theme" value="dark" checked', settings_page)


@pytest.mark.django_db
def test_default_theme_follows_the_device_with_media_aware_theme_colors(client):
    html = client.get("/about/").content.decode()
    assert {"kh-spacing-normal", "kh-theme-auto"} <= html_classes(client.get("/about/"))
    assert '<meta name="color-scheme" content="light dark">' in html
    assert '<meta name="theme-color" content="#0b5cad" media="(prefers-color-scheme: light)">' in html
    assert '<meta name="theme-color" content="#1e2227" media="(prefers-color-scheme: dark)">' in html
    client.get("/settings/", {"theme": "light", "next": "/"})
    html = client.get("/about/").content.decode()
    assert "kh-theme-light" in html and '<meta name="color-scheme" content="light">' in html
    assert 'media="(prefers-color-scheme' not in html


@pytest.mark.django_db
def test_unknown_spacing_and_theme_values_are_refused(client):
    response = client.get("/settings/", {"spacing": "huge", "theme": "purple", "next": "/about/"})
    assert response.status_code == 302
    assert "kh_spacing" not in response.cookies and "kh_theme" not in response.cookies
    client.cookies["kh_theme"] = "purple"  # a hand-made cookie falls back to the default
    client.cookies["kh_spacing"] = "x\"><script>"
    assert {"kh-theme-auto", "kh-spacing-normal"} <= html_classes(client.get("/about/"))


@pytest.mark.django_db
def test_staff_pages_stay_light_whatever_the_reader_chose(client):
    staff = make_staff("display-staff")
    client.force_login(staff)
    client.cookies["kh_theme"] = "dark"
    response = client.get("/staff/", follow=True)
    assert response.status_code == 200
    classes = html_classes(response)
    assert "kh-theme-light" in classes and "kh-theme-dark" not in classes
    assert "data-kh-theme-fixed" in response.content.decode()
    assert "kh-theme-dark" in html_classes(client.get("/about/"))


def test_reader_js_knows_every_class_setting_and_its_values():
    """reader.js re-applies the cookies to pages served from マイ切り抜き: the same names and values
    as READER_SETTINGS (ふりがな changes the HTML itself, not a class)."""
    script = (STATIC / "reader.js").read_text(encoding="utf-8")
    for setting in READER_SETTINGS:
        if setting.name == "ruby":
            continue
        values = ", ".join(f'"{v}"' for v in setting.values)
        assert f'{setting.cookie}: ["{setting.name}", [{values}]]' in script


# ---- the page cache ----------------------------------------------------------------------

@pytest.mark.django_db
def test_cached_page_for_a_dark_wide_reader_is_theirs_alone(client, settings, django_capture_on_commit_callbacks):
    settings.KOHOSHI_PAGE_CACHE = True
    with django_capture_on_commit_callbacks(execute=True):
        issue = make_issue()
    url = issue.articles.order_by("position").first().get_absolute_url()
    client.cookies["kh_theme"] = "dark"
    client.cookies["kh_spacing"] = "wider"
    first = client.get(url, HTTP_USER_AGENT=BROWSER)
    again = client.get(url, HTTP_USER_AGENT=BROWSER)
    assert first["X-Kohoshi-Cache"] == "miss" and again["X-Kohoshi-Cache"] == "hit"
    assert {"kh-theme-dark", "kh-spacing-wider"} <= html_classes(again)
    assert '<meta name="color-scheme" content="dark">' in again.content.decode()

    other = client.__class__()  # another reader, no cookies
    plain = other.get(url, HTTP_USER_AGENT=BROWSER)
    assert plain["X-Kohoshi-Cache"] == "miss"
    assert {"kh-theme-auto", "kh-spacing-normal"} <= html_classes(plain)
    assert "kh-theme-dark" not in plain.content.decode()
    other.cookies["kh_theme"] = "dark"  # dark, but normal spacing: a third page
    dark_only = other.get(url, HTTP_USER_AGENT=BROWSER)
    assert dark_only["X-Kohoshi-Cache"] == "miss"
    assert {"kh-theme-dark", "kh-spacing-normal"} <= html_classes(dark_only)
    other.cookies["kh_theme"] = "auto"  # the explicit default shares the plain page's entry
    assert other.get(url, HTTP_USER_AGENT=BROWSER)["X-Kohoshi-Cache"] == "hit"


# ---- the palettes ------------------------------------------------------------------------

def _block(css: str, selector: str) -> dict[str, str]:
    match = re.search(re.escape(selector) + r"\s*\{([^{}]*)\}", css)
    assert match, f"{selector} not found in site.css"
    return dict(re.findall(r"--kh-([\w-]+):\s*([^;]+);", match.group(1)))


def palettes() -> dict[str, dict[str, str]]:
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    light = _block(css, ":root")
    dark = _block(css, ".kh-theme-dark")
    media = css[css.index("@media (prefers-color-scheme: dark)"):]
    return {
        "light": light,
        "light+high": {**light, **_block(css, ".kh-contrast-high")},
        "dark": dark,
        "dark+high": {**light, **_block(css, ".kh-theme-dark.kh-contrast-high")},
        "auto-dark": _block(media, ".kh-theme-auto"),
        "auto-dark+high": {**light, **_block(media, ".kh-theme-auto.kh-contrast-high")},
    }


def luminance(colour: str) -> float:
    hexa = colour.strip().lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    channels = [int(hexa[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# (foreground, background, minimum): text 4.5:1, control edges and focus rings 3:1.
PAIRS = [
    ("fg", "bg", 4.5), ("fg", "surface", 4.5), ("muted", "bg", 4.5), ("muted", "surface", 4.5),
    ("accent", "bg", 4.5), ("accent", "surface", 4.5), ("accent-fg", "accent", 4.5),
    ("control-border", "bg", 3), ("control-border", "surface", 3),
    # The focus colour is also the text of errors and (必須) on forms (staff.css, survey): 4.5:1 on
    # the page; as a ring 3:1 on boxes.
    ("focus", "bg", 4.5), ("focus", "surface", 3),
]


def test_the_auto_dark_palettes_equal_the_explicit_ones():
    found = palettes()
    assert found["auto-dark"] == found["dark"]
    assert found["auto-dark+high"] == found["dark+high"]


@pytest.mark.parametrize("palette", ["light", "light+high", "dark", "dark+high"])
def test_every_colour_pair_passes_wcag_aa(palette):
    colours = palettes()[palette]
    failing = [
        f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f} < {minimum}"
        for fg, bg, minimum in PAIRS
        if contrast(colours[fg], colours[bg]) < minimum
    ]
    assert not failing, failing
    if palette.startswith("dark"):
        assert luminance(colours["bg"]) < 0.02 and colours["image-filter"].startswith("brightness(")


def test_contrast_is_measured_right():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#777", "#fff") == pytest.approx(4.48, abs=0.01)  # the classic just-failing grey
