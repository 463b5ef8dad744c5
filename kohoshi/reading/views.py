from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from kohoshi.accounts import ratelimit
from kohoshi.engagement.services import article_view_record
from kohoshi.engagement.stats import most_read_articles
from kohoshi.places.models import Municipality, Prefecture

from kohoshi.newsletters.formatting import refers_to_paper
from kohoshi.newsletters.models import Article, Figure, Issue, Newsletter
from kohoshi.newsletters.services import pages_list

from kohoshi.newsletters.links import site_url
from kohoshi.reading_aids.feeds import VOICE_CREDIT, audio_url
from kohoshi.reading_aids.models import ArticleTranslation
from kohoshi.reading_aids.services import TranslationLimited, audio_for, furigana_for, translation_request
from kohoshi.reading_aids.translation.backends import languages as translation_languages

from . import mytown
from .context_processors import READER_SETTINGS, reader_choices
from .pagecache import beacon_mode, cached_page, issue_scope, most_read_scope, municipality_scope
from .prepared import Prepared
from .regions import REGIONS

COOKIE_MAX_AGE = 365 * 24 * 3600


def _back_numbers(issues, year: int | None = None) -> list[dict]:
    """Per newsletter of these published issues: one year of its issues (the newest year unless
    `year` is given) and the index of all its years with their counts. Two queries, whatever the
    number of newsletters, years or issues: a page's cost stays that of one year's issues
    (bench/web/large.py: 800 issues a town at 1M articles)."""
    years: dict[int, list[tuple[int, int]]] = {}
    for paper_id, issue_year, count in (
        issues.annotate(year=ExtractYear("published_on")).values_list("newsletter", "year")
        .annotate(n=Count("pk")).order_by("newsletter", "-year")
    ):
        years.setdefault(paper_id, []).append((issue_year, count))
    shown = {paper_id: year if year is not None else items[0][0] for paper_id, items in years.items()}
    listed: dict[int, list[Issue]] = {paper_id: [] for paper_id in shown}
    if shown:
        condition = Q()
        for paper_id, issue_year in shown.items():
            condition |= Q(newsletter_id=paper_id, published_on__year=issue_year)
        for issue in issues.filter(condition).select_related("newsletter").newest_first():
            listed[issue.newsletter_id].append(issue)
    return [
        {"newsletter": listed[paper_id][0].newsletter if listed[paper_id] else None, "years": years[paper_id],
         "year": shown[paper_id], "issues": listed[paper_id]}
        for paper_id in sorted(shown)
    ]


def _town_search_context(request) -> dict:
    """?town=… searches municipalities by name or reading (the form on the home page and /my-town/)."""
    query = request.GET.get("town", "").strip()
    found = mytown.municipalities_search(query) if query else []
    publishing = set(
        Issue.objects.published().filter(newsletter__municipality__in=found)
        .values_list("newsletter__municipality_id", flat=True)
    ) if found else set()
    return {"town_query": query, "town_results": [(m, m.code in publishing) for m in found]}


@require_safe
@cached_page(lambda: ["site"])
def home(request):
    latest = Issue.objects.published().with_place().newest_first()[:12]
    prefectures = {p.code: p for p in Prefecture.objects.all()}
    regions = [(name, [prefectures[c] for c in codes]) for name, codes in REGIONS]
    towns = mytown.towns_chosen(request)
    response = render(
        request,
        "newsletters/home.html",
        {
            "latest": latest, "regions": regions, "my_towns": mytown.towns_newest(towns),
            "my_town_codes": [t.code for t in towns], **_town_search_context(request),
        },
    )
    patch_vary_headers(response, ["Cookie"])  # わたしのまち (kh_towns) changes the page
    return response


def _safe_next(request, default="/") -> str:
    target = request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return default
    return target


@require_safe
def my_town(request):
    """わたしのまち without an account: ?add=CODE or ?remove=CODE keeps the choice in a cookie and
    goes back to ?next= (the home page by default); without them, the page to search, add and
    remove towns. A GET form like /settings/, so it works without JavaScript and reading pages
    carry no CSRF token."""
    codes = mytown.town_codes(request)
    add, remove = request.GET.get("add"), request.GET.get("remove")
    if add is None and remove is None:
        towns = mytown.towns_chosen(request)
        response = render(
            request, "reading/my_town.html",
            {"towns": towns, "my_town_codes": codes, "max_towns": mytown.MAX_TOWNS, **_town_search_context(request)},
        )
        patch_vary_headers(response, ["Cookie"])
        return response
    if add and Municipality.objects.filter(code=add).exists() and add not in codes:
        codes = [add, *codes][: mytown.MAX_TOWNS]
    if remove:
        codes = [c for c in codes if c != remove]
    response = HttpResponseRedirect(_safe_next(request))
    if codes:
        response.set_cookie(mytown.COOKIE, mytown.cookie_value(codes), max_age=COOKIE_MAX_AGE, samesite="Lax")
    else:
        response.delete_cookie(mytown.COOKIE, samesite="Lax")
    return response


@require_safe
def towns_json(request):
    """The municipality search as JSON, for the search box's suggestions while typing."""
    context = _town_search_context(request)
    return JsonResponse({
        "query": context["town_query"],
        "results": [
            {"code": m.code, "name": m.full_name, "kana": m.kana, "url": m.get_absolute_url(), "publishing": publishing}
            for m, publishing in context["town_results"]
        ],
    })


@require_safe
@cached_page(lambda code: ["site"])
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
@cached_page(lambda code: [municipality_scope(code), most_read_scope(code)])
def municipality(request, code):
    town = get_object_or_404(Municipality.objects.select_related("prefecture"), code=code)
    return render(
        request,
        "newsletters/municipality.html",
        {"municipality": town, "newsletters": _back_numbers(Issue.objects.published().for_municipality(town)),
         "most_read": most_read_articles(town)},
    )


@require_safe
@cached_page(lambda code, newsletter: [municipality_scope(code)])
def newsletter(request, code, newsletter):
    paper = get_object_or_404(
        Newsletter.objects.select_related("municipality__prefecture"), municipality_id=code, slug=newsletter
    )
    back = _newsletter_back_numbers(paper)
    return render(request, "newsletters/newsletter.html", {"newsletter": paper, "back": back})


def _newsletter_back_numbers(paper: Newsletter, year: int | None = None) -> dict:
    found = _back_numbers(Issue.objects.published().filter(newsletter=paper), year)
    back = found[0] if found else {"years": [], "year": year, "issues": []}
    return {**back, "newsletter": paper}


@require_safe
@cached_page(lambda code, newsletter, year: [municipality_scope(code)])
def newsletter_year(request, code, newsletter, year):
    """One year of back numbers; a year without published issues is not a page."""
    paper = get_object_or_404(
        Newsletter.objects.select_related("municipality__prefecture"), municipality_id=code, slug=newsletter
    )
    back = _newsletter_back_numbers(paper, year)
    if not back["issues"]:
        raise Http404
    return render(request, "newsletters/newsletter.html", {"newsletter": paper, "back": back, "year_page": True})


def _one_or_404(prepared: Prepared, **values):
    found = prepared(**values)
    if not found:
        raise Http404
    return found[0]


# The public issue at its URL, and its contents; compiled once (kohoshi.reading.prepared).
_ISSUE = Prepared(
    lambda code, newsletter, issue, now: Issue.objects.published(now).with_place().filter(
        newsletter__municipality_id=code, newsletter__slug=newsletter, slug=issue),
    code=Newsletter._meta.get_field("municipality"), newsletter=Newsletter._meta.get_field("slug"),
    issue=Issue._meta.get_field("slug"), now=Issue._meta.get_field("published_at"),
)
_CONTENTS = Prepared(
    lambda issue: Article.objects.filter(issue=issue).select_related("category").order_by("position"),
    issue=Article._meta.get_field("issue"),
)


def _published_issue_or_404(code, newsletter, issue) -> Issue:
    return _one_or_404(_ISSUE, code=code, newsletter=newsletter, issue=issue, now=timezone.now())


@require_safe
@cached_page(lambda code, newsletter, issue: [issue_scope(code, newsletter, issue)])
def issue(request, code, newsletter, issue):
    edition = _published_issue_or_404(code, newsletter, issue)
    articles = _CONTENTS(issue=edition.pk)
    for item in articles:
        item.issue = edition  # as edition.articles would: no query for it
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
def figure(request, code, newsletter, issue, number, figure_id):
    """A figure of a public article, once staff have described it (drafts and undescribed
    figures answer 404, like the article itself)."""
    item = get_object_or_404(
        Figure.objects.public().filter(article__in=Article.objects.published()),
        pk=figure_id,
        article__issue__newsletter__municipality_id=code,
        article__issue__newsletter__slug=newsletter,
        article__issue__slug=issue,
        article__number=number,
    )
    response = FileResponse(item.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# The public article at its URL with its issue, newsletter, place and audio, the article's
# siblings and its figures: the article page's three queries, compiled to SQL once
# (kohoshi.reading.prepared): building them was 1.2 ms of the page's 4 ms, running them 0.15 ms.
_ARTICLE = Prepared(
    lambda code, newsletter, issue, number, now: (
        Article.objects.published(now).with_place().select_related("audio")
        .annotate(has_figures=Exists(Figure.objects.public().filter(article=OuterRef("pk"))))
        .filter(issue__newsletter__municipality_id=code, issue__newsletter__slug=newsletter, issue__slug=issue,
                number=number)
    ),
    code=Newsletter._meta.get_field("municipality"), newsletter=Newsletter._meta.get_field("slug"),
    issue=Issue._meta.get_field("slug"), number=Article._meta.get_field("number"),
    now=Issue._meta.get_field("published_at"),
)
_SIBLINGS = Prepared(
    lambda issue: Article.objects.filter(issue=issue).order_by("position").values("position", "number", "title"),
    issue=Article._meta.get_field("issue"),
)
# Not Meta's article order: no joins.
_FIGURES = Prepared(
    lambda article: Figure.objects.public().filter(article=article).order_by("position"),
    article=Figure._meta.get_field("article"),
)


def _published_article(code, newsletter, issue, number) -> Article:
    """The public article at this URL (with `has_figures`); else 404."""
    return _one_or_404(_ARTICLE, code=code, newsletter=newsletter, issue=issue, number=number, now=timezone.now())


@require_safe
@cached_page(lambda code, newsletter, issue, number: [issue_scope(code, newsletter, issue)])
def article(request, code, newsletter, issue, number):
    item = _published_article(code, newsletter, issue, number)
    siblings = _SIBLINGS(issue=item.issue_id)
    index = next(i for i, s in enumerate(siblings) if s["number"] == item.number)
    description = item.plain_body
    audio = audio_for(item)
    response = render(
        request,
        "newsletters/article.html",
        {
            "article": item,
            "issue": item.issue,
            "municipality": item.issue.newsletter.municipality,
            # reversed once here, not at each of the template's 4 and 3 places
            "article_url": item.get_absolute_url(),
            "issue_url": item.issue.get_absolute_url(),
            "place": index + 1,
            "total": len(siblings),
            "previous": siblings[index - 1] if index > 0 else None,
            "next": siblings[index + 1] if index + 1 < len(siblings) else None,
            "description": description[:120] + ("…" if len(description) > 120 else ""),
            # Where the paper's page is online, link it; where the text points at the paper and
            # there is no page to open, say so instead of leaving a dead reference.
            "paper_page": next(iter(pages_list(item.pages)), None) if item.issue.source_pdf else None,
            "refers_to_paper": refers_to_paper(item.body_source),
            "figures": _FIGURES(article=item.pk) if item.has_figures else (),
            # Behind nginx (which may answer later readers from its cache) the page counts its
            # view with a beacon (article_viewed); otherwise cached_page counts it.
            "view_beacon": beacon_mode(request),
            # Reading aids: ruby stored when the article was written (None: show plain text),
            # the read-aloud audio when it is ready.
            "furigana": furigana_for(item) if reader_choices(request)["ruby"] == "on" else None,
            "audio": audio,
            "audio_url": audio_url(item) if audio else "",
            "voice_credit": VOICE_CREDIT,
            "translation_languages": translation_languages(),
        },
    )
    # cached_page counts the view (GET only: link checkers' HEAD requests are not readers), on
    # this answer and on every answer from the cache.
    response.kohoshi_article_id = item.pk
    return response


# A translated page refreshes itself this often while its translation is being made.
TRANSLATION_REFRESH_SECONDS = 5


@require_safe
@cached_page(lambda code, newsletter, issue, number, language: [issue_scope(code, newsletter, issue)])
def article_translation(request, code, newsletter, issue, number, language):
    """The article machine-translated (kohoshi.reading_aids.translation), labelled as such, with
    the Japanese original one tap away. The first request queues the translation; meanwhile the
    page says so and reloads itself, and is not cached. Not found unless translation is on and
    `language` is one of the configured ones."""
    offered = translation_languages()
    chosen = next((lang for lang in offered if lang.code == language), None)
    if chosen is None:
        raise Http404
    item = _published_article(code, newsletter, issue, number)
    context = {
        "article": item,
        "issue": item.issue,
        "municipality": item.issue.newsletter.municipality,
        "language": chosen,
        "translation_languages": offered,
    }
    limit, window = settings.KOHOSHI_TRANSLATION_RATE_LIMIT
    try:
        # New work costs the operator (a paid API, or the worker's CPU): each client may start
        # only so many translations an hour; reading made ones and reloading are free.
        row = translation_request(
            item, language,
            may_queue=lambda: ratelimit.hits_add("translate", ratelimit.client_id(request), window=window) <= limit,
        )
    except TranslationLimited:
        response = render(request, "newsletters/article_translation.html", {**context, "limited": True}, status=429)
        add_never_cache_headers(response)
        return response
    ready = row.status == ArticleTranslation.Status.READY
    response = render(
        request,
        "newsletters/article_translation.html",
        {
            **context,
            "translation": row if ready else None,
            "failed": row.status == ArticleTranslation.Status.FAILED,
            "refresh_seconds": TRANSLATION_REFRESH_SECONDS,
        },
    )
    if not ready:  # "preparing" must not outlive the translation, in kohoshi's cache or nginx's
        add_never_cache_headers(response)
    return response


@csrf_exempt  # a beacon carries no token; all it can do is count one view, as a GET of the page does
@require_POST
@never_cache
def article_viewed(request, article_id):
    """The article page's view beacon (reader.js, navigator.sendBeacon) where nginx caches pages."""
    if Article.objects.published().filter(pk=article_id).exists():
        article_view_record(article_id, user_agent=request.headers.get("User-Agent", ""))
    return HttpResponse(status=204)


@require_safe
def about(request):
    return render(request, "newsletters/about.html")


@require_safe
def for_municipalities(request):
    return render(request, "newsletters/for_municipalities.html")


@require_safe
def reader_settings(request):
    """Reader settings (READER_SETTINGS) and the language without an account: kept in cookies;
    works without JavaScript. A GET form, so reading pages carry no CSRF token and set no cookie
    themselves."""
    asked = {s: request.GET.get(s.name) for s in READER_SETTINGS}
    language = request.GET.get("language")
    if all(v is None for v in asked.values()) and language is None:
        return render(request, "newsletters/reader_settings.html", {"next": request.GET.get("next", "")})
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    for setting, value in asked.items():
        if value in setting.values:
            response.set_cookie(setting.cookie, value, max_age=COOKIE_MAX_AGE, samesite="Lax")
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
