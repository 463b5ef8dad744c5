"""The audit log reads in Japanese: every action code a service writes has a label, roles and
survey keys appear by name, and times are Japan time."""
import re
from datetime import datetime, timezone as dt_timezone
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from kohoshi.accounts.models import AuditEntry, Role
from kohoshi.accounts.services import staff_member_add
from kohoshi.engagement.services import survey_question_update
from kohoshi.places.models import Municipality
from kohoshi.staff.audit_labels import ACTION_LABELS
from kohoshi.staff.tests.factories import TOMAKOMAI, make_issue, make_staff

PACKAGE = Path(__file__).resolve().parents[2]
CODE = re.compile(r"""action\s*=\s*(?:f?"([a-z_.{}]+)"(?:\s+if\s+.+?\s+else\s+"([a-z_.]+)")?)""")


def written_action_codes() -> set[str]:
    """Every action code passed to audit_record(action=…) outside the tests; f-strings are
    expanded by hand below, so a new one fails until it is listed."""
    codes = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "audit_record(" not in text:
            continue
        for match in CODE.finditer(text):
            codes.update(code for code in match.groups() if code and "." in code)
    expanded = {"issue.import.{outcome}": {"issue.import.created", "issue.import.updated"}}
    return set().union(*(expanded.get(code, {code}) for code in codes))


def test_every_action_code_written_has_a_japanese_label():
    codes = written_action_codes()
    assert {"issue.publish", "issue.unpublish", "article.edit", "ingest.upload", "membership.add"} <= codes
    assert codes - ACTION_LABELS.keys() == set()


@pytest.mark.django_db
def test_audit_page_shows_labels_role_names_and_japan_time():
    town = Municipality.objects.get(code=TOMAKOMAI)
    issue = make_issue()
    user = make_staff("kato", role=Role.PUBLISHER)
    client = Client()
    client.force_login(user)
    client.post(reverse("staff:issue_unpublish", args=[TOMAKOMAI, issue.pk]), {"confirm": "1"})
    staff_member_add(username="suzuki", municipality=town, role=Role.PUBLISHER)
    survey_question_update(town, key="helpful", text="役に立ちましたか", choices=["はい", "どちらとも", "いいえ"], enabled=True,
                           by=user)
    entry = AuditEntry.objects.get(action="membership.add")
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=datetime(2024, 4, 1, 0, 30, tzinfo=dt_timezone.utc))

    html = client.get(reverse("staff:audit", args=[TOMAKOMAI])).content.decode()

    assert "号を非公開に" in html and "担当者を追加" in html and "アンケートの設問を変更" in html
    assert "suzuki: 編集と公開ができる" in html
    assert "役に立ちましたか: 役に立ちましたか" in html
    for code in ("issue.unpublish", "membership.add", "survey.question", "publisher", "helpful"):
        assert code not in html
    assert "2024年4月1日9:30" in html and 'datetime="2024-04-01T09:30:00+09:00"' in html
