from itertools import groupby

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.conf import settings
from django.views.decorators.http import require_safe

from kohoshi.engagement.services import article_view_record
from kohoshi.engagement.stats import most_read_articles
from kohoshi.places.models import Municipality, Prefecture

from kohoshi.newsletters.formatting import plain_text, refers_to_paper
from kohoshi.newsletters.models import Article, Issue, Newsletter
from kohoshi.newsletters.services import pages_list

from kohoshi.newsletters.links import site_url

from .context_processors import FONT_SIZES
from .regions import REGIONS

COOKIE_MAX_AGE = 365 * 24 * 3600


def _by_year(issues):
    return [(year, list(items)) for year, items in groupby(issues, key=lambda i: i.published_on.year)]


@require_safe
def home(request):
    latest = Issue.objects.published().with_place().newest_first()[:12]
    prefectures = {p.code: p for p in Prefecture.objects.all()}
    regions = [(name, [prefectures[c] for c in codes]) for name, codes in REGIONS]
    return render(request, "newsletters/home.html", {"latest": latest, "regions": regions})


@require_safe
def prefecture(request, code):
    pref = get_object_or_404(Prefecture, code=code)
    municipalities = Municipality.objects.in_prefecture(pref).select_related("prefecture")
    publishing = set(
        Issue.objects.published()
        .filter(newsletter__municipality__prefecture=pref)
        .values_list("newsletter__municipality_id", flat=True)
        .distinct()
    )
    latest = Issue.objects.published().with_place().filter(newsletter__municipality__prefecture=pref)
    return render(
        request,
        "newsletters/prefecture.html",
        {
            "prefecture": pref,
            "publishing": [m for m in municipalities if m.code in publishing],
            "others": [m for m in municipalities if m.code not in publishing],
            "latest": latest.newest_first()[:6],
        },
    )


@require_safe
def municipality(request, code):
    town = get_object_or_404(Municipality.objects.select_related("prefecture"), code=code)
    issues = list(Issue.objects.published().for_municipality(town).select_related("newsletter").newest_first())
    newsletters = [
        (newsletter, _by_year(items))
        for newsletter, items in groupby(sorted(issues, key=lambda i: (i.newsletter_id, -i.published_on.toordinal())),
                                         key=lambda i: i.newsletter)
    ]
    return render(
        request,
        "newsletters/municipality.html",
        {"municipality": town, "newsletters": newsletters, "latest": issues[:1], "most_read": most_read_articles(town)},
    )


@require_safe
def newsletter(request, code, newsletter):
    paper = get_object_or_404(
        Newsletter.objects.select_related("municipality__prefecture"), municipality_id=code, slug=newsletter
    )
    issues = Issue.objects.published().filter(newsletter=paper).select_related("newsletter").newest_first()
    return render(request, "newsletters/newsletter.html", {"newsletter": paper, "years": _by_year(issues)})


def _published_issue_or_404(code, newsletter, issue):
    return get_object_or_404(
        Issue.objects.published().with_place(),
        newsletter__municipality_id=code,
        newsletter__slug=newsletter,
        slug=issue,
    )


@require_safe
def issue(request, code, newsletter, issue):
    edition = _published_issue_or_404(code, newsletter, issue)
    articles = edition.articles.select_related("category").order_by("position")
    return render(request, "newsletters/issue.html", {"issue": edition, "articles": articles})


@require_safe
def issue_pdf(request, code, newsletter, issue):
    """紙面PDF of a public issue. Served through Django so that only published issues' files are
    reachable; MEDIA_ROOT itself is never exposed (it also holds uploads awaiting review)."""
    edition = _published_issue_or_404(code, newsletter, issue)
    if not edition.source_pdf:
        raise Http404
    filename = f"{edition.newsletter.municipality_id}-{edition.newsletter.slug}-{edition.slug}.pdf"
    return FileResponse(edition.source_pdf.open("rb"), content_type="application/pdf", filename=filename)


@require_safe
def article(request, code, newsletter, issue, number):
    item = get_object_or_404(
        Article.objects.published().with_place(),
        issue__newsletter__municipality_id=code,
        issue__newsletter__slug=newsletter,
        issue__slug=issue,
        number=number,
    )
    if request.method == "GET":  # link checkers' HEAD requests are not readers
        article_view_record(item, user_agent=request.headers.get("User-Agent", ""))
    siblings = list(item.issue.articles.order_by("position").values("position", "number", "title"))
    index = next(i for i, s in enumerate(siblings) if s["number"] == item.number)
    description = plain_text(item.body_source)
    return render(
        request,
        "newsletters/article.html",
        {
            "article": item,
            "issue": item.issue,
            "municipality": item.issue.newsletter.municipality,
            "place": index + 1,
            "total": len(siblings),
            "previous": siblings[index - 1] if index > 0 else None,
            "next": siblings[index + 1] if index + 1 < len(siblings) else None,
            "description": description[:120] + ("…" if len(description) > 120 else ""),
            # Where the paper's page is online, link it; where the text points at the paper and
            # there is no page to open, say so instead of leaving a dead reference.
            "paper_page": next(iter(pages_list(item.pages)), None) if item.issue.source_pdf else None,
            "refers_to_paper": refers_to_paper(item.body_source),
        },
    )


@require_safe
def about(request):
    return render(request, "newsletters/about.html")


@require_safe
def for_municipalities(request):
    return render(request, "newsletters/for_municipalities.html")


@require_safe
def reader_settings(request):
    """文字サイズ, contrast and language without an account: kept in cookies; works without
    JavaScript. A GET form, so reading pages carry no CSRF token and set no cookie themselves."""
    font = request.GET.get("font")
    contrast = request.GET.get("contrast")
    language = request.GET.get("language")
    if font is None and contrast is None and language is None:
        return render(request, "newsletters/reader_settings.html", {"next": request.GET.get("next", "")})
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if font in FONT_SIZES:
        response.set_cookie("kh_font", font, max_age=COOKIE_MAX_AGE, samesite="Lax")
    if contrast in ("normal", "high"):
        response.set_cookie("kh_contrast", contrast, max_age=COOKIE_MAX_AGE, samesite="Lax")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=COOKIE_MAX_AGE, samesite="Lax")
    return response


# Pages a crawler has no business in: staff, admin, the reader-settings form, surveys, endless
# search result pages and the API.
_ROBOTS_DISALLOW = ("/staff/", "/admin/", "/settings/", "/survey/", "/search/", "/api/")


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in _ROBOTS_DISALLOW), ""]
    lines.append(f"Sitemap: {site_url(request)}{reverse('sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; the icon is an SVG under a hashed
    # static name, so this redirect is temporary.
    return HttpResponseRedirect(static("kohoshi/favicon.svg"))
