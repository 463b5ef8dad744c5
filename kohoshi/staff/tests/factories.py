"""Test data for the staff and engagement suites, made through the real services."""
from datetime import date

from django.contrib.auth import get_user_model

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.services import ArticleInput, IssueInput, issue_import
from kohoshi.places.models import Municipality
from kohoshi.accounts.models import Membership, Role

TOMAKOMAI = "012131"
SAPPORO = "011002"
PASSWORD = "correct-horse-battery"


def make_issue(code=TOMAKOMAI, *, newsletter="広報テスト", day=1, n_articles=3, publish=True, title=None):
    return issue_import(
        IssueInput(
            municipality=Municipality.objects.get(code=code),
            newsletter_title=newsletter,
            title=title or f"{newsletter} 第{day}号",
            number=f"第{day}号",
            published_on=date(2024, 4, day),
            articles=[
                ArticleInput(title=f"記事{n}", category="くらし", body=f"■見出し{n}\n本文{n}です。")
                for n in range(1, n_articles + 1)
            ],
        ),
        publish=publish,
        by=SYSTEM,
    ).issue


def make_staff(username, code=TOMAKOMAI, *, role=Role.EDITOR, password=PASSWORD):
    user = get_user_model().objects.create_user(username=username, password=password)
    if code:
        Membership.objects.create(user=user, municipality_id=code, role=role)
    return user
