from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.i18n import set_language

from kohoshi.newsletters.sitemaps import SITEMAPS

urlpatterns = [
    path("", include("kohoshi.newsletters.urls")),
    path("search/", include("kohoshi.search.urls")),
    path("api/", include("kohoshi.api.urls")),
    path("staff/ingest/", include("kohoshi.ingest.urls")),
    path("staff/", include("kohoshi.staff.urls")),
    path("survey/", include("kohoshi.engagement.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("admin/", admin.site.urls),
]
