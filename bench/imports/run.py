"""Import benchmark: the 27 corpus CSV files (830 articles), first import and re-import,
on SQLite and PostgreSQL side by side in one run.

    .venv/bin/python bench/imports/run.py [--rounds 3] [--pg postgres://postgres@127.0.0.1:5432/postgres]

Each round uses a fresh, migrated database (SQLite file in a temporary data directory;
PostgreSQL database kohoshi_bench, dropped and re-created). Writes the "## Import" section of
docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("KOHOSHI_SHARED", REPO.parent / "shared")) / "corpus" / "municipal-bulletin" / "csv"
DOC = REPO / "docs" / "benchmarks.md"
SECTION = "## Import"

CHILD = r"""
import json, sys, time
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from kohoshi.ingest.services import files_import
files = sorted(Path(sys.argv[1]).glob("*.csv"))
t = time.perf_counter(); first = files_import(files, kind="csv"); t1 = time.perf_counter() - t
t = time.perf_counter(); again = files_import(files, kind="csv"); t2 = time.perf_counter() - t
assert not first.errors and not again.errors
print(json.dumps({"first": t1, "reimport": t2, "articles": sum(len(r.issue.articles.all()) for r in first.results),
                  "unchanged": again.as_dict()["outcomes"]["unchanged"]}))
"""


def _pg_recreate(admin_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kohoshi_bench")
        conn.execute("CREATE DATABASE kohoshi_bench")
    return admin_url.rsplit("/", 1)[0] + "/kohoshi_bench"


def one_round(backend: str, pg_admin: str) -> dict:
    # The production task backend: furigana and audio are queued for a worker, not made inside
    # the import (`immediate` would time reading every article aloud).
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kohoshi.settings", "KOHOSHI_TASKS": "db"}
    with tempfile.TemporaryDirectory() as data_dir:
        env["KOHOSHI_DATA_DIR"] = data_dir
        env.pop("DATABASE_URL", None)
        if backend == "postgresql":
            env["DATABASE_URL"] = _pg_recreate(pg_admin)
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(CORPUS)], env=env, cwd=REPO, check=True, capture_output=True, text=True
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"corpus not found at {CORPUS}")
    rows = []
    for backend in ("sqlite", "postgresql"):
        results = [one_round(backend, args.pg) for _ in range(args.rounds)]
        first = statistics.median(r["first"] for r in results)
        again = statistics.median(r["reimport"] for r in results)
        articles = results[0]["articles"]
        rows.append((backend, articles, first, articles / first, again))
        print(f"{backend}: {articles} articles, first import {first:.2f}s ({articles / first:.0f}/s), re-import {again:.2f}s")
    table = [
        SECTION,
        "",
        f"`bench/imports/run.py`: the 27 corpus CSV files (`../shared/corpus`, 広報あつぎ, CC BY 4.0) through "
        f"`files_import` (parse, validate, render bodies, save, index), median of {args.rounds} rounds on a fresh "
        f"database each; Python {platform.python_version()}, {platform.machine()}, 2 cores.",
        "",
        "| database | articles | first import (s) | articles/s | re-import, unchanged (s) |",
        "|---|---|---|---|---|",
        *[f"| {b} | {n} | {f:.2f} | {r:.0f} | {a:.2f} |" for b, n, f, r, a in rows],
        "",
        "Target: the 27 files in under 20 s.",
        "",
    ]
    _write_section("\n".join(table))


def _write_section(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n\n"
    start = doc.find(SECTION + "\n")
    if start == -1:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        end = doc.find("\n## ", start + len(SECTION))
        doc = doc[:start] + text + ("\n" + doc[end + 1 :] if end != -1 else "")
    DOC.write_text(doc.rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
