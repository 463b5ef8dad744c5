"""What an uploaded file must be to be taken as a newsletter PDF (issue #10): it starts as a PDF
and opens as one. An HTML file with "%PDF-" in its first KiB was accepted."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kohoshi.ingest.limits import pdf_upload_acceptable
from kohoshi.ingest.models import IngestRun

NOT_PDFS = [
    b"<!DOCTYPE html><html><body><script>alert(1)</script><!-- %PDF-1.7 --></body></html>",
    b"<html>" + b" " * 500 + b"%PDF-1.4\n",
    b"GIF89a %PDF-1.4",
    b"%PDF-1.7\nnot really a pdf at all\n%%EOF\n",
]
PREFIXES = [b"", b"\xef\xbb\xbf", b"\r\n  \t"]


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("koho.pdf", content, content_type="application/pdf")


@pytest.mark.parametrize("content", NOT_PDFS)
def test_a_file_that_does_not_start_and_open_as_a_pdf_is_not_acceptable(content):
    assert not pdf_upload_acceptable(upload(content))


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_pdf_after_only_whitespace_or_a_bom_is_acceptable(simple_pdf, prefix):
    file = upload(prefix + simple_pdf)
    assert pdf_upload_acceptable(file)
    assert file.tell() == 0


# Over HTTP, through the staff upload form (kohoshi/staff/forms.py calls pdf_upload_acceptable).
@pytest.mark.django_db
@pytest.mark.parametrize("content", NOT_PDFS)
def test_upload_form_refuses_a_file_that_does_not_start_and_open_as_a_pdf(client, content):
    from kohoshi.accounts.models import Role
    from kohoshi.staff.tests.factories import make_staff

    client.force_login(make_staff("editor", "142123", role=Role.EDITOR))
    data = {"newsletter_title": "広報あつぎ", "published_on": "2024-04-15", "number": "", "pdf": upload(content)}
    response = client.post(reverse("staff:ingest_upload", args=["142123"]), data)
    assert response.status_code == 400
    assert "PDF" in " ".join(response.context["form"].errors["pdf"])
    assert not IngestRun.objects.exists()
