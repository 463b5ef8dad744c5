"""PDF ingest runs: every state change of an IngestRun (QUEUED → EXTRACTING → NEEDS_REVIEW →
PUBLISHED | FAILED) and the rule that a run's draft is edited only while it awaits review.

The CLI (`kohoshi ingest_pdf`), the staff pages and the task all call these services.
Extraction itself is the pure engine in kohoshi.ingest.pdf; here it is wrapped in a run with
progress and handed to kohoshi.newsletters.services, which writes the DRAFT issue, the review
edits and the publish.
"""
import hashlib
import logging
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from kohoshi.accounts.audit import audit_record
from kohoshi.accounts.policy import SYSTEM, Action, require
from kohoshi.newsletters.models import Article, Issue
from kohoshi.newsletters.figures import FigureInput, figures_replace
from kohoshi.newsletters.services import ArticleInput, IssueInput, issue_draft_replace, issue_publish, pages_label
from kohoshi.places.models import Municipality

from . import pdf
from .limits import MAX_BYTES, MAX_PAGES
from .pdf.sandbox import Limits, extract_figures_limited, extract_issue_limited
from .models import ArticleCheck, IngestRun

logger = logging.getLogger(__name__)

NEEDS_OCR_REASON = (
    "OCRが必要です: 文字情報のない(画像だけの)PDFのため、記事を読み取れませんでした。"
    "文字情報付きのPDFを用意するか、サーバーにtesseract-ocr-jpnを入れてから読み込み直してください。"
)
UNEXPECTED_REASON = "読み取り中に予期しないエラーが起きました。時間をおいて読み込み直し、続くときは管理者に連絡してください。"
Status = IngestRun.Status


# ---------------------------------------------------------------------------- helpers


def _locked_run(run: IngestRun) -> IngestRun:
    return IngestRun.objects.select_for_update(of=("self",)).select_related("issue", "municipality").get(pk=run.pk)


def _require_review(run: IngestRun) -> None:
    if run.status != Status.NEEDS_REVIEW or run.issue is None or run.issue.status != Issue.Status.DRAFT:
        raise ValidationError("この取り込みは確認待ちではないため、変更できません")


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


def ingest_run_retry(run: IngestRun, *, by, automatic: bool = False) -> IngestRun:
    """FAILED or stale QUEUED/EXTRACTING → QUEUED again, and enqueue the extraction.

    A worker that died mid-run leaves its run EXTRACTING forever; after IngestRun.STALE_AFTER
    without progress, staff may start it again, and the worker does once by itself
    (`automatic`, remembered on the run; a retry by staff allows one more).
    """
    from .tasks import process_ingest_run

    with transaction.atomic():
        run = _locked_run(run)
        if not run.can_retry:
            raise ValidationError("この取り込みはやり直せません(実行中か、もう終わっています)")
        run.status = Status.QUEUED
        run.auto_retried = automatic
        run.pages_done = run.pages_total = 0
        run.failure_code = run.failure_reason = ""
        run.started_at = run.finished_at = None
        run.save()
        audit_record(
            actor=by, action="ingest.retry", target=run, municipality=run.municipality,
            summary=run.issue_title + (" (自動)" if automatic else ""),
        )
        transaction.on_commit(lambda: process_ingest_run.enqueue(run.pk))
    return run


STALLED_REASON = (
    "読み取りが{minutes}分以上進まないまま止まり、自動でやり直しても同じでした(処理していたワーカーが"
    "止まった可能性があります)。時間をおいて読み込み直し、続くときは管理者に連絡してください。"
)


def ingest_runs_retry_stale(*, now=None) -> list[IngestRun]:
    """Runs whose worker died mid-run (EXTRACTING, no progress for STALE_AFTER) start again once
    by themselves; a run that stalls again after that FAILS (`stalled`), so staff see why.

    Called periodically by `kohoshi worker`. Returns the runs it touched.
    """
    touched = []
    for run in IngestRun.objects.stalled(now=now).select_related("municipality"):
        try:
            if run.auto_retried:
                minutes = int(IngestRun.STALE_AFTER.total_seconds() // 60)
                touched.append(ingest_run_fail(run, reason=STALLED_REASON.format(minutes=minutes), code="stalled"))
            else:
                touched.append(ingest_run_retry(run, by=SYSTEM, automatic=True))
        except ValidationError:
            continue  # it moved on meanwhile (progress, or finished)
    return touched


def ingest_run_progress(run_id: int, *, done: int, total: int) -> None:
    # Outside any transaction on purpose: the status page and the CLI poll these fields.
    IngestRun.objects.filter(pk=run_id, status=Status.EXTRACTING).update(
        pages_done=min(done, total), pages_total=total, updated_at=timezone.now()
    )


def _failed(run: IngestRun, *, code: str, reason: str) -> None:
    """Mark a locked run FAILED with its reason (the caller writes any audit row)."""
    run.status = Status.FAILED
    run.failure_code = code[:40]
    run.failure_reason = reason
    run.finished_at = timezone.now()
    run.save()


def ingest_run_fail(run: IngestRun, *, reason: str, code: str = "error") -> IngestRun:
    with transaction.atomic():
        run = _locked_run(run)
        if run.status not in (*IngestRun.RUNNING, Status.NEEDS_REVIEW):
            raise ValidationError("この取り込みはもう終わっています")
        _failed(run, code=code, reason=reason or UNEXPECTED_REASON)
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
        # In a child process with a memory and a time limit: a decompression bomb fails the run
        # (memory_limit, time_limit) instead of taking the worker or the machine down.
        draft = extract_issue_limited(
            data,
            limits=sandbox_limits(),
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
    figures = _figures(run_id, data, draft)
    try:
        return ingest_run_draft(run, draft, figures=figures)
    except ValidationError as exc:
        return ingest_run_fail(run, reason="; ".join(exc.messages), code="duplicate")
    except Exception:
        logger.exception("Saving the draft issue failed for ingest run %s", run_id)
        return ingest_run_fail(run, reason=UNEXPECTED_REASON, code="error")


FIGURES_FAILED_WARNING = "写真・図を切り出せませんでした(本文は読み取れています)"


def _figures(run_id: int, data: bytes, draft) -> list | None:
    """The figures of the run's PDF, each with its article's index; None when cropping them failed
    (the draft is still made, with a warning: figures are an extra, the text is the article)."""
    try:
        return extract_figures_limited(
            data, articles=[(a.title, list(a.pages)) for a in draft.articles], limits=sandbox_limits()
        )
    except Exception:
        logger.exception("Cropping figures failed for ingest run %s", run_id)
        return None


def sandbox_limits() -> Limits:
    """The memory and time a PDF may take to read (settings KOHOSHI_INGEST_MEMORY_MB, …_SECONDS,
    …_PAGE_SECONDS); page images use the same limits."""
    return Limits(
        memory_mb=settings.KOHOSHI_INGEST_MEMORY_MB,
        seconds=settings.KOHOSHI_INGEST_SECONDS,
        page_seconds=settings.KOHOSHI_INGEST_PAGE_SECONDS,
    )


def _progress(run_id: int, done: int, total: int, also=None) -> None:
    ingest_run_progress(run_id, done=done, total=total)
    if also is not None:
        also(done, total)


def ingest_run_draft(run: IngestRun, draft, *, figures: list | None = ()) -> IngestRun:
    """EXTRACTING → NEEDS_REVIEW with a DRAFT issue holding the extracted articles, all or nothing.

    The issue is found again by newsletter, date and title: a re-run replaces the articles of a
    draft that is still in review (the older run is marked replaced) and is refused when that
    issue is already public, so the same PDF never makes two public issues.
    """
    with transaction.atomic():
        run = _locked_run(run)
        if run.status != Status.EXTRACTING:
            raise ValidationError("この取り込みは読み取り中ではありません")
        data = IssueInput(
            municipality=run.municipality,
            newsletter_title=run.newsletter_title,
            title=run.issue_title,
            published_on=run.published_on,
            number=run.number,
            articles=[
                ArticleInput(
                    title=(item.title.strip() or f"記事{position}")[: Article._meta.get_field("title").max_length],
                    category=item.category,
                    body=item.body,
                    pages=pages_label(item.pages),
                )
                for position, item in enumerate(draft.articles, start=1)
            ],
        )
        issue, warnings = issue_draft_replace(data, source_hash=run.source_sha256, by=SYSTEM)
        articles = list(issue.articles.order_by("position"))
        for index, article in enumerate(articles):
            mine = [f for f in figures or () if f.article == index]
            figures_replace(
                article, by=SYSTEM,
                figures=[FigureInput(page=f.page, image=f.image, width=f.width, height=f.height) for f in mine],
            )
        _record_checks(run, issue, draft.articles)
        for older in IngestRun.objects.select_for_update().filter(issue=issue, status=Status.NEEDS_REVIEW):
            _failed(older, code="replaced", reason="同じ号の新しい取り込みに置き換えられました")
        warnings = list(draft.warnings) + warnings + ([FIGURES_FAILED_WARNING] if figures is None else [])
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


def _record_checks(run: IngestRun, issue: Issue, items) -> None:
    """Store how sure the extraction was about each draft article (positions follow the draft)."""
    articles = {a.position: a for a in issue.articles.all()}
    ArticleCheck.objects.filter(article__issue=issue).delete()
    ArticleCheck.objects.bulk_create(
        ArticleCheck(
            run=run,
            article=articles[position],
            confidence=min(1.0, max(0.0, float(getattr(item, "confidence", 1.0)))),
            reasons=list(getattr(item, "reasons", [])),
        )
        for position, item in enumerate(items, start=1)
        if position in articles
    )


def ingest_run_publish(run: IngestRun, *, by, at=None) -> IngestRun:
    """NEEDS_REVIEW → PUBLISHED: the draft issue goes public (now, or at `at`) with the PDF
    attached as 紙面PDF."""
    require(by, run.municipality_id, Action.PUBLISH)
    with transaction.atomic():
        run = _locked_run(run)
        _require_review(run)
        with run.source_pdf.open("rb") as fh:
            issue = issue_publish(run.issue, by=by, at=at, source_pdf=File(fh))
        run.status = Status.PUBLISHED
        run.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=by, action="ingest.publish", target=run, municipality=run.municipality, summary=issue.title
        )
    return run


# ---------------------------------------------------------------------------- review


def review_edit(article: Article, edit, **kwargs):
    """Apply a newsletters service (article_update, article_merge_with_next, article_split,
    article_move) to an article of a draft under review; refused once its run has left review.

    The edit itself, its audit row and its search indexing are the newsletters service's: the
    rule kept here is only that a run's draft changes while, and only while, it awaits review.
    """
    with transaction.atomic():
        run = (
            IngestRun.objects.select_for_update(of=("self",))
            .select_related("issue", "municipality")
            .filter(issue_id=article.issue_id, status=Status.NEEDS_REVIEW)
            .first()
        )
        if run is None:
            raise ValidationError("この記事の号は確認待ちではないため、変更できません")
        _require_review(run)
        return edit(article, **kwargs)
