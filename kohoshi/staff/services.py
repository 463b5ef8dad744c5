"""Staff edits to articles: each one atomic, re-rendered, reindexed and audited.

Publishing and unpublishing issues are `kohoshi.newsletters.services.issue_publish` /
`issue_unpublish`; the staff views call those directly.
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from kohoshi.newsletters.formatting import render_body
from kohoshi.newsletters.models import Article, Category, Issue
from kohoshi.search import indexing

from .audit import audit_record
from .models import Membership


def _locked_issue(issue_id: int) -> Issue:
    return Issue.objects.select_for_update().select_related("newsletter__municipality").get(pk=issue_id)


def article_update(article: Article, *, by, title: str, category: Category, body: str) -> Article:
    """Change an article's title, category and body; the HTML and the search index follow."""
    title = title.strip()
    if not title:
        raise ValidationError("タイトルを入力してください")
    if not body.strip():
        raise ValidationError("本文を入力してください")
    with transaction.atomic():
        issue = _locked_issue(article.issue_id)
        article = Article.objects.select_for_update().get(pk=article.pk)
        changed = [
            label
            for label, old, new in (
                ("タイトル", article.title, title),
                ("カテゴリ", article.category_id, category.pk),
                ("本文", article.body_source, body),
            )
            if old != new
        ]
        article.title = title
        article.category = category
        article.body_source = body
        article.body_html = render_body(body)
        article.save()
        indexing.index_issue(issue)
        audit_record(
            actor=by, action="article.edit", target=article, municipality=issue.newsletter.municipality,
            summary=f"{issue.title} / {article.title}: {'・'.join(changed) or '変更なし'}",
        )
    return article


def issue_reorder(issue: Issue, *, by, article_ids: list[int]) -> Issue:
    """Put the issue's articles in the given order (positions 1..N). Numbers, and URLs, stay."""
    with transaction.atomic():
        issue = _locked_issue(issue.pk)
        articles = {a.pk: a for a in issue.articles.all()}
        if sorted(article_ids) != sorted(articles):
            raise ValidationError("記事の並びが号の記事と一致しません")
        moved = []
        for position, pk in enumerate(article_ids, start=1):
            article = articles[pk]
            if article.position != position:
                article.position = position
                moved.append(article)
        Article.objects.bulk_update(moved, ["position"])
        if moved:
            indexing.index_issue(issue)
            audit_record(
                actor=by, action="issue.reorder", target=issue, municipality=issue.newsletter.municipality,
                summary=f"{issue.title}: {len(moved)}件の掲載順を変更",
            )
    return issue


def article_delete(article: Article, *, by) -> None:
    """Delete an article and close the gap in the positions. A public issue keeps at least one."""
    with transaction.atomic():
        issue = _locked_issue(article.issue_id)
        article = Article.objects.get(pk=article.pk)
        remaining = list(issue.articles.exclude(pk=article.pk).order_by("position"))
        if not remaining and issue.status == Issue.Status.PUBLISHED:
            raise ValidationError("公開中の号の最後の記事は削除できません。先に号を非公開にしてください")
        indexing.unindex_articles([article.pk])
        audit_record(
            actor=by, action="article.delete", target=article, municipality=issue.newsletter.municipality,
            summary=f"{issue.title} / {article.title}",
        )
        article.delete()
        for position, other in enumerate(remaining, start=1):
            other.position = position
        Article.objects.bulk_update(remaining, ["position"])
        indexing.index_issue(issue)


def staff_member_add(*, username: str, municipality, role, password: str | None = None, email: str = ""):
    """Give a user (made if missing) a role for a municipality; returns (membership, created)."""
    with transaction.atomic():
        user, user_created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
        if password is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
        elif user_created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership, created = Membership.objects.update_or_create(
            user=user, municipality=municipality, defaults={"role": role}
        )
        audit_record(
            actor=None, action="membership.add" if created else "membership.change", target=membership,
            municipality=municipality, summary=f"{username}: {role}",
        )
    return membership, created
