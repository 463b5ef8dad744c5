"""The PDF upload accepts what starts as a PDF and opens as one, nothing else (issue #10)."""
import pytest
from django.urls import reverse

from kohoshi.ingest.models import IngestRun

from .test_views import editor, upload_data  # noqa: F401 (editor is a fixture)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body><script>alert(1)</script><!-- %PDF-1.7 --></body></html>",
        b"<html>" + b" " * 500 + b"%PDF-1.4\n",
        b"GIF89a %PDF-1.4",
        b"%PDF-1.7\nnot really a pdf at all\n%%EOF\n",
    ],
)
def test_upload_refuses_a_file_that_does_not_start_and_open_as_a_pdf(editor_client, content):
    response = editor_client.post(reverse("ingest:upload"), upload_data(content))
    assert response.status_code == 200
    assert "PDF" in " ".join(response.context["form"].errors["pdf"])
    assert not IngestRun.objects.exists()


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf", b"\r\n  \t"])
def test_upload_accepts_a_pdf_after_only_whitespace_or_a_bom(editor_client, simple_pdf, prefix):
    response = editor_client.post(reverse("ingest:upload"), upload_data(prefix + simple_pdf))
    assert response.status_code == 302
    assert IngestRun.objects.count() == 1
