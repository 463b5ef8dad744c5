"""PDF newsletter extraction: one public entry, :func:`extract_issue`.

>>> issue = extract_issue("koho-2024-05.pdf", progress=lambda done, total: ...)
>>> [(a.title, a.pages, a.category) for a in issue.articles]

Pure functions on bytes: no models, no database.  The ingest service wraps this in
an ``IngestRun`` and a review queue.
"""

from .errors import PdfRejected
from .extract import extract_issue
from .split import CATEGORIES, DraftArticle, DraftIssue, guess_category

__all__ = ["CATEGORIES", "DraftArticle", "DraftIssue", "PdfRejected", "extract_issue", "guess_category"]
