"""Seconds per image-only page, wall and CPU, RapidOCR against Tesseract, interleaved (issue 11).

    nice -n 5 .venv/bin/python bench/ingest/ocr_speed.py [--rounds 2] [--engines rapidocr,tesseract] [PDF ...]

Each (PDF, engine) is extracted by ``kohoshi.ingest.pdf.extract_issue`` in a fresh Python process
(as the sandbox does: the engine is loaded once per document, and that load is counted), with
``KOHOSHI_OCR_ENGINE`` choosing the engine.  Engines alternate PDF by PDF and round by round, so a
change of load on the shared machine hits both.  CPU seconds are the child's user+system time,
Tesseract processes included: on a 2-core machine shared with other work they say more than the wall
time, which depends on the load.  Default PDFs: the ``image`` producer's files
($INGEST_EVAL_OUT/image, from ``bench/ingest/run.py --producers image``) and the image-only real
newsletters in $INGEST_REAL_DIR (yasutake-flat-report-r4dfw/r4w, never committed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("INGEST_EVAL_OUT", "/work/ingest-eval-out"))
REAL = Path(os.environ.get("INGEST_REAL_DIR", "/work/ingest-real"))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
from kohoshi.ingest.pdf import extract_issue, ocr
data = open(sys.argv[1], "rb").read()
t, c = time.perf_counter(), cpu()
issue = extract_issue(data)
print(json.dumps({"engine": ocr.engine_name(), "pages": issue.page_count, "wall": time.perf_counter() - t,
                  "cpu": cpu() - c, "articles": len(issue.articles),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def default_pdfs() -> list[Path]:
    pdfs = sorted((OUT / "image").glob("*.pdf"))
    pdfs += [p for p in (REAL / "yasutake-flat-report-r4dfw.pdf", REAL / "yasutake-flat-report-r4w.pdf") if p.exists()]
    return pdfs


def run_one(pdf: Path, engine: str) -> dict:
    env = {**os.environ, "KOHOSHI_OCR_ENGINE": engine}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(pdf), str(REPO)], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": proc.stderr[-300:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--engines", default="rapidocr,tesseract")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    pdfs = args.pdfs or default_pdfs()
    engines = args.engines.split(",")
    rows: list[dict] = []
    for rnd in range(args.rounds):
        for i, pdf in enumerate(pdfs):
            order = engines if (i + rnd) % 2 == 0 else engines[::-1]
            for engine in order:
                r = run_one(pdf, engine)
                r.update(pdf=pdf.stem, wanted=engine, round=rnd)
                rows.append(r)
                if "error" in r:
                    print(pdf.stem, engine, "error", r["error"], flush=True)
                else:
                    print(f"{pdf.stem} {r['engine']}: {r['pages']} p, {r['wall'] / r['pages']:.1f} s/p wall, "
                          f"{r['cpu'] / r['pages']:.1f} s/p CPU, peak {r['peak_rss_mb']:.0f} MB", flush=True)
    print()
    print(table(rows, engines))
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def table(rows: list[dict], engines: list[str]) -> str:
    ok = [r for r in rows if "error" not in r]
    names = sorted({r["pdf"] for r in ok}, key=lambda n: [r["pdf"] for r in ok].index(n))
    head = "| PDF | pages | " + " | ".join(f"{e} s/page wall (CPU)" for e in engines) + " |"
    lines = [head, "|---|---|" + "---|" * len(engines)]
    totals = {e: [0.0, 0.0, 0] for e in engines}
    for name in names:
        cells = []
        pages = 0
        for e in engines:
            rs = [r for r in ok if r["pdf"] == name and r["wanted"] == e]
            if not rs:
                cells.append("–")
                continue
            pages = rs[0]["pages"]
            wall = statistics.median(r["wall"] for r in rs) / pages
            cpu = statistics.median(r["cpu"] for r in rs) / pages
            totals[e][0] += wall * pages
            totals[e][1] += cpu * pages
            totals[e][2] += pages
            cells.append(f"{wall:.1f} ({cpu:.1f})")
        lines.append(f"| {name} | {pages} | " + " | ".join(cells) + " |")
    cells = [f"**{t[0] / t[2]:.1f}** ({t[1] / t[2]:.1f})" if t[2] else "–" for t in totals.values()]
    lines.append(f"| all pages | {max(t[2] for t in totals.values())} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
