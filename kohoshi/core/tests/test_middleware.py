"""Site-wide request checks and response headers (kohoshi/core/middleware.py), over HTTP."""
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


# ------------------------------------------------------------------------------ headers (#10)

PUBLIC_URLS = ["/", "/about/", "/search/?q=子育て", "/feeds/latest.xml", "/sitemap.xml", "/api/v1/search?q=x",
               "/static/kohoshi/site.css", "/no-such-page/"]


@pytest.mark.parametrize("url", PUBLIC_URLS + ["/staff/login/", "/admin/login/"])
def test_every_response_has_csp_and_permissions_policy(client, issue, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_the_shimen_pdf_keeps_the_browsers_viewer_working(client, tmp_path, settings):
    from django.core.files.base import ContentFile

    from kohoshi.staff.tests.factories import make_issue

    settings.MEDIA_ROOT = tmp_path
    issue = make_issue(day=3)
    issue.source_pdf.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    response = client.get(issue.get_absolute_url() + "shimen.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_may_be_cached(client, issue, url):
    assert "no-store" not in client.get(url).get("Cache-Control", "")


def test_staff_pages_csv_exports_and_admin_are_not_stored(client, issue):
    from kohoshi.accounts.models import Membership, Role
    from kohoshi.staff.tests.factories import make_staff

    assert "no-store" in client.get("/staff/login/")["Cache-Control"]
    assert "no-store" in client.get("/admin/login/")["Cache-Control"]
    viewer = make_staff("viewer", role=Role.VIEWER)
    # Of two municipalities, so that /staff/ is the picker (staff of one are redirected).
    Membership.objects.create(user=viewer, municipality_id="011002", role=Role.VIEWER)
    client.force_login(viewer)
    for url in ("/staff/", "/staff/m/012131/", "/staff/m/012131/export/survey.csv", "/staff/m/012131/export/views.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_no_template_has_inline_script_or_style():
    """What the CSP forbids must not be in the templates (script-src/style-src 'self')."""
    import re
    from pathlib import Path

    import kohoshi

    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)
    templates = Path(kohoshi.__file__).parent.glob("**/templates/**/*.html")
    offenders = [str(p) for p in templates if inline.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


# --------------------------------------------------------------------------- request bodies (#10)

def test_anonymous_200_mb_body_is_refused_with_413_before_it_is_read(client, issue):
    response = client.generic(
        "POST", "/survey/a/1/", b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413


def test_anonymous_small_post_is_not_refused_for_size(client, issue):
    response = client.post("/staff/login/", {"username": "a", "password": "b"})
    assert response.status_code != 413


def test_signed_in_staff_may_send_a_50_mb_upload_but_not_200_mb(client, issue):
    from kohoshi.staff.tests.factories import make_staff

    client.force_login(make_staff("editor"))
    big = client.generic(
        "POST", "/staff/m/012131/ingest/", b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024 + 4096),
    )
    assert big.status_code != 413
    huge = client.generic(
        "POST", "/staff/m/012131/ingest/", b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert huge.status_code == 413
