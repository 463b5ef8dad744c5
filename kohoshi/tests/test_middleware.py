"""Site-wide request checks and response headers (kohoshi/middleware.py), over HTTP."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/m/142123%00/",
        "/search/?q=%00",
        "/search/?q=%E5%AD%90%00",
        "/search/?muni=142123%00&q=x",
        "/search/?cat=%00&q=x",
        "/?next=%00",
        "/%00",
        "/api/v1/search/?q=%00",
        "/staff/login/?next=%00",
    ],
)
def test_nul_in_path_or_query_is_a_400_not_a_500(client, url):
    response = client.get(url)
    assert response.status_code in (400, 404)


def test_nul_in_form_body_is_a_400(client, issue):
    response = client.post("/staff/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400


def test_nul_in_a_cookie_is_a_400(client):
    # Django unquotes "\000" in a quoted cookie value to NUL; the session lookup would pass it on.
    response = client.get("/staff/", HTTP_COOKIE='sessionid="\\000abcdefghijklmnop"')
    assert response.status_code == 400
