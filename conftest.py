"""Shared test fixtures: the ../shared data, imported corpus, browser."""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("KOHOSHI_SHARED", REPO.parent / "shared"))
CORPUS_CSV = SHARED / "corpus" / "municipal-bulletin" / "csv"
SEED = SHARED / "seeds" / "000_a35c4566e9baf5e2.txt"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("KOHOSHI_FAST"):
        skip = pytest.mark.skip(reason="KOHOSHI_FAST=1 skips heavy tests")
        for item in items:
            if "heavy" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def corpus_csv_files() -> list[Path]:
    files = sorted(CORPUS_CSV.glob("*.csv"))
    if not files:
        pytest.skip(f"../shared corpus not found at {CORPUS_CSV}: tests on real newsletter data skipped")
    return files


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"../shared seed article not found at {SEED}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = REPO / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
