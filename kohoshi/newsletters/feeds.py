"""RSS 2.0 and Atom feeds: new issues (everywhere, per municipality) and articles (per
newsletter, per category, per search condition). Every article feed comes in both formats:
`<name>.xml` is RSS, `<name>.atom` is Atom."""
import re

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode

from kohoshi.places.models import Municipality
from kohoshi.search.services import SearchFilters, search_articles

from .models import Article, Category, Issue, Newsletter

ITEMS = 30
# Characters XML 1.0 cannot carry; a query naming one would make the feed unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class LatestIssuesFeed(Feed):
    title = "kohoshi 新着の広報紙"
    description = "全国の自治体の広報紙の新しい号"

    def link(self):
        return reverse("newsletters:home")

    def items(self):
        return Issue.objects.published().with_place().newest_first()[:ITEMS]

    def item_title(self, item):
        return f"{item.newsletter.municipality.full_name} {item.title}"

    def item_description(self, item):
        return f"{item.newsletter.title} {item.published_on:%Y年%-m月%-d日}発行"

    def item_pubdate(self, item):
        return item.issued_at


class MunicipalityIssuesFeed(LatestIssuesFeed):
    def get_object(self, request, code):
        return get_object_or_404(Municipality.objects.select_related("prefecture"), code=code)

    def title(self, obj):
        return f"{obj.full_name}の広報紙"

    def description(self, obj):
        return f"{obj.full_name}が発行する広報紙の新しい号"

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return Issue.objects.published().for_municipality(obj).with_place().newest_first()[:ITEMS]


class ArticlesFeed(Feed):
    """Articles, newest issue first; subclasses say which."""

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        text = item.plain_body
        return text[:200] + ("…" if len(text) > 200 else "")

    def item_pubdate(self, item):
        return item.issue.issued_at

    def item_author_name(self, item):
        return item.issue.newsletter.municipality.full_name

    def item_categories(self, item):
        return [item.category.name] if item.category_id else []

    def item_guid_is_permalink(self, item):
        return True

    def _newest(self, articles):
        return (
            articles.with_place()
            .select_related("category")
            .order_by("-issue__published_on", "-issue_id", "position")[:ITEMS]
        )


class NewsletterArticlesFeed(ArticlesFeed):
    def get_object(self, request, code, newsletter):
        return get_object_or_404(
            Newsletter.objects.select_related("municipality__prefecture"), municipality_id=code, slug=newsletter
        )

    def title(self, obj):
        return f"{obj.municipality.full_name} {obj.title}"

    def description(self, obj):
        return f"{obj.municipality.full_name}の{obj.title}の記事"

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self._newest(Article.objects.published().filter(issue__newsletter=obj))


class CategoryArticlesFeed(ArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj):
        return f"kohoshi {obj.name}の記事"

    def description(self, obj):
        return f"全国の広報紙から、{obj.name}の記事"

    def link(self, obj):
        return f"{reverse('search:search')}?{urlencode({'cat': obj.slug})}"

    def items(self, obj):
        return self._newest(Article.objects.published().filter(category=obj))


class SearchArticlesFeed(ArticlesFeed):
    """Any search condition as a feed: ?q= (the search language) &muni= &cat=, the same
    parameters as /search/. With a query, the newest matches from `search_articles`; without
    one, the newest articles of the municipality and/or category."""

    def get_object(self, request):
        q = _NOT_XML.sub("", request.GET.get("q", "")).strip()[:200]
        muni = request.GET.get("muni", "").strip()
        cat = request.GET.get("cat", "").strip()
        town = get_object_or_404(Municipality, code=muni) if muni else None
        category = get_object_or_404(Category, slug=cat) if cat else None
        if not (q or town or category):
            raise Http404("a feed needs q, muni or cat")
        return {"q": q, "town": town, "category": category}

    def title(self, obj):
        parts = [f"「{obj['q']}」" if obj["q"] else "", obj["town"].full_name if obj["town"] else "",
                 obj["category"].name if obj["category"] else ""]
        return "kohoshi " + " ".join(p for p in parts if p) + " の記事"

    def description(self, obj):
        return "kohoshi の検索条件に合う広報紙の記事"

    def link(self, obj):
        return f"{reverse('search:search')}?{_condition_query(obj)}"

    def items(self, obj):
        if obj["q"]:
            filters = SearchFilters(
                municipality=obj["town"].code if obj["town"] else None,
                category=obj["category"].slug if obj["category"] else None,
            )
            return [hit.article for hit in search_articles(obj["q"], filters=filters, order="newest", per_page=ITEMS).hits]
        articles = Article.objects.published()
        if obj["town"]:
            articles = articles.filter(issue__newsletter__municipality=obj["town"])
        if obj["category"]:
            articles = articles.filter(category=obj["category"])
        return self._newest(articles)


def _condition_query(obj) -> str:
    params = {"q": obj["q"], "muni": obj["town"].code if obj["town"] else "",
              "cat": obj["category"].slug if obj["category"] else ""}
    return urlencode({k: v for k, v in params.items() if v})


class _Atom:
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)


class NewsletterArticlesAtom(_Atom, NewsletterArticlesFeed):
    pass


class CategoryArticlesAtom(_Atom, CategoryArticlesFeed):
    pass


class SearchArticlesAtom(_Atom, SearchArticlesFeed):
    pass
