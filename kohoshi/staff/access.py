"""Tenancy by construction: every staff lookup starts from the municipalities a user may act for.

"Not yours" and "not found" are the same 404.
"""
from django.http import Http404

from kohoshi.places.models import Municipality

from .models import Role


def municipalities_for(user, *, role: Role = Role.VIEWER):
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.all()
    return Municipality.objects.filter(
        memberships__user=user, memberships__role__in=Role.at_least(role)
    ).distinct()


def municipality_for_staff_or_404(user, code: str, *, role: Role = Role.VIEWER) -> Municipality:
    municipality = municipalities_for(user, role=role).select_related("prefecture").filter(code=code).first()
    if municipality is None:
        raise Http404
    return municipality
