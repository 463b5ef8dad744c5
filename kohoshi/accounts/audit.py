from .models import AuditEntry


def audit_record(*, actor, action: str, target, municipality=None, summary: str = "") -> AuditEntry:
    """Write one audit row; call it inside the transaction of the change it records."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        municipality=municipality,
        action=action,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        summary=summary[:500],
    )
