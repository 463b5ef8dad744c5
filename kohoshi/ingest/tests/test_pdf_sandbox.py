"""The engine in a limited child: decompression bombs fail fast and the parent stays small."""
import time

import pytest

from kohoshi.ingest.pdf import PdfRejected, extract_issue
from kohoshi.ingest.pdf.sandbox import Limits, extract_issue_limited, render_page_png

from .bomb_pdf import bomb_pdf, peak_rss

SMALL = Limits(memory_mb=256, seconds=60, page_seconds=60)


def test_a_normal_pdf_reads_the_same_in_the_child(simple_pdf):
    pages = []
    draft = extract_issue_limited(simple_pdf, limits=SMALL, progress=lambda done, total: pages.append((done, total)))
    assert draft == extract_issue(simple_pdf)
    assert pages == [(1, 1)]


def test_decompression_bomb_fails_at_the_memory_limit_and_the_parent_stays_small(bomb):
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    with peak_rss() as parent, pytest.raises(PdfRejected) as caught:
        extract_issue_limited(bomb, limits=SMALL)
    assert caught.value.code == "memory_limit"
    assert "メモリの上限(256 MB)" in caught.value.message
    assert parent.mb < 50  # the 1 GiB is inflated (and given up) in the child only
    assert time.monotonic() - started < 30


def test_many_pages_sharing_a_bomb_fail_on_the_first():
    with pytest.raises(PdfRejected) as caught:
        extract_issue_limited(bomb_pdf(inflated_mb=300, pages=300), limits=SMALL)
    assert caught.value.code == "memory_limit"


def test_a_pdf_that_reads_too_long_fails_at_the_time_limit(bomb):
    started = time.monotonic()
    with pytest.raises(PdfRejected) as caught:
        extract_issue_limited(bomb, limits=Limits(memory_mb=4096, seconds=0.5, page_seconds=60))
    assert caught.value.code == "time_limit" and "時間の上限" in caught.value.message
    assert time.monotonic() - started < 5


def test_a_page_that_reads_too_long_fails_at_the_page_time_limit(bomb):
    with pytest.raises(PdfRejected) as caught:
        extract_issue_limited(bomb, limits=Limits(memory_mb=4096, seconds=60, page_seconds=0.5))
    assert caught.value.code == "time_limit"


def test_engine_rejections_come_back_from_the_child_unchanged():
    with pytest.raises(PdfRejected) as caught:
        extract_issue_limited(b"GIF89a not a newsletter", limits=SMALL)
    assert caught.value.code == "not_pdf"


def test_rendering_a_bomb_page_fails_at_the_memory_limit(bomb, tmp_path):
    out = tmp_path / "page.png"
    with peak_rss() as parent, pytest.raises(PdfRejected) as caught:
        render_page_png(bomb, page=1, width=1000, out_path=str(out), limits=SMALL)
    assert caught.value.code == "memory_limit"
    assert parent.mb < 50 and not out.exists()


def test_rendering_a_normal_page_writes_a_png(simple_pdf, tmp_path):
    out = tmp_path / "page.png"
    render_page_png(simple_pdf, page=1, width=500, out_path=str(out), limits=SMALL)
    assert out.read_bytes().startswith(b"\x89PNG")
