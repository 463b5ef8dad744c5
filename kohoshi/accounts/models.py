"""Who may act for which municipality, and what they did: infrastructure every app may use."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohoshi.places.models import Municipality


class Role(models.TextChoices):
    """Ordered: each role may do what the ones before it may."""

    VIEWER = "viewer", _("閲覧")
    EDITOR = "editor", _("編集")
    PUBLISHER = "publisher", _("公開")

    @classmethod
    def at_least(cls, role: "Role") -> list[str]:
        order = [cls.VIEWER, cls.EDITOR, cls.PUBLISHER]
        return [r.value for r in order[order.index(role) :]]


class Membership(models.Model):
    """A staff member acts for a municipality in one role. Site administrators are superusers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("権限"), max_length=12, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "staff_membership"  # moved from the staff app; the table kept its name
        verbose_name = _("担当者")
        verbose_name_plural = _("担当者")
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality"], name="membership_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.municipality_id} ({self.role})"


class AuditEntry(models.Model):
    """Who changed what, when: edits, publishes and deletions by staff (and imports)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    action = models.CharField(_("操作"), max_length=40)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=40)
    summary = models.CharField(_("内容"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "staff_auditentry"  # moved from the staff app; the table kept its name
        ordering = ["-created_at", "-pk"]
        verbose_name = _("操作記録")
        verbose_name_plural = _("操作記録")

    def __str__(self) -> str:
        # Local time (Asia/Tokyo), as on every staff page; the admin lists entries by this.
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"
