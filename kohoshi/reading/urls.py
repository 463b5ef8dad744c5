from django.urls import path, register_converter

from kohoshi.newsletters import feeds

from .pagecache import cached_page, municipality_scope

from . import pwa, views

# The public pages of newsletters keep the namespace they have always had: models' absolute URLs
# and every template name them "newsletters:…".
app_name = "newsletters"


class YearConverter:
    """A four-digit year; issue slugs are dates (2025-05-01), so the two never meet."""
    regex = "[1-9][0-9]{3}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


register_converter(YearConverter, "year")
urlpatterns = [
    path("", views.home, name="home"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("about/", views.about, name="about"),
    path("for-municipalities/", views.for_municipalities, name="for_municipalities"),
    path("settings/", views.reader_settings, name="reader_settings"),
    path("feeds/latest.xml", cached_page(lambda: ["site"])(feeds.LatestIssuesFeed()), name="feed_latest"),
    path("v/<int:article_id>/", views.article_viewed, name="article_viewed"),
    path("my-town/", views.my_town, name="my_town"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("kirinuki/", pwa.kirinuki, name="kirinuki"),
    path("my-town/search.json", views.towns_json, name="towns_json"),
    path("feeds/search.xml", feeds.SearchArticlesFeed(), name="feed_search"),
    path("feeds/search.atom", feeds.SearchArticlesAtom(), name="feed_search_atom"),
    path("feeds/category/<slug:slug>.xml", feeds.CategoryArticlesFeed(), name="feed_category"),
    path("feeds/category/<slug:slug>.atom", feeds.CategoryArticlesAtom(), name="feed_category_atom"),
    path("p/<str:code>/", views.prefecture, name="prefecture"),
    path("m/<str:code>/", views.municipality, name="municipality"),
    path("m/<str:code>/feed.xml", cached_page(lambda code: [municipality_scope(code)])(feeds.MunicipalityIssuesFeed()), name="feed_municipality"),
    path("m/<str:code>/<slug:newsletter>/", views.newsletter, name="newsletter"),
    path("m/<str:code>/<slug:newsletter>/feed.xml", feeds.NewsletterArticlesFeed(), name="feed_newsletter"),
    path("m/<str:code>/<slug:newsletter>/feed.atom", feeds.NewsletterArticlesAtom(), name="feed_newsletter_atom"),
    path("m/<str:code>/<slug:newsletter>/<year:year>/", views.newsletter_year, name="newsletter_year"),
    path("m/<str:code>/<slug:newsletter>/<slug:issue>/", views.issue, name="issue"),
    path("m/<str:code>/<slug:newsletter>/<slug:issue>/shimen.pdf", views.issue_pdf, name="issue_pdf"),
    path("m/<str:code>/<slug:newsletter>/<slug:issue>/<int:number>/", views.article, name="article"),
    path("m/<str:code>/<slug:newsletter>/<slug:issue>/<int:number>/<slug:language>/", views.article_translation, name="article_translation"),
    path("m/<str:code>/<slug:newsletter>/<slug:issue>/<int:number>/figures/<int:figure_id>.jpg", views.figure, name="figure"),
]
