import json
import sys
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from tqdm import tqdm

from kohoshi.ingest.models import IngestRun
from kohoshi.ingest.runs import ingest_run_create, ingest_run_process
from kohoshi.newsletters.links import site_url
from kohoshi.places.models import Municipality


class Command(BaseCommand):
    help = (
        "Queue a newsletter PDF for extraction into a draft issue (the same service as the staff "
        "upload form). With --wait, show progress and print the draft as JSON when it is done."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="6桁の自治体コード")
        parser.add_argument("--newsletter", required=True, help="広報紙名 (例: 広報あつぎ)")
        parser.add_argument("--date", required=True, type=_date, help="発行日 YYYY-MM-DD")
        parser.add_argument("--number", default="", help="号数 (例: 第1421号)")
        parser.add_argument("--wait", action="store_true", help="wait for the run and print the draft issue as JSON")
        parser.add_argument(
            "--worker-timeout",
            type=float,
            default=10.0,
            help="with --wait: seconds to wait for a task worker to start the run before running it "
            "in this process (0 = run here at once; default 10)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, file: Path, municipality, newsletter, date, number, wait, worker_timeout, **options):
        if not file.is_file():
            raise CommandError(f"ファイルがありません: {file}")
        town = Municipality.objects.filter(code=municipality).first()
        if town is None:
            raise CommandError(f"自治体コード「{municipality}」は登録されていません")
        run = ingest_run_create(
            municipality=town, newsletter_title=newsletter, published_on=date, number=number, pdf_file=file
        )
        status_url = site_url() + reverse("staff:ingest_run", args=[town.code, run.pk])
        if not wait:
            run.refresh_from_db()
            self.stdout.write(f"取り込み #{run.pk} を受け付けました ({run.get_status_display()}): {status_url}")
            return
        run = self._wait(run, worker_timeout=worker_timeout, show_progress=not options["no_progress"])
        self.stdout.write(json.dumps(_as_dict(run, status_url), ensure_ascii=False, indent=2))
        if run.status == IngestRun.Status.FAILED:
            raise CommandError(run.failure_reason)

    def _wait(self, run: IngestRun, *, worker_timeout: float, show_progress: bool) -> IngestRun:
        deadline = time.monotonic() + worker_timeout
        with tqdm(total=0, unit="ページ", desc=f"#{run.pk}", disable=not show_progress, file=sys.stderr) as bar:

            def show(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            while True:
                run.refresh_from_db()
                show(run.pages_done, run.pages_total)
                if run.status in IngestRun.FINISHED:
                    return run
                if run.status == IngestRun.Status.QUEUED and time.monotonic() >= deadline:
                    # No worker took it: run it here. The claim inside makes this safe if a
                    # worker starts meanwhile; the queued task then finds the run taken and stops.
                    bar.set_description(f"#{run.pk} (in-process)")
                    ingest_run_process(run.pk, progress=show)
                    continue
                time.sleep(0.5)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日付「{value}」を読めません(YYYY-MM-DD の形で書いてください)") from None


def _as_dict(run: IngestRun, status_url: str) -> dict:
    articles = run.issue.articles.select_related("category").order_by("position") if run.issue_id else []
    return {
        "state": run.status,
        "run": run.pk,
        "status_url": status_url,
        "reason": run.failure_reason,
        "needs_ocr": run.needs_ocr,
        "warnings": run.warnings,
        "articles": [
            {"title": a.title, "body": a.body_source, "pages": a.pages, "category": a.category.name}
            for a in articles
        ],
    }
