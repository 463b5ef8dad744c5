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
import math
import os
import queue
import shutil
import statistics
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import pypdfium2 as pdfium

from .layout import RUBY_RATIO, Line, order_lines, page_is_vertical

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


# Recognition reads each line at its own width, the glyphs shrunk to this share of the line's
# height (the recogniser's input is 48 px high, so the line is as much narrower and cheaper to
# read; quality unchanged on the evaluation pages, docs/benchmarks.md "OCR speed")
REC_SCALE = float(os.environ.get("KOHOSHI_OCR_REC_SCALE", "0.85") or 0.85)
REC_HEIGHT = 48  # PP-OCRv6's recogniser input: 3 x 48 x width
DET_THREADS = 2


def ocr_threads() -> int:
    """Threads reading lines at once, each with its own one-thread onnxruntime session
    (``KOHOSHI_OCR_THREADS``, default the CPU count up to 4)."""
    wanted = int(os.environ.get("KOHOSHI_OCR_THREADS", "0") or 0)
    return wanted if wanted > 0 else min(os.cpu_count() or 1, 4)


class RapidRead(NamedTuple):
    """What RapidOCR's own pipeline returns, as far as :func:`rapid_lines` reads it."""

    boxes: list
    txts: list[str]


class _Rapid:
    """RapidOCR's detector and cropping, our own recognition.  RapidOCR pads every line of a batch
    to the batch's widest line (at least 320 px): most of its recognition time went into padding.
    Here each line is read alone at its own width, lines are shared among ``threads`` threads
    (onnxruntime releases the GIL while it runs), each thread with a one-thread session of the
    recogniser, so no thread ever waits for another's work."""

    def __init__(self, paths: dict[str, str], threads: int):
        from rapidocr import RapidOCR
        from rapidocr.ch_ppocr_rec.utils import CTCLabelDecode

        det_threads = min(DET_THREADS, os.cpu_count() or 1)
        params = {
            "Global.log_level": "error",
            "Global.use_cls": False,  # pages are upright; vertical lines are turned by the detector's crops
            "Det.model_path": paths["Det"],
            "Rec.model_path": paths["Rec"],
            # the detector sees the page scaled to at most this many pixels on its long side
            "Det.limit_type": "max",
            "Det.limit_side_len": int(os.environ.get("KOHOSHI_OCR_DET_SIDE", DET_MAX_SIDE)),
            "EngineConfig.onnxruntime.intra_op_num_threads": det_threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        _no_spinning()
        self.engine = RapidOCR(params=params)
        self.rec_path = paths["Rec"]
        self.threads = threads
        self.sessions: queue.SimpleQueue = queue.SimpleQueue()
        first = self._session()
        self.decode = CTCLabelDecode(character=first.get_modelmeta().custom_metadata_map["character"].splitlines())
        self.sessions.put(first)
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="kohoshi-ocr") if threads > 1 else None

    def _session(self):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.log_severity_level = 4
        opts.enable_cpu_mem_arena = False
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(self.rec_path, sess_options=opts, providers=["CPUExecutionProvider"])

    def __call__(self, img) -> RapidRead:
        """Detect and read the lines of a page image (RGB array), as RapidOCR would."""
        from rapidocr.main import RapidOCRError
        from rapidocr.utils.process_img import map_boxes_to_original

        engine = self.engine
        small, record = engine.preprocess_img(img)
        try:
            crops, det = engine.detect_and_crop(small, record)
        except RapidOCRError:  # nothing detected
            return RapidRead([], [])
        boxes = map_boxes_to_original(det.boxes, record, img.shape[0], img.shape[1])
        kept = [(box, text) for box, (text, score) in zip(boxes, self.read_lines(crops))
                if text.strip() and score >= engine.text_score]
        return RapidRead([b for b, _ in kept], [t for _, t in kept])

    def read_lines(self, crops) -> list[tuple[str, float]]:
        """(text, score) of each line image (RGB, the line running left to right)."""
        if self.pool is None or len(crops) < 2:
            return [self._read_line(c) for c in crops]
        # longest lines first, so that no thread is left with a long one at the end
        order = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1] / max(crops[i].shape[0], 1))
        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for i, read in zip(order, self.pool.map(self._read_line, [crops[i] for i in order])):
            out[i] = read
        return out

    def _read_line(self, crop) -> tuple[str, float]:
        try:
            session = self.sessions.get_nowait()
        except queue.Empty:
            session = self._session()
        try:
            preds = session.run(None, {session.get_inputs()[0].name: _rec_input(_shrink(crop, REC_SCALE))[None]})[0]
        finally:
            self.sessions.put(session)
        (read,), _words = self.decode(preds)
        return read


def _shrink(crop, scale: float):
    """The line image with its glyphs scaled to ``scale`` of its height, centred across the line
    on the crop's own background (the median of its border), never on black: as high as before,
    ``scale`` times as wide."""
    import cv2
    import numpy as np

    if scale >= 1.0:
        return crop
    h, w = crop.shape[:2]
    sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
    border = np.concatenate((crop[0], crop[-1], crop[:, 0], crop[:, -1]))
    out = np.empty((h, sw) + crop.shape[2:], dtype=crop.dtype)
    out[:] = np.median(border, axis=0).astype(crop.dtype)
    top = (h - sh) // 2
    out[top : top + sh] = cv2.resize(crop, (sw, sh), interpolation=cv2.INTER_AREA).reshape((sh, sw) + crop.shape[2:])
    return out


def _rec_input(crop):
    """The recogniser's input for one line: 48 px high at the line's own width, scaled to [-1, 1]
    (as RapidOCR's ``resize_norm_img``, without padding to a batch's widest line)."""
    import cv2
    import numpy as np

    h, w = crop.shape[:2]
    width = max(REC_HEIGHT // 2, math.ceil(REC_HEIGHT * w / max(h, 1)))
    img = cv2.resize(crop, (width, REC_HEIGHT)).astype(np.float32)
    return np.ascontiguousarray(img.transpose(2, 0, 1)) / 127.5 - 1.0


@functools.cache
def _rapid() -> _Rapid | None:
    """The RapidOCR engine (built once per process), or None when it is not installed."""
    paths = _rapid_models()
    if paths is None:
        return None
    try:
        return _Rapid(paths, ocr_threads())
    except Exception:  # noqa: BLE001 - a broken install (or no memory for it) falls back to Tesseract
        log.warning("RapidOCR could not be started; using Tesseract", exc_info=True)
        return None


# A forked child has none of the parent's threads, but would inherit an engine whose thread pool
# believes its idle workers are there, and wait for them for ever: it builds its own.
os.register_at_fork(after_in_child=_rapid.cache_clear)


def _no_spinning() -> None:
    """onnxruntime's worker threads spin while they wait for work: on a shared 2-core machine they
    burn the other jobs' CPU and read a page slower than one thread would (docs/benchmarks.md,
    "Reading order of OCR'd lines").  RapidOCR has no setting for it and builds its sessions
    lazily, on first use, so its session options get ``session.intra_op.allow_spinning = 0``
    for the life of the process (only RapidOCR builds sessions this way)."""
    try:
        from rapidocr.inference_engine.onnxruntime import main as ort_main

        build = ort_main.OrtInferSession._init_sess_opts
    except (ImportError, AttributeError):
        return
    if getattr(build, "kohoshi_quiet", False):
        return

    def quiet(cfg):
        opts = build(cfg)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return opts

    quiet.kohoshi_quiet = True
    ort_main.OrtInferSession._init_sess_opts = staticmethod(quiet)


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


def _render_grey(page: pdfium.PdfPage, dpi: int, crop: tuple[float, float, float, float] = (0, 0, 0, 0)):
    """The page (or a crop of it) as a greyscale array."""
    import numpy as np

    bitmap = page.render(scale=dpi / 72, grayscale=True, crop=crop)
    try:
        grey = bitmap.to_numpy()
    finally:
        bitmap.close()
    return np.ascontiguousarray(grey.reshape(grey.shape[0], grey.shape[1]))


def _rgb(grey):
    import numpy as np

    return np.repeat(grey[:, :, None], 3, axis=2)


def _render_rgb(page: pdfium.PdfPage, dpi: int, crop: tuple[float, float, float, float] = (0, 0, 0, 0)):
    """The page (or a crop of it) as an RGB array for RapidOCR."""
    return _rgb(_render_grey(page, dpi, crop))


def rapid_lines(result, *, scale: float, page: int, dx: float = 0.0, dy: float = 0.0, grey=None) -> list[Line]:
    """RapidOCR's output (a quadrilateral, a text and a score per line) to lines in PDF points.

    The detector's boxes are padded around the glyphs by a margin that differs from box to box
    (a two-character line ending a paragraph gets a box a third thicker than the body lines
    around it), so with the page's pixels (``grey``) each box is shrunk to the ink inside it:
    line sizes and the gaps between tiers and columns are then those of the print.  The font
    size of a line is the thickness of its ink, or its character pitch (length over characters,
    CJK text being set solid) when that is smaller: brackets reach beyond the em box."""
    if result is None or result.boxes is None or not result.txts:
        return []
    lines = []
    for box, text in zip(result.boxes, result.txts):
        text = "".join(str(text).split())
        if not text:
            continue
        xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
        x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
        # the detector's crop is turned (read as a vertical line) from a height 1.5 times the width
        vertical = (bottom - top) >= 1.5 * (x1 - x0) and len(text) > 1
        ink = _ink_box(grey, (x0, top, x1, bottom), vertical) if grey is not None else None
        if ink is not None:
            x0, top, x1, bottom = ink
        x0, x1, top, bottom = x0 * scale + dx, x1 * scale + dx, top * scale + dy, bottom * scale + dy
        thickness, length = ((x1 - x0), (bottom - top)) if vertical else ((bottom - top), (x1 - x0))
        # the pitch of a short line is unreliable; ink boxes make the thickness reliable sooner
        size = min(thickness, length / _ems(text)) if len(text) >= (4 if ink is not None else 3) else thickness
        lines.append(Line(text=text, x0=x0, top=top, x1=x1, bottom=bottom, size=size, vertical=vertical, page=page, ocr=True))
    return lines


def _bands(counts) -> list[tuple[int, int, int]]:
    """Runs of non-zero counts as (first, last, sum), runs closer than 3 pixels joined."""
    import numpy as np

    idx = np.flatnonzero(counts)
    if not len(idx):
        return []
    cuts = np.flatnonzero(np.diff(idx) > 3)
    starts = np.concatenate(([idx[0]], idx[cuts + 1]))
    ends = np.concatenate((idx[cuts], [idx[-1]]))
    return [(int(a), int(b), int(counts[a : b + 1].sum())) for a, b in zip(starts, ends)]


def _ink_box(grey, box: tuple[float, float, float, float], vertical: bool) -> tuple[float, float, float, float] | None:
    """The box (pixels) shrunk to the ink of its line: across the line, the band of ink in the
    middle of the box that holds the most of it, with any band close beside it that holds a good
    share too (the two strokes of 二); ruby or a neighbour's glyphs caught in the padding stay out.  Light text
    on a dark band counts its light pixels as ink."""
    import numpy as np

    x0, top, x1, bottom = box
    h, w = grey.shape
    ix0, ix1 = max(0, int(x0)), min(w, int(np.ceil(x1)))
    iy0, iy1 = max(0, int(top)), min(h, int(np.ceil(bottom)))
    if ix1 - ix0 < 2 or iy1 - iy0 < 2:
        return None
    crop = grey[iy0:iy1, ix0:ix1]
    lo, hi = int(crop.min()), int(crop.max())
    if hi - lo < 48:
        return None  # no contrast: keep the detector's box
    ink = crop < (lo + hi) / 2
    if ink.mean() > 0.5:
        ink = ~ink
    counts = ink.sum(axis=0 if vertical else 1)
    # a row of ink all along the box is a rule or a frame, never text (glyphs leave gaps)
    counts[counts >= 0.9 * ink.shape[0 if vertical else 1]] = 0
    bands = _bands(counts)
    n = ink.shape[1 if vertical else 0]
    # the detector pads a line all round, so ink at the edge of its box is a neighbour's (a ruby
    # box overlaps the larger line beside it), and the line is the band in the middle
    bands = [b for b in bands if b[0] > 0 and b[1] < n - 1] or bands
    middle = [b for b in bands if b[0] <= 0.75 * n and b[1] >= 0.25 * n]
    if not middle:
        return None
    main = max(middle, key=lambda b: b[2])
    c0, c1 = main[0], main[1]
    grown = True
    while grown:
        grown = False
        for a, b, mass in bands:
            near = 0.3 * (c1 - c0 + 1)
            if mass >= 0.15 * main[2] and ((a > c1 and a - c1 <= near) or (b < c0 and c0 - b <= near)):
                c0, c1, grown = min(c0, a), max(c1, b), True
    along = (ink[:, c0 : c1 + 1] if vertical else ink[c0 : c1 + 1, :]).any(axis=1 if vertical else 0)
    nz = np.flatnonzero(along)
    a0, a1 = int(nz[0]), int(nz[-1]) + 1
    if vertical:
        return ix0 + c0, iy0 + a0, ix0 + c1 + 1, iy0 + a1
    return ix0 + a0, iy0 + c0, ix0 + a1, iy0 + c1 + 1


def _ems(text: str) -> float:
    """Length of a line in character widths: full-width (CJK) characters 1, the rest ½.  Signs
    of ambiguous width (■ ※ ○ ・) are set full-width in Japanese type."""
    import unicodedata

    return max(1.0, sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text))


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
    try:
        grey = _render_grey(page, RAPID_DPI)
    except pdfium.PdfiumError:
        return [], 0.0, "failed"
    if name == "rapidocr":
        try:
            lines = rapid_lines(_rapid()(_rgb(grey)), scale=72 / RAPID_DPI, page=page_no, grey=grey)
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
    body = settle_sizes(lines)
    lines = drop_ruby(lines, body)
    rules = image_rules(grey, scale=72 / RAPID_DPI, least=3 * max(body, 6.0))
    width = page.get_size()[0]
    ordered = order_lines(lines, width=width, body=body, vertical=page_is_vertical(lines), rules=rules)
    return ordered, body, "done"


# An OCR'd line's size is measured to about a pixel of its ink: sizes this close to the body's
# are the body's (bracketed lines measure up to 1.15 times, short kana lines 0.9 times).
SAME_SIZE = (0.85, 1.2)


def settle_sizes(lines: list[Line]) -> float:
    """The body size of an OCR'd page (the size most characters are set in); sizes within
    ``SAME_SIZE`` of it are set to it, so that only real headings and titles stand out."""
    weights: dict[float, int] = {}
    for ln in lines:
        key = round(ln.size * 4) / 4
        weights[key] = weights.get(key, 0) + len(ln.text)
    # neighbouring quarter points are one size measured a pixel apart
    body = max(weights, key=lambda k: sum(weights.get(k + d, 0) for d in (-0.25, 0.0, 0.25)))
    for ln in lines:
        if SAME_SIZE[0] * body <= ln.size <= SAME_SIZE[1] * body:
            ln.size = body
    return body


def drop_ruby(lines: list[Line], body: float) -> list[Line]:
    """Furigana read as lines of their own: kana right beside a line set at least 1.5 times as
    large (on its right when vertical, above it when horizontal) that they run along, at body
    size over titles, at most ``RUBY_RATIO`` of the body over body text.  The text layer drops
    them the same way (layout.build_lines, layout._drop_title_ruby)."""
    out = []
    for r in lines:
        if not all("\u3041" <= ch <= "\u30ff" for ch in r.text) or r.size > body:
            out.append(r)
            continue
        s = r.size
        base = any(
            b is not r and b.size >= (1.5 if s <= RUBY_RATIO * body else 1.8) * s and b.vertical == r.vertical
            and (
                (b.vertical and b.x1 - 1.0 * s <= r.x0 <= b.x1 + 0.6 * s and min(b.bottom, r.bottom) > max(b.top, r.top))
                or (not b.vertical and b.top - 0.6 * s <= r.bottom <= b.top + 1.0 * s and min(b.x1, r.x1) > max(b.x0, r.x0))
            )
            for b in lines
        )
        if not base:
            out.append(r)
    return out


def image_rules(grey, *, scale: float, least: float) -> list[tuple[float, float, float, float]]:
    """Straight rules drawn on a page image, as boxes ``(x0, top, x1, bottom)`` in points: runs of
    ink (light grey too: column rules are often #bbb) at least ``least`` points long.  A run at most
    3 points thick is a rule; a bar up to 6 points thick (beside a 縦書き title) gives its two long
    edges, as the text layer gives a filled rectangle's outline (extract._rules); anything thicker
    is a band or a picture, no rule."""
    import numpy as np

    dark = grey < 200
    n = max(int(least / scale), 8)
    thin, bar = max(int(3 / scale), 2), int(6 / scale)
    out = []
    for along_x in (True, False):
        d = dark if along_x else dark.T
        if d.shape[1] < n:
            continue
        cs = np.zeros((d.shape[0], d.shape[1] + 1), dtype=np.int32)
        np.cumsum(d, axis=1, out=cs[:, 1:])
        full = (cs[:, n:] - cs[:, :-n]) == n  # a run of n dark pixels starts here
        rows = np.flatnonzero(full.any(axis=1))
        segs: list[list[int]] = []  # [first row, last row, start, end] of runs stacked row on row
        open_: list[list[int]] = []
        for r in rows:
            starts = np.flatnonzero(full[r])
            breaks = np.flatnonzero(np.diff(starts) > 1)
            firsts = np.concatenate(([starts[0]], starts[breaks + 1]))
            lasts = np.concatenate((starts[breaks], [starts[-1]])) + n
            still = []
            for a, b in zip(firsts.tolist(), lasts.tolist()):
                for sg in open_:
                    if sg[1] == r - 1 and sg[2] < b and a < sg[3]:
                        sg[1], sg[2], sg[3] = r, min(sg[2], a), max(sg[3], b)
                        still.append(sg)
                        break
                else:
                    sg = [r, r, a, b]
                    segs.append(sg)
                    still.append(sg)
            open_ = still
        for r0, r1, a, b in segs:
            if r1 - r0 + 1 > bar:
                continue
            edges = [(r0, r1 + 1)] if r1 - r0 + 1 <= thin else [(r0, r0), (r1 + 1, r1 + 1)]
            for e0, e1 in edges:
                if along_x:
                    out.append((a * scale, float(e0 * scale), b * scale, float(e1 * scale)))
                else:
                    out.append((float(e0 * scale), a * scale, float(e1 * scale), b * scale))
    return out


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
    for box in boxes:
        crop, vertical = _crop(box, width, height), box[4]
        if crop is None:
            out.append(None)
            continue
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


def _crop(box: tuple[float, float, float, float, bool], width: float, height: float) -> tuple[float, float, float, float] | None:
    """PDFium's crop (left, bottom, right, top margins) for a box padded by a quarter of its
    thickness, within the page; None for a box with no area on it (a broken file's glyphs)."""
    x0, top, x1, bottom, _vertical = box
    pad = 0.25 * min(x1 - x0, bottom - top)
    x0, top, x1, bottom = max(0.0, x0 - pad), max(0.0, top - pad), min(width, x1 + pad), min(height, bottom + pad)
    if x1 - x0 < 1 or bottom - top < 1:
        return None
    return (x0, height - bottom, width - x1, top)


def _rapid_regions(page: pdfium.PdfPage, boxes, width: float, height: float) -> list[str | None]:
    """Each region is one line: recognition only (no detection), a vertical line turned a quarter
    to the left as RapidOCR turns the vertical lines it detects."""
    import numpy as np

    crops, kept = [], []
    for k, box in enumerate(boxes):
        crop = _crop(box, width, height)
        if crop is None:
            continue
        img = _render_rgb(page, RAPID_DPI, crop)
        crops.append(np.ascontiguousarray(np.rot90(img)) if box[4] else img)
        kept.append(k)
    out: list[str | None] = [None] * len(boxes)
    for k, (text, _score) in zip(kept, _rapid().read_lines(crops)):
        out[k] = "".join(text.split()) or None
    return out
