from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kohoshi.accounts.models import AuditEntry, Membership, Role
from kohoshi.accounts.policy import SYSTEM
from kohoshi.ingest import page_images, runs
from kohoshi.ingest.models import IngestRun
from kohoshi.ingest.pdf import DraftArticle, DraftIssue
from kohoshi.ingest.tests.newsletter_pdf import SAMPLE_ARTICLES, corpus_articles, newsletter_pdf
from kohoshi.newsletters import services as newsletter_services
from kohoshi.newsletters.models import Article, Category, Issue
from kohoshi.newsletters.services import (
    article_merge_with_next,
    article_move,
    article_split,
    article_update,
    pages_label,
    pages_list,
)
from kohoshi.places.models import Municipality

ATSUGI = "142123"
Status = IngestRun.Status

SIMPLE = SAMPLE_ARTICLES


@pytest.fixture
def town(db):
    return Municipality.objects.get(code=ATSUGI)


@pytest.fixture
def publisher(db):
    user = get_user_model().objects.create_user("publisher", password="x" * 12)
    Membership.objects.create(user=user, municipality_id=ATSUGI, role=Role.PUBLISHER)
    return user


def make_run(town, data: bytes, **kwargs) -> IngestRun:
    return runs.ingest_run_create(
        municipality=town,
        newsletter_title=kwargs.pop("newsletter_title", "広報あつぎ"),
        published_on=kwargs.pop("published_on", date(2024, 4, 15)),
        pdf_file=data,
        filename="koho.pdf",
        **kwargs,
    )


def processed(town, data: bytes, **kwargs) -> IngestRun:
    return runs.ingest_run_process(make_run(town, data, **kwargs).pk)


def stub_engine(monkeypatch, result=None, error=None):
    def extract_issue(data, **kwargs):
        if error:
            raise error
        kwargs["progress"](1, 1)
        return result

    monkeypatch.setattr(runs, "extract_issue_limited", extract_issue)


# ---------------------------------------------------------------------------- extraction


def test_create_queues_the_run_and_keeps_the_pdf_private(town, simple_pdf):
    run = make_run(town, simple_pdf, number="第1421号")
    assert run.status == Status.QUEUED
    assert run.source_pdf.name.startswith("private/ingest/")
    assert run.source_pdf.read() == simple_pdf
    assert run.issue_title == "広報あつぎ 第1421号"
    assert AuditEntry.objects.filter(action="ingest.upload", target_id=str(run.pk)).exists()


def test_create_enqueues_extraction_after_commit(town, simple_pdf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = make_run(town, simple_pdf)
    run.refresh_from_db()
    assert run.status == Status.NEEDS_REVIEW  # the immediate test backend ran the task


def test_process_makes_a_draft_issue_with_the_articles_in_order(town, simple_pdf):
    run = processed(town, simple_pdf)
    assert run.status == Status.NEEDS_REVIEW
    assert (run.pages_done, run.pages_total) == (1, 1)
    issue = run.issue
    assert issue.status == Issue.Status.DRAFT and issue.published_at is None
    articles = list(issue.articles.order_by("position"))
    assert [(a.title, a.body_source) for a in articles] == [(a["title"], a["body"]) for a in SIMPLE]
    assert [a.position for a in articles] == [a.number for a in articles] == [1, 2, 3]
    assert all(a.pages == "1" for a in articles)
    assert "<h" in articles[0].body_html and "■" not in articles[0].body_html
    assert not Issue.objects.published().exists()


@pytest.mark.corpus
def test_corpus_articles_typeset_as_pdf_come_back_as_the_original_articles(town, corpus_csv_files):
    originals = corpus_articles(corpus_csv_files[0], 4)
    run = processed(town, newsletter_pdf(originals))
    assert run.status == Status.NEEDS_REVIEW, run.failure_reason
    got = [(a.title, a.body_source) for a in run.issue.articles.order_by("position")]
    assert got == [(a["title"], a["body"]) for a in originals]


def test_engine_categories_map_to_site_categories_and_pages_to_a_range(town, monkeypatch):
    stub_engine(
        monkeypatch,
        DraftIssue(
            articles=[
                DraftArticle(title="健診", body="本文", pages=[2, 3], category="健康"),
                DraftArticle(title="謎", body="本文", pages=[4, 6], category="未知の分類"),
            ],
            page_count=6,
            needs_ocr=False,
            warnings=["p.5 を読み込めませんでした"],
        ),
    )
    run = processed(town, b"%PDF-stub")
    first, second = run.issue.articles.order_by("position")
    assert (first.category.name, first.pages) == ("健康", "2-3")
    assert (second.category.name, second.pages) == ("その他", "4,6")
    assert "p.5 を読み込めませんでした" in run.warnings
    assert any("未知の分類" in w for w in run.warnings)


def test_progress_is_recorded_on_the_run_and_passed_on(town, simple_pdf):
    seen = []
    run = runs.ingest_run_process(make_run(town, simple_pdf).pk, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 1)]
    assert run.progress_percent == 100


def test_a_run_is_extracted_only_once(town, simple_pdf):
    run = processed(town, simple_pdf)
    again = runs.ingest_run_process(run.pk)
    assert again.status == Status.NEEDS_REVIEW
    assert Issue.objects.count() == 1 and Article.objects.count() == 3


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"GIF89a not a newsletter", "not_pdf"),
        (None, "truncated"),
    ],
)
def test_bad_pdf_fails_the_run_with_a_reason_and_makes_no_issue(town, simple_pdf, data, code):
    data = simple_pdf[: len(simple_pdf) // 2] if data is None else data
    run = processed(town, data)
    assert run.status == Status.FAILED
    assert run.failure_code == code and run.failure_reason
    assert run.issue is None and not Issue.objects.exists()


def test_encrypted_pdf_fails_the_run(town):
    from reportlab.pdfgen import canvas
    import io

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt="secret")
    pdf.drawString(72, 720, "hello")
    pdf.save()
    run = processed(town, buffer.getvalue())
    assert (run.status, run.failure_code) == (Status.FAILED, "encrypted")


def test_too_many_pages_and_too_large_fail_the_run(town, simple_pdf, monkeypatch):
    monkeypatch.setattr(runs, "MAX_PAGES", 0)
    assert processed(town, simple_pdf).failure_code in {"too_many_pages", "no_pages"}
    monkeypatch.setattr(runs, "MAX_BYTES", 100)
    assert processed(town, simple_pdf).failure_code == "too_large"


def test_scanned_pdf_without_text_fails_saying_ocr_is_needed(town, monkeypatch):
    stub_engine(monkeypatch, DraftIssue(articles=[], page_count=1, needs_ocr=True, warnings=["OCR"]))
    run = processed(town, b"%PDF-scan")
    assert (run.status, run.failure_code) == (Status.FAILED, "needs_ocr")
    assert "OCRが必要です" in run.failure_reason
    assert not Issue.objects.exists()


def test_partly_scanned_pdf_goes_to_review_flagged_for_ocr(town, monkeypatch):
    stub_engine(monkeypatch, DraftIssue([DraftArticle("題", "本文", [1])], page_count=2, needs_ocr=True))
    run = processed(town, b"%PDF-partly")
    assert run.status == Status.NEEDS_REVIEW and run.needs_ocr


def test_unexpected_error_fails_the_run_without_crashing(town, monkeypatch):
    stub_engine(monkeypatch, error=RuntimeError("boom"))
    run = processed(town, b"%PDF-x")
    assert (run.status, run.failure_code) == (Status.FAILED, "error")
    assert "予期しないエラー" in run.failure_reason


def test_failure_while_saving_articles_leaves_no_half_made_issue(town, simple_pdf, monkeypatch):
    calls = []

    def render_body(text, **kwargs):
        calls.append(text)
        if len(calls) == 2:
            raise RuntimeError("renderer broke")
        return "<p>ok</p>"

    monkeypatch.setattr(newsletter_services, "render_body", render_body)
    run = processed(town, simple_pdf)
    assert run.status == Status.FAILED
    assert not Issue.objects.exists() and not Article.objects.exists()


def test_rerun_of_the_same_issue_replaces_the_draft_instead_of_duplicating(town, simple_pdf):
    first = processed(town, simple_pdf)
    second = processed(town, simple_pdf)
    assert second.status == Status.NEEDS_REVIEW
    assert second.issue_id == first.issue_id and Issue.objects.count() == 1
    assert Article.objects.count() == 3
    first.refresh_from_db()
    assert (first.status, first.failure_code) == (Status.FAILED, "replaced")


def test_rerun_after_publishing_is_refused_and_the_public_issue_stays_single(town, simple_pdf, publisher):
    published = runs.ingest_run_publish(processed(town, simple_pdf), by=publisher)
    again = processed(town, simple_pdf)
    assert (again.status, again.failure_code) == (Status.FAILED, "duplicate")
    assert "すでに公開" in again.failure_reason
    assert Issue.objects.count() == 1 and Issue.objects.published().get() == published.issue


def test_status_is_guarded_by_a_constraint(town, simple_pdf):
    run = make_run(town, simple_pdf)
    with pytest.raises(IntegrityError), transaction.atomic():
        IngestRun.objects.filter(pk=run.pk).update(status="lost")
    with pytest.raises(IntegrityError), transaction.atomic():
        IngestRun.objects.filter(pk=run.pk).update(status=Status.FAILED, failure_reason="")


def test_a_failed_run_can_be_retried_and_then_succeeds(town, simple_pdf, monkeypatch, django_capture_on_commit_callbacks):
    real = runs.extract_issue_limited
    monkeypatch.setattr(runs, "extract_issue_limited", lambda *a, **k: 1 / 0)
    run = processed(town, simple_pdf)
    assert run.status == Status.FAILED and run.can_retry
    monkeypatch.setattr(runs, "extract_issue_limited", real)
    with django_capture_on_commit_callbacks(execute=True):  # the immediate task backend runs it
        run = runs.ingest_run_retry(run, by=SYSTEM)
    run.refresh_from_db()
    assert run.status == Status.NEEDS_REVIEW and run.failure_reason == ""
    assert run.issue.articles.count() == len(SIMPLE)
    assert AuditEntry.objects.filter(action="ingest.retry").exists()


def test_a_run_stuck_without_progress_can_be_retried_but_a_moving_one_cannot(town, simple_pdf):
    from django.utils import timezone

    run = make_run(town, simple_pdf)  # enqueued only on commit: never runs in this test
    IngestRun.objects.filter(pk=run.pk).update(status=Status.EXTRACTING, pages_total=5, pages_done=2)
    run.refresh_from_db()
    assert not run.can_retry
    with pytest.raises(ValidationError):
        runs.ingest_run_retry(run, by=SYSTEM)
    IngestRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - IngestRun.STALE_AFTER * 2)
    run.refresh_from_db()
    assert run.is_stale and run.can_retry
    run = runs.ingest_run_retry(run, by=SYSTEM)
    assert (run.status, run.pages_done, run.pages_total) == (Status.QUEUED, 0, 0)


def test_a_published_run_cannot_be_retried(town, simple_pdf, publisher):
    run = runs.ingest_run_publish(processed(town, simple_pdf), by=publisher)
    with pytest.raises(ValidationError):
        runs.ingest_run_retry(run, by=publisher)


# ---------------------------------------------------------------------------- review


@pytest.fixture
def draft(town, simple_pdf) -> IngestRun:
    return processed(town, simple_pdf)


def articles_of(run):
    return list(run.issue.articles.order_by("position"))


def test_merge_joins_an_article_with_the_next_and_keeps_its_title_as_a_line(draft, publisher):
    first, second, third = articles_of(draft)
    runs.review_edit(first, article_merge_with_next, by=publisher)
    merged, last = articles_of(draft)
    assert merged.pk == first.pk and last.pk == third.pk and last.position == 2
    assert merged.body_source == f"{SIMPLE[0]['body']}\n\n{SIMPLE[1]['title']}\n{SIMPLE[1]['body']}"
    assert SIMPLE[1]["title"] in merged.body_html
    assert AuditEntry.objects.filter(action="article.merge").exists()


def test_merge_of_the_last_article_is_refused(draft, publisher):
    with pytest.raises(ValidationError):
        runs.review_edit(articles_of(draft)[-1], article_merge_with_next, by=publisher)


def test_split_at_a_title_line_undoes_a_merge(draft, publisher):
    first = articles_of(draft)[0]
    merged = runs.review_edit(first, article_merge_with_next, by=publisher)
    line = merged.body_source.split("\n").index(SIMPLE[1]["title"]) + 1
    new = runs.review_edit(merged, article_split, line=line, by=publisher)
    assert [(a.title, a.body_source) for a in articles_of(draft)] == [(a["title"], a["body"]) for a in SIMPLE]
    assert new.number == 4 and new.position == 2


def test_split_with_a_given_title_keeps_every_line_in_the_body(draft, publisher):
    first = articles_of(draft)[0]
    new = runs.review_edit(first, article_split, line=3, title="対象について", by=publisher)
    head, tail = articles_of(draft)[:2]
    assert head.body_source == "4月から分別の方法が変わります。"
    assert (tail.pk, tail.title, tail.body_source) == (new.pk, "対象について", "■対象\n市内全域\n\n問合せ：環境課")
    assert [a.position for a in articles_of(draft)] == [1, 2, 3, 4]


@pytest.mark.parametrize("line", [0, 1, 99])
def test_split_outside_the_body_is_refused(draft, publisher, line):
    with pytest.raises(ValidationError):
        runs.review_edit(articles_of(draft)[0], article_split, line=line, by=publisher)


def test_move_swaps_an_article_with_its_neighbour(draft, publisher):
    first, second, third = articles_of(draft)
    runs.review_edit(third, article_move, up=True, by=publisher)
    assert [a.pk for a in articles_of(draft)] == [first.pk, third.pk, second.pk]
    runs.review_edit(first, article_move, up=True, by=publisher)  # already first: nothing happens
    assert [a.pk for a in articles_of(draft)] == [first.pk, third.pk, second.pk]


def test_update_retitles_recategorises_and_rerenders_the_body(draft, publisher):
    article = articles_of(draft)[1]
    culture = Category.objects.get(name="文化")
    runs.review_edit(article, article_update, title="新しい題", body="■新しい見出し\n本文", category=culture, by=publisher)
    article.refresh_from_db()
    assert (article.title, article.category, article.body_source) == ("新しい題", culture, "■新しい見出し\n本文")
    assert "新しい見出し" in article.body_html


def test_publish_makes_the_issue_public_with_the_pdf_attached(draft, publisher, simple_pdf):
    run = runs.ingest_run_publish(draft, by=publisher)
    assert run.status == Status.PUBLISHED
    issue = Issue.objects.published().get()
    assert issue == run.issue and issue.source_pdf.read() == simple_pdf
    assert not issue.source_pdf.name.startswith("private/")
    assert AuditEntry.objects.filter(action="issue.publish").exists()


def test_publish_can_be_scheduled(draft, publisher):
    from datetime import timedelta

    from django.utils import timezone

    run = runs.ingest_run_publish(draft, by=publisher, at=timezone.now() + timedelta(days=1))
    assert run.status == Status.PUBLISHED
    assert not run.issue.is_public() and not Issue.objects.published().exists()


def test_review_writes_are_refused_once_published(draft, publisher):
    runs.ingest_run_publish(draft, by=publisher)
    article = articles_of(draft)[0]
    with pytest.raises(ValidationError):
        runs.review_edit(article, article_merge_with_next, by=publisher)
    with pytest.raises(ValidationError):
        runs.ingest_run_publish(draft, by=publisher)


# ---------------------------------------------------------------------------- page images and labels


def test_page_image_is_rendered_once_and_cached(draft):
    path = page_images.page_image_path(draft, 1)
    assert path.read_bytes().startswith(b"\x89PNG")
    mtime = path.stat().st_mtime_ns
    assert page_images.page_image_path(draft, 1).stat().st_mtime_ns == mtime
    with pytest.raises(ValidationError):
        page_images.page_image_path(draft, 2)


@pytest.mark.parametrize(
    ("pages", "label"), [([], ""), ([2], "2"), ([3, 2], "2-3"), ([2, 3, 5], "2-3,5"), ([1, 1, 2], "1-2")]
)
def test_pages_label_and_back(pages, label):
    assert pages_label(pages) == label
    assert pages_list(label) == sorted(set(pages))


# ---------------------------------------------------------------------------- limits (issue 12 #5)


def test_a_decompression_bomb_fails_the_run_at_the_memory_limit(town, settings, bomb):
    from .bomb_pdf import peak_rss

    settings.KOHOSHI_INGEST_MEMORY_MB = 256
    run = make_run(town, bomb)
    with peak_rss() as worker:
        run = runs.ingest_run_process(run.pk)
    assert (run.status, run.failure_code) == (Status.FAILED, "memory_limit")
    assert "メモリの上限" in run.failure_reason and run.can_retry
    assert worker.mb < 80
    assert not Issue.objects.exists()


def test_a_bomb_page_image_is_refused_without_the_server_inflating_it(town, settings, bomb):
    from .bomb_pdf import peak_rss

    settings.KOHOSHI_INGEST_MEMORY_MB = 256
    run = make_run(town, bomb)
    # As if the engine had passed it (an older engine, or a bomb that only rendering inflates).
    IngestRun.objects.filter(pk=run.pk).update(status=Status.NEEDS_REVIEW, pages_total=1, pages_done=1)
    run.refresh_from_db()
    with peak_rss() as server, pytest.raises(ValidationError) as caught:
        page_images.page_image_path(run, 1)
    assert "メモリの上限" in caught.value.messages[0]
    assert server.mb < 80
