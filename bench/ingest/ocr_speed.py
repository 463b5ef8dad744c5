"""Seconds per image-only page, wall and CPU, RapidOCR against Tesseract or one checkout against another, interleaved (issue 11).

    nice -n 5 .venv/bin/python bench/ingest/ocr_speed.py [--rounds 2] [--engines rapidocr,tesseract] [PDF ...]
    nice -n 5 .venv/bin/python bench/ingest/ocr_speed.py --code main=/work/main --code new=/work/wt-ocr-speed [PDF ...]

Each (PDF, engine) is extracted as the ingest worker extracts it: ``extract_issue_limited`` starts
the sandbox child under the worker's address-space limit (``--memory-mb``, default 2048 as
settings.KOHOSHI_INGEST_MEMORY_MB), so the child's start, its imports and the engine's load (once
per document) are counted.  A document whose pages RapidOCR could not read within the limit
(Tesseract reads that page and the rest, ``ocr.ocr_page``) is marked † in the table.
``--memory-mb 0`` runs ``extract_issue`` in process instead (all this bench timed before
2026-12-06: it never saw the limit).  ``KOHOSHI_OCR_ENGINE`` chooses the engine.  ``--busy N``
holds N cores with busy loops for the whole run: a page's speed while the server does other work.

Engines alternate PDF by PDF and round by round, so a change of load on the shared machine hits
both.  CPU seconds are the child's user+system time, the sandbox's and Tesseract's processes
included.  Default PDFs: the ``image`` producer's files ($INGEST_EVAL_OUT/image, from
``bench/ingest/run.py --producers image``) and the image-only real newsletters in $INGEST_REAL_DIR
(yasutake-flat-report-r4dfw/r4w, never committed).

``--code NAME=PATH`` (repeatable) runs the extractor of another checkout (its repository root): the
child imports ``kohoshi`` from PATH, so two versions of the OCR code are timed side by side, each
PDF by each in turn (the order turning round by round), with the ratios of the last to the first.
With ``--code`` the engine is RapidOCR unless ``--engines`` says otherwise.  The load average is
printed at the start and the end (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from kohoshi.ingest.pdf.sandbox import Limits

REPO = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("INGEST_EVAL_OUT", "/work/ingest-eval-out"))
REAL = Path(os.environ.get("INGEST_REAL_DIR", "/work/ingest-real"))
# the ingest worker's address-space limit (settings.KOHOSHI_INGEST_MEMORY_MB's default)
MEMORY_MB = Limits().memory_mb
FALLBACK = re.compile(r"RapidOCR failed on page (\d+)")

CHILD = r"""
import json, resource, sys, time
memory_mb = int(sys.argv[2])
def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
import kohoshi
from kohoshi.ingest.pdf import extract_issue, ocr
from kohoshi.ingest.pdf.sandbox import Limits, extract_issue_limited
data = open(sys.argv[1], "rb").read()
t, c = time.perf_counter(), cpu()
if memory_mb:
    issue = extract_issue_limited(data, limits=Limits(memory_mb=memory_mb))
    engine = "sandbox"
else:
    issue = extract_issue(data)
    engine = ocr.engine_name()
print(json.dumps({"engine": engine, "code": kohoshi.__file__, "pages": issue.page_count, "wall": time.perf_counter() - t,
                  "cpu": cpu() - c, "articles": len(issue.articles),
                  "peak_rss_mb": max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024}))
"""

def default_pdfs() -> list[Path]:
    pdfs = sorted((OUT / "image").glob("*.pdf"))
    pdfs += [p for p in (REAL / "yasutake-flat-report-r4dfw.pdf", REAL / "yasutake-flat-report-r4w.pdf") if p.exists()]
    return pdfs


def run_one(pdf: Path, engine: str, code: Path = REPO, memory_mb: int = MEMORY_MB) -> dict:
    """One extraction in a fresh process; with ``memory_mb`` as the ingest worker runs it (the
    sandbox child under that address-space limit, its start and imports counted)."""
    env = {**os.environ, "KOHOSHI_OCR_ENGINE": engine}
    # run in the checkout: the child and the sandbox child it starts (``python -m``) both import
    # ``kohoshi`` from their working directory first, before the shared virtualenv's install
    proc = subprocess.run([sys.executable, "-c", CHILD, str(pdf.resolve()), str(memory_mb)],
                          capture_output=True, text=True, env=env, cwd=code)
    if proc.returncode != 0:
        return {"error": proc.stderr[-300:]}
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    # RapidOCR out of memory under the limit: that page and the rest of the document are read by
    # Tesseract (ocr.ocr_page, ocr._note_failure)
    failed = [int(n) for n in FALLBACK.findall(proc.stderr)]
    row["tesseract_from"] = min(failed) if failed else None
    if memory_mb:
        row["engine"] = f"{engine} in the sandbox ({memory_mb} MB)"
    return row


def busy(n: int) -> list[subprocess.Popen]:
    """``n`` processes that each hold a core for as long as the bench runs (``--busy``): the
    speed of a page while the machine also serves readers."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def variants(codes: list[str], engines: list[str]) -> list[tuple[str, Path, str]]:
    """(label, checkout, engine) for each checkout and engine; without ``--code``, this one."""
    checkouts = [(name, Path(path).resolve()) for name, _, path in (c.partition("=") for c in codes)] or [("", REPO)]
    return [
        (" ".join(p for p in (name, engine if len(engines) > 1 or not name else "") if p), path, engine)
        for name, path in checkouts
        for engine in engines
    ]


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--engines", help="comma separated (default rapidocr,tesseract; rapidocr with --code)")
    ap.add_argument("--code", action="append", default=[], metavar="NAME=PATH",
                    help="time the extractor of the checkout at PATH as NAME (repeatable)")
    ap.add_argument("--memory-mb", type=int, default=MEMORY_MB,
                    help="run each PDF in the ingest sandbox with this limit, as the worker does (0: in process)")
    ap.add_argument("--busy", type=int, default=0, metavar="N", help="hold N cores with busy loops meanwhile")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    pdfs = args.pdfs or default_pdfs()
    engines = (args.engines or ("rapidocr" if args.code else "rapidocr,tesseract")).split(",")
    runs = variants(args.code, engines)
    print("load average at the start:", loadavg(), flush=True)
    hogs = busy(args.busy)
    rows: list[dict] = []
    try:
        _rounds(args, pdfs, runs, rows)
    finally:
        for hog in hogs:
            hog.kill()
    print("load average at the end:", loadavg())
    print()
    print(table(rows, [label for label, _, _ in runs]))
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def _rounds(args, pdfs: list[Path], runs, rows: list[dict]) -> None:
    for rnd in range(args.rounds):
        for i, pdf in enumerate(pdfs):
            turn = (i + rnd) % len(runs)
            for label, code, engine in runs[turn:] + runs[:turn]:
                r = run_one(pdf, engine, code, args.memory_mb)
                r.update(pdf=pdf.stem, wanted=label, round=rnd)
                rows.append(r)
                if "error" in r:
                    print(pdf.stem, label, "error", r["error"], flush=True)
                else:
                    print(f"{pdf.stem} {label} ({r['engine']}, {Path(r['code']).parents[1]}): {r['pages']} p, "
                          f"{r['wall'] / r['pages']:.2f} s/p wall, {r['cpu'] / r['pages']:.2f} s/p CPU, "
                          f"peak {r['peak_rss_mb']:.0f} MB"
                          + (f", RapidOCR out of memory: Tesseract from page {r['tesseract_from']}" if r["tesseract_from"] else ""),
                          flush=True)


def table(rows: list[dict], labels: list[str]) -> str:
    """Median s/page per PDF and variant, wall (CPU); with two variants, the second's share of the first's."""
    ok = [r for r in rows if "error" not in r]
    names = list(dict.fromkeys(r["pdf"] for r in ok))
    pair = len(labels) == 2
    head = "| PDF | pages | " + " | ".join(f"{e} s/page wall (CPU)" for e in labels) + " |"
    head += f" {labels[1]} / {labels[0]} wall (CPU) |" if pair else ""
    lines = [head, "|---|---|" + "---|" * (len(labels) + pair)]
    totals = {e: [0.0, 0.0, 0] for e in labels}
    for name in names:
        cells, got = [], {}
        pages = 0
        for e in labels:
            rs = [r for r in ok if r["pdf"] == name and r["wanted"] == e]
            if not rs:
                cells.append("–")
                continue
            pages = rs[0]["pages"]
            wall = statistics.median(r["wall"] for r in rs) / pages
            cpu = statistics.median(r["cpu"] for r in rs) / pages
            got[e] = (wall, cpu)
            fallback = min((r["tesseract_from"] for r in rs if r.get("tesseract_from")), default=None)
            totals[e][0] += wall * pages
            totals[e][1] += cpu * pages
            totals[e][2] += pages
            cells.append(f"{wall:.2f} ({cpu:.2f})" + (f" † Tesseract from p. {fallback}" if fallback else ""))
        if pair:
            cells.append(_ratio(got.get(labels[1]), got.get(labels[0])))
        lines.append(f"| {name} | {pages} | " + " | ".join(cells) + " |")
    means = {e: (t[0] / t[2], t[1] / t[2]) for e, t in totals.items() if t[2]}
    cells = [f"**{means[e][0]:.2f}** ({means[e][1]:.2f})" if e in means else "–" for e in labels]
    if pair:
        cells.append(_ratio(means.get(labels[1]), means.get(labels[0])))
    lines.append(f"| all pages (mean s/page) | {max(t[2] for t in totals.values())} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _ratio(new, old) -> str:
    if not new or not old:
        return "–"
    return f"{new[0] / old[0]:.2f} ({new[1] / old[1]:.2f})"


if __name__ == "__main__":
    raise SystemExit(main())
