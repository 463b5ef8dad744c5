"""Bad input is refused with a PdfRejected carrying a code and a Japanese message."""

import io

import pytest

from kohoshi.ingest.pdf import DraftIssue, PdfRejected, extract_issue
from kohoshi.ingest.pdf import extract as extract_module
from kohoshi.ingest.pdf import ocr

from bench.ingest.samples import reportlab, simple_pdf


def rejected(data, **kwargs) -> PdfRejected:
    with pytest.raises(PdfRejected) as info:
        extract_issue(data, **kwargs)
    assert info.value.message and str(info.value) == info.value.message
    return info.value


def test_empty_file_is_rejected_as_empty():
    err = rejected(b"")
    assert err.code == "empty"
    assert "ファイルが空です (0 バイト)" in err.message


def test_empty_file_on_disk_is_rejected_as_empty(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert rejected(path).code == "empty"


def test_text_file_is_rejected_as_not_pdf():
    err = rejected("広報こほし".encode() * 10)
    assert err.code == "not_pdf"
    assert err.message.startswith("PDFではありません")


def test_png_is_rejected_as_not_pdf():
    assert rejected(b"\x89PNG\r\n\x1a\n" + b"\0" * 100).code == "not_pdf"


def test_truncated_pdf_is_rejected_as_truncated():
    data = simple_pdf()
    err = rejected(data[: len(data) // 2])
    assert err.code == "truncated"
    assert err.message.startswith("PDFが壊れています(途中で切れています)")


def test_pdf_missing_only_its_tail_is_rejected_as_truncated():
    data = simple_pdf()
    assert rejected(data[:-30]).code == "truncated"


def test_garbage_after_header_is_rejected_as_corrupt():
    assert rejected(b"%PDF-1.7\n" + b"garbage " * 200 + b"\n%%EOF\n").code == "corrupt"


def test_password_protected_pdf_is_rejected_as_encrypted():
    reportlab()
    from reportlab.lib.pdfencrypt import StandardEncryption

    data = simple_pdf(encrypt=StandardEncryption("user-secret", ownerPassword="owner-secret"))
    err = rejected(data)
    assert err.code == "encrypted"
    assert err.message.startswith("暗号化されたPDFは取り込めません")


def test_permission_only_encryption_is_read_with_a_warning():
    reportlab()
    from reportlab.lib.pdfencrypt import StandardEncryption

    data = simple_pdf(encrypt=StandardEncryption("", ownerPassword="owner-secret", canCopy=0))
    issue = extract_issue(data)
    assert issue.articles
    assert any("暗号化" in w for w in issue.warnings)


def test_too_many_pages_is_rejected():
    err = rejected(simple_pdf(pages=4), max_pages=3)
    assert err.code == "too_many_pages"
    assert "ページ数が上限(3)を超えています" in err.message


def test_default_page_limit_is_300():
    err = rejected(simple_pdf(pages=301))
    assert err.code == "too_many_pages"
    assert "上限(300)" in err.message


def test_too_large_bytes_are_rejected():
    err = rejected(simple_pdf(), max_bytes=500)
    assert err.code == "too_large"
    assert err.message.startswith("ファイルサイズが上限を超えています")


def test_too_large_file_is_rejected_before_reading(tmp_path):
    path = tmp_path / "big.pdf"
    path.write_bytes(simple_pdf())
    assert rejected(path, max_bytes=500).code == "too_large"


def test_absurd_page_size_is_rejected_as_page_bomb():
    reportlab()
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(500_000, 500_000))
    c.drawString(10, 10, "x")
    c.save()
    assert rejected(buf.getvalue()).code == "page_bomb"


def test_absurd_object_count_is_rejected_as_page_bomb(monkeypatch):
    monkeypatch.setattr(extract_module, "MAX_OBJECTS_PER_PAGE", 5)
    assert rejected(simple_pdf()).code == "page_bomb"


def test_path_and_bytes_give_the_same_draft(tmp_path):
    data = simple_pdf()
    path = tmp_path / "issue.pdf"
    path.write_bytes(data)
    assert extract_issue(path) == extract_issue(data)
    assert extract_issue(str(path)) == extract_issue(data)


def test_progress_reports_every_page():
    calls = []
    issue = extract_issue(simple_pdf(pages=3), progress=lambda done, total: calls.append((done, total)))
    assert issue.page_count == 3
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_page_numbers_and_titles_by_size_in_a_latin_pdf():
    issue = extract_issue(simple_pdf(pages=2))
    assert [a.title for a in issue.articles] == ["Notice number 1", "Notice number 2"]
    assert [a.pages for a in issue.articles] == [[1], [2]]
    assert all("- 1 -" not in a.body and "- 2 -" not in a.body for a in issue.articles)
    assert "Line 11 of page 2" in issue.articles[1].body


def _image_only_pdf() -> bytes:
    reportlab()
    pytest.importorskip("PIL")
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = pdfium.PdfDocument(simple_pdf(pages=1))[0].render(scale=2).to_pil()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.drawImage(ImageReader(image), 0, 0, 595, 842)
    c.save()
    return buf.getvalue()


def test_scan_without_tesseract_needs_ocr_with_a_warning(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    issue = extract_issue(_image_only_pdf())
    assert isinstance(issue, DraftIssue)
    assert issue.needs_ocr is True
    assert issue.articles == []
    assert any("OCR" in w for w in issue.warnings)


@pytest.mark.heavy
def test_scan_is_read_with_tesseract_when_installed():
    if not ocr.available():
        pytest.skip("tesseract with jpn data is not installed")
    issue = extract_issue(_image_only_pdf())
    assert issue.needs_ocr is False
    text = " ".join(a.title + " " + a.body for a in issue.articles)
    assert "library" in text


@pytest.mark.heavy
def test_scan_is_read_with_tesseract_inside_the_memory_limited_child():
    from kohoshi.ingest.pdf.sandbox import Limits, extract_issue_limited

    if not ocr.available():
        pytest.skip("tesseract with jpn data is not installed")
    issue = extract_issue_limited(_image_only_pdf(), limits=Limits(memory_mb=1024))
    assert issue.needs_ocr is False
    assert "library" in " ".join(a.title + " " + a.body for a in issue.articles)
