"""What every staff page shares: the municipality it acts for and what the user may do there."""
from kohoshi.accounts.policy import Action, role_allows, role_of


def staff_context(request, town, **extra) -> dict:
    role = role_of(request.user, town)
    return {
        "municipality": town,
        "role": role,
        "can_edit": role_allows(role, Action.EDIT),
        "can_publish": role_allows(role, Action.PUBLISH),
        **extra,
    }
