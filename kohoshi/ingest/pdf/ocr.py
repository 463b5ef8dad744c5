"""OCR for scanned pages: render with PDFium, read with RapidOCR (or the ``tesseract`` binary).

Two engines, chosen by measurement (docs/benchmarks.md, "Issue 11 — OCR engine"):

* **RapidOCR** (``rapidocr`` on PyPI): PP-OCRv6 text detection and recognition as ONNX models that
  ship inside the wheel (multilingual, Japanese included, horizontal and vertical lines), run by
  onnxruntime.  The model files are named explicitly, so nothing is ever downloaded at run time:
  if they are missing the engine counts as not installed.
* **Tesseract** (``tesseract`` binary, ``jpn``/``jpn_vert`` data), called with ``subprocess``:
  the fallback when RapidOCR is not installed, or when ``KOHOSHI_OCR_ENGINE=tesseract``.

Either way the result is one :class:`~.layout.Line` per recognised line, in PDF points, with the
line height (the width for vertical lines) as font size, so titles and headings are found by the
same typography rules as on pages with a text layer.
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import os
import shutil
import statistics
import subprocess
import tempfile

import pypdfium2 as pdfium

from .layout import Line, order_lines, page_is_vertical

log = logging.getLogger(__name__)

DPI = 300  # Tesseract
RAPID_DPI = 200  # RapidOCR: as accurate as 300 dpi on the evaluation pages, and faster
TIMEOUT_SECONDS = 120
# RapidOCR's detector and recogniser shipped in rapidocr 3.x (see pyproject.toml)
DET_MAX_SIDE = 1280
RAPID_MODELS = {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx"}


# set when RapidOCR ran out of memory (the sandbox caps the address space): the rest of the
# document is read by Tesseract instead of failing page after page
_rapid_failed = False


def engine_name() -> str:
    """``rapidocr``, ``tesseract`` or ``""`` (none installed).  ``KOHOSHI_OCR_ENGINE`` may force
    ``tesseract``; RapidOCR is used when it is installed with its models."""
    wanted = os.environ.get("KOHOSHI_OCR_ENGINE", "").strip().lower()
    if wanted != "tesseract" and not _rapid_failed and _rapid() is not None:
        return "rapidocr"
    return "tesseract" if "jpn" in languages() else ""


def _rapid_models() -> dict[str, str] | None:
    try:
        import rapidocr
    except ImportError:
        return None
    models = os.path.join(os.path.dirname(rapidocr.__file__), "models")
    paths = {stage: os.path.join(models, name) for stage, name in RAPID_MODELS.items()}
    return paths if all(os.path.isfile(p) for p in paths.values()) else None


@functools.cache
def _rapid():
    """The RapidOCR engine (built once per process), or None when it is not installed."""
    paths = _rapid_models()
    if paths is None:
        return None
    try:
        from rapidocr import RapidOCR

        threads = int(os.environ.get("KOHOSHI_OCR_THREADS", "0") or 0)
        params = {
            "Global.log_level": "error",
            "Global.use_cls": False,  # pages are upright; vertical lines are turned by the detector's crops
            "Det.model_path": paths["Det"],
            "Rec.model_path": paths["Rec"],
            # the detector sees the page scaled to at most this many pixels on its long side
            "Rec.rec_batch_num": int(os.environ.get("KOHOSHI_OCR_REC_BATCH", 6)),
            "Det.limit_type": "max",
            "Det.limit_side_len": int(os.environ.get("KOHOSHI_OCR_DET_SIDE", DET_MAX_SIDE)),
        }
        if threads > 0:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
            params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        return RapidOCR(params=params)
    except Exception:  # noqa: BLE001 - a broken install (or no memory for it) falls back to Tesseract
        log.warning("RapidOCR could not be started; using Tesseract", exc_info=True)
        return None


@functools.cache
def languages() -> tuple[str, ...]:
    """Installed Tesseract languages, or () when the binary is missing."""
    exe = shutil.which("tesseract")
    if not exe:
        return ()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(line.strip() for line in out.splitlines()[1:] if line.strip())


def available() -> bool:
    return bool(engine_name())


def _write_pgm(page: pdfium.PdfPage, path: str, crop: tuple[float, float, float, float] = (0, 0, 0, 0)) -> float:
    bitmap = page.render(scale=DPI / 72, grayscale=True, crop=crop)
    try:
        w, h, stride = bitmap.width, bitmap.height, bitmap.stride
        buf = bitmap.buffer
        with open(path, "wb") as fh:
            fh.write(f"P5\n{w} {h}\n255\n".encode())
            if stride == w:
                fh.write(bytes(buf))
            else:
                mv = memoryview(buf)
                for row in range(h):
                    fh.write(mv[row * stride : row * stride + w])
    finally:
        bitmap.close()
    return 72 / DPI


def parse_tsv(tsv: str, *, scale: float, page: int) -> list[Line]:
    """Tesseract TSV (level 5 words) to lines in PDF points."""
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        try:
            if float(row["conf"]) < 0:
                continue
        except (KeyError, ValueError):
            continue
        groups.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
    lines = []
    for words in groups.values():
        x0 = min(int(w["left"]) for w in words) * scale
        top = min(int(w["top"]) for w in words) * scale
        x1 = max(int(w["left"]) + int(w["width"]) for w in words) * scale
        bottom = max(int(w["top"]) + int(w["height"]) for w in words) * scale
        vertical = (bottom - top) > 2 * (x1 - x0)
        sizes = [int(w["width"] if vertical else w["height"]) * scale for w in words]
        text = "".join(w["text"].strip() for w in words)
        lines.append(
            Line(text=text, x0=x0, top=top, x1=x1, bottom=bottom, size=statistics.median(sizes), vertical=vertical, page=page, ocr=True)
        )
    return lines


def _render_rgb(page: pdfium.PdfPage, dpi: int, crop: tuple[float, float, float, float] = (0, 0, 0, 0)):
    """The page (or a crop of it) as an RGB array for RapidOCR."""
    import numpy as np

    bitmap = page.render(scale=dpi / 72, grayscale=True, crop=crop)
    try:
        grey = bitmap.to_numpy()
    finally:
        bitmap.close()
    grey = np.ascontiguousarray(grey.reshape(grey.shape[0], grey.shape[1]))
    return np.repeat(grey[:, :, None], 3, axis=2)


def rapid_lines(result, *, scale: float, page: int, dx: float = 0.0, dy: float = 0.0) -> list[Line]:
    """RapidOCR's output (a quadrilateral, a text and a score per line) to lines in PDF points.

    The detector's boxes are padded around the glyphs (more on short lines), so the font size of a
    line is its character pitch (length over characters, CJK text being set solid) when that is
    smaller than its thickness: titles then stand out from body text as they do with a text layer."""
    if result is None or result.boxes is None or not result.txts:
        return []
    lines = []
    for box, text in zip(result.boxes, result.txts):
        text = "".join(str(text).split())
        if not text:
            continue
        xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
        x0, x1 = min(xs) * scale + dx, max(xs) * scale + dx
        top, bottom = min(ys) * scale + dy, max(ys) * scale + dy
        # the detector's crop is turned (read as a vertical line) from a height 1.5 times the width
        vertical = (bottom - top) >= 1.5 * (x1 - x0) and len(text) > 1
        thickness, length = ((x1 - x0), (bottom - top)) if vertical else ((bottom - top), (x1 - x0))
        size = min(thickness, length / _ems(text)) if len(text) >= 3 else thickness
        lines.append(Line(text=text, x0=x0, top=top, x1=x1, bottom=bottom, size=size, vertical=vertical, page=page, ocr=True))
    return lines


def _ems(text: str) -> float:
    """Length of a line in character widths: full-width (CJK) characters 1, the rest ½."""
    import unicodedata

    return max(1.0, sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text))


def read_image(image, *, page: int = 0, scale: float = 1.0) -> list[Line]:
    """OCR a PIL image (pixels times ``scale`` = points) with the chosen engine; lines unordered."""
    name = engine_name()
    if name == "rapidocr":
        import numpy as np

        return rapid_lines(_rapid()(np.array(image.convert("RGB"))), scale=scale, page=page)
    if name == "tesseract":
        fd, path = tempfile.mkstemp(suffix=".png", prefix="kohoshi-ocr-")
        os.close(fd)
        try:
            image.convert("L").save(path)
            return parse_tsv(_tesseract_tsv(path), scale=scale, page=page)
        finally:
            os.unlink(path)
    return []


def _tesseract_env() -> dict[str, str]:
    """Tesseract's OpenMP threads spin on a busy machine: one thread reads a page as fast for a
    quarter of the CPU time (docs/benchmarks.md, OCR engine table)."""
    return {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}


def _tesseract_tsv(path: str) -> str:
    langs = "jpn+jpn_vert" if "jpn_vert" in languages() else "jpn"
    proc = subprocess.run(
        [shutil.which("tesseract") or "tesseract", path, "stdout", "-l", langs, "--psm", "3", "tsv"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        env=_tesseract_env(),
    )
    if proc.returncode != 0:
        raise subprocess.SubprocessError(proc.stderr[-300:])
    return proc.stdout


def _tesseract_page(page: pdfium.PdfPage, page_no: int) -> list[Line]:
    fd, path = tempfile.mkstemp(suffix=".pgm", prefix="kohoshi-ocr-")
    os.close(fd)
    try:
        scale = _write_pgm(page, path)
        return parse_tsv(_tesseract_tsv(path), scale=scale, page=page_no)
    finally:
        os.unlink(path)


def ocr_page(page: pdfium.PdfPage, page_no: int) -> tuple[list[Line], float, str]:
    """OCR one page.  Returns (ordered lines, body size, state) where state is
    ``done``, ``unavailable`` (no engine: neither RapidOCR nor Tesseract with ``jpn``) or ``failed``."""
    if not available():
        return [], 0.0, "unavailable"
    name = engine_name()
    lines = None
    if name == "rapidocr":
        try:
            lines = rapid_lines(_rapid()(_render_rgb(page, RAPID_DPI)), scale=72 / RAPID_DPI, page=page_no)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own errors (and MemoryError)
            log.warning("RapidOCR failed on page %s; trying Tesseract", page_no, exc_info=True)
            _note_failure(exc)
            if "jpn" not in languages():
                return [], 0.0, "failed"
    if lines is None:
        try:
            lines = _tesseract_page(page, page_no)
        except (OSError, subprocess.SubprocessError, pdfium.PdfiumError):
            return [], 0.0, "failed"
    if not lines:
        return [], 0.0, "done"
    weights: dict[float, int] = {}
    for ln in lines:
        key = round(ln.size)
        weights[key] = weights.get(key, 0) + len(ln.text)
    body = float(max(weights, key=weights.get))
    width = page.get_size()[0]
    ordered = order_lines(lines, width=width, body=body, vertical=page_is_vertical(lines))
    return ordered, body, "done"


# Regions of at most this many lines are read one by one; a page with more unreadable
# lines is read whole (its text is drawn in a font without a Unicode mapping).
MAX_REGIONS = 24


def ocr_regions(page: pdfium.PdfPage, boxes: list[tuple[float, float, float, float, bool]]) -> list[str | None]:
    """Read small regions of a page: ``(x0, top, x1, bottom, vertical)`` in points
    with a top-left origin.  Returns the text per region (None where OCR is
    unavailable or failed).  Used for text whose characters have no Unicode
    mapping: the glyph boxes are right, only the codes are wrong."""
    if not available() or not boxes:
        return [None] * len(boxes)
    width, height = page.get_size()
    if engine_name() == "rapidocr":
        try:
            return _rapid_regions(page, boxes, width, height)
        except Exception as exc:  # noqa: BLE001
            log.warning("RapidOCR failed on regions; trying Tesseract", exc_info=True)
            _note_failure(exc)
            if "jpn" not in languages():
                return [None] * len(boxes)
    exe = shutil.which("tesseract") or "tesseract"
    out: list[str | None] = []
    for x0, top, x1, bottom, vertical in boxes:
        pad = 0.25 * min(x1 - x0, bottom - top)
        crop = (
            max(0.0, x0 - pad),
            max(0.0, height - bottom - pad),
            max(0.0, width - x1 - pad),
            max(0.0, top - pad),
        )
        fd, path = tempfile.mkstemp(suffix=".pgm", prefix="kohoshi-ocr-")
        os.close(fd)
        try:
            _write_pgm(page, path, crop)
            lang = "jpn_vert" if vertical and "jpn_vert" in languages() else "jpn"
            proc = subprocess.run(
                [exe, path, "stdout", "-l", lang, "--psm", "5" if vertical else "7"],
                capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=_tesseract_env(),
            )
            text = "".join(proc.stdout.split()) if proc.returncode == 0 else ""
            out.append(text or None)
        except (OSError, subprocess.SubprocessError, pdfium.PdfiumError):
            out.append(None)
        finally:
            os.unlink(path)
    return out


def _note_failure(exc: Exception) -> None:
    global _rapid_failed
    if isinstance(exc, MemoryError) or "bad_alloc" in str(exc):
        _rapid_failed = True


def _crop(box: tuple[float, float, float, float, bool], width: float, height: float) -> tuple[float, float, float, float]:
    x0, top, x1, bottom, _vertical = box
    pad = 0.25 * min(x1 - x0, bottom - top)
    return (max(0.0, x0 - pad), max(0.0, height - bottom - pad), max(0.0, width - x1 - pad), max(0.0, top - pad))


def _rapid_regions(page: pdfium.PdfPage, boxes, width: float, height: float) -> list[str | None]:
    """Each region is one line: recognition only (no detection), a vertical line turned a quarter
    to the left as RapidOCR turns the vertical lines it detects."""
    import numpy as np

    engine = _rapid()
    out: list[str | None] = []
    for box in boxes:
        img = _render_rgb(page, RAPID_DPI, _crop(box, width, height))
        if box[4]:
            img = np.ascontiguousarray(np.rot90(img))
        result = engine(img, use_det=False, use_cls=False, use_rec=True)
        text = "".join("".join(str(t).split()) for t in (result.txts or ()))
        out.append(text or None)
    return out
