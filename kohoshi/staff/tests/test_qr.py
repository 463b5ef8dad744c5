"""QR codes for the printed newsletter: staff of the municipality download them as SVG and PNG;
they decode (zxing-cpp) to the article's and issue's stable public URL."""
import io
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from PIL import Image

from kohoshi.accounts.models import Role
from kohoshi.staff.tests.factories import SAPPORO, TOMAKOMAI, make_issue, make_staff

pytestmark = pytest.mark.django_db


def _client(role=Role.VIEWER, code=TOMAKOMAI):
    client = Client()
    client.force_login(make_staff(f"{role}-{code}", code, role=role))
    return client


def _decode_png(content: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(content)))
    assert len(results) == 1
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


def test_article_qr_png_decodes_to_the_stable_article_url(settings):
    settings.SITE_URL = "https://kohoshi.example.jp"
    issue = make_issue(publish=False)
    article = issue.articles.order_by("position")[1]
    response = _client().get(reverse("staff:article_qr", args=[TOMAKOMAI, article.pk, "png"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        f'attachment; filename="qr-{TOMAKOMAI}-{issue.newsletter.slug}-{issue.slug}-{article.number}.png"'
    )
    assert _decode_png(response.content) == "https://kohoshi.example.jp" + article.get_absolute_url()


def test_issue_qr_comes_as_svg_and_png_with_the_same_url(client):
    issue = make_issue()
    staff = _client()
    svg = staff.get(reverse("staff:issue_qr", args=[TOMAKOMAI, issue.pk, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}desc").text == "http://testserver" + issue.get_absolute_url()
    png = staff.get(reverse("staff:issue_qr", args=[TOMAKOMAI, issue.pk, "png"]))
    assert _decode_png(png.content) == "http://testserver" + issue.get_absolute_url()


def test_qr_of_another_municipality_or_unknown_format_is_not_found():
    theirs = make_issue(SAPPORO)
    staff = _client()
    assert staff.get(reverse("staff:issue_qr", args=[SAPPORO, theirs.pk, "png"])).status_code == 404
    assert staff.get(reverse("staff:issue_qr", args=[TOMAKOMAI, theirs.pk, "png"])).status_code == 404
    article = theirs.articles.first()
    assert staff.get(reverse("staff:article_qr", args=[TOMAKOMAI, article.pk, "svg"])).status_code == 404
    mine = make_issue(day=2)
    assert staff.get(reverse("staff:issue_qr", args=[TOMAKOMAI, mine.pk, "gif"])).status_code == 404


def test_qr_needs_a_log_in(client):
    issue = make_issue()
    response = client.get(reverse("staff:issue_qr", args=[TOMAKOMAI, issue.pk, "png"]))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_staff_issue_page_offers_the_downloads(client):
    issue = make_issue()
    html = _client().get(reverse("staff:issue", args=[TOMAKOMAI, issue.pk])).content.decode()
    assert reverse("staff:issue_qr", args=[TOMAKOMAI, issue.pk, "svg"]) in html
    for article in issue.articles.all():
        assert reverse("staff:article_qr", args=[TOMAKOMAI, article.pk, "png"]) in html
