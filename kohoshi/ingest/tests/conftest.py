import pytest



@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads and rendered pages go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def bomb() -> bytes:
    """About 1 MB of PDF whose page content inflates to 1 GiB (made once: zlib takes seconds)."""
    from .bomb_pdf import bomb_pdf

    return bomb_pdf(inflated_mb=1024)
