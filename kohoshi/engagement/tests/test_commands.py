import csv
import io

import pytest
from django.core.management import CommandError, call_command

from kohoshi.engagement.services import survey_response_create
from kohoshi.staff.tests.factories import SAPPORO, make_issue

pytestmark = pytest.mark.django_db


def test_survey_export_prints_the_municipalitys_responses_as_csv(article):
    survey_response_create(article, helpful="役に立った", clarity="ふつう", comment="改行\nを含む意見", area="市町村内")
    survey_response_create(make_issue(SAPPORO).articles.first(), comment="札幌")
    out = io.StringIO()
    call_command("survey_export", "--municipality", "012131", stdout=out, stderr=io.StringIO())
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:3] == ["回答ID", "回答日時", "自治体コード"]
    assert len(rows) == 2
    assert rows[1][7:] == [article.title, "役に立った", "ふつう", "改行\nを含む意見", "", "市町村内"]


def test_survey_export_refuses_an_unknown_municipality():
    with pytest.raises(CommandError):
        call_command("survey_export", "--municipality", "999999")
