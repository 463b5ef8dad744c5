"""PDF ingest runs: every state change of an IngestRun and every review write on its draft issue.

The CLI (`kohoshi ingest_pdf`), the staff upload form and the task all call these services.
Extraction itself is the pure engine in kohoshi.ingest.pdf; here it is wrapped in a run with
progress, turned into a DRAFT issue in one transaction, reviewed, and published.
"""
import hashlib
import uuid
import logging
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from kohoshi.newsletters import services as newsletter_services
from kohoshi.newsletters.formatting import render_body
from kohoshi.newsletters.models import Article, Category, Issue
from kohoshi.newsletters.services import (
    category_for_name,
    issue_locked_or_new,
    issue_publish,
    newsletter_get_or_create,
)
from kohoshi.places.models import Municipality
from kohoshi.accounts.audit import audit_record

from . import pdf
from .models import IngestRun

logger = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 300
PDF_MAGIC = b"%PDF-"

NEEDS_OCR_REASON = (
    "OCRが必要です: 文字情報のない(画像だけの)PDFのため、記事を読み取れませんでした。"
    "文字情報付きのPDFを用意するか、サーバーにtesseract-ocr-jpnを入れてから読み込み直してください。"
)
UNEXPECTED_REASON = "読み取り中に予期しないエラーが起きました。時間をおいて読み込み直し、続くときは管理者に連絡してください。"
Status = IngestRun.Status


# ---------------------------------------------------------------------------- helpers


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


def _locked_run(run: IngestRun) -> IngestRun:
    return IngestRun.objects.select_for_update(of=("self",)).select_related("issue", "municipality").get(pk=run.pk)


def _require_review(run: IngestRun) -> None:
    if run.status != Status.NEEDS_REVIEW or run.issue is None or run.issue.status != Issue.Status.DRAFT:
        raise ValidationError("この取り込みは確認待ちではないため、変更できません")


def _review_article(article: Article) -> tuple[IngestRun, Article]:
    """Lock the run of an article's draft issue and the article; refuse once published."""
    run = (
        IngestRun.objects.select_for_update(of=("self",))
        .select_related("issue", "municipality")
        .filter(issue_id=article.issue_id, status=Status.NEEDS_REVIEW)
        .first()
    )
    if run is None:
        raise ValidationError("この記事の号は確認待ちではないため、変更できません")
    _require_review(run)
    return run, Article.objects.select_for_update().get(pk=article.pk)


def _article_save(article: Article, *, title: str, body: str, category: Category | None = None) -> None:
    article.title = title.strip()[:300]
    article.body_source = body.strip("\n")
    article.body_html = render_body(article.body_source)
    if category is not None:
        article.category = category
    article.save()


def _positions_renumber(issue: Issue) -> None:
    for position, article in enumerate(issue.articles.order_by("position", "number"), start=1):
        if article.position != position:
            Article.objects.filter(pk=article.pk).update(position=position)


# ---------------------------------------------------------------------------- the run


def ingest_run_create(
    *,
    municipality: Municipality,
    newsletter_title: str,
    published_on: date,
    pdf_file,
    by=None,
    number: str = "",
    filename: str = "",
) -> IngestRun:
    """Store an uploaded PDF as a QUEUED run and enqueue its extraction after commit.

    `pdf_file` is an uploaded file, a path or bytes. The content is not judged here: a bad file
    becomes a FAILED run with the engine's reason (the upload form refuses the obvious cases first).
    """
    from .tasks import process_ingest_run

    if isinstance(pdf_file, (str, Path)):
        path = Path(pdf_file)
        filename = filename or path.name
        content = File(path.open("rb"), name=path.name)
    elif isinstance(pdf_file, bytes):
        content = ContentFile(pdf_file, name=filename or "upload.pdf")
    else:
        content = pdf_file
        filename = filename or getattr(pdf_file, "name", "") or "upload.pdf"
    digest = hashlib.sha256()
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    try:
        with transaction.atomic():
            run = IngestRun(
                municipality=municipality,
                newsletter_title=newsletter_title.strip(),
                number=number.strip(),
                published_on=published_on,
                original_filename=Path(filename).name[:255],
                source_sha256=digest.hexdigest(),
                created_by=by if getattr(by, "is_authenticated", False) else None,
            )
            run.source_pdf.save("upload.pdf", content, save=False)
            run.save()
            audit_record(
                actor=by, action="ingest.upload", target=run, municipality=municipality,
                summary=f"{run.issue_title} ({run.original_filename})",
            )
            transaction.on_commit(lambda: process_ingest_run.enqueue(run.pk))
    finally:
        if isinstance(pdf_file, (str, Path)):
            content.close()
    return run


def ingest_run_claim(run_id: int) -> bool:
    """QUEUED → EXTRACTING, at most once: a worker and an in-process `--wait` may both try."""
    return bool(
        IngestRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
            status=Status.EXTRACTING, started_at=timezone.now(), updated_at=timezone.now()
        )
    )


def ingest_run_retry(run: IngestRun, *, by) -> IngestRun:
    """FAILED or stale QUEUED/EXTRACTING → QUEUED again, and enqueue the extraction.

    A worker that died mid-run leaves its run EXTRACTING forever; after IngestRun.STALE_AFTER
    without progress, staff may start it again.
    """
    from .tasks import process_ingest_run

    with transaction.atomic():
        run = _locked_run(run)
        if not run.can_retry:
            raise ValidationError("この取り込みはやり直せません(実行中か、もう終わっています)")
        run.status = Status.QUEUED
        run.pages_done = run.pages_total = 0
        run.failure_code = run.failure_reason = ""
        run.started_at = run.finished_at = None
        run.save()
        audit_record(actor=by, action="ingest.retry", target=run, municipality=run.municipality, summary=run.issue_title)
        transaction.on_commit(lambda: process_ingest_run.enqueue(run.pk))
    return run


def ingest_run_progress(run_id: int, *, done: int, total: int) -> None:
    # Outside any transaction on purpose: the status page and the CLI poll these fields.
    IngestRun.objects.filter(pk=run_id, status=Status.EXTRACTING).update(
        pages_done=min(done, total), pages_total=total, updated_at=timezone.now()
    )


def ingest_run_fail(run: IngestRun, *, reason: str, code: str = "error") -> IngestRun:
    with transaction.atomic():
        run = _locked_run(run)
        if run.status not in (*IngestRun.RUNNING, Status.NEEDS_REVIEW):
            raise ValidationError("この取り込みはもう終わっています")
        run.status = Status.FAILED
        run.failure_code = code[:40]
        run.failure_reason = reason or UNEXPECTED_REASON
        run.finished_at = timezone.now()
        run.save()
        audit_record(
            actor=None, action="ingest.fail", target=run, municipality=run.municipality,
            summary=f"{run.issue_title}: {run.failure_reason}",
        )
    return run


def ingest_run_process(run_id: int, *, progress=None) -> IngestRun:
    """Extract the run's PDF into a draft issue. Never raises for bad input: the run FAILS instead.

    A run that another process already took (or finished) is left alone. `progress(done, total)`
    is called after each page, besides recording it on the run (the CLI's in-process bar uses it).
    """
    if not ingest_run_claim(run_id):
        return IngestRun.objects.get(pk=run_id)
    run = IngestRun.objects.select_related("municipality").get(pk=run_id)
    try:
        with run.source_pdf.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        draft = pdf.extract_issue(
            data,
            max_bytes=MAX_BYTES,
            max_pages=MAX_PAGES,
            progress=lambda done, total: _progress(run_id, done, total, progress),
        )
    except pdf.PdfRejected as exc:
        return ingest_run_fail(run, reason=str(exc), code=exc.code)
    except Exception:
        logger.exception("PDF extraction failed for ingest run %s", run_id)
        return ingest_run_fail(run, reason=UNEXPECTED_REASON, code="error")
    if not draft.articles:
        if draft.needs_ocr:
            return ingest_run_fail(run, reason=NEEDS_OCR_REASON, code="needs_ocr")
        return ingest_run_fail(run, reason="PDFから記事を1件も読み取れませんでした", code="no_articles")
    try:
        return ingest_run_draft(run, draft)
    except ValidationError as exc:
        return ingest_run_fail(run, reason="; ".join(exc.messages), code="duplicate")
    except Exception:
        logger.exception("Saving the draft issue failed for ingest run %s", run_id)
        return ingest_run_fail(run, reason=UNEXPECTED_REASON, code="error")


def _progress(run_id: int, done: int, total: int, also=None) -> None:
    ingest_run_progress(run_id, done=done, total=total)
    if also is not None:
        also(done, total)


def ingest_run_draft(run: IngestRun, draft) -> IngestRun:
    """EXTRACTING → NEEDS_REVIEW with a DRAFT issue holding the extracted articles, all or nothing.

    The issue is found again by newsletter, date and title: a re-run replaces the articles of a
    draft that is still in review (the older run is marked replaced) and is refused when that
    issue is already public, so the same PDF never makes two public issues.
    """
    warnings = list(draft.warnings)
    with transaction.atomic():
        run = _locked_run(run)
        if run.status != Status.EXTRACTING:
            raise ValidationError("この取り込みは読み取り中ではありません")
        newsletter = newsletter_get_or_create(municipality=run.municipality, title=run.newsletter_title)
        issue = issue_locked_or_new(newsletter, title=run.issue_title, published_on=run.published_on)
        if issue.pk and issue.status != Issue.Status.DRAFT:
            raise ValidationError(
                f"同じ発行日・タイトルの号「{issue.title}」はすでに公開されています。"
                "読み込み直すには、先にその号の公開を取り消してください"
            )
        if issue.pk:
            issue.articles.all().delete()
            for older in IngestRun.objects.select_for_update().filter(issue=issue, status=Status.NEEDS_REVIEW):
                older.status = Status.FAILED
                older.failure_code = "replaced"
                older.failure_reason = "同じ号の新しい取り込みに置き換えられました"
                older.finished_at = timezone.now()
                older.save()
        issue.number = run.number
        issue.source_hash = run.source_sha256
        issue.save()
        for position, item in enumerate(draft.articles, start=1):
            Article.objects.create(
                issue=issue,
                number=position,
                position=position,
                title=(item.title.strip() or f"記事{position}")[:300],
                category=category_for_name(item.category, warnings),
                body_source=item.body,
                body_html=render_body(item.body),
                pages=pages_label(item.pages),
            )
        run.issue = issue
        run.status = Status.NEEDS_REVIEW
        run.needs_ocr = draft.needs_ocr
        run.warnings = warnings
        run.pages_total = max(run.pages_total, draft.page_count)
        run.pages_done = run.pages_total
        run.finished_at = timezone.now()
        run.save()
        audit_record(
            actor=None, action="ingest.extract", target=run, municipality=run.municipality,
            summary=f"{issue.title}: {len(draft.articles)}件の記事",
        )
    return run


def ingest_run_publish(run: IngestRun, *, by, at=None) -> IngestRun:
    """NEEDS_REVIEW → PUBLISHED: the draft issue goes public (now, or at `at`) with the PDF
    attached as 紙面PDF."""
    with transaction.atomic():
        run = _locked_run(run)
        _require_review(run)
        issue = run.issue
        if not issue.source_pdf:
            with run.source_pdf.open("rb") as fh:
                issue.source_pdf.save(f"{issue.newsletter.slug}-{issue.slug}.pdf", File(fh), save=False)
            issue.save(update_fields=["source_pdf", "updated_at"])
        issue_publish(issue, by=by, at=at)
        run.status = Status.PUBLISHED
        run.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by, action="ingest.publish", target=run, municipality=run.municipality, summary=issue.title
        )
    return run


# ---------------------------------------------------------------------------- review writes


def article_update(article: Article, *, title: str, body: str, category: Category, by) -> Article:
    """A review edit: the newsletters service, allowed only while the run awaits review."""
    with transaction.atomic():
        _review_article(article)
        return newsletter_services.article_update(article, by=by, title=title, category=category, body=body)


def article_merge_with_next(article: Article, *, by) -> Article:
    """Join an article with the one after it; the second title becomes a line of the body."""
    with transaction.atomic():
        run, article = _review_article(article)
        following = (
            Article.objects.select_for_update()
            .filter(issue_id=article.issue_id, position__gt=article.position)
            .order_by("position")
            .first()
        )
        if following is None:
            raise ValidationError("最後の記事には、次の記事がありません")
        body = f"{article.body_source.rstrip()}\n\n{following.title}\n{following.body_source.lstrip()}"
        article.pages = pages_label(pages_list(article.pages) + pages_list(following.pages))
        _article_save(article, title=article.title, body=body)
        following.delete()
        _positions_renumber(run.issue)
        audit_record(
            actor=by, action="article.merge", target=article, municipality=run.municipality,
            summary=f"{article.title} ← {following.title}",
        )
    return article


def article_split(article: Article, *, line: int, title: str = "", by) -> Article:
    """Cut an article before body line `line` (1-based); the rest becomes a new article after it.

    Without a title, the first line of the rest becomes the new article's title.
    """
    with transaction.atomic():
        run, article = _review_article(article)
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
        Article.objects.filter(issue_id=article.issue_id, position__gt=article.position).update(
            position=F("position") + 1
        )
        _article_save(article, title=article.title, body=head_text)
        new = Article(
            issue_id=article.issue_id,
            number=(Article.objects.filter(issue_id=article.issue_id).aggregate(n=Max("number"))["n"] or 0) + 1,
            position=article.position + 1,
            category=article.category,
            pages=article.pages,
        )
        _article_save(new, title=title, body=rest_text)
        audit_record(
            actor=by, action="article.split", target=new, municipality=run.municipality,
            summary=f"{article.title} → {new.title}",
        )
    return new


def article_move(article: Article, *, up: bool, by) -> Article:
    with transaction.atomic():
        run, article = _review_article(article)
        neighbours = Article.objects.select_for_update().filter(issue_id=article.issue_id)
        other = (
            neighbours.filter(position__lt=article.position).order_by("-position")
            if up
            else neighbours.filter(position__gt=article.position).order_by("position")
        ).first()
        if other is None:
            return article
        article.position, other.position = other.position, article.position
        Article.objects.filter(pk=article.pk).update(position=article.position)
        Article.objects.filter(pk=other.pk).update(position=other.position)
        audit_record(
            actor=by, action="article.move", target=article, municipality=run.municipality,
            summary=f"{article.title}: {other.position} → {article.position}",
        )
    return article


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


# ---------------------------------------------------------------------------- page images

PAGE_IMAGE_WIDTH = 1000


def page_image_path(run: IngestRun, page: int) -> Path:
    """A PNG of one page of the run's PDF, rendered on first request and cached on disk.

    The cache lives under MEDIA_ROOT/private/ (never served directly), named by the PDF's hash so
    re-runs of the same file share it. Only runs that passed extraction get here, so the page
    sizes were checked by the engine already.
    """
    import pypdfium2 as pdfium
    from django.conf import settings

    if run.status in IngestRun.RUNNING or not run.source_sha256:
        raise ValidationError("読み取りが終わるまで、ページ画像は作れません")
    if not 1 <= page <= run.pages_total:
        raise ValidationError("そのページはありません")
    path = Path(settings.MEDIA_ROOT) / "private" / "ingest-pages" / run.source_sha256 / f"{page}-{PAGE_IMAGE_WIDTH}.png"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with run.source_pdf.open("rb") as fh:
        doc = pdfium.PdfDocument(fh.read())
    try:
        pdf_page = doc[page - 1]
        width, height = pdf_page.get_size()
        scale = min(PAGE_IMAGE_WIDTH / width, 3 * PAGE_IMAGE_WIDTH / height)
        image = pdf_page.render(scale=scale).to_pil()
        pdf_page.close()
    finally:
        doc.close()
    partial = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    image.save(partial, format="PNG", optimize=True)
    partial.replace(path)  # atomic: two staff opening the page at once never see half a file
    return path
