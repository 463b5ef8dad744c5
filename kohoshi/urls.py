from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from kohoshi.core.health import healthz
from kohoshi.newsletters.sitemaps import SITEMAPS
from kohoshi.staff.forms import StaffAuthenticationForm


class AdminLoginForm(StaffAuthenticationForm, AdminAuthenticationForm):
    """The admin's log-in counts failures and locks out like the staff log-in (same counters)."""


admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("kohoshi.reading.urls")),
    path("", include("kohoshi.reading_aids.urls")),
    path("search/", include("kohoshi.search.urls")),
    path("api/", include("kohoshi.api.urls")),
    path("staff/", include("kohoshi.staff.urls")),
    path("survey/", include("kohoshi.engagement.urls")),
    path("subscriptions/", include("kohoshi.subscriptions.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("admin/", admin.site.urls),
]
