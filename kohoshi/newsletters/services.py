"""Every write to newsletters, issues and articles goes through here."""
import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kohoshi.places.models import Municipality
from kohoshi.search import indexing
from kohoshi.accounts.audit import audit_record

from .formatting import render_body
from .models import Article, Category, Issue, Newsletter

DEFAULT_CATEGORY = "その他"


@dataclass(frozen=True)
class ArticleInput:
    title: str
    category: str
    body: str
    pages: str = ""


@dataclass(frozen=True)
class IssueInput:
    municipality: Municipality
    newsletter_title: str
    title: str
    published_on: date
    articles: list[ArticleInput] = field(default_factory=list)
    number: str = ""

    def fingerprint(self) -> str:
        data = {
            "municipality": self.municipality.code,
            "newsletter": self.newsletter_title,
            "title": self.title,
            "number": self.number,
            "published_on": self.published_on.isoformat(),
            "articles": [asdict(a) for a in self.articles],
        }
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class ImportResult:
    issue: Issue
    outcome: str  # "created", "updated" or "unchanged"
    warnings: list[str]


def newsletter_get_or_create(*, municipality: Municipality, title: str) -> Newsletter:
    """The municipality's newsletter of that title; a new one gets the slug koho, koho-2, …"""
    newsletter = Newsletter.objects.filter(municipality=municipality, title=title).first()
    if newsletter:
        return newsletter
    taken = set(Newsletter.objects.filter(municipality=municipality).values_list("slug", flat=True))
    slug = next(s for s in ("koho", *(f"koho-{n}" for n in range(2, 1000))) if s not in taken)
    return Newsletter.objects.create(municipality=municipality, title=title, slug=slug)


def issue_slug_allocate(newsletter: Newsletter, published_on: date) -> str:
    """The issue's URL name: its date, with -2, -3 … when the newsletter has one that day already."""
    base = published_on.isoformat()
    taken = set(Issue.objects.filter(newsletter=newsletter, slug__startswith=base).values_list("slug", flat=True))
    return next(s for s in (base, *(f"{base}-{n}" for n in range(2, 1000))) if s not in taken)


def issue_locked_or_new(newsletter: Newsletter, *, title: str, published_on: date) -> Issue:
    """The newsletter's issue of that date and title, locked until the transaction ends; or a new,
    unsaved one with its URL name. Imports and PDF ingest find an issue again this way."""
    issue = (
        Issue.objects.select_for_update()
        .filter(newsletter=newsletter, published_on=published_on, title=title)
        .first()
    )
    if issue is None:
        issue = Issue(
            newsletter=newsletter,
            title=title,
            published_on=published_on,
            slug=issue_slug_allocate(newsletter, published_on),
        )
    return issue


def category_for_name(name: str, warnings: list[str] | None = None) -> Category:
    name = (name or "").strip()
    category = Category.objects.filter(name=name).first() if name else None
    if category is None:
        if name and warnings is not None:
            warnings.append(f"カテゴリ「{name}」は未登録のため「{DEFAULT_CATEGORY}」にしました")
        category = Category.objects.get(name=DEFAULT_CATEGORY)
    return category


def issue_import(data: IssueInput, *, publish: bool = True, credit: str | None = None) -> ImportResult:
    """Create or update one issue with its articles, atomically and idempotently.

    The issue is found again by newsletter, date and title. Importing the same content twice
    changes nothing; changed content updates articles in place by position, so article numbers
    (and their URLs) stay. A given `credit` (licence attribution) is set on the newsletter.
    """
    if not data.articles:
        raise ValidationError("記事が1件もありません")
    fingerprint = data.fingerprint()
    warnings: list[str] = []
    with transaction.atomic():
        newsletter = newsletter_get_or_create(municipality=data.municipality, title=data.newsletter_title)
        if credit is not None and newsletter.credit != credit:
            newsletter.credit = credit
            newsletter.save(update_fields=["credit"])
        issue = issue_locked_or_new(newsletter, title=data.title, published_on=data.published_on)
        if issue.pk and issue.source_hash == fingerprint:
            return ImportResult(issue, "unchanged", warnings)
        outcome = "updated" if issue.pk else "created"
        issue.number = data.number
        issue.source_hash = fingerprint
        if publish and issue.status != Issue.Status.PUBLISHED:
            issue.status = Issue.Status.PUBLISHED
            issue.published_at = timezone.now()
        issue.save()
        _articles_replace(issue, data.articles, warnings)
        indexing.index_issue(issue)
    return ImportResult(issue, outcome, warnings)


def _articles_replace(issue: Issue, articles: list[ArticleInput], warnings: list[str]) -> None:
    existing = {a.position: a for a in issue.articles.all()}
    next_number = max((a.number for a in existing.values()), default=0) + 1
    removed = [a.pk for pos, a in existing.items() if pos > len(articles)]
    if removed:
        indexing.unindex_articles(removed)
        Article.objects.filter(pk__in=removed).delete()
    for position, item in enumerate(articles, start=1):
        article = existing.get(position)
        if article is None:
            article = Article(issue=issue, position=position, number=next_number)
            next_number += 1
        article.title = item.title
        article.category = category_for_name(item.category, warnings)
        article.body_source = item.body
        article.body_html = render_body(item.body)
        article.pages = item.pages
        article.save()


def _locked_issue(issue_id: int) -> Issue:
    return Issue.objects.select_for_update().select_related("newsletter__municipality").get(pk=issue_id)


def issue_publish(issue: Issue, *, by, at=None) -> Issue:
    """Make an issue public now, or at `at` (scheduled). Refuses an issue without articles."""
    with transaction.atomic():
        issue = _locked_issue(issue.pk)
        if not issue.articles.exists():
            raise ValidationError("記事のない号は公開できません")
        issue.status = Issue.Status.PUBLISHED
        issue.published_at = at or timezone.now()
        issue.save(update_fields=["status", "published_at", "updated_at"])
        indexing.index_issue(issue)
        audit_record(
            actor=by,
            action="issue.schedule" if at and at > timezone.now() else "issue.publish",
            target=issue,
            municipality=issue.newsletter.municipality,
            summary=f"{issue.title} ({issue.published_at:%Y-%m-%d %H:%M})",
        )
    return issue


def issue_unpublish(issue: Issue, *, by) -> Issue:
    with transaction.atomic():
        issue = _locked_issue(issue.pk)
        issue.status = Issue.Status.DRAFT
        issue.published_at = None
        issue.save(update_fields=["status", "published_at", "updated_at"])
        indexing.index_issue(issue)
        audit_record(
            actor=by, action="issue.unpublish", target=issue, municipality=issue.newsletter.municipality,
            summary=issue.title,
        )
    return issue


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
