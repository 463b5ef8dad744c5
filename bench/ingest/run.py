"""PDF ingest benchmark: typeset corpus articles in many layouts, extract, score.

    .venv/bin/python bench/ingest/run.py            # reportlab + LibreOffice Writer, writes docs/benchmarks.md
    .venv/bin/python bench/ingest/run.py --quick    # fewer articles, no 200-page/OCR runs
    .venv/bin/python bench/ingest/run.py --producers chromium,impress,image,real   # issue 11 evaluation
    .venv/bin/python bench/ingest/run.py --producers chromium --extractor-code /work/wt-other  # another checkout

Producers ``reportlab`` and ``libreoffice`` are the original layouts (section "## PDF ingest");
``chromium``, ``impress``, ``image`` and ``real`` are the independent evaluation of issue 11
(bench/ingest/eval11.py; section "## Issue 11 — ingest evaluation").

Generated PDFs go to bench/out/ (git-ignored).  The table is printed and written
into the "## PDF ingest" section of docs/benchmarks.md (other sections are left
alone).  See bench/ingest/evaluate.py for the scoring and normalisation rules.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.ingest import generate, libreoffice  # noqa: E402
from bench.ingest.evaluate import char_accuracy, score  # noqa: E402
from kohoshi.ingest.pdf import extract_issue  # noqa: E402

DEFAULT_SEED = 20240501
DOC = REPO / "docs" / "benchmarks.md"
SECTION = "## PDF ingest"


def timed_extract(path: Path):
    t = time.perf_counter()
    issue = extract_issue(path)
    return issue, time.perf_counter() - t


def row(name: str, producer: str, issue, seconds: float, s: dict) -> dict:
    return {
        "layout": name,
        "producer": producer,
        "pages": issue.page_count,
        "articles": s["articles"],
        "predicted": s["predicted"],
        "precision": s["precision"],
        "recall": s["recall"],
        "f1": s["f1"],
        "title": s["title_accuracy"],
        "chars": s["char_accuracy"],
        "lines": s["line_accuracy"],
        "category": s["category_accuracy"],
        "pages_per_s": issue.page_count / seconds if seconds else 0.0,
    }


def memory_200_pages(seed: int) -> dict:
    """Peak RSS of a fresh process extracting a 200-page PDF."""
    articles = generate.pick_articles(seed, 10_000, max_chars=1200)
    layout = next(lay for lay in generate.LAYOUTS if lay.name == "2col-furigana")
    path = generate.OUT_DIR / "pages-200.pdf"
    # repeat the pool until the issue has at least 200 pages
    pool = list(articles)
    while True:
        generate.build_pdf(pool, layout, path, seed)
        import pypdfium2 as pdfium

        n = len(pdfium.PdfDocument(path))
        if n >= 200:
            break
        pool = pool + articles
    code = (
        "import resource, sys, time, json\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from kohoshi.ingest.pdf import extract_issue\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t = time.perf_counter()\n"
        f"issue = extract_issue({str(path)!r})\n"
        "dt = time.perf_counter() - t\n"
        "print(json.dumps({'pages': issue.page_count, 'articles': len(issue.articles), 'seconds': dt,"
        " 'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'import_rss_mb': base / 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    result["size_mb"] = path.stat().st_size / 1e6
    return result


def pdfminer_speed(path: Path, pages: int = 6) -> float:
    """Pages/s of pdfminer.six layout analysis (detect_vertical=True), for the record."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    t = time.perf_counter()
    n = 0
    for _ in extract_pages(str(path), laparams=LAParams(detect_vertical=True), maxpages=pages):
        n += 1
    return n / (time.perf_counter() - t)


def ocr_run(seed: int) -> dict | None:
    """A scanned (image-only) copy of a short 1-column issue, read by Tesseract."""
    from kohoshi.ingest.pdf import ocr

    if not ocr.available():
        return None
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    articles = generate.pick_articles(seed + 1, 4, max_chars=350)
    layout = generate.Layout("ocr-1col", columns=1, body_size=11)
    text_pdf = generate.OUT_DIR / "ocr-source.pdf"
    truth = generate.build_pdf(articles, layout, text_pdf, seed)
    src = pdfium.PdfDocument(text_pdf)
    scan = generate.OUT_DIR / "ocr-scan.pdf"
    c = canvas.Canvas(str(scan), pagesize=(generate.PAGE_W, generate.PAGE_H))
    for page in src:
        img = page.render(scale=200 / 72, grayscale=True).to_pil()
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        buf.seek(0)
        c.drawImage(ImageReader(buf), 0, 0, generate.PAGE_W, generate.PAGE_H)
        c.showPage()
    c.save()
    issue, seconds = timed_extract(scan)
    s = score(issue.articles, truth)
    all_got = "".join(a.title + a.body for a in issue.articles)
    all_want = "".join(t.title + t.body for t in truth)
    return {
        "pages": issue.page_count,
        "seconds_per_page": seconds / issue.page_count,
        "f1": s["f1"],
        "title": s["title_accuracy"],
        "chars": s["char_accuracy"],
        "text_chars": char_accuracy(all_got, all_want),
    }


def table(rows: list[dict]) -> str:
    head = "| layout | producer | pages | articles (found) | boundary P / R / F1 | title acc. | char acc. | line acc. | category acc. | pages/s |"
    sep = "|" + "---|" * 10
    lines = [head, sep]
    for r in rows:
        lines.append(
            f"| {r['layout']} | {r['producer']} | {r['pages']} | {r['articles']} ({r['predicted']}) | "
            f"{r['precision']:.3f} / {r['recall']:.3f} / **{r['f1']:.3f}** | {r['title']:.3f} | **{r['chars']:.4f}** | "
            f"{r['lines']:.3f} | {r['category']:.2f} | {r['pages_per_s']:.0f} |"
        )
    return "\n".join(lines)


def section(rows, seed, n_articles, memory, miner, ocr_result, elapsed) -> str:
    ok_f1 = all(r["f1"] >= 0.9 for r in rows)
    ok_chars = all(r["chars"] >= 0.98 for r in rows)
    ok_speed = all(r["pages_per_s"] >= 10 for r in rows)
    parts = [
        SECTION,
        "",
        "Extraction engine `kohoshi.ingest.pdf.extract_issue` on newsletter-like PDFs typeset from real corpus",
        "articles (`../shared/corpus`, CC BY 4.0, read at run time, never stored). Generated by",
        f"`bench/ingest/run.py` (seed **{seed}**, {n_articles} articles per layout, Python {platform.python_version()},",
        f"{platform.machine()}; run took {elapsed:.0f} s). PDFs are written to `bench/out/` (git-ignored).",
        "",
        table(rows),
        "",
        f"Targets: boundary F1 ≥ 0.9 on every layout — {'met' if ok_f1 else 'NOT met'}; character accuracy ≥ 0.98 on every layout — "
        f"{'met' if ok_chars else 'NOT met'}; ≥ 10 pages/s without OCR — {'met' if ok_speed else 'NOT met'}.",
        "",
    ]
    if memory:
        parts += [
            f"**200-page PDF** ({memory['pages']} pages, {memory['size_mb']:.1f} MB, {memory['articles']} articles, 2 columns with furigana): "
            f"peak RSS **{memory['peak_rss_mb']:.0f} MB** for the whole process (of which {memory['import_rss_mb']:.0f} MB after imports), "
            f"{memory['pages'] / memory['seconds']:.0f} pages/s.",
            "",
        ]
    if miner:
        parts += [
            "**pdfminer.six for comparison** (layout analysis only, `LAParams(detect_vertical=True)`, first 6 pages): "
            + ", ".join(f"{k} {v:.1f} pages/s" for k, v in miner.items())
            + ". That is why characters come from PDFium and the layout analysis is our own.",
            "",
        ]
    if ocr_result:
        parts += [
            f"**Scanned copy (OCR, Tesseract jpn+jpn_vert, 200 dpi scan / 300 dpi render)**: {ocr_result['pages']} pages, "
            f"{ocr_result['seconds_per_page']:.1f} s/page, boundary F1 {ocr_result['f1']:.2f}, title acc. {ocr_result['title']:.2f}, "
            f"char acc. of bodies {ocr_result['chars']:.3f} (whole text {ocr_result['text_chars']:.3f}). Informational; the targets are for text PDFs.",
            "",
        ]
    parts += [
        "How to read the table:",
        "",
        "- *Layouts*: `1col`–`4col` horizontal columns; `3col-boxed` puts about a third of the articles in ruled boxes;",
        "  `2col-tables` sets runs of `key：value` lines as ruled 2-column tables (expected text `key｜value`);",
        "  `*-furigana` adds ruby in small type over kanji (must be dropped); `vertical*` is 縦書き in 2 or 3 tiers (段)",
        "  with 縦中横 two-digit numbers; `mixed` alternates horizontal 3-column and vertical pages. Every reportlab",
        "  page has a running header, a running footer and a page number (must be dropped). `lo-*` are the same",
        "  articles as flat ODT converted by LibreOffice (different producer: synthetic bold, real tb-rl writing",
        "  mode, LibreOffice ruby and table borders, header/footer with a page-number field).",
        "- *Ground truth* is the corpus text itself: headings (`■`/`◇` in the corpus) are typeset **without** their",
        "  marker, in a larger or heavier face, so the extractor must recover the marker from typography.",
        "- *Boundary P/R/F1*: a predicted article is a true positive when it aligns, in order, with an expected",
        "  article whose title it reproduces (≥ 0.8 character accuracy on the title). *Title acc.*: exact title",
        "  after NFKC and whitespace removal, over all expected articles.",
        "- *Char acc.* = 1 − Σ edit distance / Σ expected length over all expected articles (a missed article counts",
        "  as all wrong), after NFKC and removing **all whitespace** (line breaks inside paragraphs depend on the",
        "  column width). Markers `■ ◇ ・ ｜` are kept, so a missed heading costs a character.",
        "  *Line acc.* is the same with line breaks and blank lines kept (spaces inside a line removed): it",
        "  measures paragraph and line structure.",
        "- *Category acc.*: share of aligned articles whose guessed category equals the corpus カテゴリ (keyword",
        "  scoring; the majority class alone would score about 0.40).",
        "- *pages/s*: wall time of `extract_issue` on the whole file, single thread, no OCR.",
        "",
    ]
    return "\n".join(parts)


def write_section(text: str) -> None:
    from bench.ingest import eval11

    eval11.write_section(text, DOC, SECTION)


def run_issue11(args, producers: list[str]) -> int:
    import os

    from bench.ingest import eval11

    code = Path(args.extractor_code).resolve() if args.extractor_code else REPO
    if args.extractor_code:
        os.environ["KOHOSHI_EXTRACTOR_CODE"] = str(code)
    label = args.label or subprocess.run(
        ["git", "-C", str(code), "rev-parse", "--abbrev-ref", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    # the extractor's own last change, not the checkout's HEAD (bench commits do not change what is scored)
    commit = subprocess.run(
        ["git", "-C", str(code), "log", "-1", "--format=%h", "--", "kohoshi/ingest"], capture_output=True, text=True
    ).stdout.strip()
    started = time.perf_counter()
    rows = eval11.run(producers, args.seed, rebuild=not args.reuse, only=args.only, image_all=args.image_all)
    summ = eval11.summary(rows)
    print()
    print(eval11.table(rows))
    print()
    print(eval11.summary_table(summ, f"{label} {commit}"))
    if args.json_out:
        args.json_out.write_text(json.dumps({"label": label, "commit": commit, "rows": rows, "summary": summ,
                                             "elapsed": time.perf_counter() - started}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--quick", action="store_true", help="12 articles, no 200-page, OCR or pdfminer runs, no docs")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--producers", default="reportlab,libreoffice",
                    help="comma separated: reportlab, libreoffice, chromium, impress, image, real")
    ap.add_argument("--only", nargs="*", help="issue-11 producers: only these templates/files")
    ap.add_argument("--reuse", action="store_true", help="issue-11 producers: reuse PDFs already generated")
    ap.add_argument("--extractor-code", help="score the extractor of another checkout (its repository root)")
    ap.add_argument("--label", default="", help="name of the extractor in the tables (default: git branch)")
    ap.add_argument("--image-all", action="store_true", help="image producer: scan every chromium/impress PDF, not the subset")
    ap.add_argument("--json-out", type=Path, help="issue-11 rows as JSON (for side-by-side tables)")
    ap.add_argument("--report", nargs="+", type=Path, help="write the issue-11 section from these --json-out files (first = baseline)")
    ap.add_argument("--ocr", type=Path, help="with --report: OCR comparison JSON of bench/ingest/ocr_compare.py")
    ap.add_argument("--notes", type=Path, help="with --report: a Markdown file of findings appended to the section")
    args = ap.parse_args(argv)
    if args.report:
        from bench.ingest import eval11

        runs = [json.loads(p.read_text(encoding="utf-8")) for p in args.report]
        ocr_rows = json.loads(args.ocr.read_text(encoding="utf-8")) if args.ocr else None
        text = eval11.report(runs, ocr_rows, args.seed)
        if args.notes:
            text = text.rstrip() + "\n\n" + args.notes.read_text(encoding="utf-8").strip() + "\n"
        print(text)
        if not args.no_write:
            eval11.write_section(text, DOC)
            print(f"written to {DOC.relative_to(REPO)}")
        return 0
    producers = [p.strip() for p in args.producers.split(",") if p.strip()]
    new = [p for p in producers if p in ("chromium", "impress", "image", "real")]
    if new:
        return run_issue11(args, new)
    if not generate.corpus_available():
        print(f"corpus not found at {generate.CORPUS_DIR}; nothing to benchmark", file=sys.stderr)
        return 2
    started = time.perf_counter()
    n = 12 if args.quick else args.articles
    generate.OUT_DIR.mkdir(parents=True, exist_ok=True)
    articles = generate.pick_articles(args.seed, n)
    rows = []
    for layout in generate.LAYOUTS:
        path = generate.OUT_DIR / f"{layout.name}.pdf"
        truth = generate.build_pdf(articles, layout, path, args.seed)
        issue, seconds = timed_extract(path)
        rows.append(row(layout.name, "reportlab", issue, seconds, score(issue.articles, truth)))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    if not args.no_libreoffice and libreoffice.soffice():
        truths, fodts = {}, []
        for layout in libreoffice.LO_LAYOUTS:
            p = generate.OUT_DIR / f"{layout.name}.fodt"
            truths[layout.name] = libreoffice.build_fodt(articles, layout, p)
            fodts.append(p)
        libreoffice.convert(fodts, generate.OUT_DIR)
        for layout in libreoffice.LO_LAYOUTS:
            issue, seconds = timed_extract(generate.OUT_DIR / f"{layout.name}.pdf")
            rows.append(row(layout.name, "LibreOffice", issue, seconds, score(issue.articles, truths[layout.name])))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    elif not args.no_libreoffice:
        print("soffice not found: LibreOffice layouts skipped", file=sys.stderr)
    memory = miner = ocr_result = None
    if not args.quick:
        memory = memory_200_pages(args.seed)
        print("200 pages:", memory, flush=True)
        miner = {
            "2col": pdfminer_speed(generate.OUT_DIR / "2col.pdf"),
            "vertical": pdfminer_speed(generate.OUT_DIR / "vertical.pdf"),
        }
        print("pdfminer pages/s:", miner, flush=True)
        ocr_result = ocr_run(args.seed)
        print("OCR:", ocr_result, flush=True)
    text = section(rows, args.seed, n, memory, miner, ocr_result, time.perf_counter() - started)
    print()
    print(table(rows))
    if not (args.quick or args.no_write):
        write_section(text)
        print(f"\nwritten to {DOC.relative_to(REPO)}")
    bad = [r["layout"] for r in rows if r["f1"] < 0.9 or r["chars"] < 0.98 or r["pages_per_s"] < 10]
    if bad:
        print("below target:", ", ".join(bad), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
