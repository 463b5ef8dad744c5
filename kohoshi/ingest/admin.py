from django.contrib import admin

from .models import IngestRun


@admin.register(IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    """Read-only: runs change state only through kohoshi.ingest.runs (staff pages, CLI, task)."""

    list_display = ["pk", "issue_title", "municipality", "status", "pages_done", "pages_total", "created_at"]
    list_filter = ["status", "needs_ocr"]
    search_fields = ["newsletter_title", "number", "original_filename", "municipality__name"]
    list_select_related = ["municipality"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
