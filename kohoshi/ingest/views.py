"""Staff pages for PDF ingest: upload, run status, review of the draft issue, publish.

Thin adapters over kohoshi.ingest.pipeline. Every lookup starts from a municipality the staff
member may act for (editor role or above; publishing needs the publisher role).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kohoshi.newsletters.models import Article
from kohoshi.accounts.policy import Action, can, municipalities_for, municipality_for_staff_or_404

from . import pipeline
from .forms import ArticleForm, SplitForm, UploadForm
from .models import IngestRun


def _run_or_404(request, code: str, pk: int, *, action: Action = Action.EDIT) -> IngestRun:
    municipality = municipality_for_staff_or_404(request.user, code, action=action)
    return get_object_or_404(
        IngestRun.objects.for_municipality(municipality).select_related("municipality", "issue__newsletter"), pk=pk
    )


def _article_or_404(run: IngestRun, number: int) -> Article:
    if run.issue_id is None:
        raise Http404
    return get_object_or_404(Article.objects.select_related("category"), issue_id=run.issue_id, number=number)


def _can_publish(user, run: IngestRun) -> bool:
    return can(user, run.municipality_id, Action.PUBLISH)


def _review_redirect(run: IngestRun, anchor: str = ""):
    response = redirect("ingest:review", run.municipality_id, run.pk)
    response["Location"] += anchor
    return response


@login_required
def upload(request):
    towns = municipalities_for(request.user, action=Action.EDIT)
    if not towns.exists():
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = pipeline.ingest_run_create(
            municipality=data["municipality"],
            newsletter_title=data["newsletter_title"],
            published_on=data["published_on"],
            number=data["number"],
            pdf_file=data["pdf"],
            filename=data["pdf"].name,
            by=request.user,
        )
        return redirect("ingest:run", run.municipality_id, run.pk)
    runs = IngestRun.objects.for_municipalities(towns).select_related("municipality").newest_first()[:30]
    return render(request, "ingest/upload.html", {"form": form, "runs": runs})


@login_required
def run_detail(request, code, pk):
    run = _run_or_404(request, code, pk)
    return render(request, "ingest/run.html", {"run": run})


@login_required
def review(request, code, pk):
    run = _run_or_404(request, code, pk)
    if not run.is_reviewable:
        return redirect("ingest:run", run.municipality_id, run.pk)
    articles = list(run.issue.articles.select_related("category").order_by("position"))
    for article in articles:
        article.page_numbers = pipeline.pages_list(article.pages, last=run.pages_total)
    return render(
        request,
        "ingest/review.html",
        {
            "run": run,
            "issue": run.issue,
            "articles": articles,
            "pages": range(1, run.pages_total + 1),
            "can_publish": _can_publish(request.user, run),
        },
    )


@login_required
def article_edit(request, code, pk, number):
    run = _run_or_404(request, code, pk)
    if not run.is_reviewable:
        return redirect("ingest:run", run.municipality_id, run.pk)
    article = _article_or_404(run, number)
    initial = {"title": article.title, "category": article.category, "body": article.body_source}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline.article_update(article, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("「%(title)s」を保存しました。") % {"title": form.cleaned_data["title"]})
            return _review_redirect(run, f"#article-{article.number}")
    return render(
        request,
        "ingest/article.html",
        {
            "run": run,
            "article": article,
            "form": form,
            "split_form": SplitForm(),
            "lines": article.body_source.split("\n"),
            "pages": pipeline.pages_list(article.pages, last=run.pages_total),
        },
    )


@login_required
@require_POST
def article_split(request, code, pk, number):
    run = _run_or_404(request, code, pk)
    article = _article_or_404(run, number)
    form = SplitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("分ける行を選んでください。"))
        return redirect("ingest:article", run.municipality_id, run.pk, article.number)
    try:
        new = pipeline.article_split(article, **form.cleaned_data, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("ingest:article", run.municipality_id, run.pk, article.number)
    messages.success(request, _("記事を2つに分けました。新しい記事:「%(title)s」") % {"title": new.title})
    return _review_redirect(run, f"#article-{new.number}")


@login_required
@require_POST
def article_merge(request, code, pk, number):
    run = _run_or_404(request, code, pk)
    article = _article_or_404(run, number)
    try:
        pipeline.article_merge_with_next(article, by=request.user)
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
        pipeline.article_move(article, up=request.POST.get("direction") == "up", by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _review_redirect(run, f"#article-{article.number}")


@login_required
@require_POST
def publish(request, code, pk):
    run = _run_or_404(request, code, pk, action=Action.PUBLISH)
    try:
        pipeline.ingest_run_publish(run, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("ingest:review", run.municipality_id, run.pk)
    messages.success(request, _("号を公開しました。"))
    return redirect("ingest:run", run.municipality_id, run.pk)


@login_required
@require_POST
def retry(request, code, pk):
    run = _run_or_404(request, code, pk)
    try:
        pipeline.ingest_run_retry(run, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("もう一度読み取りを始めました。"))
    return redirect("ingest:run", run.municipality_id, run.pk)


@login_required
def page_image(request, code, pk, page):
    run = _run_or_404(request, code, pk)
    try:
        path = pipeline.page_image_path(run, page)
    except ValidationError:
        raise Http404 from None
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
