"""The admin's log-in is throttled like the staff log-in (password guessing)."""
import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_repeated_admin_login_failures_lock_the_account_even_for_the_right_password(client):
    get_user_model().objects.create_superuser("root", password="correct-horse-battery")
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "root", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": "correct-horse-battery"})
    assert response.status_code == 200
    assert "しばらくの間ログインできません" in response.content.decode()


def test_admin_login_still_works_and_refuses_non_staff(client):
    get_user_model().objects.create_superuser("root", password="correct-horse-battery")
    get_user_model().objects.create_user("reader", password="correct-horse-battery")
    assert client.post("/admin/login/", {"username": "reader", "password": "correct-horse-battery"}).status_code == 200
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": "correct-horse-battery"})
    assert response.status_code == 302
