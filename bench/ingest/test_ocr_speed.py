"""bench/ingest/ocr_speed.py: checkouts timed side by side."""

from pathlib import Path

from bench.ingest import ocr_speed


def test_each_checkout_is_a_variant_named_after_it():
    runs = ocr_speed.variants(["main=/work/main", "new=/work/wt-ocr-speed"], ["rapidocr"])
    assert runs == [("main", Path("/work/main"), "rapidocr"), ("new", Path("/work/wt-ocr-speed"), "rapidocr")]
    assert [label for label, _, _ in ocr_speed.variants([], ["rapidocr", "tesseract"])] == ["rapidocr", "tesseract"]


def test_side_by_side_table_gives_medians_per_page_and_the_ratio():
    rows = [
        {"pdf": "a", "wanted": "main", "pages": 2, "wall": 10.0, "cpu": 8.0},
        {"pdf": "a", "wanted": "main", "pages": 2, "wall": 12.0, "cpu": 8.0},
        {"pdf": "a", "wanted": "new", "pages": 2, "wall": 6.0, "cpu": 4.0},
        {"pdf": "b", "wanted": "main", "pages": 1, "wall": 3.0, "cpu": 3.0},
        {"pdf": "b", "wanted": "new", "pages": 1, "wall": 3.0, "cpu": 2.0},
        {"pdf": "b", "wanted": "new", "error": "boom"},
    ]
    lines = ocr_speed.table(rows, ["main", "new"]).splitlines()
    assert lines[0].endswith("| new / main wall (CPU) |")
    assert lines[2] == "| a | 2 | 5.50 (4.00) | 3.00 (2.00) | 0.55 (0.50) |"
    assert lines[3] == "| b | 1 | 3.00 (3.00) | 3.00 (2.00) | 1.00 (0.67) |"
    assert lines[4] == "| all pages (mean s/page) | 3 | **4.67** (3.67) | **3.00** (2.00) | 0.64 (0.55) |"


def test_a_document_read_by_tesseract_after_rapidocr_ran_out_of_memory_is_marked():
    rows = [{"pdf": "scan", "wanted": "rapidocr", "pages": 4, "wall": 8.0, "cpu": 12.0, "tesseract_from": 3}]
    assert ocr_speed.table(rows, ["rapidocr"]).splitlines()[2] == "| scan | 4 | 2.00 (3.00) † Tesseract from p. 3 |"


def test_the_bench_runs_pdfs_under_the_workers_memory_limit(settings):
    assert ocr_speed.MEMORY_MB == settings.KOHOSHI_INGEST_MEMORY_MB
