"""Staff accounts: who acts for which municipality. Article and issue writes (edit, reorder,
delete, publish) live in kohoshi.newsletters.services."""
from django.contrib.auth import get_user_model
from django.db import transaction

from .audit import audit_record
from .models import Membership


def staff_member_add(*, username: str, municipality, role, password: str | None = None, email: str = ""):
    """Give a user (made if missing) a role for a municipality; returns (membership, created)."""
    with transaction.atomic():
        user, user_created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
        if password is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
        elif user_created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership, created = Membership.objects.update_or_create(
            user=user, municipality=municipality, defaults={"role": role}
        )
        audit_record(
            actor=None, action="membership.add" if created else "membership.change", target=membership,
            municipality=municipality, summary=f"{username}: {role}",
        )
    return membership, created
