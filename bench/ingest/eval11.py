"""Issue 11 evaluation: producers we do not steer, scored independently of the extractor.

Producers (``--producers``, comma separated):

* ``chromium`` — HTML/CSS newsletter templates printed by Debian's Chromium (bench/ingest/chromium.py);
* ``impress`` — LibreOffice Impress/Draw pages of free-placed text frames (bench/ingest/impress.py);
* ``image`` — every chromium/impress page rendered to a 200 dpi greyscale image and put back into an
  image-only PDF (no text layer: the extractor must OCR);
* ``real`` — public newsletter PDFs fetched from public repositories (never committed; see
  bench/ingest/real_truth/), skipped cleanly when absent.

Each PDF is extracted by the public entry ``kohoshi.ingest.pdf.extract_issue`` in a forked child
process (peak RSS and wall time of that child), then scored by bench/ingest/truth_metrics.py.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import resource
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import truth_metrics as tm

OUT = Path(os.environ.get("INGEST_EVAL_OUT", "/work/ingest-eval-out"))
REAL_DIR = Path(os.environ.get("INGEST_REAL_DIR", "/work/ingest-real"))
TRUTH_DIR = Path(__file__).resolve().parent / "real_truth"
SECTION = "## Issue 11 — ingest evaluation"

TARGETS = {"title_recall": 0.9, "f1": 0.9, "chars": 0.97, "chars_image": 0.9, "one_char": 0.01, "pps": 5.0, "spp_image": 3.0, "real_titles": 0.8}


@dataclass
class Case:
    producer: str
    name: str
    pdf: Path
    truth: dict


# --------------------------------------------------------------------------- producing


def chromium_cases(seed: int, rebuild: bool = True) -> list[Case]:
    from . import chromium

    out = OUT / "chromium"
    if rebuild or not any(out.glob("*.json")):
        chromium.build_all(seed, out)
    return [_case("chromium", j) for j in sorted(out.glob("*.json"))]


def impress_cases(seed: int, rebuild: bool = True) -> list[Case]:
    from . import impress

    out = OUT / "impress"
    if rebuild or not any(out.glob("*.json")):
        if not impress.build_all(seed, out):
            return []
    return [_case("impress", j) for j in sorted(out.glob("*.json"))]


# OCR is slow on a shared 2-core machine: by default the image producer scans this subset
# (a cover with contents, 縦書き tiers, a grid with boxes, free frames); --image-all scans everything.
IMAGE_SET = ("chromium/cover-a5-toc", "chromium/vertical-tiers", "chromium/grid3-boxed", "impress/impress-free-frames")


def image_cases(sources: list[Case], dpi: int = 200, everything: bool = False) -> list[Case]:
    """Image-only copies: each page rendered to greyscale pixels, wrapped back into a PDF."""
    import pypdfium2 as pdfium

    if not everything:
        sources = [c for c in sources if f"{c.producer}/{c.name}" in IMAGE_SET]

    out = OUT / "image"
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for c in sources:
        dst = out / f"{c.producer}-{c.name}.pdf"
        doc = pdfium.PdfDocument(c.pdf)
        images = [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
        images[0].save(dst, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
        doc.close()
        truth = dict(c.truth, producer="image", source=f"{c.producer}/{c.name}", dpi=dpi)
        (out / f"{c.producer}-{c.name}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        cases.append(Case("image", f"{c.producer}-{c.name}", dst, truth))
    return cases


def real_cases() -> list[Case]:
    """Real PDFs with eye-judged truth; a truth whose PDF is absent is skipped, and so is one whose
    PDF is not the file the truth was judged on (its ``sha256``, when recorded, differs): scores
    against another version of a newsletter would mean nothing."""
    import hashlib

    cases = []
    for j in sorted(TRUTH_DIR.glob("*.json")):
        truth = json.loads(j.read_text(encoding="utf-8"))
        pdf = REAL_DIR / truth["file"]
        if not pdf.exists():
            print(f"real: {pdf} absent, {j.name} skipped (fetch it: {fetch_hint(truth)})", flush=True)
            continue
        want = truth.get("sha256")
        if want and hashlib.sha256(pdf.read_bytes()).hexdigest() != want:
            print(f"real: {pdf} is not the judged file (sha256 differs), {j.name} skipped ({fetch_hint(truth)})", flush=True)
            continue
        cases.append(Case("real", j.stem, pdf, truth))
    return cases


def fetch_hint(truth: dict) -> str:
    s = truth["source"]
    return f"git --git-dir=<mirror of {s['repository']}> show {s['commit']}:{s['path']} > $INGEST_REAL_DIR/{truth['file']}"


def _case(producer: str, j: Path) -> Case:
    return Case(producer, j.stem, j.with_suffix(".pdf"), json.loads(j.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- extracting


def _child(pdf: str, conn) -> None:
    try:
        code = os.environ.get("KOHOSHI_EXTRACTOR_CODE")
        if code:  # score another checkout's extractor (e.g. a branch's worktree)
            import sys

            for mod in [m for m in sys.modules if m == "kohoshi" or m.startswith("kohoshi.")]:
                del sys.modules[mod]
            sys.path.insert(0, code)
        import kohoshi.ingest.pdf as engine
        from kohoshi.ingest.pdf import extract_issue

        t = time.perf_counter()
        issue = extract_issue(pdf)
        dt = time.perf_counter() - t
        conn.send(
            {
                "ok": True,
                "code": engine.__file__,
                "seconds": dt,
                "pages": issue.page_count,
                "needs_ocr": issue.needs_ocr,
                "warnings": list(issue.warnings)[:5],
                "articles": [{"title": a.title, "body": a.body, "pages": list(a.pages)} for a in issue.articles],
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    except Exception as e:  # noqa: BLE001 - reported in the table
        conn.send({"ok": False, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-800:]})
    finally:
        conn.close()


def extract(pdf: Path, timeout: float = 900) -> dict:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(str(pdf), child))
    p.start()
    child.close()
    if parent.poll(timeout):
        res = parent.recv()
    else:
        p.kill()
        res = {"ok": False, "error": f"timeout after {timeout:.0f} s"}
    p.join()
    return res


def evaluate(case: Case) -> dict:
    res = extract(case.pdf)
    row = {"producer": case.producer, "name": case.name, "pages": case.truth.get("pages") or 0}
    if not res["ok"]:
        row.update(error=res["error"], expected=len(case.truth["articles"]))
        return row
    got = [tm.Got(a["title"], a["body"], a["pages"]) for a in res["articles"]]
    s = tm.score(got, tm.load_truth(case.truth))
    row.update(s)
    row.update(
        pages=res["pages"],
        seconds=res["seconds"],
        pps=res["pages"] / res["seconds"] if res["seconds"] else 0.0,
        spp=res["seconds"] / res["pages"] if res["pages"] else 0.0,
        peak_rss_mb=res["peak_rss_mb"],
        needs_ocr=res["needs_ocr"],
        code=res["code"],
        got_titles=[a["title"] for a in res["articles"]][:40],
        got=res["articles"],  # raw output, so a run can be re-scored (--rescore) without extracting again
    )
    return row


def rescore(row: dict, truth: dict) -> dict:
    """Scores of a stored row recomputed from its raw output (after a change to the metrics)."""
    if "got" not in row:
        return row
    got = [tm.Got(a["title"], a["body"], a["pages"]) for a in row["got"]]
    row = dict(row)
    row.update(tm.score(got, tm.load_truth(truth)))
    return row


# --------------------------------------------------------------------------- reporting


def _f(v, fmt="{:.3f}"):
    return "–" if v is None else fmt.format(v)


def table(rows: list[dict], label: str = "") -> str:
    head = (
        "| producer | template / file | pages | articles expected (extracted) | title recall | boundary P / R / F1 "
        "| body char acc. | 1-char lines | pages/s | s/page | peak RSS MB |"
    )
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['producer']} | {r['name']} | {r['pages']} | {r['expected']} (–) | **error**: {r['error'][:80]} |  |  |  |  |  |  |")
            continue
        lines.append(
            f"| {r['producer']} | {r['name']} | {r['pages']} | {r['expected']} ({r['extracted']}) | **{r['title_recall']:.2f}** | "
            f"{r['precision']:.2f} / {r['recall']:.2f} / **{r['f1']:.2f}** | **{_f(r['char_accuracy'])}** | "
            f"{100 * r['one_char_lines']:.1f} % | {r['pps']:.1f} | {r['spp']:.2f} | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def summary(rows: list[dict]) -> dict:
    """Per producer: means and the share of templates meeting each target."""
    out = {}
    for prod in dict.fromkeys(r["producer"] for r in rows):
        rs = [r for r in rows if r["producer"] == prod and "error" not in r]
        errs = sum(1 for r in rows if r["producer"] == prod and "error" in r)
        if not rs:
            out[prod] = {"n": 0, "errors": errs}
            continue
        chars = [r["char_accuracy"] for r in rs if r["char_accuracy"] is not None]
        char_target = TARGETS["chars_image"] if prod == "image" else TARGETS["chars"]
        title_target = TARGETS["real_titles"] if prod == "real" else TARGETS["title_recall"]
        pages = sum(r["pages"] for r in rs)
        secs = sum(r["seconds"] for r in rs)
        out[prod] = {
            "n": len(rs),
            "errors": errs,
            "title_recall": sum(r["title_recall"] for r in rs) / len(rs),
            "f1": sum(r["f1"] for r in rs) / len(rs),
            "chars": sum(chars) / len(chars) if chars else None,
            "one_char": sum(r["one_char_lines"] for r in rs) / len(rs),
            "pps": pages / secs if secs else 0.0,
            "spp": secs / pages if pages else 0.0,
            "peak": max(r["peak_rss_mb"] for r in rs),
            "meet_titles": sum(r["title_recall"] >= title_target for r in rs),
            "meet_f1": sum(r["f1"] >= TARGETS["f1"] for r in rs),
            "meet_chars": sum(r["char_accuracy"] is not None and r["char_accuracy"] >= char_target for r in rs),
            "meet_one": sum(r["one_char_lines"] <= TARGETS["one_char"] for r in rs),
        }
    return out


def errs(s: dict) -> str:
    return f" (+{s['errors']} errors)" if s["errors"] else ""


def summary_table(summ: dict, label: str) -> str:
    lines = [
        f"| extractor | producer | files | mean title recall | mean boundary F1 | mean char acc. | mean 1-char lines | pages/s (s/page) | max peak RSS MB | files meeting: titles / F1 / chars / 1-char |",
        "|" + "---|" * 10,
    ]
    for prod, s in summ.items():
        if not s["n"]:
            lines.append(f"| {label} | {prod} | 0 ({s['errors']} errors) | | | | | | | |")
            continue
        lines.append(
            f"| {label} | {prod} | {s['n']}{errs(s)} | {s['title_recall']:.2f} | {s['f1']:.2f} | {_f(s['chars'])} | "
            f"{100 * s['one_char']:.1f} % | {s['pps']:.1f} ({s['spp']:.2f}) | {s['peak']:.0f} | "
            f"{s['meet_titles']} / {s['meet_f1']} / {s['meet_chars'] if s['chars'] is not None else '–'} / {s['meet_one']} of {s['n']} |"
        )
    return "\n".join(lines)


def write_section(text: str, doc: Path, section: str = SECTION) -> None:
    """Replace the section headed `section` of `doc` (up to the next "## ") with `text`, or append it."""
    import re

    doc.parent.mkdir(parents=True, exist_ok=True)
    old = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^{re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _: text.rstrip() + "\n\n", old)
    else:
        new = old.rstrip() + "\n\n" + text.rstrip() + "\n"
    doc.write_text(new.rstrip() + "\n", encoding="utf-8")


def run(producers: list[str], seed: int, rebuild: bool = True, only: list[str] | None = None, image_all: bool = False) -> list[dict]:
    cases: list[Case] = []
    text_cases: list[Case] = []
    if "chromium" in producers or "image" in producers:
        cc = chromium_cases(seed, rebuild)
        text_cases += cc
        if "chromium" in producers:
            cases += cc
    if "impress" in producers or "image" in producers:
        ic = impress_cases(seed, rebuild)
        text_cases += ic
        if "impress" in producers:
            cases += ic
    if "image" in producers:
        cases += image_cases(text_cases, everything=image_all)
    if "real" in producers:
        cases += real_cases()
    if only:
        cases = [c for c in cases if c.name in only or any(o in c.name for o in only)]
    rows = []
    for c in cases:
        r = evaluate(c)
        rows.append(r)
        print(table([r]).splitlines()[-1], flush=True)
    return rows


# --------------------------------------------------------------------------- docs section (one or more extractors side by side)


def _cell(r: dict | None) -> str:
    if r is None:
        return "– | – | – | – | – |"
    if "error" in r:
        return f"error | | | | |"
    speed = f"{r['spp']:.1f} s/p" if r["producer"] == "image" or r.get("needs_ocr") else f"{r['pps']:.0f} p/s"
    return (
        f"{r['title_recall']:.2f} | {r['f1']:.2f} ({r['extracted']}) | {_f(r['char_accuracy'], '{:.3f}')} | "
        f"{100 * r['one_char_lines']:.1f} % | {speed}, {r['peak_rss_mb']:.0f} MB |"
    )


def truth_for(producer: str, name: str) -> dict | None:
    if producer == "real":
        p = TRUTH_DIR / f"{name}.json"
    else:
        p = OUT / producer / f"{name}.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def report(runs: list[dict], ocr_rows: list[dict] | None, seed: int) -> str:
    """runs: [{label, commit, rows}], same producers; the first is the baseline. Rows that kept their raw
    output are re-scored with the current metrics."""
    for run in runs:
        run["rows"] = [rescore(r, t) if (t := truth_for(r["producer"], r["name"])) else r for r in run["rows"]]
    labels = [f"{r['label']} `{r['commit']}`" for r in runs]
    keys = list(dict.fromkeys((row["producer"], row["name"]) for run in runs for row in run["rows"]))
    index = [{(row["producer"], row["name"]): row for row in run["rows"]} for run in runs]
    parts = [
        SECTION,
        "",
        "Independent evaluation of `kohoshi.ingest.pdf.extract_issue` (the public entry the upload path calls) on PDFs from",
        "producers we do not steer, with the truth written next to each PDF by the producer (bench/ingest/eval11.py; metrics in",
        "bench/ingest/truth_metrics.py, which import nothing from the extractor). Corpus text (`../shared/corpus`, CC BY 4.0) is",
        f"read at run time; the PDFs go to `$INGEST_EVAL_OUT` (default `/work/ingest-eval-out`), never into the repository. Seed {seed}.",
        "",
        "```sh",
        ".venv/bin/python bench/ingest/run.py --producers chromium,impress,image,real --json-out main.json",
        ".venv/bin/python bench/ingest/run.py --producers chromium,impress,image,real --reuse --extractor-code /path/to/other/checkout --json-out branch.json",
        ".venv/bin/python bench/ingest/run.py --report main.json branch.json [--ocr ocr.json]   # writes this section",
        "```",
        "",
        "- **chromium**: 12 HTML/CSS newsletter templates printed by Debian Chromium (Playwright): A4 and A5 covers with masthead and",
        "  contents, CSS grids of 2–5 columns, 縦書き tiers (multicol in `vertical-rl`), 縦書き boxes on a horizontal page, mixed",
        "  vertical and horizontal on one page, boxed notices, generated photos and drawn shapes with captions, bold/outlined",
        "  (`-webkit-text-stroke`)/coloured-band titles, a sidebar, tables, ruby, rotated labels, running heads and page numbers, an",
        "  8-page A5 newsletter (cover + contents + articles in boxes, one continued over two pages). Boxes that overflow lose their",
        "  last paragraphs in the page; the truth (titles, pages, visible body text without furigana and captions) is read back",
        "  from the laid-out DOM.",
        "- **impress**: LibreOffice Impress/Draw (flat ODF) pages of free-placed title and body frames, shapes, a title and body in",
        "  one frame, narrow title frames that wrap one character per line.",
        "- **image**: pages of " + ", ".join(f"`{s}`" for s in IMAGE_SET) + " rendered at 200 dpi",
        "  greyscale and put back as image-only PDFs (`--image-all` does every file; OCR is slow on this shared machine).",
        "- **real**: public newsletters, truth judged by eye (titles and pages only, so no character accuracy); list below.",
        "",
        "Scores: *titles* = share of expected titles found as an article title (similarity ≥ 0.8 after NFKC, whitespace and",
        "■□◇◆●○・｜ removed); *F1* = one-to-one match of extracted to expected articles by title on the article's first page,",
        "with the number of extracted articles in brackets (a contents page or a caption published as an article lowers precision,",
        "a merge lowers recall); *chars* = body character accuracy over all expected articles (unmatched = all wrong; captions",
        "listed in the truth removed from the extracted body first); *1-char* = share of body lines one character long; speed is",
        "pages/s with a text layer or s/page when OCR ran; MB = peak RSS of the forked child that extracted the file.",
        "Targets: titles ≥ 0.9 (real ≥ 0.8), F1 ≥ 0.9, chars ≥ 0.97 (≥ 0.9 image-only), 1-char ≤ 1 %, ≥ 5 pages/s, ≤ 3 s per",
        "image-only page. The machine (2 cores) was shared with 7 other sessions: compare speeds within a column.",
        "",
        "### Summary per producer",
        "",
    ]
    head = None
    for run in runs:
        t = summary_table(summary(run["rows"]), f"{run['label']} `{run['commit']}`").splitlines()
        if head is None:
            parts += t
            head = True
        else:
            parts += t[2:]
    parts += ["", "### Per template and file", ""]
    h = "| producer | template / file | pages | expected |" + "".join(f" titles | F1 (extracted) | chars | 1-char | speed, RSS ({lab}) |" for lab in labels)
    parts += [h, "|" + "---|" * (4 + 5 * len(runs))]
    for key in keys:
        first = next(ix[key] for ix in index if key in ix)
        parts.append(f"| {key[0]} | {key[1]} | {first.get('pages', '')} | {first.get('expected', '')} |" + "".join(" " + _cell(ix.get(key)) for ix in index))
    if ocr_rows:
        parts += ["", "### OCR engines, measured (rendered evaluation pages, 200 dpi)", "", *ocr_table(ocr_rows).splitlines(), ""]
    reals = [json.loads(j.read_text(encoding="utf-8")) for j in sorted(TRUTH_DIR.glob("*.json"))]
    if reals:
        parts += ["", "### Real PDFs (not in the repository; fetched to `$INGEST_REAL_DIR`, default `/work/ingest-real`)", ""]
        parts += ["| file | repository | path | commit | what | articles judged |", "|---|---|---|---|---|---|"]
        for r in reals:
            s = r["source"]
            parts.append(f"| {r['file']} | {s['repository']} | `{s['path']}` | `{s['commit'][:12]}` | {r['kind']} | {len(r['articles'])} |")
    return "\n".join(parts) + "\n"


def ocr_table(rows: list[dict]) -> str:
    from .ocr_compare import table as t

    return t(rows)
