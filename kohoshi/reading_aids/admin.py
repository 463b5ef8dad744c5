from django.contrib import admin

from .models import ArticleTranslation, NameReading
from .services import names_changed


@admin.register(NameReading)
class NameReadingAdmin(admin.ModelAdmin):
    """The municipality's readings of place and personal names. Saving or deleting one makes that
    municipality's furigana and audio again in the background (services.names_changed)."""

    list_display = ("surface", "reading", "municipality", "updated_at")
    list_filter = ("municipality__prefecture",)
    search_fields = ("surface", "reading", "municipality__name")
    raw_id_fields = ("municipality",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        names_changed(obj.municipality_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        names_changed(obj.municipality_id)

    def delete_queryset(self, request, queryset):
        towns = set(queryset.values_list("municipality_id", flat=True))
        super().delete_queryset(request, queryset)
        for town in towns:
            names_changed(town)


@admin.register(ArticleTranslation)
class ArticleTranslationAdmin(admin.ModelAdmin):
    """Machine translations as made by the backend (read only): the status and, for a failure,
    the backend's error. Deleting one makes it again on the next reader's request."""

    list_display = ("article", "language", "status", "backend", "error", "updated_at")
    list_filter = ("status", "language", "backend")
    search_fields = ("article__title", "title")
    raw_id_fields = ("article",)
    readonly_fields = ("article", "language", "source_hash", "status", "title", "body_html", "backend", "error",
                       "requested_at", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
