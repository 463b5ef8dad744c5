import pytest
from django.core.exceptions import ValidationError

from kohoshi.accounts.policy import SYSTEM
from kohoshi.newsletters.services import (
    article_delete, article_update, issue_publish, issue_reorder, issue_unpublish,
)
from kohoshi.newsletters.signals import issue_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    seen = []

    def listener(sender, issue_id, event, **kwargs):
        seen.append((issue_id, event))

    issue_changed.connect(listener)
    yield seen
    issue_changed.disconnect(listener)


def test_each_change_is_announced_once_after_commit(issue, events, django_capture_on_commit_callbacks):
    a, b, c = issue.articles.order_by("position")
    with django_capture_on_commit_callbacks(execute=True):
        article_update(a, by=SYSTEM, title="新しい題", category=a.category, body="本文です。")
        issue_reorder(issue, by=SYSTEM, article_ids=[c.pk, a.pk, b.pk])
        article_delete(b, by=SYSTEM)
        issue_unpublish(issue, by=SYSTEM)
        issue_publish(issue, by=SYSTEM)
    assert events == [(issue.pk, e) for e in ("edit", "edit", "edit", "unpublish", "publish")]


def test_a_change_that_rolls_back_is_not_announced(issue, events, django_capture_on_commit_callbacks):
    a = issue.articles.first()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        article_update(a, by=SYSTEM, title=" ", category=a.category, body="本文")
    assert events == []


def test_a_failing_listener_neither_blocks_the_write_nor_the_others(issue, events, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("listener down")

    issue_changed.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            issue_unpublish(issue, by=SYSTEM)
    finally:
        issue_changed.disconnect(broken)
    issue.refresh_from_db()
    assert issue.status == issue.Status.DRAFT
    assert events == [(issue.pk, "unpublish")]
