"""Why a PDF was refused, in words for staff and a code for machines."""


class PdfRejected(Exception):
    """The file cannot be turned into a draft issue.

    ``message`` is a human sentence, Japanese first (shown to the staff member who
    uploaded the file); ``code`` is stable and meant for programs and logs:

    ========================  =====================================================
    code                      meaning
    ========================  =====================================================
    ``not_pdf``               the bytes do not start with a PDF header
    ``empty``                 0 bytes
    ``too_large``             more than ``max_bytes``
    ``truncated``             the end-of-file marker is missing (upload cut short)
    ``corrupt``               PDFium cannot parse the document at all
    ``encrypted``             a password is needed to open the document
    ``too_many_pages``        more than ``max_pages`` pages
    ``page_bomb``             absurd page size or object count on a page
    ``no_pages``              the document has no pages
    ``memory_limit``          reading needed more memory than the sandbox allows (a
                              decompression bomb), see ``sandbox.py``
    ``time_limit``            reading took longer than the sandbox allows
    ``ocr_unavailable``       reserved; today a scan without Tesseract yields
                              ``DraftIssue.needs_ocr = True`` instead of this error
    ========================  =====================================================
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"PdfRejected(code={self.code!r}, message={self.message!r})"
