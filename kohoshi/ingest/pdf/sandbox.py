"""Run PDFium in a child process with a memory and a time limit.

A 1 MB PDF can hold a Flate stream that inflates to gigabytes (a decompression bomb), and PDFium
inflates a page's content streams whole. Nothing cheap tells such a file apart before it is read,
so the reading happens in a child: ``python -m kohoshi.ingest.pdf.sandbox`` caps its own address
space with ``RLIMIT_AS`` before it touches the file, the parent counts the time, and a child that
runs out of either is stopped and reported as :class:`PdfRejected` (``memory_limit`` or
``time_limit``). The web server and the worker never hold the inflated data themselves.

PDFium aborts the process when an allocation fails (it does not raise), so a child that dies
without an answer is reported as having hit the memory limit: that is what it almost always is.

Pure like the rest of the engine: no Django. The parent passes the limits.
"""

from __future__ import annotations

import os
import pickle
import resource
import selectors
import signal
import struct
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from .errors import PdfRejected


@dataclass(frozen=True)
class Limits:
    # settings.KOHOSHI_INGEST_MEMORY_MB's default: RapidOCR needs more than 1024 MB of address
    # space for a page (onnxruntime bad_alloc, and Tesseract reads the rest; docs/benchmarks.md)
    memory_mb: int = 2048
    # the whole job, and the longest wait between two pages (OCR of one page may take a while)
    seconds: float = 1800.0
    page_seconds: float = 180.0


def memory_limit_rejection(limits: Limits) -> PdfRejected:
    return PdfRejected(
        "memory_limit",
        f"PDFの読み取りがメモリの上限({limits.memory_mb:,} MB)を超えたため止めました。"
        "展開すると極端に大きくなるデータ(圧縮爆弾)を含むか、壊れたPDFの可能性があります。"
        "PDFを作り直してから取り込んでください / the PDF needs more memory than allowed",
    )


def time_limit_rejection(seconds: float) -> PdfRejected:
    return PdfRejected(
        "time_limit",
        f"PDFの読み取りが時間の上限({seconds:.0f}秒)を超えたため止めました。"
        "異常に重いページを含むPDFの可能性があります。ページ数を分けるか、PDFを作り直してから取り込んでください"
        " / reading the PDF took longer than allowed",
    )


# ---------------------------------------------------------------------------- parent side


def extract_issue_limited(data: bytes, *, limits: Limits = Limits(), progress=None, **options):
    """:func:`~.extract.extract_issue` on ``data`` in a limited child; same result and errors."""
    return _run_child("extract", data, options, limits=limits, progress=progress)


def extract_figures_limited(data: bytes, *, articles: list[tuple[str, list[int]]], limits: Limits = Limits()):
    """:func:`~.figures.extract_figures` on ``data`` in a limited child; same result and errors."""
    return _run_child("figures", data, {"articles": articles}, limits=limits, progress=None)


def render_page_png(data: bytes, *, page: int, width: int, out_path: str, limits: Limits = Limits()) -> None:
    """Render page ``page`` (1-based) of ``data`` to a PNG ``width`` pixels wide at ``out_path``."""
    _run_child("render", data, {"page": page, "width": width, "out_path": out_path}, limits=limits, progress=None)


def _run_child(job: str, data: bytes, options: dict, *, limits: Limits, progress: Callable | None):
    read_fd, write_fd = os.pipe()
    env = {**os.environ, "KOHOSHI_SANDBOX_MEMORY_MB": str(limits.memory_mb)}
    # The address-space limit counts reservations, not use: one OpenMP thread for Tesseract and
    # few malloc arenas keep a many-core machine from reserving the limit away.
    env.setdefault("OMP_THREAD_LIMIT", "1")
    env.setdefault("MALLOC_ARENA_MAX", "2")
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", __name__, job, str(write_fd)],
            stdin=subprocess.PIPE,
            pass_fds=(write_fd,),
            env=env,
            close_fds=True,
        )
    finally:
        os.close(write_fd)
    started = last = time.monotonic()
    buffer = bytearray()
    answer = None
    try:
        # The job goes in on stdin (at most MAX_BYTES of PDF); a child that dies early closes it.
        try:
            head = pickle.dumps(options)
            child.stdin.write(struct.pack(">I", len(head)) + head + data)
            child.stdin.close()
        except BrokenPipeError:
            pass
        with selectors.DefaultSelector() as selector:
            selector.register(read_fd, selectors.EVENT_READ)
            while answer is None:
                now = time.monotonic()
                deadline = min(started + limits.seconds, last + limits.page_seconds)
                if now >= deadline:
                    _kill(child)
                    raise time_limit_rejection(limits.seconds if now >= started + limits.seconds else limits.page_seconds)
                if not selector.select(timeout=min(deadline - now, 1.0)):
                    continue
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break  # the child is gone
                buffer += chunk
                for message in _messages(buffer):
                    if message[0] == "progress":
                        last = time.monotonic()
                        if progress is not None:
                            progress(*message[1:])
                    else:
                        answer = message
                        break
    finally:
        os.close(read_fd)
        if child.poll() is None and answer is None:
            _kill(child)
        child.wait()
    if answer is None:
        if child.returncode < 0:
            raise memory_limit_rejection(limits)  # PDFium aborts when an allocation fails
        raise RuntimeError(f"PDF sandbox child exited with {child.returncode} without an answer")
    kind, value = answer
    if kind == "done":
        return value
    if kind == "rejected":
        raise PdfRejected(*value)
    if kind == "memory":
        raise memory_limit_rejection(limits)
    raise RuntimeError(f"PDF sandbox child failed:\n{value}")


def _messages(buffer: bytearray):
    while len(buffer) >= 4:
        (size,) = struct.unpack(">I", buffer[:4])
        if len(buffer) < 4 + size:
            return
        payload = bytes(buffer[4 : 4 + size])
        del buffer[: 4 + size]
        yield pickle.loads(payload)


def _kill(child: subprocess.Popen) -> None:
    try:
        child.send_signal(signal.SIGKILL)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------------------- child side


def _send(fd: int, message) -> None:
    payload = pickle.dumps(message)
    os.write(fd, struct.pack(">I", len(payload)))
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def _child(job: str, fd: int) -> None:
    limit = int(os.environ["KOHOSHI_SANDBOX_MEMORY_MB"]) << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # An aborting child must not leave a core file of the inflated data behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    (size,) = struct.unpack(">I", sys.stdin.buffer.read(4))
    options = pickle.loads(sys.stdin.buffer.read(size))
    data = sys.stdin.buffer.read()
    try:
        if job == "extract":
            from .extract import extract_issue

            result = extract_issue(data, progress=lambda done, total: _send(fd, ("progress", done, total)), **options)
        elif job == "figures":
            from .figures import extract_figures

            result = extract_figures(data, **options)
        else:
            result = _render(data, **options)
        _send(fd, ("done", result))
    except PdfRejected as exc:
        _send(fd, ("rejected", (exc.code, exc.message)))
    except MemoryError:
        _send(fd, ("memory", None))
    except Exception:
        _send(fd, ("error", traceback.format_exc()))


def _render(data: bytes, *, page: int, width: int, out_path: str) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        pdf_page = doc[page - 1]
        page_width, page_height = pdf_page.get_size()
        scale = min(width / page_width, 3 * width / page_height)
        image = pdf_page.render(scale=scale).to_pil()
        pdf_page.close()
    finally:
        doc.close()
    image.save(out_path, format="PNG", optimize=True)


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]))
