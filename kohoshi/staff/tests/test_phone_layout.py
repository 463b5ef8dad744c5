"""Staff tables on a 390x844 phone (Debian chromium via Playwright): status tags and dates stay
on one line, and no page is wider than the screen. Screenshots in test-artifacts/phone-*.png."""
from datetime import date

import pytest

from kohoshi.accounts.models import Role
from kohoshi.ingest import runs as pipeline
from kohoshi.ingest.tests.newsletter_pdf import newsletter_pdf
from kohoshi.places.models import Municipality
from kohoshi.staff.tests.factories import PASSWORD, TOMAKOMAI, make_issue, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def pages(live_server):
    """Made before the browser starts: Playwright's event loop forbids database calls."""
    user = make_staff("tomakomai", role=Role.PUBLISHER)
    issue = make_issue(newsletter="広報とまこまい", n_articles=3)
    make_issue(newsletter="広報とまこまい", day=15, publish=False)
    run = pipeline.ingest_run_create(
        municipality=Municipality.objects.get(code=TOMAKOMAI), newsletter_title="広報とまこまい",
        published_on=date(2024, 5, 1), pdf_file=newsletter_pdf([{"title": "図書館まつり", "body": "本の交換会。"}]),
        filename="koho-2024-05.pdf", by=user,
    )
    pipeline.ingest_run_process(run.pk)
    staff = f"/staff/m/{TOMAKOMAI}"
    return {
        "municipality": f"{staff}/",
        "issue": f"{staff}/issues/{issue.pk}/",
        "audit": f"{staff}/audit/",
        "ingest-upload": f"{staff}/ingest/",
        "dashboard": f"{staff}/dashboard/",
        "article-edit": f"{staff}/articles/{issue.articles.first().pk}/edit/",
    }


def line_height(locator) -> float:
    return locator.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || e.getBoundingClientRect().height")


def test_status_tags_and_dates_keep_to_one_line_on_a_phone(pages, live_server, open_phone, artifacts_dir):
    page = open_phone()
    page.goto(live_server.url + "/staff/login/")
    page.get_by_label("ユーザー名").fill("tomakomai")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"**{pages['municipality']}")

    problems = []
    for name, path in pages.items():
        page.goto(live_server.url + path)
        page.screenshot(path=artifacts_dir / f"phone-{name}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            problems.append(f"{name}: the page is {width}px wide")
        for tag in page.locator("table .kh-tag, table time").all():
            box = tag.bounding_box()
            one_line = line_height(tag) * 1.5
            if box["height"] > one_line:
                problems.append(f"{name}: {tag.inner_text()!r} takes {box['height']:.0f}px (one line < {one_line:.0f})")

    # The upload form shows the new newsletter's name only once "新しい広報紙を作る" is chosen (CSS only).
    page.goto(live_server.url + pages["ingest-upload"])
    assert not page.get_by_label("新しい広報紙の名前").is_visible()
    page.locator("#id_newsletter").select_option("new")
    assert page.get_by_label("新しい広報紙の名前").is_visible()
    page.screenshot(path=artifacts_dir / "phone-ingest-upload-new-newsletter.png", full_page=True)

    page.goto(live_server.url + pages["municipality"])
    status = page.get_by_text("公開中", exact=True).first
    assert status.bounding_box()["height"] < line_height(status) * 1.5
    assert not problems, "\n".join(problems)


def test_article_preview_on_a_phone_shows_the_contact_box_without_saving(pages, live_server, open_phone, artifacts_dir):
    page = open_phone(java_script_enabled=False)
    page.goto(live_server.url + "/staff/login/")
    page.get_by_label("ユーザー名").fill("tomakomai")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"**{pages['municipality']}")
    page.goto(live_server.url + pages["article-edit"])
    page.locator("summary", has_text="本文の書き方").click()
    page.get_by_label("本文").fill("■日時\n5月10日\n\n問合せ：環境課【電話】0144-32-6111")
    page.get_by_role("button", name="プレビュー").click()
    preview = page.locator("#preview")
    preview.get_by_role("complementary", name="問合せ").wait_for()  # raises unless it shows up
    assert preview.get_by_role("link", name="0144-32-6111").get_attribute("href") == "tel:+81-144-32-6111"
    assert "まだ保存していません" in preview.inner_text()
    page.screenshot(path=artifacts_dir / "phone-article-preview.png", full_page=True)
