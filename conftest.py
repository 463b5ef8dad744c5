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


def seed_article_body(seed: str) -> str:
    """The article body of the seed page: between the municipality line and the survey prompt."""
    lines = seed.splitlines()
    start = lines.index("北海道苫小牧市") + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("<この記事について"))
    return "\n".join(lines[start:end]).strip()


def seed_issue_document(seed: str) -> dict:
    """A 37-article issue of 広報とまこまい whose 6th article is the seed article 市政方針(2)."""
    articles = [
        {"title": f"お知らせ{n}", "category": "くらし", "body": f"テスト用の記事{n}の本文です。"}
        for n in range(1, 38)
    ]
    articles[5] = {"title": "市政方針(2)", "category": "くらし", "body": seed_article_body(seed)}
    return {
        "municipality": "012131",
        "newsletter": {"title": "広報とまこまい"},
        "issue": {"title": "広報とまこまい 2024年4月号", "published_on": "2024-04-01", "number": "第1号"},
        "articles": articles,
    }


@pytest.fixture
def seed_issue_file(seed_text, tmp_path) -> Path:
    import json

    path = tmp_path / "seed-issue.json"
    path.write_text(json.dumps(seed_issue_document(seed_text), ensure_ascii=False), encoding="utf-8")
    return path
