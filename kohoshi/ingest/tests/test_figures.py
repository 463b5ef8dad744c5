"""Figures (写真・図) cropped from the 紙面PDF: found, given to the right article, kept off the
public page until staff describe them, and following their article through review."""
import io
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kohoshi.accounts.models import AuditEntry, Membership, Role
from kohoshi.accounts.policy import SYSTEM
from kohoshi.ingest import runs
from kohoshi.ingest.pdf.figures import extract_figures
from kohoshi.newsletters.figures import figure_alt_update
from kohoshi.newsletters.models import Figure
from kohoshi.newsletters.services import article_merge_with_next, issue_publish
from kohoshi.places.models import Municipality

from .newsletter_pdf import _font

ATSUGI = "142123"
FESTIVAL, CHECKUP = "市民まつりを開催します", "健康診断のお知らせ"


def _photo(colour):
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    image = Image.new("RGB", (400, 300), colour)
    ImageDraw.Draw(image).ellipse((50, 50, 350, 250), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return ImageReader(out)


def figures_pdf() -> bytes:
    """Page 1: a cover with a masthead photo (no article on it). Page 2: two articles, each with a
    photo under its title (the first photo is nearer the second title), an icon beside the first
    title, and a tint image behind the second article's text. Page 3: a full-page scan."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _font()
    w, h = A4
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont(font, 28)
    c.drawString(60, h - 100, "広報あつぎ")
    c.drawImage(_photo((30, 120, 30)), 60, h - 500, 470, 350)
    c.showPage()
    c.drawImage(_photo((230, 230, 200)), 40, 60, 500, 330)  # tint behind the text below
    c.setFont(font, 20)
    c.drawString(50, h - 60, FESTIVAL)
    c.drawImage(_photo((0, 0, 0)), 400, h - 64, 14, 14)  # icon
    c.setFont(font, 10)
    for i in range(8):
        c.drawString(50, h - 90 - 14 * i, "まつりの本文です。会場は中央公園、時間は午前十時から。")
    c.drawImage(_photo((200, 40, 40)), 60, h - 380, 240, 180)
    c.setFont(font, 20)
    c.drawString(50, h / 2 - 40, CHECKUP)
    c.setFont(font, 10)
    for i in range(20):
        c.drawString(50, h / 2 - 70 - 14 * i, "健診の本文です。予約は保健センターへお電話ください。")
    c.drawImage(_photo((40, 40, 200)), 330, h / 2 - 260, 200, 150)
    c.showPage()
    c.drawImage(_photo((120, 120, 120)), 0, 0, w, h)
    c.showPage()
    c.save()
    return out.getvalue()


def test_figures_go_to_the_article_whose_title_precedes_them():
    figures = extract_figures(figures_pdf(), articles=[(FESTIVAL, [2]), (CHECKUP, [2, 3])])
    found = [(f.article, f.page) for f in figures]
    # the cover photo (no article there), the icon, the tint behind text and the scan are left out
    assert found == [(0, 2), (1, 2)]
    first = figures[0]
    assert first.box == pytest.approx((60, 842 - 380, 300, 842 - 200), abs=1)
    assert first.image[:2] == b"\xff\xd8" and (first.width, first.height) == (720, 540)


def test_a_figure_on_a_page_with_one_article_is_that_articles():
    figures = extract_figures(figures_pdf(), articles=[("どこにもない題", [2])])
    assert [f.article for f in figures] == [0, 0]


# ---------------------------------------------------------------------------- through a run


@pytest.fixture
def town(db):
    return Municipality.objects.get(code=ATSUGI)


def _user(name, role):
    user = get_user_model().objects.create_user(name, password="x" * 12)
    Membership.objects.create(user=user, municipality_id=ATSUGI, role=role)
    return user


@pytest.fixture
def run(town):
    created = runs.ingest_run_create(
        municipality=town, newsletter_title="広報あつぎ", published_on=date(2024, 4, 15),
        pdf_file=figures_pdf(), filename="koho.pdf",
    )
    return runs.ingest_run_process(created.pk)


def _figures(run):
    return [(f.article.title, f.position, f.page, f.alt) for f in Figure.objects.filter(article__issue=run.issue)
            .select_related("article").order_by("article__position", "position")]


@pytest.mark.django_db
def test_a_run_stores_its_figures_undescribed_and_readers_do_not_see_them(run, client):
    assert run.status == run.Status.NEEDS_REVIEW, run.failure_reason
    titles = list(run.issue.articles.order_by("position").values_list("title", flat=True))
    assert FESTIVAL in titles and CHECKUP in titles, titles
    # (the cover is the extractor's business: whether it becomes an article is tested there)
    stored = [f for f in _figures(run) if f[0] in (FESTIVAL, CHECKUP)]
    assert [(t, p) for t, _, p, _ in stored] == [(FESTIVAL, 2), (CHECKUP, 2)]
    assert all(alt == "" for *_, alt in stored)
    runs.ingest_run_publish(run, by=SYSTEM)
    article = run.issue.articles.get(title=FESTIVAL)
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200 and b"kh-figure" not in page.content
    figure = article.figures.get()
    assert client.get(figure.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_staff_describe_a_figure_and_it_appears_with_its_alt(run, client):
    editor = _user("editor", Role.EDITOR)
    article = run.issue.articles.get(title=FESTIVAL)
    figure = article.figures.get()
    client.force_login(editor)
    review = client.get(reverse("staff:ingest_review", args=[ATSUGI, run.pk]))
    assert reverse("staff:figure_image", args=[ATSUGI, figure.pk]).encode() in review.content
    image = client.get(reverse("staff:figure_image", args=[ATSUGI, figure.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    response = client.post(reverse("staff:figure_alt", args=[ATSUGI, figure.pk]),
                           {"alt": "  赤い幕の前で 踊る子どもたち ", "next": "/staff/"})
    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.alt == "赤い幕の前で 踊る子どもたち"
    assert AuditEntry.objects.filter(action="figure.alt", target_id=str(figure.pk)).exists()
    client.logout()
    # still a draft: nothing public yet
    assert client.get(figure.get_absolute_url()).status_code == 404
    issue_publish(run.issue, by=SYSTEM)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'<img src="{figure.get_absolute_url()}" alt="赤い幕の前で 踊る子どもたち"' in page
    served = client.get(figure.get_absolute_url())
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"
    # emptying the alt takes it off the page again
    figure_alt_update(figure, alt="   ", by=SYSTEM)
    assert client.get(figure.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_only_editors_of_that_town_describe_figures(run, client):
    figure = Figure.objects.filter(article__issue=run.issue).first()
    viewer = _user("viewer", Role.VIEWER)
    with pytest.raises(PermissionDenied):
        figure_alt_update(figure, alt="説明", by=viewer)
    client.force_login(viewer)
    assert client.post(reverse("staff:figure_alt", args=[ATSUGI, figure.pk]), {"alt": "説明"}).status_code == 404
    assert client.get(reverse("staff:figure_image", args=[ATSUGI, figure.pk])).status_code == 200
    other = get_user_model().objects.create_user("other", password="x" * 12)
    Membership.objects.create(user=other, municipality_id="012131", role=Role.PUBLISHER)
    client.force_login(other)
    assert client.get(reverse("staff:figure_image", args=[ATSUGI, figure.pk])).status_code == 404
    figure.refresh_from_db()
    assert figure.alt == ""


@pytest.mark.django_db
def test_figures_follow_their_text_when_articles_merge(run):
    festival = run.issue.articles.get(title=FESTIVAL)
    checkup = run.issue.articles.get(title=CHECKUP)
    first = festival if festival.position < checkup.position else checkup
    second = checkup if first == festival else festival
    while first.issue.articles.filter(position=first.position + 1).exclude(pk=second.pk).exists():
        article_merge_with_next(first, by=SYSTEM)  # anything between them joins the first
    moved = second.figures.get().pk
    article_merge_with_next(first, by=SYSTEM)
    assert list(first.figures.order_by("position").values_list("pk", flat=True))[-1] == moved
    assert list(first.figures.values_list("position", flat=True).order_by("position")) == [1, 2]


@pytest.mark.django_db
def test_a_new_run_of_the_draft_replaces_figures_and_their_files(run, town, settings, django_capture_on_commit_callbacks):
    old_files = [Path(settings.MEDIA_ROOT) / name for name in Figure.objects.values_list("image", flat=True)]
    assert old_files and all(p.exists() for p in old_files)
    again = runs.ingest_run_create(
        municipality=town, newsletter_title="広報あつぎ", published_on=date(2024, 4, 15),
        pdf_file=figures_pdf() + b"\n%again", filename="koho.pdf",
    )
    with django_capture_on_commit_callbacks(execute=True):
        runs.ingest_run_process(again.pk)
    assert Figure.objects.filter(article__issue=run.issue).count() == len(old_files)
    assert not any(p.exists() for p in old_files)


@pytest.mark.django_db
def test_a_failure_to_crop_figures_keeps_the_draft_and_says_so(town, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("pdfium fell over")

    monkeypatch.setattr(runs, "extract_figures_limited", broken)
    created = runs.ingest_run_create(
        municipality=town, newsletter_title="広報あつぎ", published_on=date(2024, 4, 15),
        pdf_file=figures_pdf(), filename="koho.pdf",
    )
    run = runs.ingest_run_process(created.pk)
    assert run.status == run.Status.NEEDS_REVIEW
    assert runs.FIGURES_FAILED_WARNING in run.warnings
    assert not Figure.objects.exists()


# ---------------------------------------------------------------------------- in the browser


@pytest.fixture
def reviewed_run(live_server, settings, tmp_path):
    """A run in review, made before the browser starts (Playwright's loop forbids database calls)."""
    from kohoshi.staff.tests.factories import PASSWORD

    settings.MEDIA_ROOT = tmp_path / "media"
    user = get_user_model().objects.create_user("publisher", password=PASSWORD)
    Membership.objects.create(user=user, municipality_id=ATSUGI, role=Role.PUBLISHER)
    created = runs.ingest_run_create(
        municipality=Municipality.objects.get(code=ATSUGI), newsletter_title="広報あつぎ",
        published_on=date(2024, 4, 15), pdf_file=figures_pdf(), filename="koho.pdf",
    )
    run = runs.ingest_run_process(created.pk)
    article = run.issue.articles.get(title=FESTIVAL)
    return run, article.get_absolute_url(), PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_describe_a_figure_on_the_phone_and_readers_see_it(reviewed_run, live_server, open_phone, artifacts_dir):
    run, article_url, password = reviewed_run
    phone = open_phone()
    phone.goto(f"{live_server.url}/staff/login/")
    phone.get_by_label("ユーザー名").fill("publisher")
    phone.get_by_label("パスワード").fill(password)
    phone.get_by_role("button", name="ログイン").click()
    phone.goto(f"{live_server.url}/staff/m/{ATSUGI}/ingest/{run.pk}/review/")
    field = phone.get_by_label("図1の代替テキスト").first
    assert phone.get_by_text("未公開:代替テキストを入力してください").count() >= 2
    field.scroll_into_view_if_needed()
    phone.screenshot(path=artifacts_dir / "figure-review-phone.png")
    # the festival article's figure: its form is the one inside that article
    festival = phone.locator("[data-testid=draft-article]", has_text=FESTIVAL)
    festival.get_by_label("図1の代替テキスト").fill("赤い幕の前で踊る子どもたち")
    festival.get_by_role("button", name="代替テキストを保存").click()
    phone.get_by_text("図1の代替テキストを保存しました").wait_for()
    phone.goto(f"{live_server.url}/staff/m/{ATSUGI}/ingest/{run.pk}/publish/")
    phone.get_by_role("button", name="公開する").click()
    phone.goto(live_server.url + article_url)
    image = phone.get_by_role("img", name="赤い幕の前で踊る子どもたち")
    image.scroll_into_view_if_needed()
    # A lazy image starts loading when scrolled to: wait for it (on a loaded machine it takes a while).
    width = image.evaluate(
        "img => img.complete && img.naturalWidth ? img.naturalWidth : new Promise(done => {"
        " img.addEventListener('load', () => done(img.naturalWidth), {once: true});"
        " img.addEventListener('error', () => done(0), {once: true}); })"
    )
    assert width == 720
    phone.screenshot(path=artifacts_dir / "figure-article-phone.png")
