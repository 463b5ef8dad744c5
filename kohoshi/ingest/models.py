import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohoshi.newsletters.models import Issue
from kohoshi.places.models import Municipality


def _upload_to(run: "IngestRun", filename: str) -> str:
    # Uploads stay under private/ (never served as /media/) and get an unguessable name: an
    # unpublished newsletter must not leak. The public copy is made on publish (Issue.source_pdf).
    return f"private/ingest/{uuid.uuid4().hex}.pdf"


class IngestRunQuerySet(models.QuerySet):
    def for_municipality(self, municipality):
        return self.filter(municipality=municipality)

    def for_municipalities(self, municipalities):
        return self.filter(municipality__in=municipalities)

    def newest_first(self):
        return self.order_by("-created_at", "-pk")

    def running(self):
        return self.filter(status__in=IngestRun.RUNNING)

    def stalled(self, *, now=None):
        """EXTRACTING without progress for IngestRun.STALE_AFTER: its worker died mid-run."""
        now = now or timezone.now()
        return self.filter(status=IngestRun.Status.EXTRACTING, updated_at__lt=now - IngestRun.STALE_AFTER)


class IngestRun(models.Model):
    """One uploaded newsletter PDF on its way to a reviewed, published issue.

    QUEUED → EXTRACTING → NEEDS_REVIEW → PUBLISHED, or FAILED from QUEUED/EXTRACTING (and from
    NEEDS_REVIEW when a newer run of the same issue replaces it). The status changes only in
    kohoshi.ingest.pipeline.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("順番待ち")
        EXTRACTING = "extracting", _("読み取り中")
        NEEDS_REVIEW = "needs_review", _("確認待ち")
        PUBLISHED = "published", _("公開済み")
        FAILED = "failed", _("失敗")

    RUNNING = (Status.QUEUED, Status.EXTRACTING)
    FINISHED = (Status.NEEDS_REVIEW, Status.PUBLISHED, Status.FAILED)
    # A running run whose progress has not moved for this long lost its worker (crash, restart).
    STALE_AFTER = timedelta(minutes=10)

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="ingest_runs")
    newsletter_title = models.CharField(_("広報紙名"), max_length=100)
    number = models.CharField(_("号数"), max_length=40, blank=True)
    published_on = models.DateField(_("発行日"))
    source_pdf = models.FileField(_("紙面PDF"), upload_to=_upload_to, max_length=200)
    original_filename = models.CharField(_("元のファイル名"), max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    pages_done = models.PositiveIntegerField(_("読み取り済みページ"), default=0)
    pages_total = models.PositiveIntegerField(_("総ページ数"), default=0)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_reason = models.TextField(_("失敗の理由"), blank=True)
    needs_ocr = models.BooleanField(_("OCRが必要"), default=False)
    warnings = models.JSONField(_("注意"), default=list, blank=True)
    # The worker retries a stalled run once by itself (ingest_runs_retry_stale); the second stall fails it.
    auto_retried = models.BooleanField(default=False)
    issue = models.ForeignKey(
        Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="ingest_runs", verbose_name=_("号")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IngestRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("PDF取り込み")
        verbose_name_plural = _("PDF取り込み")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "extracting", "needs_review", "published", "failed"]),
                name="ingest_run_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(failure_reason=""),
                name="ingest_run_failed_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(pages_done__lte=models.F("pages_total")),
                name="ingest_run_progress_in_range",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return f"{self.newsletter_title} {self.number or self.published_on} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_stale(self) -> bool:
        return self.is_running and self.updated_at < timezone.now() - self.STALE_AFTER

    @property
    def can_retry(self) -> bool:
        """A failed run (except one replaced by a newer upload) or a stale one may be run again."""
        return (self.status == self.Status.FAILED and self.failure_code != "replaced") or self.is_stale

    @property
    def is_reviewable(self) -> bool:
        return self.status == self.Status.NEEDS_REVIEW and self.issue_id is not None

    @property
    def progress_percent(self) -> int:
        return int(100 * self.pages_done / self.pages_total) if self.pages_total else 0

    @property
    def issue_title(self) -> str:
        if self.number:
            return f"{self.newsletter_title} {self.number}"
        return f"{self.newsletter_title} {self.published_on.year}年{self.published_on.month}月{self.published_on.day}日号"


# What each confidence signal (kohoshi.ingest.pdf.split.REASONS) means for the staff who check it.
CHECK_REASONS = {
    "no_title": _("見出しを推定できませんでした。前の記事の続きかもしれません"),
    "title_implausible": _("文字認識で読んだ大きな文字が見出しらしくないため、見出しにしませんでした"),
    "ocr": _("本文の一部を画像から読み取りました"),
    "title_from_heading": _("大きな見出しがない号のため、小見出しを記事の見出しとしました"),
    "short": _("本文がとても短い記事です。写真の説明や記事の一部かもしれません"),
    "many_pages": _("新しい見出しのないまま3ページ以上続いています。記事の切れ目が抜けているかもしれません"),
}


class ArticleCheck(models.Model):
    """How sure the extraction was about one draft article, and why not more.

    Written with the draft by ``ingest.runs.ingest_run_draft``; the review screen lists the
    weakest articles first. An article made later in review (split) has none: staff made it."""

    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="article_checks")
    article = models.OneToOneField("newsletters.Article", on_delete=models.CASCADE, related_name="ingest_check")
    confidence = models.FloatField(_("確からしさ"))
    reasons = models.JSONField(_("理由"), default=list, blank=True)

    class Meta:
        verbose_name = _("読み取りの確からしさ")
        verbose_name_plural = _("読み取りの確からしさ")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0) & models.Q(confidence__lte=1), name="ingest_check_confidence_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.confidence:.2f}"

    @property
    def percent(self) -> int:
        return round(100 * self.confidence)

    @property
    def reason_texts(self) -> list[str]:
        return [str(CHECK_REASONS[code]) for code in self.reasons if code in CHECK_REASONS]
