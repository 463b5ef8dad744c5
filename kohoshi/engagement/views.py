from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kohoshi.newsletters.models import Article

from kohoshi.accounts import ratelimit
from .forms import SurveyForm
from .questions import survey_questions_for
from .services import survey_response_create

# One answer per browser per article: the articles answered, in a signed cookie sent only to
# /survey/ (reading pages stay cookie-free).
ANSWERED_COOKIE = "kh_survey"
ANSWERED_SALT = "kohoshi.engagement.answered"
ANSWERED_MAX = 300
ANSWERED_MAX_AGE = 2 * 365 * 24 * 3600


def _rate_limit() -> tuple[int, int]:
    """(answers, seconds) per client; generous enough for a family sharing one address."""
    return getattr(settings, "KOHOSHI_SURVEY_RATE_LIMIT", (30, 600))


def _answered(request) -> list[int]:
    value = request.get_signed_cookie(ANSWERED_COOKIE, default="", salt=ANSWERED_SALT)
    return [int(v) for v in value.split(",") if v.isdigit()]


def _set_answered(response, request, answered: list[int]) -> None:
    response.set_signed_cookie(
        ANSWERED_COOKIE,
        ",".join(str(a) for a in answered[-ANSWERED_MAX:]),
        salt=ANSWERED_SALT,
        max_age=ANSWERED_MAX_AGE,
        path="/survey/",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _published_article_or_404(article_id: int) -> Article:
    return get_object_or_404(Article.objects.published().with_place(), pk=article_id)


@require_http_methods(["GET", "HEAD", "POST"])
def survey(request, article_id):
    article = _published_article_or_404(article_id)
    municipality = article.issue.newsletter.municipality
    context = {"article": article, "issue": article.issue, "municipality": municipality}
    answered = _answered(request)
    if article.pk in answered:
        return render(request, "engagement/survey_answered.html", context)
    questions = survey_questions_for(municipality)
    if request.method != "POST":
        return render(request, "engagement/survey.html", {**context, "form": SurveyForm(questions=questions)})

    limit, window = _rate_limit()
    if ratelimit.hits_add("survey", ratelimit.client_id(request), window=window) > limit:
        return render(request, "engagement/survey_limited.html", context, status=429)
    form = SurveyForm(request.POST, questions=questions)
    if form.is_spam():
        # Look like success, store nothing: the bot learns nothing to adapt to.
        return redirect("engagement:thanks", article_id=article.pk)
    if not form.is_valid():
        return render(request, "engagement/survey.html", {**context, "form": form}, status=400)
    survey_response_create(article, **form.answers())
    response = redirect("engagement:thanks", article_id=article.pk)
    _set_answered(response, request, [*answered, article.pk])
    return response


@require_GET
def thanks(request, article_id):
    article = _published_article_or_404(article_id)
    return render(
        request,
        "engagement/thanks.html",
        {"article": article, "issue": article.issue, "municipality": article.issue.newsletter.municipality},
    )
