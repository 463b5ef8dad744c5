"""The accounts policy is checked again by the services, not only by the views: whoever calls a
service that publishes, deletes or exports, without the role for that municipality, is refused
and nothing changes."""
import io
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from kohoshi.accounts.models import AuditEntry, Role
from kohoshi.accounts.policy import SYSTEM, Action, can
from kohoshi.engagement.exports import article_views_csv, survey_responses_csv
from kohoshi.ingest import runs
from kohoshi.ingest.models import IngestRun
from kohoshi.newsletters.models import Article, Issue
from kohoshi.newsletters.services import (
    ArticleInput,
    IssueInput,
    article_delete,
    issue_import,
    issue_publish,
    issue_unpublish,
)
from kohoshi.places.models import Municipality
from kohoshi.staff.tests.factories import SAPPORO, TOMAKOMAI, make_issue, make_staff

pytestmark = pytest.mark.django_db


def _outsiders():
    return {
        "nobody": None,
        "anonymous": AnonymousUser(),
        "no membership": make_staff("stranger", code=None),
        "viewer": make_staff("viewer", role=Role.VIEWER),
        "editor": make_staff("editor", role=Role.EDITOR),
        "publisher elsewhere": make_staff("sapporo", code=SAPPORO, role=Role.PUBLISHER),
    }


def _import(by):
    town = Municipality.objects.get(code=TOMAKOMAI)
    data = IssueInput(
        municipality=town, newsletter_title="広報テスト", title="第9号", published_on=date(2024, 9, 1),
        articles=[ArticleInput(title="記事", category="くらし", body="本文")],
    )
    return issue_import(data, by=by, publish=True)


def _ingest_publish(by):
    draft = make_issue(publish=False, day=2)
    run = IngestRun.objects.create(
        municipality_id=TOMAKOMAI, newsletter_title="広報テスト", published_on=date(2024, 4, 2),
        source_pdf="private/ingest/x.pdf", status=IngestRun.Status.NEEDS_REVIEW, issue=draft,
    )
    return runs.ingest_run_publish(run, by=by)


PUBLISHING = {
    "issue_publish": lambda by: issue_publish(make_issue(publish=False, day=3), by=by),
    "issue_import(publish=True)": _import,
    "ingest_run_publish": _ingest_publish,
}


@pytest.mark.parametrize("service", PUBLISHING)
def test_no_service_publishes_for_a_user_without_the_publish_role(service):
    for who, user in _outsiders().items():
        before = AuditEntry.objects.filter(action__in=["issue.publish", "issue.schedule"]).count()
        with pytest.raises(PermissionDenied):
            PUBLISHING[service](user)
        assert not Issue.objects.published().exists(), f"{service} published for {who}"
        assert AuditEntry.objects.filter(action__in=["issue.publish", "issue.schedule"]).count() == before


def test_a_publisher_of_the_municipality_and_the_system_may_publish():
    assert issue_publish(make_issue(publish=False, day=4), by=make_staff("pub", role=Role.PUBLISHER)).is_public()
    assert _import(SYSTEM).issue.is_public()


def test_unpublish_delete_and_export_refuse_users_without_the_role():
    issue = make_issue()
    article = issue.articles.first()
    town = issue.newsletter.municipality
    for who, user in _outsiders().items():
        with pytest.raises(PermissionDenied):
            issue_unpublish(issue, by=user)
        if who not in ("editor",):
            with pytest.raises(PermissionDenied):
                article_delete(article, by=user)
            if who not in ("viewer",):
                for export in (survey_responses_csv, article_views_csv):
                    with pytest.raises(PermissionDenied):
                        export(town, io.StringIO(), by=user)
    assert Issue.objects.get(pk=issue.pk).is_public() and Article.objects.filter(pk=article.pk).exists()


def test_roles_allow_exactly_their_actions():
    town = Municipality.objects.get(code=TOMAKOMAI)
    users = {role: make_staff(f"u-{role}", role=role) for role in Role.values}
    allowed = {role: {a for a in Action if can(user, town, a)} for role, user in users.items()}
    assert allowed == {
        "viewer": {Action.VIEW, Action.EXPORT},
        "editor": {Action.VIEW, Action.EXPORT, Action.EDIT, Action.DELETE},
        "publisher": set(Action),
    }
