"""PNG images of an ingest run's PDF pages, for the review beside the draft articles."""
import uuid
from pathlib import Path

import pypdfium2 as pdfium
from django.conf import settings
from django.core.exceptions import ValidationError

from .models import IngestRun

PAGE_IMAGE_WIDTH = 1000


def page_image_path(run: IngestRun, page: int) -> Path:
    """A PNG of one page of the run's PDF, rendered on first request and cached on disk.

    The cache lives under MEDIA_ROOT/private/ (never served directly), named by the PDF's hash so
    re-runs of the same file share it. Only runs that passed extraction get here, so the page
    sizes were checked by the engine already.
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
