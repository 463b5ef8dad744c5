"""Who may do what for which municipality: the one policy, used by views and checked again by
the services that publish, delete and export.

Tenancy by construction: every staff lookup starts from the municipalities a user may act for;
"not yours" and "not found" are the same 404.
"""
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kohoshi.places.models import Municipality

from .models import Membership, Role


class Action(StrEnum):
    VIEW = "view"  # the workspace, dashboards, comments, the audit log
    EXPORT = "export"  # CSV exports of views and survey answers
    EDIT = "edit"  # article edits, reordering, PDF upload and review, survey wording
    DELETE = "delete"  # deleting an article
    PUBLISH = "publish"  # publishing, scheduling and unpublishing an issue


# The least role that may take each action (roles are ordered: each may do what the ones before may).
REQUIRED_ROLE = {
    Action.VIEW: Role.VIEWER,
    Action.EXPORT: Role.VIEWER,
    Action.EDIT: Role.EDITOR,
    Action.DELETE: Role.EDITOR,
    Action.PUBLISH: Role.PUBLISHER,
}


class SystemActor:
    """The command line and background jobs: the operator of the installation, who may act for
    every municipality. Audit rows record no user for it. Services refuse `by=None`, so a caller
    has to say that it acts as the system."""

    is_authenticated = False
    is_active = True
    is_superuser = False
    pk = None

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def _acts_everywhere(user) -> bool:
    """The system, and active site administrators, act for every municipality as publishers."""
    return user is SYSTEM or (getattr(user, "is_superuser", False) and user.is_active)


def _may_hold_memberships(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def role_of(user, municipality) -> str | None:
    """The user's role for the municipality (site administrators are publishers everywhere)."""
    if _acts_everywhere(user):
        return Role.PUBLISHER
    if not _may_hold_memberships(user):
        return None
    municipality_id = getattr(municipality, "pk", municipality)
    return Membership.objects.filter(user=user, municipality_id=municipality_id).values_list("role", flat=True).first()


def role_allows(role: str | None, action: Action) -> bool:
    return role is not None and role in Role.at_least(REQUIRED_ROLE[Action(action)])


def can(user, municipality, action: Action) -> bool:
    return role_allows(role_of(user, municipality), action)


def require(user, municipality, action: Action) -> None:
    """Raise PermissionDenied unless the user may take the action for the municipality."""
    if not can(user, municipality, action):
        raise PermissionDenied(f"{user} may not {action} for {getattr(municipality, 'pk', municipality)}")


def municipalities_for(user, *, action: Action = Action.VIEW):
    if _acts_everywhere(user):
        return Municipality.objects.all()
    if not _may_hold_memberships(user):
        return Municipality.objects.none()
    return Municipality.objects.filter(
        memberships__user=user, memberships__role__in=Role.at_least(REQUIRED_ROLE[Action(action)])
    ).distinct()


def municipality_for_staff_or_404(user, code: str, *, action: Action = Action.VIEW) -> Municipality:
    municipality = municipalities_for(user, action=action).select_related("prefecture").filter(code=code).first()
    if municipality is None:
        raise Http404
    return municipality
