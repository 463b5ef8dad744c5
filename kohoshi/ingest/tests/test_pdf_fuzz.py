"""Mutated and truncated PDFs give a PdfRejected or a valid DraftIssue, never
another exception, a crash or a hang."""

import multiprocessing
import random
import re

import pytest

from kohoshi.ingest.pdf import DraftArticle, DraftIssue, PdfRejected, extract_issue

from bench.ingest.samples import reportlab, simple_pdf

SEED = 20240515
CASES = 300
PER_CASE_SECONDS = 5.0


def _japanese_pdf() -> bytes:
    """Two columns, a vertical line, a table and ruby, compressed streams."""
    reportlab()
    import io

    from reportlab.pdfgen import canvas

    from bench.ingest.generate import register_fonts

    try:
        register_fonts()
    except FileNotFoundError:
        return simple_pdf(pages=2, pageCompression=1)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), pageCompression=1)
    c.setFont("KG", 18)
    c.drawString(40, 780, "ごみの出し方が変わります")
    c.setFont("KM", 10)
    for i in range(10):
        c.drawString(40, 750 - 17 * i, "燃やせるごみは月曜と木曜の朝八時までに出してください。")
        c.drawString(320, 750 - 17 * i, "粗大ごみは事前の申し込みが必要です。")
    c.setFont("KM", 5)
    c.drawString(45, 762, "もや")
    c.setFont("KM", 10)
    for j, ch in enumerate("縦書きの本文です"):
        c.drawCentredString(500, 400 - 10 * j, ch)
    for y in (300, 280, 260):
        c.line(40, y, 300, y)
    for x in (40, 120, 300):
        c.line(x, 300, x, 260)
    c.drawString(45, 285, "日時")
    c.drawString(125, 285, "5月11日")
    c.drawString(45, 265, "場所")
    c.drawString(125, 265, "市役所")
    c.showPage()
    c.save()
    return buf.getvalue()


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    kind = rng.randrange(6)
    if kind == 0:  # truncate
        return bytes(b[: rng.randrange(len(b))])
    if kind == 1:  # flip bytes
        for _ in range(rng.randint(1, 30)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if kind == 2:  # delete a chunk
        i = rng.randrange(len(b))
        del b[i : i + rng.randint(1, 2000)]
        return bytes(b)
    if kind == 3:  # insert junk
        i = rng.randrange(len(b))
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
        return bytes(b)
    if kind == 4:  # duplicate a chunk
        i = rng.randrange(len(b))
        j = rng.randrange(len(b))
        b[j:j] = b[i : i + rng.randint(1, 3000)]
        return bytes(b)
    # replace numbers (sizes, counts, lengths, offsets) with odd values
    text = bytes(b)
    nums = list(re.finditer(rb"\d+(\.\d+)?", text))
    for m in rng.sample(nums, min(len(nums), rng.randint(1, 8))):
        repl = rng.choice([b"0", b"-1", b"99999999", b"1e30", b"4294967296", b"3.5", str(rng.randrange(10**6)).encode()])
        text = text[: m.start()] + repl + text[m.end() :]
        nums = list(re.finditer(rb"\d+(\.\d+)?", text))
        if not nums:
            break
    return text


def _cases() -> list[bytes]:
    rng = random.Random(SEED)
    seeds = [simple_pdf(pages=2), simple_pdf(pages=1, pageCompression=1), _japanese_pdf()]
    return [_mutate(rng, seeds[i % len(seeds)]) for i in range(CASES)]


def _worker(cases: list[bytes], conn) -> None:
    from kohoshi.ingest.pdf import ocr

    # Mutations that break a font's Unicode map send its glyphs to OCR: the models load once
    # here, as in a worker, not in the time of the first such case.
    ocr.available()
    for i, data in enumerate(cases):
        conn.send(("start", i, ""))
        try:
            issue = extract_issue(data, max_pages=20)
            ok = (
                isinstance(issue, DraftIssue)
                and issue.page_count >= 1
                and all(isinstance(a, DraftArticle) and isinstance(a.title, str) and isinstance(a.body, str) for a in issue.articles)
                and all(isinstance(w, str) for w in issue.warnings)
            )
            conn.send(("ok" if ok else "invalid", i, ""))
        except PdfRejected as exc:
            conn.send(("rejected", i, exc.code))
        except BaseException as exc:  # noqa: BLE001 - the point of the test
            conn.send(("error", i, f"{type(exc).__name__}: {exc}"))
    conn.send(("end", -1, ""))


def test_mutated_pdfs_give_rejection_or_draft_within_time_bound():
    cases = _cases()
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(cases, child), daemon=True)
    proc.start()
    child.close()
    outcomes: dict[str, int] = {}
    failures = []
    current = -1
    try:
        while True:
            if not parent.poll(PER_CASE_SECONDS):
                pytest.fail(f"case {current} (seed {SEED}) took longer than {PER_CASE_SECONDS}s")
            try:
                kind, i, detail = parent.recv()
            except EOFError:
                pytest.fail(f"the extractor process died on case {current} (seed {SEED}), exit code {proc.exitcode}")
            if kind == "end":
                break
            if kind == "start":
                current = i
                continue
            outcomes[kind] = outcomes.get(kind, 0) + 1
            if kind in ("error", "invalid"):
                failures.append((i, detail))
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    assert not failures, failures[:5]
    assert sum(outcomes.values()) == CASES
    # the mutations must exercise both outcomes
    assert outcomes.get("ok", 0) > 20 and outcomes.get("rejected", 0) > 20, outcomes
