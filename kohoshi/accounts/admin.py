from django.contrib import admin

from .models import AuditEntry, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "municipality__name", "municipality__code"]
    raw_id_fields = ["municipality"]
    autocomplete_fields = ["user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log records what happened; nobody edits it afterwards."""

    list_display = ["created_at", "municipality", "actor", "action", "target_type", "target_id", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "municipality__code", "actor__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
