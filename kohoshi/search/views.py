from django.shortcuts import render

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
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "results": results,
            "search_query": request.GET.get("q", ""),
            "page_query": query.urlencode(),
            "filters_active": form.is_bound and form.is_valid() and form.filters().active,
        },
        status=200,
    )
