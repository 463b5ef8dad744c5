import pytest
from django.test import Client
from django.urls import reverse

from kohoshi.staff.tests.factories import PASSWORD, make_staff

pytestmark = pytest.mark.django_db
LOGIN = reverse("staff:login")


def login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_staff_pages_send_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("staff:home"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_login_page_is_japanese_with_labelled_fields(client):
    html = client.get(LOGIN).content.decode()
    assert "スタッフのログイン" in html
    assert '<label for="id_username">' in html and '<label for="id_password">' in html


def test_staff_member_logs_in_and_lands_on_staff_home(client):
    make_staff("tomakomai")
    response = login(client, "tomakomai", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("staff:home")


def test_repeated_failures_lock_the_account_even_for_the_right_password(client):
    make_staff("tomakomai")
    for _ in range(5):
        assert "正しくありません" in login(client, "tomakomai", "wrong-password").content.decode()
    response = login(Client(REMOTE_ADDR="198.51.100.9"), "tomakomai", PASSWORD)
    assert response.status_code == 200
    assert "しばらくの間ログインできません" in response.content.decode()


def test_lockout_of_one_user_name_leaves_others_alone(client):
    make_staff("tomakomai")
    make_staff("sapporo", "011002")
    for _ in range(5):
        login(client, "tomakomai", "wrong-password", REMOTE_ADDR="198.51.100.1")
    assert login(Client(), "sapporo", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_one_client_trying_many_user_names_is_locked_out(client, settings):
    settings.KOHOSHI_LOGIN_LIMITS = {"per_client": 3}
    make_staff("tomakomai")
    for n in range(3):
        login(client, f"guess{n}", "wrong-password")
    assert "しばらくの間ログインできません" in login(client, "tomakomai", PASSWORD).content.decode()
    assert login(Client(REMOTE_ADDR="198.51.100.3"), "tomakomai", PASSWORD).status_code == 302


def test_successful_login_resets_the_failure_count(client):
    make_staff("tomakomai")
    for _ in range(4):
        login(client, "tomakomai", "wrong-password")
    assert login(client, "tomakomai", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, "tomakomai", "wrong-password")
    assert login(client, "tomakomai", PASSWORD).status_code == 302


def test_logout_needs_post_and_ends_the_session(client):
    client.force_login(make_staff("tomakomai"))
    assert client.get(reverse("staff:logout")).status_code == 405
    client.post(reverse("staff:logout"))
    assert client.get(reverse("staff:home")).status_code == 302


def test_a_stranger_cannot_lock_the_owner_out_of_a_browser_that_logged_in_before(client):
    make_staff("tomakomai")
    assert login(client, "tomakomai", PASSWORD).status_code == 302  # the owner's own browser
    client.post(reverse("staff:logout"))
    stranger = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(10):
        login(stranger, "tomakomai", "wrong-password")
    assert "しばらくの間ログインできません" in login(stranger, "tomakomai", PASSWORD).content.decode()
    assert "しばらくの間ログインできません" in login(Client(), "tomakomai", PASSWORD).content.decode()
    assert login(client, "tomakomai", PASSWORD).status_code == 302, "the owner's known browser gets in"


def test_a_known_browser_has_its_own_failure_limit(client):
    make_staff("tomakomai")
    login(client, "tomakomai", PASSWORD)
    client.post(reverse("staff:logout"))
    for _ in range(5):
        login(client, "tomakomai", "wrong-password")
    assert "しばらくの間ログインできません" in login(client, "tomakomai", PASSWORD).content.decode()


def test_a_known_device_cookie_helps_only_its_own_account(client):
    make_staff("tomakomai")
    make_staff("sapporo", "011002")
    login(client, "tomakomai", PASSWORD)
    client.post(reverse("staff:logout"))
    for _ in range(5):
        login(Client(REMOTE_ADDR="203.0.113.7"), "sapporo", "wrong-password")
    assert "しばらくの間ログインできません" in login(client, "sapporo", PASSWORD).content.decode()
    client.cookies["kh_known_device"] = "forged:value"
    for _ in range(5):
        login(Client(REMOTE_ADDR="203.0.113.8"), "tomakomai", "wrong-password")
    assert "しばらくの間ログインできません" in login(client, "tomakomai", PASSWORD).content.decode()
