import pytest

from kohoshi.ingest.tests.newsletter_pdf import SAMPLE_ARTICLES, newsletter_pdf


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads and rendered pages go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def simple_pdf() -> bytes:
    return newsletter_pdf(SAMPLE_ARTICLES)
