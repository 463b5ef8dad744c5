"""Walks every URL of the staff workspace (and of the PDF ingest review, which lives under
/staff/ingest/) as a staff member of another municipality: each answers 404, as if the page did
not exist. A new URL pattern is walked automatically; one with a new kind of argument fails
here until it gets a value below."""
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kohoshi.engagement.services import survey_response_create
from kohoshi.accounts.models import Role
from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.figures import FigureInput, figures_replace
from kohoshi.staff.tests.factories import SAPPORO, TOMAKOMAI, make_issue, make_staff

pytestmark = pytest.mark.django_db
NAMESPACES = ("staff",)
# Pages that belong to no municipality: they must show only the user's own.
UNSCOPED = {"staff:login", "staff:logout", "staff:home"}


def _patterns(namespace):
    resolver = get_resolver().namespace_dict.get(namespace, (None, None))[1]
    if resolver is None:
        return []

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}", list(p.pattern.regex.groupindex)

    return list(walk(resolver.url_patterns))


def all_patterns():
    return [p for ns in NAMESPACES for p in _patterns(ns)]


@pytest.fixture
def tomakomai_objects(settings, tmp_path):
    """Objects of 苫小牧市 for every kind of URL argument."""
    issue = make_issue(TOMAKOMAI)
    article = issue.articles.first()
    survey_response_create(article, helpful="役に立った", comment="苫小牧市の読者の意見")
    values = {"code": TOMAKOMAI, "issue_id": issue.pk, "article_id": article.pk, "number": 1, "page": 1, "kind": "png"}
    settings.MEDIA_ROOT = tmp_path
    values["figure_id"] = figures_replace(
        article, by=SYSTEM, figures=[FigureInput(page=1, image=b"\xff\xd8\xff\xd9", width=1, height=1)]
    )[0].pk
    try:
        from kohoshi.ingest.models import IngestRun
    except ImportError:
        pass
    else:
        run = IngestRun.objects.create(
            municipality_id=TOMAKOMAI, newsletter_title="広報とまこまい", published_on=date(2024, 4, 1),
            source_pdf="private/ingest/test.pdf", status=IngestRun.Status.NEEDS_REVIEW,
            issue=make_issue(TOMAKOMAI, newsletter="広報とまこまい", publish=False),
            source_sha256="0" * 64, pages_total=1,
        )
        values["pk"] = run.pk
        # A page image already in the ingest cache, so the owner's page_image request succeeds.
        from kohoshi.ingest.page_images import PAGE_IMAGE_WIDTH

        settings.MEDIA_ROOT = tmp_path
        png = tmp_path / "private" / "ingest-pages" / run.source_sha256 / f"1-{PAGE_IMAGE_WIDTH}.png"
        png.parent.mkdir(parents=True)
        png.write_bytes(b"\x89PNG\r\n\x1a\n")
    return values


def _url(name, kwargs, values):
    missing = [k for k in kwargs if k not in values]
    assert not missing, f"{name}: give the permission walk a value for {missing}"
    return reverse(name, kwargs={k: values[k] for k in kwargs})


def test_walk_covers_the_staff_workspace():
    names = {name for name, _ in all_patterns()}
    assert {"staff:dashboard", "staff:article_edit", "staff:issue_publish", "staff:export_survey"} <= names
    unscoped = {name for name, kwargs in all_patterns() if "code" not in kwargs}
    assert unscoped == UNSCOPED & names, "a staff page without a municipality in its URL needs a look"


def test_every_staff_url_of_another_municipality_answers_not_found(tomakomai_objects):
    owner = Client()
    owner.force_login(make_staff("tomakomai-publisher", TOMAKOMAI, role=Role.PUBLISHER))
    outsider = Client()
    outsider.force_login(make_staff("sapporo-publisher", SAPPORO, role=Role.PUBLISHER))
    make_issue(SAPPORO, newsletter="広報さっぽろ")

    failures, walked = [], 0
    for name, kwargs in all_patterns():
        if "code" not in kwargs:
            continue
        url = _url(name, kwargs, tomakomai_objects)
        # The owner reaches the page (or is told to POST): the outsider's 404 is not a typo's 404.
        owner_status = owner.get(url).status_code
        assert owner_status != 404, f"{name}: {url} is not found even for its own municipality"
        methods = ["POST"] if owner_status == 405 else ["GET", "POST"]
        # Also the outsider's own code with the other municipality's objects in the URL.
        urls = {url}
        if set(kwargs) - {"code"}:
            urls.add(_url(name, kwargs, {**tomakomai_objects, "code": SAPPORO}))
        for target in urls:
            for method in methods:
                walked += 1
                status = getattr(outsider, method.lower())(target).status_code
                # 405 only for POST to a read-only page: answered before any lookup, the same
                # for every object, so it tells nothing.
                allowed = {404, 405} if method == "POST" and methods == ["GET", "POST"] else {404}
                if status not in allowed:
                    failures.append(f"{method} {target} ({name}) → {status}")
    assert not failures, "\n".join(failures)
    assert walked >= 30


def test_unscoped_staff_pages_show_nothing_of_other_municipalities(tomakomai_objects):
    outsider = Client()
    outsider.force_login(make_staff("sapporo-viewer", SAPPORO, role=Role.PUBLISHER))
    for name in UNSCOPED - {"staff:login", "staff:logout"}:
        html = outsider.get(reverse(name)).content.decode()
        assert "苫小牧" not in html, name


def test_outsider_cannot_change_anything(tomakomai_objects):
    from kohoshi.newsletters.models import Article, Issue

    outsider = Client()
    outsider.force_login(make_staff("sapporo-publisher", SAPPORO, role=Role.PUBLISHER))
    code, issue_id, article_id = TOMAKOMAI, tomakomai_objects["issue_id"], tomakomai_objects["article_id"]
    outsider.post(reverse("staff:article_delete", args=[code, article_id]))
    outsider.post(reverse("staff:issue_unpublish", args=[code, issue_id]))
    outsider.post(reverse("staff:article_edit", args=[code, article_id]), {"title": "x", "body": "x"})
    assert Article.objects.filter(pk=article_id).exclude(title="x").exists()
    assert Issue.objects.get(pk=issue_id).is_public()
