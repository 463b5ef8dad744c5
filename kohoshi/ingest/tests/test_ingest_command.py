import io
import json

import pytest
from django.core.management import CommandError, call_command

from kohoshi.ingest.models import IngestRun
from kohoshi.ingest.tests.newsletter_pdf import newsletter_pdf
from kohoshi.newsletters.models import Issue

ARTICLES = [
    {"title": "ごみの出し方が変わります", "body": "4月から分別の方法が変わります。\n\n■対象\n市内全域"},
    {"title": "春の健康診断のお知らせ", "body": "今年も健康診断を行います。\n日時：5月10日"},
]
ARGS = ["--municipality", "142123", "--newsletter", "広報あつぎ", "--date", "2024-04-15", "--no-progress"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "koho.pdf"
    path.write_bytes(newsletter_pdf(ARTICLES))
    return path


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("ingest_pdf", *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_wait_without_a_worker_runs_in_process_and_prints_the_draft_as_json(pdf_path):
    result = json.loads(run_command(pdf_path, *ARGS, "--wait", "--worker-timeout", "0.1"))
    assert result["state"] == "needs_review"
    assert [{k: a[k] for k in ("title", "body")} for a in result["articles"]] == ARTICLES
    assert all(a["pages"] == "1" and a["category"] for a in result["articles"])
    assert Issue.objects.get().status == Issue.Status.DRAFT


@pytest.mark.django_db
def test_without_wait_the_run_is_queued_for_the_task_backend(pdf_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        output = run_command(pdf_path, *ARGS, "--number", "第1421号")
    run = IngestRun.objects.get()
    assert f"#{run.pk}" in output and f"/staff/m/142123/ingest/{run.pk}/" in output
    # the run is enqueued once its row is committed (the task's own writes announce theirs after)
    assert callbacks[0].__qualname__.startswith("ingest_run_create.")
    run.refresh_from_db()  # the immediate test backend ran the task on commit
    assert run.status == IngestRun.Status.NEEDS_REVIEW and run.issue.title == "広報あつぎ 第1421号"


@pytest.mark.django_db
def test_wait_on_a_bad_file_prints_the_failure_and_exits_with_an_error(tmp_path):
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"this is not a pdf")
    out = io.StringIO()
    with pytest.raises(CommandError, match="PDFではありません"):
        call_command("ingest_pdf", str(bad), *ARGS, "--wait", "--worker-timeout", "0", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["state"], result["articles"]) == ("failed", [])
    assert not Issue.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.pdf", *ARGS], "ファイルがありません"),
        ([None, "--municipality", "999999", "--newsletter", "x", "--date", "2024-04-15"], "登録されていません"),
        ([None, "--municipality", "142123", "--newsletter", "x", "--date", "15/4/2024"], "日付"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_queued(pdf_path, args, message):
    args = [pdf_path if a is None else a for a in args]
    with pytest.raises(CommandError, match=message):
        run_command(*args)
    assert not IngestRun.objects.exists()
