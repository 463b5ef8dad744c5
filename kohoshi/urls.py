from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from kohoshi.newsletters.sitemaps import SITEMAPS

urlpatterns = [
    path("", include("kohoshi.reading.urls")),
    path("search/", include("kohoshi.search.urls")),
    path("api/", include("kohoshi.api.urls")),
    path("staff/", include("kohoshi.staff.urls")),
    path("survey/", include("kohoshi.engagement.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("admin/", admin.site.urls),
]
