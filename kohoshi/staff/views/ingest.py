"""Staff pages for PDF ingest: upload, run status, review of the draft issue beside the paper, publish.

Thin adapters over kohoshi.ingest.runs (the run's states and the review rule) and
kohoshi.newsletters.services (the edits). Every lookup starts from a municipality the staff
member may edit for; publishing needs the publish permission.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kohoshi.accounts.policy import Action, municipality_for_staff_or_404
from kohoshi.ingest import page_images, runs
from kohoshi.ingest.models import IngestRun
from kohoshi.newsletters.models import Article
from kohoshi.newsletters.services import (
    article_merge_with_next,
    article_move as article_move_service,
    article_split as article_split_service,
    article_update,
    newsletter_create,
    pages_list,
)

from ..forms import ArticleForm, SplitForm, UploadForm
from .common import body_preview, is_preview, staff_context


def _run_or_404(request, code: str, pk: int, *, action: Action = Action.EDIT) -> IngestRun:
    municipality = municipality_for_staff_or_404(request.user, code, action=action)
    return get_object_or_404(
        IngestRun.objects.for_municipality(municipality).select_related("municipality__prefecture", "issue__newsletter"),
        pk=pk,
    )


def _article_or_404(run: IngestRun, number: int) -> Article:
    if run.issue_id is None:
        raise Http404
    return get_object_or_404(Article.objects.select_related("category"), issue_id=run.issue_id, number=number)


def _review_redirect(run: IngestRun, anchor: str = ""):
    response = redirect("staff:ingest_review", run.municipality_id, run.pk)
    response["Location"] += anchor
    return response


def _render(request, run: IngestRun, template: str, **extra):
    return render(request, f"staff/ingest/{template}", staff_context(request, run.municipality, run=run, **extra))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def upload(request, code):
    town = municipality_for_staff_or_404(request.user, code, action=Action.EDIT)
    form = UploadForm(request.POST or None, request.FILES or None, municipality=town)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # A new newsletter and its first run together, or neither.
            with transaction.atomic():
                if form.creates_newsletter:
                    newsletter_create(municipality=town, title=data["newsletter_title"], by=request.user)
                run = runs.ingest_run_create(
                    municipality=town,
                    newsletter_title=data["newsletter_title"],
                    published_on=data["published_on"],
                    number=data["number"],
                    pdf_file=data["pdf"],
                    filename=data["pdf"].name,
                    by=request.user,
                )
        except ValidationError as exc:
            form.add_error("new_newsletter_title" if form.creates_newsletter else None, exc)
        else:
            return redirect("staff:ingest_run", town.code, run.pk)
    recent = IngestRun.objects.for_municipality(town).newest_first()[:30]
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/ingest/upload.html", staff_context(request, town, form=form, runs=recent),
                  status=status)


@login_required
def run_detail(request, code, pk):
    run = _run_or_404(request, code, pk)
    return _render(request, run, "run.html")


@login_required
def review(request, code, pk):
    run = _run_or_404(request, code, pk)
    if not run.is_reviewable:
        return redirect("staff:ingest_run", run.municipality_id, run.pk)
    articles = list(
        run.issue.articles.select_related("category", "ingest_check").prefetch_related("figures").order_by("position")
    )
    for article in articles:
        article.page_numbers = pages_list(article.pages, last=run.pages_total)
        article.check = getattr(article, "ingest_check", None)
    # staff look at the articles the extraction was least sure of first (ingest.models.ArticleCheck)
    weakest = sorted(
        (a for a in articles if a.check is not None and a.check.reasons),
        key=lambda a: (a.check.confidence, a.position),
    )
    return _render(request, run, "review.html", issue=run.issue, articles=articles, weakest=weakest,
                   pages=range(1, run.pages_total + 1))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def article_edit(request, code, pk, number):
    run = _run_or_404(request, code, pk)
    if not run.is_reviewable:
        return redirect("staff:ingest_run", run.municipality_id, run.pk)
    article = _article_or_404(run, number)
    initial = {"title": article.title, "category": article.category, "body": article.body_source}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and not is_preview(request) and form.is_valid():
        try:
            runs.review_edit(article, article_update, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("「%(title)s」を保存しました。") % {"title": form.cleaned_data["title"]})
            return _review_redirect(run, f"#article-{article.number}")
    return _render(
        request, run, "article.html",
        article=article, form=form, split_form=SplitForm(), lines=article.body_source.split("\n"),
        pages=pages_list(article.pages, last=run.pages_total), **body_preview(request, article),
    )


@login_required
@require_POST
def article_split(request, code, pk, number):
    run = _run_or_404(request, code, pk)
    article = _article_or_404(run, number)
    form = SplitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("分ける行を選んでください。"))
        return redirect("staff:ingest_article", run.municipality_id, run.pk, article.number)
    try:
        new = runs.review_edit(article, article_split_service, **form.cleaned_data, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("staff:ingest_article", run.municipality_id, run.pk, article.number)
    messages.success(request, _("記事を2つに分けました。新しい記事:「%(title)s」") % {"title": new.title})
    return _review_redirect(run, f"#article-{new.number}")


@login_required
@require_POST
def article_merge(request, code, pk, number):
    run = _run_or_404(request, code, pk)
    article = _article_or_404(run, number)
    try:
        runs.review_edit(article, article_merge_with_next, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("「%(title)s」に次の記事をつなげました。") % {"title": article.title})
    return _review_redirect(run, f"#article-{article.number}")


@login_required
@require_POST
def article_move(request, code, pk, number):
    run = _run_or_404(request, code, pk)
    article = _article_or_404(run, number)
    try:
        runs.review_edit(article, article_move_service, up=request.POST.get("direction") == "up", by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _review_redirect(run, f"#article-{article.number}")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def publish(request, code, pk):
    """GET (the review page's button) asks for confirmation; POST (the confirmation's button) publishes."""
    run = _run_or_404(request, code, pk, action=Action.PUBLISH)
    if request.method != "POST":
        if not run.is_reviewable:
            return redirect("staff:ingest_run", run.municipality_id, run.pk)
        return render(
            request, "staff/issue_publish_confirm.html",
            staff_context(
                request, run.municipality, run=run, issue=run.issue, article_count=run.issue.articles.count(),
                at=None, at_value="", scheduled=False,
                public_url=request.build_absolute_uri(run.issue.get_absolute_url()),
                action_url=request.path, cancel_url=reverse("staff:ingest_review", args=[run.municipality_id, run.pk]),
                with_pdf=True,
            ),
        )
    try:
        runs.ingest_run_publish(run, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("staff:ingest_review", run.municipality_id, run.pk)
    messages.success(request, _("号を公開しました。"))
    return redirect("staff:ingest_run", run.municipality_id, run.pk)


@login_required
@require_POST
def retry(request, code, pk):
    run = _run_or_404(request, code, pk)
    try:
        runs.ingest_run_retry(run, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("もう一度読み取りを始めました。"))
    return redirect("staff:ingest_run", run.municipality_id, run.pk)


@login_required
def page_image(request, code, pk, page):
    run = _run_or_404(request, code, pk)
    try:
        path = page_images.page_image_path(run, page)
    except ValidationError:
        raise Http404 from None
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
