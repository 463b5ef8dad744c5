"""Seconds per image-only page, wall and CPU, RapidOCR against Tesseract or one checkout against another, interleaved (issue 11).

    nice -n 5 .venv/bin/python bench/ingest/ocr_speed.py [--rounds 2] [--engines rapidocr,tesseract] [PDF ...]
    nice -n 5 .venv/bin/python bench/ingest/ocr_speed.py --code main=/work/main --code new=/work/wt-ocr-speed [PDF ...]

Each (PDF, engine) is extracted by ``kohoshi.ingest.pdf.extract_issue`` in a fresh Python process
(as the sandbox does: the engine is loaded once per document, and that load is counted), with
``KOHOSHI_OCR_ENGINE`` choosing the engine.  Engines alternate PDF by PDF and round by round, so a
change of load on the shared machine hits both.  CPU seconds are the child's user+system time,
Tesseract processes included: on a 2-core machine shared with other work they say more than the wall
time, which depends on the load.  Default PDFs: the ``image`` producer's files
($INGEST_EVAL_OUT/image, from ``bench/ingest/run.py --producers image``) and the image-only real
newsletters in $INGEST_REAL_DIR (yasutake-flat-report-r4dfw/r4w, never committed).

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
import kohoshi
from kohoshi.ingest.pdf import extract_issue, ocr
data = open(sys.argv[1], "rb").read()
t, c = time.perf_counter(), cpu()
issue = extract_issue(data)
print(json.dumps({"engine": ocr.engine_name(), "code": kohoshi.__file__, "pages": issue.page_count, "wall": time.perf_counter() - t,
                  "cpu": cpu() - c, "articles": len(issue.articles),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def default_pdfs() -> list[Path]:
    pdfs = sorted((OUT / "image").glob("*.pdf"))
    pdfs += [p for p in (REAL / "yasutake-flat-report-r4dfw.pdf", REAL / "yasutake-flat-report-r4w.pdf") if p.exists()]
    return pdfs


def run_one(pdf: Path, engine: str, code: Path = REPO) -> dict:
    env = {**os.environ, "KOHOSHI_OCR_ENGINE": engine}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(pdf), str(code)], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": proc.stderr[-300:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


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
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    pdfs = args.pdfs or default_pdfs()
    engines = (args.engines or ("rapidocr" if args.code else "rapidocr,tesseract")).split(",")
    runs = variants(args.code, engines)
    print("load average at the start:", loadavg(), flush=True)
    rows: list[dict] = []
    for rnd in range(args.rounds):
        for i, pdf in enumerate(pdfs):
            turn = (i + rnd) % len(runs)
            for label, code, engine in runs[turn:] + runs[:turn]:
                r = run_one(pdf, engine, code)
                r.update(pdf=pdf.stem, wanted=label, round=rnd)
                rows.append(r)
                if "error" in r:
                    print(pdf.stem, label, "error", r["error"], flush=True)
                else:
                    print(f"{pdf.stem} {label} ({r['engine']}, {Path(r['code']).parents[1]}): {r['pages']} p, "
                          f"{r['wall'] / r['pages']:.2f} s/p wall, {r['cpu'] / r['pages']:.2f} s/p CPU, "
                          f"peak {r['peak_rss_mb']:.0f} MB", flush=True)
    print("load average at the end:", loadavg())
    print()
    print(table(rows, [label for label, _, _ in runs]))
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


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
            totals[e][0] += wall * pages
            totals[e][1] += cpu * pages
            totals[e][2] += pages
            cells.append(f"{wall:.2f} ({cpu:.2f})")
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
