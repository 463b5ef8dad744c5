import json
import subprocess
import sys

import pytest

from bench.search.run import OUT, REPO


@pytest.mark.heavy
@pytest.mark.corpus
def test_bench_runs_on_a_small_corpus(corpus_csv_files):
    """(The bench builds its corpus from ../shared's articles: skipped, as the other corpus tests,
    where a checkout has no ../shared beside it.)"""
    subprocess.run(
        [sys.executable, "-m", "bench.search.run", "--size", "1500", "--skip-baselines"],
        check=True, cwd=REPO, capture_output=True,
    )
    result = json.loads((OUT / "search-sqlite-1500.json").read_text())
    assert result["index"]["articles"] == 1500
    assert result["engine"]["n"] >= 50 * 5
