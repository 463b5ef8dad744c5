from django.urls import path

from kohoshi.newsletters import feeds

from . import views

# The public pages of newsletters keep the namespace they have always had: models' absolute URLs
# and every template name them "newsletters:…".
app_name = "newsletters"
urlpatterns = [
    path("", views.home, name="home"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("about/", views.about, name="about"),
    path("for-municipalities/", views.for_municipalities, name="for_municipalities"),
    path("settings/", views.reader_settings, name="reader_settings"),
    path("feeds/latest.xml", feeds.LatestIssuesFeed(), name="feed_latest"),
    path("p/<str:code>/", views.prefecture, name="prefecture"),
    path("m/<str:code>/", views.municipality, name="municipality"),
    path("m/<str:code>/feed.xml", feeds.MunicipalityIssuesFeed(), name="feed_municipality"),
    path("m/<str:code>/<slug:newsletter>/", views.newsletter, name="newsletter"),
    path("m/<str:code>/<slug:newsletter>/<slug:issue>/", views.issue, name="issue"),
    path("m/<str:code>/<slug:newsletter>/<slug:issue>/shimen.pdf", views.issue_pdf, name="issue_pdf"),
    path("m/<str:code>/<slug:newsletter>/<slug:issue>/<int:number>/", views.article, name="article"),
]
