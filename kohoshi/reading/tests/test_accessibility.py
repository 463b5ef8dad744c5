"""Automated accessibility audit of the reading site with axe-core (WCAG 2.0–2.2 A/AA rules) in
Debian chromium on a 390x844 phone. One browser for the whole walk; every page is also checked
for horizontal overflow and saved as a screenshot in test-artifacts/a11y-*.png."""
import pytest

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article
from kohoshi.places.models import Municipality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def audit(page, name: str, artifacts_dir) -> list[str]:
    """Run axe on the page as it is now; return readable problems (empty when there are none)."""
    from axe_playwright_python.sync_playwright import Axe

    page.screenshot(path=artifacts_dir / f"a11y-{name}.png", full_page=True)
    problems = []
    for violation in Axe().run(page, options=AXE_OPTIONS).response["violations"]:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:6])
        more = len(violation["nodes"]) - 6
        problems.append(
            f"[{name}] {page.url}\n  {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  targets: {targets}{f' (+{more} more)' if more > 0 else ''}"
        )
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if width[0] > width[1]:
        problems.append(f"[{name}] {page.url}\n  horizontal overflow: {width[0]}px wide on a {width[1]}px screen")
    return problems


FOCUS_RING = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return [el.outerHTML.slice(0, 80), style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2];
}"""


def focus_problems(page, name: str, presses: int = 25) -> list[str]:
    """Tab through the first controls of the page: each must show a focus ring (WCAG 2.4.7)."""
    problems = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        html, visible = page.evaluate(FOCUS_RING)
        if not visible:
            problems.append(f"[{name}] {page.url}\n  focus not visible on {html}")
    return problems


def report(problems: list[str]) -> str:
    return f"{len(problems)} accessibility problem(s):\n" + "\n".join(problems)


@pytest.fixture
def site(request, seed_issue_file, live_server):
    """The seed issue of 広報とまこまい (37 articles, a long real 6th one) and, when ../shared has
    them, two issues of 広報あつぎ."""
    assert not files_import([seed_issue_file], kind="json").errors
    try:
        corpus = request.getfixturevalue("corpus_csv_files")[:2]
    except pytest.skip.Exception:
        corpus = []
    assert not files_import(corpus, kind="csv").errors
    article = Article.objects.select_related("issue__newsletter__municipality").get(title="市政方針(2)")
    issue = article.issue
    town = issue.newsletter.municipality
    return {
        "home": "/",
        "prefecture": town.prefecture.get_absolute_url(),
        "municipality": town.get_absolute_url(),
        "municipality-empty": Municipality.objects.get(code="011002").get_absolute_url(),
        "newsletter": issue.newsletter.get_absolute_url(),
        "issue": issue.get_absolute_url(),
        "article": article.get_absolute_url(),
        "reader-settings": "/settings/",
        "about": "/about/",
        "for-municipalities": "/for-municipalities/",
        "404": "/no-such-page/",
        "search-results": "/search/?q=市政方針",
        "search-no-results": "/search/?q=存在しないことばです",
        "survey": f"/survey/a/{article.pk}/",
        "home-town-search": "/?town=あつぎ",
        "my-town": "/my-town/?town=とまこまい",
        "kirinuki": "/kirinuki/",
        "offline": "/offline/",
    }


def test_reading_pages_have_no_axe_violations(site, live_server, open_phone, artifacts_dir):
    page = open_phone()
    problems = []

    def visit(name, path, expect=200):
        response = page.goto(live_server.url + path)
        assert response.status == expect, f"{name}: {path} answered {response.status}"
        problems.extend(audit(page, name, artifacts_dir))

    for name, path in site.items():
        if name not in ("survey", "404"):
            visit(name, path)
    visit("404", site["404"], expect=404)
    page.goto(live_server.url + "/my-town/?add=012131&next=/")
    visit("home-my-town", site["home"])
    visit("my-town-chosen", "/my-town/")
    page.goto(live_server.url + site["article"])
    page.get_by_role("button", name="切り抜きに保存").click()
    page.get_by_role("status").filter(has_text="切り抜きに保存しました").wait_for()
    problems.extend(audit(page, "article-saved", artifacts_dir))
    visit("kirinuki-one", site["kirinuki"])

    page.get_by_role("button", name="特大").click()
    page.reload()
    visit("article-font-xl", site["article"])
    visit("issue-font-xl", site["issue"])
    visit("home-font-xl", site["home"])
    page.goto(live_server.url + site["article"])
    problems.extend(focus_problems(page, "article-focus"))
    page.goto(live_server.url + "/settings/?font=m&contrast=high&next=/")
    visit("article-high-contrast", site["article"])
    visit("home-high-contrast", site["home"])
    visit("survey-high-contrast", site["survey"])
    page.goto(live_server.url + "/settings/?contrast=normal&language=en&next=/")
    visit("article-english", site["article"])
    assert page.locator(".kh-body").get_attribute("lang") == "ja"  # read with a Japanese voice
    visit("issue-english", site["issue"])
    page.goto(live_server.url + "/settings/?language=ja&next=/")

    page.locator(".kh-menu summary").click()
    problems.extend(audit(page, "home-menu-open", artifacts_dir))

    visit("survey", site["survey"])
    with page.expect_navigation():  # the server answers with the form and its errors
        page.get_by_role("button", name="送信する").click()
    problems.extend(audit(page, "survey-errors", artifacts_dir))
    page.get_by_role("group", name="この記事は役に立ちましたか").get_by_label("役に立った").check()
    page.get_by_role("group", name="この記事はわかりやすかったですか").get_by_label("ふつう").check()
    with page.expect_navigation():  # the server answers the form with a new page
        page.get_by_role("button", name="送信する").click()
    assert page.get_by_role("heading", name="ご回答ありがとうございました").is_visible()
    problems.extend(audit(page, "survey-thanks", artifacts_dir))
    visit("survey-answered", site["survey"])

    assert not problems, report(problems)


# ---- 表示の設定: every reader page type in each display combination that matters -------------

# (name, query for /settings/, the device's colour scheme)
DISPLAY_COMBINATIONS = [
    ("light", "theme=light&contrast=normal", "light"),
    ("light-high", "theme=light&contrast=high", "light"),
    ("dark-device", "theme=auto&contrast=normal", "dark"),  # 自動 on a phone set to dark
    ("dark-high", "theme=dark&contrast=high", "light"),  # 暗い chosen overrides a light phone
    ("xl-wider-dark", "theme=dark&contrast=normal&font=xl&spacing=wider", "light"),
]


def test_display_settings_have_no_axe_violations(display_site, live_server, open_phone, artifacts_dir):
    problems = []
    for combination, query, scheme in DISPLAY_COMBINATIONS:
        page = open_phone(color_scheme=scheme)
        page.goto(f"{live_server.url}/settings/?{query}&ruby=on&next=/")
        page.goto(f"{live_server.url}/my-town/?add={display_site['town']}&next=/")
        for name, path in display_site["pages"].items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{combination} {name}: {path} answered {response.status}"
            if name == "article":
                assert page.locator(".kh-body ruby rt").count() > 0  # ふりがな on
                assert page.locator(".kh-contact a[href^='tel:']").count() > 0
                if display_site["audio"]:
                    assert page.locator("audio[controls]").count() == 1
            problems.extend(audit(page, f"display-{combination}-{name}", artifacts_dir))
        page.goto(live_server.url + display_site["pages"]["article"])
        problems.extend(focus_problems(page, f"display-{combination}-article-focus"))
        page.goto(live_server.url + "/")
        page.locator(".kh-menu summary").click()
        problems.extend(audit(page, f"display-{combination}-menu-open", artifacts_dir))
        page.context.close()
    assert not problems, report(problems)
