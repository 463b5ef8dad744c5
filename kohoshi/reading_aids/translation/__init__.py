"""Machine translation of articles: backends.py (LibreTranslate, DeepL, CTranslate2),
segments.py (the body's text without its markup), languages.py (what each language's page says).
The writes are in kohoshi.reading_aids.services (translation_*)."""
