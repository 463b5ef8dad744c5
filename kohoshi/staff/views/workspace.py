"""The staff workspace. Every view starts from a municipality the user may act for (tenancy by
construction: `municipality_for_staff_or_404`), and every object is looked up inside it, so a
page of another municipality answers 404 like a page that does not exist."""
import io
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kohoshi.accounts.models import AuditEntry
from kohoshi.accounts.policy import Action, municipalities_for, municipality_for_staff_or_404
from kohoshi.engagement import stats
from kohoshi.engagement.exports import article_views_csv, survey_responses_csv
from kohoshi.engagement.models import ArticleDailyViews, SurveyQuestion
from kohoshi.engagement.questions import survey_questions_for
from kohoshi.engagement.services import survey_question_update
from kohoshi.ingest.models import IngestRun
from kohoshi.ingest.runs import ingest_run_publish
from kohoshi.newsletters.models import Article, Issue
from kohoshi.newsletters.services import article_delete, article_update, issue_publish, issue_reorder, issue_unpublish
from kohoshi.search.services import search_misses_for

from .. import charts
from ..audit_labels import audit_action_label, audit_summary_display
from ..forms import ArticleForm, ScheduleForm, survey_question_forms
from .common import body_preview, is_preview, staff_context

PERIODS = (7, 30, 90)
Key = SurveyQuestion.Key


def _issue_or_404(town, issue_id) -> Issue:
    return get_object_or_404(Issue.objects.for_municipality(town).select_related("newsletter"), pk=issue_id)


def _article_or_404(town, article_id) -> Article:
    return get_object_or_404(
        Article.objects.for_municipality(town).select_related("issue__newsletter", "category"), pk=article_id
    )


def _period(request) -> int:
    days = request.GET.get("days", "")
    return int(days) if days.isdigit() and int(days) in PERIODS else 30


@require_GET
@login_required
def home(request):
    towns = municipalities_for(request.user).select_related("prefecture")
    if request.user.is_superuser:
        towns = towns.with_newsletters()
    towns = list(towns)
    if len(towns) == 1 and not request.user.is_superuser:
        # Most staff act for one municipality: a picker with one choice is a page to click through.
        # (A superuser acts for every municipality; the list is theirs even when it is short.)
        return redirect("staff:municipality", code=towns[0].code)
    return render(request, "staff/home.html", {"municipalities": towns})


@require_GET
@login_required
def municipality(request, code):
    town = municipality_for_staff_or_404(request.user, code)
    issues = (
        Issue.objects.for_municipality(town)
        .select_related("newsletter")
        .annotate(article_count=Count("articles"))
        .order_by("newsletter_id", "-published_on", "-pk")
    )
    return render(request, "staff/municipality.html", staff_context(request, town, issues=issues, now=timezone.now()))


@require_GET
@login_required
def issue(request, code, issue_id):
    town = municipality_for_staff_or_404(request.user, code)
    edition = _issue_or_404(town, issue_id)
    articles = edition.articles.select_related("category").order_by("position")
    review_run = IngestRun.objects.filter(issue=edition, status=IngestRun.Status.NEEDS_REVIEW).first()
    return render(
        request,
        "staff/issue.html",
        staff_context(
            request, town, issue=edition, articles=articles, schedule_form=ScheduleForm(), now=timezone.now(),
            review_run=review_run,
        ),
    )


def _publish_confirm(request, town, edition, *, at, at_value: str, action_url: str, cancel_url: str, with_pdf: bool):
    """What publishing will do, stated before it is done: the issue, its articles, when and where."""
    return render(
        request, "staff/issue_publish_confirm.html",
        staff_context(
            request, town, issue=edition, article_count=edition.articles.count(),
            at=at, at_value=at_value, scheduled=bool(at and at > timezone.now()),
            public_url=request.build_absolute_uri(edition.get_absolute_url()),
            action_url=action_url, cancel_url=cancel_url, with_pdf=with_pdf,
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def issue_publish_view(request, code, issue_id):
    """GET (the issue page's form) asks for confirmation; POST (the confirmation's button) publishes."""
    town = municipality_for_staff_or_404(request.user, code, action=Action.PUBLISH)
    edition = _issue_or_404(town, issue_id)
    form = ScheduleForm(request.POST if request.method == "POST" else request.GET)
    # An issue drafted from a PDF goes public through its ingest run, which attaches the PDF
    # as 紙面PDF and closes the run.
    run = IngestRun.objects.filter(issue=edition, status=IngestRun.Status.NEEDS_REVIEW).first()
    if not form.is_valid():
        articles = edition.articles.select_related("category").order_by("position")
        return render(
            request, "staff/issue.html",
            staff_context(request, town, issue=edition, articles=articles, schedule_form=form, now=timezone.now(),
                          review_run=run),
            status=400,
        )
    at = form.cleaned_data["at"]
    if request.method != "POST":
        return _publish_confirm(
            request, town, edition, at=at, at_value=form.data.get("at", ""), action_url=request.path,
            cancel_url=reverse("staff:issue", args=[town.code, edition.pk]), with_pdf=run is not None,
        )
    try:
        if run:
            edition = ingest_run_publish(run, by=request.user, at=at).issue
        else:
            edition = issue_publish(edition, by=request.user, at=at)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        if edition.is_public():
            messages.success(request, _("号を公開しました。"))
        else:
            when = date_format(timezone.localtime(edition.published_at), "DATETIME_FORMAT")
            messages.success(request, _("%(when)sに公開するよう予約しました。") % {"when": when})
    return redirect("staff:issue", code=town.code, issue_id=edition.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def issue_unpublish_view(request, code, issue_id):
    """GET asks for confirmation, saying what readers will no longer see; POST unpublishes."""
    town = municipality_for_staff_or_404(request.user, code, action=Action.PUBLISH)
    edition = _issue_or_404(town, issue_id)
    if request.method != "POST":
        return render(
            request, "staff/issue_unpublish_confirm.html",
            staff_context(request, town, issue=edition, article_count=edition.articles.count(),
                          public_url=request.build_absolute_uri(edition.get_absolute_url())),
        )
    edition = issue_unpublish(edition, by=request.user)
    messages.success(request, _("号を非公開にしました。"))
    return redirect("staff:issue", code=town.code, issue_id=edition.pk)


@require_POST
@login_required
def issue_reorder_view(request, code, issue_id):
    town = municipality_for_staff_or_404(request.user, code, action=Action.EDIT)
    edition = _issue_or_404(town, issue_id)
    current = list(edition.articles.order_by("position").values_list("pk", "position"))

    def wanted(item):
        pk, position = item
        value = request.POST.get(f"position-{pk}", "")
        return (int(value) if value.strip().isdigit() else position, position)

    try:
        issue_reorder(edition, by=request.user, article_ids=[pk for pk, _ in sorted(current, key=wanted)])
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("掲載順を保存しました。"))
    return redirect("staff:issue", code=town.code, issue_id=edition.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def article_edit(request, code, article_id):
    town = municipality_for_staff_or_404(request.user, code, action=Action.EDIT)
    article = _article_or_404(town, article_id)
    initial = {"title": article.title, "category": article.category, "body": article.body_source}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and not is_preview(request) and form.is_valid():
        try:
            article_update(article, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("記事を保存しました。"))
            return redirect("staff:issue", code=town.code, issue_id=article.issue_id)
    status = 400 if request.method == "POST" and not is_preview(request) else 200
    return render(request, "staff/article_edit.html",
                  staff_context(request, town, article=article, form=form, **body_preview(request, article)),
                  status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def article_delete_view(request, code, article_id):
    town = municipality_for_staff_or_404(request.user, code, action=Action.EDIT)
    article = _article_or_404(town, article_id)
    if request.method == "POST":
        try:
            article_delete(article, by=request.user)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("記事「%(title)s」を削除しました。") % {"title": article.title})
        return redirect("staff:issue", code=town.code, issue_id=article.issue_id)
    return render(request, "staff/article_delete.html", staff_context(request, town, article=article))


@require_GET
@login_required
def audit(request, code):
    town = municipality_for_staff_or_404(request.user, code)
    entries = AuditEntry.objects.filter(municipality=town).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.action_label = audit_action_label(entry.action)
        entry.summary_display = audit_summary_display(entry.action, entry.summary)
    return render(request, "staff/audit.html", staff_context(request, town, page=page))


def _distributions(town, responses):
    questions = {q.key: q for q in survey_questions_for(town)}
    return [
        (questions[key], charts.share_bars_svg(bars, label=questions[key].text), bars)
        for key in (Key.HELPFUL, Key.CLARITY)
        for bars in [stats.answer_distribution(responses, key, questions[key].choices)]
    ]


@require_GET
@login_required
def dashboard(request, code):
    town = municipality_for_staff_or_404(request.user, code)
    days = _period(request)
    today = timezone.localdate()
    since = today - timedelta(days=days - 1)
    daily = stats.views_per_day(ArticleDailyViews.objects.for_municipality(town), since=since, until=today)
    responses = stats.responses_for(town).filter(created_at__date__gte=since)
    articles = list(
        stats.articles_with_stats(town, since=since).filter(views__gt=0).order_by("-views", "-pk")[:20]
    )
    issues = list(stats.issues_with_stats(town, since=since).order_by("-published_on", "-pk")[:12])
    context = staff_context(
        request, town,
        days=days, periods=PERIODS, since=since, today=today,
        total_views=sum(v for _, v in daily),
        total_responses=responses.count(),
        daily=daily,
        daily_chart=charts.daily_bars_svg(daily, label=_("日別の閲覧数(過去%(days)s日)") % {"days": days}),
        distributions=_distributions(town, responses),
        articles=articles,
        issues=issues,
        comments=list(responses.with_comment().with_article()[:5]),
        search_misses=search_misses_for(town, since=since, limit=20),
    )
    return render(request, "staff/dashboard.html", context)


@require_GET
@login_required
def article_stats(request, code, article_id):
    town = municipality_for_staff_or_404(request.user, code)
    article = _article_or_404(town, article_id)
    days = _period(request)
    today = timezone.localdate()
    since = today - timedelta(days=days - 1)
    daily = stats.views_per_day(ArticleDailyViews.objects.filter(article=article), since=since, until=today)
    responses = article.survey_responses.all()
    context = staff_context(
        request, town,
        article=article, days=days, periods=PERIODS,
        total_views=sum(v for _, v in daily),
        daily=daily,
        daily_chart=charts.daily_bars_svg(daily, label=_("日別の閲覧数(過去%(days)s日)") % {"days": days}),
        total_responses=responses.count(),
        distributions=_distributions(town, responses),
        comments=list(responses.with_comment()[:100]),
    )
    return render(request, "staff/article_stats.html", context)


@require_GET
@login_required
def comments(request, code):
    town = municipality_for_staff_or_404(request.user, code)
    responses = stats.responses_for(town).with_comment().with_article()
    page = Paginator(responses, 50).get_page(request.GET.get("page"))
    return render(request, "staff/comments.html", staff_context(request, town, page=page))


def _csv_response(request, write, town, name: str) -> HttpResponse:
    buffer = io.StringIO()
    write(town, buffer, by=request.user)
    # The byte-order mark lets spreadsheet software open UTF-8 Japanese correctly.
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    filename = f"{name}-{town.code}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def export_survey(request, code):
    town = municipality_for_staff_or_404(request.user, code, action=Action.EXPORT)
    return _csv_response(request, survey_responses_csv, town, "survey")


@require_GET
@login_required
def export_views(request, code):
    town = municipality_for_staff_or_404(request.user, code, action=Action.EXPORT)
    return _csv_response(request, article_views_csv, town, "views")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def survey_questions(request, code):
    town = municipality_for_staff_or_404(request.user, code, action=Action.EDIT)
    forms = survey_question_forms(survey_questions_for(town), request.POST or None)
    if request.method == "POST" and all(form.is_valid() for _, form in forms):
        failed = False
        with transaction.atomic():
            for question, form in forms:
                data = form.cleaned_data
                choices = [line.strip() for line in data["choices"].splitlines() if line.strip()]
                if (data["text"], tuple(choices), data["enabled"]) == (question.text, question.choices, question.enabled):
                    continue
                try:
                    survey_question_update(
                        town, key=question.key, text=data["text"], choices=choices, enabled=data["enabled"],
                        by=request.user,
                    )
                except ValidationError as e:
                    form.add_error("choices", e)
                    failed = True
            # All questions or none: the form shows what to fix and nothing half-saved.
            transaction.set_rollback(failed)
        if not failed:
            messages.success(request, _("アンケートの設問を保存しました。"))
            return redirect("staff:survey_questions", code=town.code)
    return render(request, "staff/survey_questions.html", staff_context(request, town, forms=forms))
