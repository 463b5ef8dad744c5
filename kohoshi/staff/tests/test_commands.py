import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from kohoshi.accounts.models import AuditEntry, Membership

pytestmark = pytest.mark.django_db


def test_staff_add_creates_a_user_with_a_role(capsys):
    call_command("staff_add", "tomakomai", "--municipality", "012131", "--role", "publisher",
                 "--password", "kohoshi-Tomakomai-2024")
    membership = Membership.objects.get(user__username="tomakomai")
    assert (membership.municipality_id, membership.role) == ("012131", "publisher")
    assert authenticate(username="tomakomai", password="kohoshi-Tomakomai-2024")
    assert AuditEntry.objects.filter(action="membership.add", municipality_id="012131").exists()
    assert "created" in capsys.readouterr().out


def test_staff_add_gives_an_existing_user_a_second_municipality():
    call_command("staff_add", "shared", "--municipality", "012131", "--password", "kohoshi-Shared-2024")
    call_command("staff_add", "shared", "--municipality", "011002", "--role", "viewer")
    assert set(Membership.objects.values_list("municipality_id", "role")) == {("012131", "editor"), ("011002", "viewer")}
    assert authenticate(username="shared", password="kohoshi-Shared-2024")


def test_staff_add_refuses_a_weak_password_and_an_unknown_municipality():
    with pytest.raises(CommandError):
        call_command("staff_add", "weak", "--municipality", "012131", "--password", "12345")
    with pytest.raises(CommandError):
        call_command("staff_add", "nowhere", "--municipality", "999999", "--password", "kohoshi-Shared-2024")
    assert not Membership.objects.exists()
