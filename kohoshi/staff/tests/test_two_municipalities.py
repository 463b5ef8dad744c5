"""The issue's definition of done: two municipalities' staff each publish and see only their own
results; a reader's answer shows in the dashboard and in the CSV."""
import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from kohoshi.engagement.services import article_views_flush
from kohoshi.search.services import search_miss_record
from kohoshi.accounts.models import Role
from kohoshi.staff.tests.factories import PASSWORD, SAPPORO, TOMAKOMAI, make_issue, make_staff

pytestmark = pytest.mark.django_db
READER_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


def logged_in(username, code):
    make_staff(username, code, role=Role.PUBLISHER)
    client = Client()
    assert client.post(reverse("staff:login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("code,other", [(TOMAKOMAI, SAPPORO), (SAPPORO, TOMAKOMAI)])
def test_each_municipality_publishes_and_sees_only_its_own_readers(code, other):
    staff = {TOMAKOMAI: logged_in("tomakomai", TOMAKOMAI), SAPPORO: logged_in("sapporo", SAPPORO)}
    issues = {c: make_issue(c, newsletter=f"広報{c}", publish=False) for c in (TOMAKOMAI, SAPPORO)}
    for c, issue in issues.items():
        assert staff[c].post(reverse("staff:issue_publish", args=[c, issue.pk]), {"at": ""}).status_code == 302

    for c, issue in issues.items():
        article = issue.articles.first()
        reader = Client(HTTP_USER_AGENT=READER_UA)
        assert reader.get(article.get_absolute_url()).status_code == 200
        survey = reverse("engagement:survey", args=[article.pk])
        reader.post(survey, {"helpful": "役に立った", "clarity": "わかりやすかった", "comment": f"{c}の読者より"})
    search_miss_record("除雪", municipality_code=code)
    article_views_flush(everything=True)  # what the web server does every few seconds

    dashboard = staff[code].get(reverse("staff:dashboard", args=[code])).content.decode()
    assert f"{code}の読者より" in dashboard and f"{other}の読者より" not in dashboard
    assert 'data-testid="total-views">1<' in dashboard and 'data-testid="total-responses">1<' in dashboard
    assert "除雪" in dashboard
    assert "除雪" not in staff[other].get(reverse("staff:dashboard", args=[other])).content.decode()

    exported = staff[code].get(reverse("staff:export_survey", args=[code])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert [r[10] for r in rows[1:]] == [f"{code}の読者より"]

    assert staff[code].get(reverse("staff:dashboard", args=[other])).status_code == 404
    assert staff[code].get(reverse("staff:export_survey", args=[other])).status_code == 404
