"""What an uploaded newsletter PDF may be: checked by the upload form and again by the engine."""
MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 300
PDF_MAGIC = b"%PDF-"
