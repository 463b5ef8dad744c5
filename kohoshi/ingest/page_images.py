"""PNG images of an ingest run's PDF pages, for the review beside the draft articles."""
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from .models import IngestRun
from .pdf import PdfRejected
from .pdf.sandbox import Limits, render_page_png
from .runs import sandbox_limits

PAGE_IMAGE_WIDTH = 1000
PAGE_IMAGE_SECONDS = 30  # a staff member is waiting for the page


def page_image_path(run: IngestRun, page: int) -> Path:
    """A PNG of one page of the run's PDF, rendered on first request and cached on disk.

    The cache lives under MEDIA_ROOT/private/ (never served directly), named by the PDF's hash so
    re-runs of the same file share it. Only runs that passed extraction get here, so the page
    sizes were checked by the engine already; the rendering still happens in a child process
    with the ingest limits, so a page that inflates to gigabytes never enters the web server.
    A page over the limits is a ValidationError (the view answers 404).
    """
    if run.status in IngestRun.RUNNING or not run.source_sha256:
        raise ValidationError("読み取りが終わるまで、ページ画像は作れません")
    if not 1 <= page <= run.pages_total:
        raise ValidationError("そのページはありません")
    path = Path(settings.MEDIA_ROOT) / "private" / "ingest-pages" / run.source_sha256 / f"{page}-{PAGE_IMAGE_WIDTH}.png"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with run.source_pdf.open("rb") as fh:
        data = fh.read()
    partial = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    limits = sandbox_limits()
    try:
        render_page_png(
            data, page=page, width=PAGE_IMAGE_WIDTH, out_path=str(partial),
            limits=Limits(memory_mb=limits.memory_mb, seconds=PAGE_IMAGE_SECONDS, page_seconds=PAGE_IMAGE_SECONDS),
        )
    except PdfRejected as exc:
        partial.unlink(missing_ok=True)
        raise ValidationError(str(exc), code=exc.code) from None
    partial.replace(path)  # atomic: two staff opening the page at once never see half a file
    return path
