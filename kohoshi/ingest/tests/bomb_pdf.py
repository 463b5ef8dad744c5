"""Decompression bombs for the tests: a small PDF whose page content (or image) stream inflates
to hundreds of megabytes, and a way to measure a process's peak memory around a call."""
import zlib
from contextlib import contextmanager
from pathlib import Path


def bomb_pdf(*, inflated_mb: int = 1024, pages: int = 1, kind: str = "content") -> bytes:
    """A valid PDF of about inflated_mb/1000 MB whose one shared stream inflates to inflated_mb MB.

    kind="content": the pages' content stream (PDFium inflates it whole to read the page);
    kind="image": a gray image XObject drawn over the page (inflated when the page is rendered).
    """
    compressor = zlib.compressobj(9)
    block = (b" " if kind == "content" else b"\0") * (1 << 20)
    stream = b"".join(compressor.compress(block) for _ in range(inflated_mb)) + compressor.flush()
    bomb = 3 + pages
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", f"<</Type/Pages/Kids[{kids}]/Count {pages}>>".encode()]
    if kind == "content":
        page = f"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents {bomb} 0 R/Resources<<>>>>"
        objects += [page.encode()] * pages
        objects.append(f"<</Length {len(stream)}/Filter/FlateDecode>>stream\n".encode() + stream + b"\nendstream")
    else:
        page = (
            f"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents {bomb + 1} 0 R"
            f"/Resources<</XObject<</Im1 {bomb} 0 R>>>>>>"
        )
        objects += [page.encode()] * pages
        side = int((inflated_mb << 20) ** 0.5)
        objects.append(
            f"<</Type/XObject/Subtype/Image/Width {side}/Height {side}/ColorSpace/DeviceGray"
            f"/BitsPerComponent 8/Length {len(stream)}/Filter/FlateDecode>>stream\n".encode() + stream + b"\nendstream"
        )
        draw = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
        objects.append(f"<</Length {len(draw)}>>stream\n".encode() + draw + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class PeakMemory:
    mb: float = 0.0


@contextmanager
def peak_rss():
    """The growth of this process's peak resident memory (VmHWM, reset first) inside the block, in MB."""
    status = Path("/proc/self/status")
    clear = Path("/proc/self/clear_refs")
    result = PeakMemory()
    clear.write_text("5")  # Linux: reset the high-water mark

    def hwm() -> float:
        line = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    def rss() -> float:
        line = next(line for line in status.read_text().splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    before = rss()
    yield result
    result.mb = hwm() - before
