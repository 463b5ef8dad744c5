"""Every write to newsletters, issues and articles goes through here: imports, PDF drafts, staff
edits and review edits alike. Each service runs in one transaction with its audit row and search
indexing, and checks the accounts policy for the actor `by` (a user, or accounts.policy.SYSTEM
for the command line and background jobs)."""
import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from kohoshi.accounts.audit import audit_record
from kohoshi.accounts.policy import Action, require
from kohoshi.places.models import Municipality
from kohoshi.search import indexing

from .formatting import plain_text, render_body
from .models import Article, Category, Figure, Issue, Newsletter
from .signals import issue_changed_on_commit

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
    return newsletter or _newsletter_new(municipality, title)


def _newsletter_new(municipality: Municipality, title: str) -> Newsletter:
    taken = set(Newsletter.objects.filter(municipality=municipality).values_list("slug", flat=True))
    slug = next(s for s in ("koho", *(f"koho-{n}" for n in range(2, 1000))) if s not in taken)
    return Newsletter.objects.create(municipality=municipality, title=title, slug=slug)


def _title_key(title: str) -> str:
    return "".join(unicodedata.normalize("NFKC", title).split()).casefold()


def newsletter_create(*, municipality: Municipality, title: str, by) -> Newsletter:
    """A new newsletter, made on purpose by staff (an upload otherwise names one that exists).

    Refuses a title that differs from one of the municipality's newsletters only in spaces or in
    full- and half-width characters: that is the same newsletter typed again, not a new one.
    """
    require(by, municipality, Action.EDIT)
    title = title.strip()
    if not title:
        raise ValidationError("広報紙の名前を入れてください")
    with transaction.atomic():
        for existing in Newsletter.objects.filter(municipality=municipality).select_for_update():
            if _title_key(existing.title) == _title_key(title):
                raise ValidationError(
                    "「%(title)s」はすでにあります。一覧から選んでください", params={"title": existing.title}
                )
        newsletter = _newsletter_new(municipality, title)
        audit_record(actor=by, action="newsletter.create", target=newsletter, municipality=municipality, summary=title)
    return newsletter


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


def _issue_for(data: IssueInput, *, credit: str | None = None) -> Issue:
    newsletter = newsletter_get_or_create(municipality=data.municipality, title=data.newsletter_title)
    if credit is not None and newsletter.credit != credit:
        newsletter.credit = credit
        newsletter.save(update_fields=["credit"])
    return issue_locked_or_new(newsletter, title=data.title, published_on=data.published_on)


def _issue_fill(issue: Issue, data: IssueInput, *, source_hash: str, warnings: list[str]) -> None:
    issue.number = data.number
    issue.source_hash = source_hash
    issue.save()
    _articles_replace(issue, data.articles, warnings)


def issue_import(data: IssueInput, *, by, publish: bool = True, credit: str | None = None) -> ImportResult:
    """Create or update one issue with its articles, atomically and idempotently.

    The issue is found again by newsletter, date and title. Importing the same content twice
    changes nothing; changed content updates articles in place by position, so article numbers
    (and their URLs) stay. A given `credit` (licence attribution) is set on the newsletter.
    Publishing goes through the same audited path as a publish by staff.
    """
    if not data.articles:
        raise ValidationError("記事が1件もありません")
    require(by, data.municipality, Action.PUBLISH if publish else Action.EDIT)
    fingerprint = data.fingerprint()
    warnings: list[str] = []
    with transaction.atomic():
        issue = _issue_for(data, credit=credit)
        if issue.pk and issue.source_hash == fingerprint:
            return ImportResult(issue, "unchanged", warnings)
        outcome = "updated" if issue.pk else "created"
        _issue_fill(issue, data, source_hash=fingerprint, warnings=warnings)
        audit_record(
            actor=by, action=f"issue.import.{outcome}", target=issue, municipality=data.municipality,
            summary=f"{issue.title}: {len(data.articles)}件の記事",
        )
        if publish and issue.status != Issue.Status.PUBLISHED:
            _publish(issue, by=by)
        else:
            indexing.index_issue(issue)
        issue_changed_on_commit(issue.pk, "import")
    return ImportResult(issue, outcome, warnings)


def issue_draft_replace(data: IssueInput, *, source_hash: str, by) -> tuple[Issue, list[str]]:
    """A DRAFT issue holding exactly these articles, for review (PDF ingest); an existing draft
    of the same newsletter, date and title is filled again in place. Refused when that issue is
    already public, so the same source never makes two public issues."""
    require(by, data.municipality, Action.EDIT)
    warnings: list[str] = []
    with transaction.atomic():
        issue = _issue_for(data)
        if issue.pk and issue.status != Issue.Status.DRAFT:
            raise ValidationError(
                f"同じ発行日・タイトルの号「{issue.title}」はすでに公開されています。"
                "読み込み直すには、先にその号の公開を取り消してください"
            )
        _issue_fill(issue, data, source_hash=source_hash, warnings=warnings)
        indexing.index_issue(issue)
        issue_changed_on_commit(issue.pk, "draft")
    return issue, warnings


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
        article.category = category_for_name(item.category, warnings)
        article.pages = item.pages
        _article_write(article, title=item.title, body=item.body)


def _article_write(article: Article, *, title: str, body: str) -> None:
    """The one place an article's text is set: the HTML and the plain text are made from the source here."""
    article.title = title
    article.body_source = body
    article.body_html = render_body(article.body_source, municipality=article.issue.newsletter.municipality)
    article.body_text = plain_text(article.body_source)
    article.save()


def _recorded(issue: Issue, *, by, action: str, target, summary: str) -> None:
    """How every edit ends: the issue's search documents follow it, and an audit row says who
    did what (both inside the edit's transaction)."""
    indexing.index_issue(issue)
    audit_record(actor=by, action=action, target=target, municipality=issue.newsletter.municipality, summary=summary)
    issue_changed_on_commit(issue.pk, "unpublish" if action == "issue.unpublish" else "edit")


def _locked_issue(issue_id: int) -> Issue:
    return Issue.objects.select_for_update().select_related("newsletter__municipality").get(pk=issue_id)


def _publish(issue: Issue, *, by, at=None) -> None:
    """The one publish path (inside the caller's transaction, on a locked issue). Its two callers,
    issue_publish and issue_import, have checked the publish permission before they began."""
    if not issue.articles.exists():
        raise ValidationError("記事のない号は公開できません")
    issue.status = Issue.Status.PUBLISHED
    issue.published_at = at or timezone.now()
    issue.save(update_fields=["status", "published_at", "updated_at"])
    indexing.index_issue(issue)
    scheduled = at is not None and at > timezone.now()
    issue_changed_on_commit(issue.pk, "schedule" if scheduled else "publish")
    audit_record(
        actor=by,
        action="issue.schedule" if scheduled else "issue.publish",
        target=issue,
        municipality=issue.newsletter.municipality,
        summary=f"{issue.title} ({timezone.localtime(issue.published_at):%Y-%m-%d %H:%M})",
    )


def issue_publish(issue: Issue, *, by, at=None, source_pdf=None) -> Issue:
    """Make an issue public now, or at `at` (scheduled). Refuses an issue without articles.

    `source_pdf` (a File) is attached as the issue's 紙面PDF when it has none yet.
    """
    require(by, issue.newsletter.municipality, Action.PUBLISH)
    with transaction.atomic():
        issue = _locked_issue(issue.pk)
        if source_pdf is not None and not issue.source_pdf:
            issue.source_pdf.save(f"{issue.newsletter.slug}-{issue.slug}.pdf", source_pdf, save=False)
            issue.save(update_fields=["source_pdf", "updated_at"])
        _publish(issue, by=by, at=at)
    return issue


def issue_unpublish(issue: Issue, *, by) -> Issue:
    require(by, issue.newsletter.municipality, Action.PUBLISH)
    with transaction.atomic():
        issue = _locked_issue(issue.pk)
        issue.status = Issue.Status.DRAFT
        issue.published_at = None
        issue.save(update_fields=["status", "published_at", "updated_at"])
        _recorded(issue, by=by, action="issue.unpublish", target=issue, summary=issue.title)
    return issue


def _locked_article(article: Article, *, by, action: Action = Action.EDIT) -> tuple[Issue, Article]:
    """Check the policy, then lock the article's issue and the article (in that order, always)."""
    issue = _locked_issue(article.issue_id)
    require(by, issue.newsletter.municipality, action)
    return issue, Article.objects.select_for_update().get(pk=article.pk)


def article_update(article: Article, *, by, title: str, category: Category, body: str) -> Article:
    """Change an article's title, category and body; the HTML and the search index follow."""
    title = title.strip()
    if not title:
        raise ValidationError("タイトルを入力してください")
    if not body.strip():
        raise ValidationError("本文を入力してください")
    with transaction.atomic():
        issue, article = _locked_article(article, by=by)
        changed = [
            label
            for label, old, new in (
                ("タイトル", article.title, title),
                ("カテゴリ", article.category_id, category.pk),
                ("本文", article.body_source, body),
            )
            if old != new
        ]
        article.category = category
        _article_write(article, title=title, body=body)
        summary = f"{issue.title} / {article.title}: {'・'.join(changed) or '変更なし'}"
        _recorded(issue, by=by, action="article.edit", target=article, summary=summary)
    return article


def _positions_set(issue: Issue, article_ids: list[int]) -> int:
    """Put the issue's articles in the given order (positions 1..N); returns how many moved."""
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
        issue_changed_on_commit(issue.pk, "edit")
    return len(moved)


def issue_reorder(issue: Issue, *, by, article_ids: list[int]) -> Issue:
    """Put the issue's articles in the given order (positions 1..N). Numbers, and URLs, stay."""
    with transaction.atomic():
        issue = _locked_issue(issue.pk)
        require(by, issue.newsletter.municipality, Action.EDIT)
        moved = _positions_set(issue, article_ids)
        if moved:
            audit_record(
                actor=by, action="issue.reorder", target=issue, municipality=issue.newsletter.municipality,
                summary=f"{issue.title}: {moved}件の掲載順を変更",
            )
    return issue


def article_move(article: Article, *, up: bool, by) -> Article:
    """Swap an article with the one before (`up`) or after it; at either end nothing changes."""
    with transaction.atomic():
        issue, article = _locked_article(article, by=by)
        order = list(issue.articles.order_by("position").values_list("pk", flat=True))
        index = order.index(article.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(order):
            return article
        order[index], order[other] = order[other], order[index]
        _positions_set(issue, order)
        article.refresh_from_db(fields=["position"])
        audit_record(
            actor=by, action="article.move", target=article, municipality=issue.newsletter.municipality,
            summary=f"{article.title}: {index + 1} → {article.position}",
        )
    return article


def article_merge_with_next(article: Article, *, by) -> Article:
    """Join an article with the one after it; the second title becomes a line of the body."""
    with transaction.atomic():
        issue, article = _locked_article(article, by=by)
        following = issue.articles.filter(position__gt=article.position).order_by("position").first()
        if following is None:
            raise ValidationError("最後の記事には、次の記事がありません")
        body = f"{article.body_source.rstrip()}\n\n{following.title}\n{following.body_source.lstrip()}".strip("\n")
        article.pages = pages_label(pages_list(article.pages) + pages_list(following.pages))
        _article_write(article, title=article.title, body=body)
        _figures_move(following, to=article)
        indexing.unindex_articles([following.pk])
        following.delete()
        _positions_close(issue)
        _recorded(
            issue, by=by, action="article.merge", target=article, summary=f"{article.title} ← {following.title}"
        )
    return article


def _figures_move(source: Article, *, to: Article) -> None:
    """Figures follow their text when two articles become one (after the kept article's own)."""
    offset = Figure.objects.filter(article=to).count()
    moved = list(Figure.objects.filter(article=source).order_by("position"))
    for position, figure in enumerate(moved, start=offset + 1):
        figure.article, figure.position = to, position
    Figure.objects.bulk_update(moved, ["article", "position"])


def article_split(article: Article, *, line: int, title: str = "", by) -> Article:
    """Cut an article before body line `line` (1-based); the rest becomes a new article after it.

    Without a title, the first line of the rest becomes the new article's title.
    """
    with transaction.atomic():
        issue, article = _locked_article(article, by=by)
        lines = article.body_source.split("\n")
        if not 2 <= line <= len(lines):
            raise ValidationError("分ける位置は、本文の2行目から最終行までの中で選んでください")
        head, rest = lines[: line - 1], lines[line - 1 :]
        title = title.strip()
        if not title:
            title = rest.pop(0).strip().lstrip("■◇◆●○□").strip()
        head_text, rest_text = "\n".join(head).strip("\n"), "\n".join(rest).strip("\n")
        if not title or not head_text.strip() or not rest_text.strip():
            raise ValidationError("その位置では分けられません(どちらかの記事の本文かタイトルが空になります)")
        issue.articles.filter(position__gt=article.position).update(position=F("position") + 1)
        _article_write(article, title=article.title, body=head_text)
        new = Article(
            issue=issue,
            number=(issue.articles.aggregate(n=Max("number"))["n"] or 0) + 1,
            position=article.position + 1,
            category=article.category,
            pages=article.pages,
        )
        _article_write(new, title=title, body=rest_text)
        _recorded(issue, by=by, action="article.split", target=new, summary=f"{article.title} → {new.title}")
    return new


def _positions_close(issue: Issue) -> None:
    remaining = list(issue.articles.order_by("position", "number"))
    for position, other in enumerate(remaining, start=1):
        other.position = position
    Article.objects.bulk_update(remaining, ["position"])


def article_delete(article: Article, *, by) -> None:
    """Delete an article and close the gap in the positions. A public issue keeps at least one."""
    with transaction.atomic():
        issue, article = _locked_article(article, by=by, action=Action.DELETE)
        if issue.status == Issue.Status.PUBLISHED and not issue.articles.exclude(pk=article.pk).exists():
            raise ValidationError("公開中の号の最後の記事は削除できません。先に号を非公開にしてください")
        indexing.unindex_articles([article.pk])
        audit_record(
            actor=by, action="article.delete", target=article, municipality=issue.newsletter.municipality,
            summary=f"{issue.title} / {article.title}",
        )
        article.delete()
        _positions_close(issue)
        indexing.index_issue(issue)
        issue_changed_on_commit(issue.pk, "edit")


def pages_label(pages: list[int]) -> str:
    """[2, 3] → "2-3"; [2, 3, 5] → "2-3,5"; [] → ""."""
    numbers = sorted(set(pages))
    ranges: list[list[int]] = []
    for n in numbers:
        if ranges and n == ranges[-1][1] + 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    label = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)
    return label if len(label) <= 40 else f"{numbers[0]}-{numbers[-1]}"


def pages_list(label: str, *, last: int | None = None) -> list[int]:
    """"2-3,5" → [2, 3, 5]; with `last`, only pages 1..last."""
    numbers: set[int] = set()
    for part in (label or "").split(","):
        first, _, end = (p.strip() for p in part.partition("-"))
        if first.isdigit():
            start = int(first)
            stop = int(end) if end.isdigit() else start
            numbers.update(range(start, min(stop, start + 999) + 1))
    return sorted(n for n in numbers if n >= 1 and (last is None or n <= last))


def articles_rerender(*, municipality: Municipality | None = None, apply: bool) -> int:
    """Render stored bodies again after the formatting rules changed; returns how many differ.

    A dry run unless `apply`. Only the HTML and plain text change (titles, sources, numbers and the search
    index stay), so no audit row is written: the text the staff wrote is untouched.
    """
    articles = Article.objects.select_related("issue__newsletter__municipality__prefecture").order_by("pk")
    if municipality is not None:
        articles = articles.filter(issue__newsletter__municipality=municipality)
    changed = 0
    rerendered: set[int] = set()
    with transaction.atomic():
        for article in articles.iterator(chunk_size=500):
            html = render_body(article.body_source, municipality=article.issue.newsletter.municipality)
            text = plain_text(article.body_source)
            if html != article.body_html or text != article.body_text:
                changed += 1
                if apply:
                    article.body_html, article.body_text = html, text
                    article.save(update_fields=["body_html", "body_text", "updated_at"])
                    rerendered.add(article.issue_id)
        for issue_id in sorted(rerendered):
            issue_changed_on_commit(issue_id, "rerender")
    return changed
