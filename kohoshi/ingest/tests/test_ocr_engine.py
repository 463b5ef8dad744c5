"""OCR engine choice (issue 11): RapidOCR with the models inside its wheel, Tesseract as fallback."""

from __future__ import annotations

import io
import os

import pytest

from kohoshi.ingest.pdf import ocr

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


@pytest.fixture
def fresh_engine():
    ocr._rapid.cache_clear()
    ocr._rapid_failed = False
    yield
    ocr._rapid.cache_clear()
    ocr._rapid_failed = False


def _scan(lines: list[tuple[str, bool]]) -> bytes:
    """An image-only A5 PDF: each (text, vertical) drawn into a 200 dpi greyscale page."""
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.truetype(FONT, 40, index=0)
    except OSError:
        pytest.skip("no Noto Sans CJK font")
    page = Image.new("L", (1166, 1654), 255)
    draw = ImageDraw.Draw(page)
    x_vertical = 1050
    y = 120
    for text, vertical in lines:
        if vertical:
            for i, ch in enumerate(text):
                draw.text((x_vertical, 700 + i * 46), ch, font=font, fill=0)
            x_vertical -= 80
        else:
            draw.text((80, y), text, font=font, fill=0)
            y += 80
    buf = io.BytesIO()
    page.save(buf, "PDF", resolution=200)
    return buf.getvalue()


def test_missing_model_files_mean_no_rapidocr_and_nothing_is_downloaded(monkeypatch, fresh_engine):
    pytest.importorskip("rapidocr")
    monkeypatch.setattr(ocr, "RAPID_MODELS", {"Det": "no-such-det.onnx", "Rec": "no-such-rec.onnx"})
    assert ocr._rapid() is None
    assert ocr.engine_name() == ("tesseract" if "jpn" in ocr.languages() else "")


def test_tesseract_can_be_forced(monkeypatch, fresh_engine):
    monkeypatch.setenv("KOHOSHI_OCR_ENGINE", "tesseract")
    assert ocr.engine_name() == ("tesseract" if "jpn" in ocr.languages() else "")


def test_memory_failure_switches_the_rest_of_the_document_to_tesseract(fresh_engine):
    ocr._note_failure(RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : std::bad_alloc"))
    assert ocr.engine_name() != "rapidocr"
    ocr._rapid_failed = False
    ocr._note_failure(RuntimeError("some other onnxruntime error"))
    assert not ocr._rapid_failed


def test_reading_regions_leaves_rapidocr_detecting_lines_on_the_next_page(fresh_engine):
    """Regions (text without Unicode mapping) are read by recognition alone; the engine is shared
    by the process, and RapidOCR keeps a call's flags."""
    pytest.importorskip("rapidocr")
    if ocr._rapid() is None:
        pytest.skip("RapidOCR models not installed")
    import pypdfium2 as pdfium
    from PIL import Image

    page = pdfium.PdfDocument(_scan([("市民のつどい", False)]))[0]
    ocr.ocr_regions(page, [(20.0, 30.0, 200.0, 60.0, False)])
    assert ocr.read_image(Image.new("RGB", (300, 80), "white")) == []  # detection: nothing to read


@pytest.mark.heavy
def test_rapidocr_reads_a_scanned_japanese_page_with_horizontal_and_vertical_lines(fresh_engine):
    pytest.importorskip("rapidocr")
    import pypdfium2 as pdfium

    if ocr.engine_name() != "rapidocr":
        pytest.skip("RapidOCR models are not installed")
    pdf = _scan([("図書館の開館時間が変わります", False), ("市民課の窓口は一階です", False), ("夏祭りのお知らせ", True)])
    lines, body, state = ocr.ocr_page(pdfium.PdfDocument(pdf)[0], 1)
    assert state == "done" and body > 0
    by_text = {ln.text: ln for ln in lines}
    assert "図書館の開館時間が変わります" in by_text
    assert "市民課の窓口は一階です" in by_text
    assert not by_text["図書館の開館時間が変わります"].vertical
    vertical = [ln for ln in lines if ln.vertical]
    assert [ln.text for ln in vertical] == ["夏祭りのお知らせ"]
    assert all(ln.ocr and ln.page == 1 for ln in lines)
    # in points on an A5 page (420 x 595), from the 200 dpi pixels
    title = by_text["図書館の開館時間が変わります"]
    assert 20 < title.x0 < 40 and 35 < title.top < 55 and 10 < title.size < 22


@pytest.mark.heavy
def test_rapidocr_reads_regions_one_line_each_vertical_ones_too(fresh_engine):
    pytest.importorskip("rapidocr")
    import pypdfium2 as pdfium

    if ocr.engine_name() != "rapidocr":
        pytest.skip("RapidOCR models are not installed")
    pdf = _scan([("図書館の開館時間が変わります", False), ("夏祭りのお知らせ", True)])
    page = pdfium.PdfDocument(pdf)[0]
    k = 72 / 200
    horizontal = (80 * k, 120 * k, (80 + 14 * 40) * k, (120 + 56) * k, False)
    vertical = (1050 * k, 700 * k, (1050 + 44) * k, (700 + 8 * 46 + 10) * k, True)
    assert ocr.ocr_regions(page, [horizontal, vertical]) == ["図書館の開館時間が変わります", "夏祭りのお知らせ"]


def test_a_line_is_shrunk_within_its_crop_on_the_crops_background():
    """Read at ``REC_SCALE`` of its crop's height: the recogniser's input (48 px high) is narrower
    by as much, and the margin added is the crop's background, never black."""
    import numpy as np

    crop = np.full((40, 200, 3), 230, dtype=np.uint8)
    crop[10:30, 10:190] = 0  # the glyphs
    out = ocr._shrink(crop, 0.85)
    assert out.shape == (40, 170, 3)
    assert (out[:3] == 230).all() and (out[-3:] == 230).all()
    assert out[20, 20:150].max() == 0
    assert 0.75 <= ocr.REC_SCALE <= 1.0


def _line_image(text: str, size: int = 40):
    """A line of text as RapidOCR's detector crops it: RGB, a little padding all round."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.truetype(FONT, size, index=0)
    except OSError:
        pytest.skip("no Noto Sans CJK font")
    img = Image.new("L", (int(size * 1.05 * len(text)) + 24, int(size * 1.5)), 255)
    ImageDraw.Draw(img).text((12, size // 6), text, font=font, fill=0)
    return np.repeat(np.array(img)[:, :, None], 3, axis=2)


@pytest.mark.heavy
def test_lines_read_one_by_one_give_the_text_rapidocr_reads_in_a_batch(fresh_engine):
    """Each line is read alone at its own width, not padded to the widest line of a batch."""
    pytest.importorskip("rapidocr")
    if ocr.engine_name() != "rapidocr":
        pytest.skip("RapidOCR models are not installed")
    from rapidocr import RapidOCR

    texts = ["図書館の開館時間が変わります", "市民課", "令和6年度の住民税の申告について"]
    crops = [_line_image(t) for t in texts]
    paths = ocr._rapid_models()
    batch = RapidOCR(params={"Global.log_level": "error", "Rec.model_path": paths["Rec"], "Det.model_path": paths["Det"]})
    batched = list(batch.recognize_txt(crops).txts)
    assert batched == texts
    assert [text for text, _score in ocr._rapid().read_lines(crops)] == texts


def test_threads_setting_is_honoured(monkeypatch, fresh_engine):
    pytest.importorskip("rapidocr")
    monkeypatch.setenv("KOHOSHI_OCR_THREADS", "3")
    assert ocr.ocr_threads() == 3
    engine = ocr._rapid()
    if engine is None:
        pytest.skip("RapidOCR models are not installed")
    assert engine.threads == 3 and engine.pool._max_workers == 3
    assert engine.engine.cfg.EngineConfig.onnxruntime.intra_op_num_threads == min(ocr.DET_THREADS, os.cpu_count())
    monkeypatch.setenv("KOHOSHI_OCR_THREADS", "1")
    ocr._rapid.cache_clear()
    assert ocr._rapid().pool is None
    monkeypatch.delenv("KOHOSHI_OCR_THREADS")
    assert ocr.ocr_threads() == min(os.cpu_count(), 4)


@pytest.mark.heavy
def test_threads_each_read_with_a_session_of_their_own(monkeypatch, fresh_engine):
    pytest.importorskip("rapidocr")
    monkeypatch.setenv("KOHOSHI_OCR_THREADS", "2")
    if ocr.engine_name() != "rapidocr":
        pytest.skip("RapidOCR models are not installed")
    engine = ocr._rapid()
    crops = [_line_image(t) for t in ["夏祭りのお知らせ", "図書館の開館時間が変わります"] * 4]
    assert [t for t, _ in engine.read_lines(crops)] == ["夏祭りのお知らせ", "図書館の開館時間が変わります"] * 4
    sessions = []
    while not engine.sessions.empty():
        sessions.append(engine.sessions.get())
    assert 1 <= len(sessions) <= 2 and len({id(s) for s in sessions}) == len(sessions)
    assert all(s.get_session_options().intra_op_num_threads == 1 for s in sessions)


def test_a_forked_child_reads_with_an_engine_of_its_own(monkeypatch, fresh_engine):
    # the PDF fuzz test forks its reader after other tests used the engine: the child waited for
    # ever on the parent's recognition threads, which a forked child does not have
    import multiprocessing

    pytest.importorskip("rapidocr")
    monkeypatch.setenv("KOHOSHI_OCR_THREADS", "2")
    if ocr.engine_name() != "rapidocr":
        pytest.skip("RapidOCR models are not installed")
    crops = [_line_image(t) for t in ["夏祭りのお知らせ", "図書館の開館時間が変わります"] * 3]
    ocr._rapid().read_lines(crops)  # the parent's threads are started
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=lambda: queue.put([t for t, _ in ocr._rapid().read_lines(crops)]), daemon=True)
    child.start()
    try:
        assert queue.get(timeout=60) == ["夏祭りのお知らせ", "図書館の開館時間が変わります"] * 3
    finally:
        child.kill()
        child.join(5)
