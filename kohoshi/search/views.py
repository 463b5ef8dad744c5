from django.conf import settings
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from kohoshi.accounts.ratelimit import client_id

from .forms import SearchForm
from .services import search_articles, search_miss_record


def search(request):
    """GET /search/?q=… — the public search page."""
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        d = form.cleaned_data
        filters = form.filters()
        results = search_articles(
            d["q"], filters=filters, order=d.get("order") or "relevance", page=d.get("page") or 1
        )
        if results.understood and results.count == 0 and results.page == 1:
            search_miss_record(d["q"], municipality_code=filters.municipality, client=client_id(request))
    query = request.GET.copy()
    query.pop("page", None)
    # The same condition as a feed (/feeds/search.xml and .atom take q, muni and cat).
    feed_query, feed_category = "", None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        condition = {"q": d["q"].strip(), "muni": d["muni"].code if d.get("muni") else "",
                     "cat": d["cat"].slug if d.get("cat") else ""}
        feed_query = urlencode({k: v for k, v in condition.items() if v})
        feed_category = d.get("cat")
    response = render(
        request,
        "search/results.html",
        {
            "form": form,
            "results": results,
            "search_query": request.GET.get("q", ""),
            "page_query": query.urlencode(),
            "feed_query": feed_query,
            "feed_category": feed_category,
            "filters_active": form.is_bound and form.is_valid() and form.filters().active,
        },
        status=200,
    )
    # A public page like the articles: nginx may keep it for the micro-cache's moment (a burst of
    # readers searching the same word after a disaster notice is answered once a second). Without
    # it, nginx's cache lock queued every identical search behind the one in flight.
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.KOHOSHI_MICROCACHE_SECONDS}"
    patch_vary_headers(response, ("Cookie",))
    return response
