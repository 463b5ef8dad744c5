"""Property tests for the CSV and JSON importers: mutations of a valid file (random text with NUL
and lone surrogates, huge fields, wrong types, deep nesting, broken bytes) never make
files_import raise; every error names its file; an issue with an error saves nothing, and the
good file after it still imports. Each example runs in a savepoint that is rolled back, so it
starts from an empty database (both DBs)."""
import csv
import io
import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kohoshi.ingest.services import files_import
from kohoshi.newsletters.models import Article, Issue, Newsletter

from .test_import_csv import HEADER, row
from .test_import_json import document

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

hostile_text = st.one_of(
    st.text(max_size=20),  # includes NUL, control characters and lone surrogates
    st.sampled_from(["", "\x00", "\ud800", "あ" * 131_073, "長" * 301, "9999-99-99", "2024-02-30", "0001-01-01",
                     "=HYPERLINK()", "<script>", "012131", "999999", "広報 第0000000000000000000001号"]),
)  # fmt: skip
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), hostile_text),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(hostile_text, children, max_size=3)),
    max_leaves=8,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _paths(child, prefix + (i,))


@st.composite
def json_documents(draw):
    doc = document()
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(doc))))
        new = draw(json_value)
        if not path:
            doc = new
            break
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = new
        if not isinstance(doc, dict):
            break
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()), allow_nan=True)
    kind = draw(st.sampled_from(["as is", "deep", "cut", "bytes"]))
    if kind == "deep":
        depth = draw(st.sampled_from([50, 1_000, 100_000]))
        return ("[" * depth + "]" * depth).encode()
    if kind == "cut":
        return text.encode("utf-8", "surrogatepass")[: draw(st.integers(0, len(text)))]
    if kind == "bytes":
        return text.encode("utf-8", "surrogatepass") + draw(st.binary(max_size=20))
    return text.encode("utf-8", "surrogatepass")


@st.composite
def csv_documents(draw):
    rows = [row(title=f"記事{i}") for i in range(draw(st.integers(1, 3)))]
    header = list(HEADER)
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(["cell", "cell", "header", "short row", "long row"]))
        if target == "cell":
            r = draw(st.sampled_from(rows[:1]))  # a whole row: short ones may be empty
            r[draw(st.integers(0, len(r) - 1))] = draw(hostile_text)
        elif target == "header":
            header[draw(st.integers(0, len(header) - 1))] = draw(hostile_text)
        elif target == "short row":
            rows.append(rows[0][: draw(st.integers(0, 5))])
        else:
            rows.append(rows[0] + [draw(hostile_text)])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])), "surrogatepass")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))] + draw(st.binary(max_size=10))
    return data


def _nothing_half_saved(report):
    assert Issue.objects.count() == len({r.issue.pk for r in report.results})
    assert Article.objects.count() == sum(r.issue.articles.count() for r in report.results)
    assert not Newsletter.objects.filter(issues=None).exists()


@settings(FUZZ, max_examples=200)
@given(data=json_documents())
def test_mutated_json_never_raises_and_saves_a_whole_issue_or_nothing(tmp_path, data):
    bad, good = tmp_path / "mutated.json", tmp_path / "good.json"
    bad.write_bytes(data)
    good.write_text(json.dumps(document(issue={"title": "広報とまこまい 5月号", "published_on": "2024-05-01"}), ensure_ascii=False))
    with transaction.atomic():
        report = files_import([bad, good], kind="json")
        assert all(error.file in (str(bad), str(good)) for error in report.errors)
        assert not [e for e in report.errors if e.file == str(good)]
        assert "広報とまこまい 5月号" in [r.issue.title for r in report.results]
        if report.errors:  # one issue per JSON file: the mutated one saved nothing
            assert len(report.results) == 1
        _nothing_half_saved(report)
        transaction.set_rollback(True)


@settings(FUZZ, max_examples=200)
@given(data=csv_documents())
def test_mutated_csv_never_raises_and_saves_whole_issues_or_nothing(tmp_path, data):
    bad = tmp_path / "012131_mutated.csv"
    bad.write_bytes(data)
    with transaction.atomic():
        report = files_import([bad], kind="csv")
        assert all(error.file == str(bad) for error in report.errors)
        _nothing_half_saved(report)
        transaction.set_rollback(True)
