"""What an uploaded newsletter PDF may be: checked by the upload form and again by the engine."""
MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 300
PDF_MAGIC = b"%PDF-"


def pdf_upload_acceptable(upload) -> bool:
    """The upload starts as a PDF and pypdfium2 (which extracts it later) opens it.

    The file's name and type are the sender's claim; its bytes are the content's. "%PDF-" must
    come first, after a BOM or PDF whitespace at most (some producers write them): an HTML page
    with "%PDF-" in a comment is not a PDF. A password-protected PDF passes here and fails in
    the run, with that reason.
    """
    import pypdfium2 as pdfium

    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\f\x00").startswith(PDF_MAGIC):
        return False
    source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload.read()
    upload.seek(0)
    try:
        pdfium.PdfDocument(source).close()
    except pdfium.PdfiumError as exc:
        return "password" in str(exc).lower()
    return True
