import pytest

from kohoshi.accounts.policy import SYSTEM
from django.core.exceptions import PermissionDenied, ValidationError

from kohoshi.newsletters.formatting import plain_text
from kohoshi.newsletters.models import Article, Category
from kohoshi.newsletters.services import (
    article_delete, article_update, issue_reorder, issue_unpublish, newsletter_create,
)
from kohoshi.accounts.models import AuditEntry, Role
from kohoshi.staff.tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_article_update_rerenders_body_and_writes_audit_row(article):
    editor = make_staff("editor")
    article_update(article, by=editor, title="新しい題", category=Category.objects.get(name="子育て"),
                   body="■新しい見出し\n新しい本文です。")
    article.refresh_from_db()
    assert article.title == "新しい題" and article.category.name == "子育て"
    assert "新しい見出し" in article.body_html and "<h2" in article.body_html
    assert article.body_text == "新しい見出し\n\n新しい本文です。"  # no ■ marker: read by search, feeds, the page's description
    entry = AuditEntry.objects.get(action="article.edit")
    assert (entry.actor, entry.municipality_id, entry.target_id) == (editor, "012131", str(article.pk))
    assert "タイトル" in entry.summary and "本文" in entry.summary


def test_article_update_refuses_empty_title(article):
    with pytest.raises(ValidationError):
        article_update(article, by=SYSTEM, title="  ", category=article.category, body="本文")
    assert not AuditEntry.objects.filter(action="article.edit").exists()


def test_issue_reorder_sets_positions_and_keeps_numbers(issue):
    a, b, c = issue.articles.order_by("position")
    issue_reorder(issue, by=SYSTEM, article_ids=[c.pk, a.pk, b.pk])
    order = list(issue.articles.order_by("position").values_list("pk", "position", "number"))
    assert order == [(c.pk, 1, c.number), (a.pk, 2, a.number), (b.pk, 3, b.number)]
    assert AuditEntry.objects.filter(action="issue.reorder").count() == 1


def test_issue_reorder_refuses_a_list_that_is_not_the_issues_articles(issue):
    a, b, _ = issue.articles.order_by("position")
    with pytest.raises(ValidationError):
        issue_reorder(issue, by=SYSTEM, article_ids=[b.pk, a.pk])
    assert list(issue.articles.order_by("position").values_list("position", flat=True)) == [1, 2, 3]


def test_article_delete_closes_the_gap_in_positions(issue):
    a, b, c = issue.articles.order_by("position")
    article_delete(b, by=SYSTEM)
    assert list(issue.articles.order_by("position").values_list("pk", "position")) == [(a.pk, 1), (c.pk, 2)]
    assert AuditEntry.objects.get(action="article.delete").summary.endswith(b.title)


def test_article_delete_refuses_the_last_article_of_a_public_issue(issue):
    a, b, c = issue.articles.order_by("position")
    article_delete(a, by=SYSTEM)
    article_delete(b, by=SYSTEM)
    with pytest.raises(ValidationError):
        article_delete(c, by=SYSTEM)
    issue_unpublish(issue, by=SYSTEM)
    article_delete(Article.objects.get(pk=c.pk), by=SYSTEM)
    assert not issue.articles.exists()


def test_articles_rerender_is_a_dry_run_until_applied(article):
    from kohoshi.newsletters.services import articles_rerender

    Article.objects.filter(pk=article.pk).update(body_html="<p>古い規則の出力</p>")
    assert articles_rerender(apply=False) == 1
    assert Article.objects.get(pk=article.pk).body_html == "<p>古い規則の出力</p>"
    assert articles_rerender(apply=True) == 1
    assert Article.objects.get(pk=article.pk).body_html != "<p>古い規則の出力</p>"
    assert articles_rerender(apply=True) == 0
    # the plain text follows the same rules
    Article.objects.filter(pk=article.pk).update(body_text="古いテキスト")
    assert articles_rerender(apply=True) == 1
    assert Article.objects.get(pk=article.pk).body_text == plain_text(article.body_source)
    # stored before the column existed: empty until render_bodies --apply, read from the source meanwhile
    Article.objects.filter(pk=article.pk).update(body_text="")
    assert Article.objects.get(pk=article.pk).plain_body == plain_text(article.body_source) != ""


def test_newsletter_create_refuses_a_retyped_existing_title_and_records_a_new_one(issue):
    town = issue.newsletter.municipality
    editor = make_staff("editor-nl", town.code)
    with pytest.raises(ValidationError):
        newsletter_create(municipality=town, title=f" {issue.newsletter.title.replace('テスト', 'テスト ')}", by=editor)
    made = newsletter_create(municipality=town, title="議会だより", by=editor)
    assert made.slug == "koho-2"
    assert AuditEntry.objects.filter(action="newsletter.create", actor=editor, summary="議会だより").exists()


def test_newsletter_create_needs_the_edit_role(issue):
    viewer = make_staff("viewer-nl", issue.newsletter.municipality.code, role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        newsletter_create(municipality=issue.newsletter.municipality, title="議会だより", by=viewer)
