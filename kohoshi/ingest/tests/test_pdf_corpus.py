"""Round trip on real articles: typeset corpus articles into a PDF, extract them
back, compare with the originals (titles exact up to whitespace, bodies ≥ 0.98
character accuracy as defined in bench/ingest/evaluate.py)."""

import pytest

from kohoshi.ingest.pdf import extract_issue

from bench.ingest import generate
from bench.ingest.evaluate import char_accuracy, norm
from bench.ingest.samples import reportlab

SEED = 7

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def articles():
    reportlab()
    if not generate.corpus_available():
        pytest.skip(f"corpus not found at {generate.CORPUS_DIR} (../shared is absent)")
    try:
        generate.register_fonts()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    return generate.pick_articles(SEED, 8, max_chars=700)


def roundtrip(articles, layout_name, tmp_path):
    layout = next(lay for lay in generate.LAYOUTS if lay.name == layout_name)
    path = tmp_path / f"{layout_name}.pdf"
    truth = generate.build_pdf(articles, layout, path, SEED)
    return truth, extract_issue(path)


@pytest.mark.parametrize("layout_name", ["2col", "vertical", "3col-boxed", "2col-tables", "2col-furigana"])
def test_extracted_articles_match_the_originals(articles, layout_name, tmp_path):
    truth, issue = roundtrip(articles, layout_name, tmp_path)
    assert [norm(a.title) for a in issue.articles] == [norm(t.title) for t in truth]
    for got, want in zip(issue.articles, truth):
        assert char_accuracy(got.body, want.body) >= 0.98, (want.title, got.body[:300])
        assert got.pages == want.pages
        assert got.category in generate_categories()


def generate_categories():
    from kohoshi.ingest.pdf import CATEGORIES

    return CATEGORIES


def test_headings_come_back_with_markers(articles, tmp_path):
    truth, issue = roundtrip(articles, "2col", tmp_path)
    for got, want in zip(issue.articles, truth):
        want_headings = [ln for ln in want.body.split("\n") if ln.startswith(("■", "◇"))]
        got_headings = [ln for ln in got.body.split("\n") if ln.startswith(("■", "◇"))]
        assert [norm(h) for h in got_headings] == [norm(h) for h in want_headings]


def test_running_headers_page_numbers_and_furigana_are_dropped(articles, tmp_path):
    _, issue = roundtrip(articles, "2col-furigana", tmp_path)
    text = "\n".join(a.title + a.body for a in issue.articles)
    assert "広報こほし" not in text  # running header
    assert "- 1 -" not in text  # page number
    assert "よみ" not in text  # ruby used by the generator


def test_tables_come_back_one_row_per_line(articles, tmp_path):
    truth, issue = roundtrip(articles, "2col-tables", tmp_path)
    want_rows = [ln for t in truth for ln in t.body.split("\n") if "｜" in ln]
    got_rows = [ln for a in issue.articles for ln in a.body.split("\n") if "｜" in ln]
    assert want_rows, "the sample should contain a table"
    assert [norm(r) for r in got_rows] == [norm(r) for r in want_rows]
