"""Figures (写真・図) of a newsletter PDF: the page regions that hold images, cropped, and the
article each belongs to.

Pure like the rest of the engine: bytes in, :class:`DraftFigure` out, no Django. It runs in the
sandbox child (``sandbox.extract_figures_limited``) because it opens the untrusted PDF.

What counts as a figure: an image object (or a form that draws images) of a reasonable size —
not a bullet or an icon, not a full-page scan or background, not a tint behind a text box (an
image region that holds much text is a background, not a picture). Overlapping images (a photo
made of tiles, a frame over a photo) are one figure. The crop is rendered from the page, so
vector drawing over a photo (arrows, labels) is kept as the reader saw it on paper.

Which article: an image on a page where only one article appears is that article's. Where
several share the page, the figure goes to the article whose title comes just before it in
reading order (the text layer is searched for each title): the nearest title above it in the
same column, else the nearest to its right (vertical text), else the nearest at all; with no
title found on that page, to the article that starts there, else the first one listed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

MIN_SIDE_PT = 36.0  # half an inch: smaller is an icon or a bullet
MIN_AREA_SHARE = 0.01  # of the page
MAX_AREA_SHARE = 0.80  # larger is a scan or a background
MAX_TEXT_CHARS = 40  # text characters inside the region above which it is a background
MAX_PIXELS = 1200  # longest side of the stored image
JPEG_QUALITY = 82

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


@dataclass(frozen=True)
class DraftFigure:
    article: int  # index into the articles passed in
    page: int  # 1-based
    box: Box
    image: bytes  # JPEG
    width: int
    height: int


def extract_figures(data: bytes, *, articles: list[tuple[str, list[int]]]) -> list[DraftFigure]:
    """The figures of the PDF in ``data``, each given to one of ``articles`` ((title, pages) in
    issue order). Figures on pages no article is on (a cover, an advertisement page) are left out."""
    import pypdfium2 as pdfium

    figures: list[DraftFigure] = []
    doc = pdfium.PdfDocument(data)
    try:
        for index in range(len(doc)):
            number = index + 1
            on_page = [i for i, (_, pages) in enumerate(articles) if number in pages]
            if not on_page:
                continue
            page = doc[index]
            try:
                figures.extend(_page_figures(page, number, on_page, articles))
            finally:
                page.close()
    finally:
        doc.close()
    return figures


def _page_figures(page, number: int, on_page: list[int], articles) -> list[DraftFigure]:
    width, height = page.get_size()
    area = width * height
    boxes = [box for box in _image_boxes(page) if _area(box) <= MAX_AREA_SHARE * area]
    if not boxes:
        return []
    textpage = page.get_textpage()
    try:
        # Backgrounds first (a tint behind a text box is not a picture, and must not swallow the
        # photo placed on it), then pieces of one picture joined, then icons left out.
        boxes = [box for box in boxes if _chars_inside(textpage, box) <= MAX_TEXT_CHARS]
        boxes = [box for box in _merged(boxes) if _is_figure_size(box, area)]
        if not boxes:
            return []
        titles = {i: _title_box(textpage, articles[i][0]) for i in on_page} if len(on_page) > 1 else {}
        result = []
        for box in sorted(boxes, key=lambda b: (-b[3], b[0])):
            owner = _owner(box, on_page, titles, articles, number)
            image, w, h = _crop(page, box, width, height)
            result.append(DraftFigure(article=owner, page=number, box=box, image=image, width=w, height=h))
        return result
    finally:
        textpage.close()


def _image_boxes(page) -> list[Box]:
    import pypdfium2.raw as pdfium_c

    boxes = []
    for obj in page.get_objects(max_depth=1):
        if obj.level != 0:
            continue
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            boxes.append(obj.get_bounds())
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_FORM and _form_has_image(obj):
            boxes.append(obj.get_bounds())
    return [tuple(float(v) for v in box) for box in boxes]


def _form_has_image(form) -> bool:
    import pypdfium2.raw as pdfium_c

    count = pdfium_c.FPDFFormObj_CountObjects(form.raw)
    for i in range(max(count, 0)):
        child = pdfium_c.FPDFFormObj_GetObject(form.raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(child)
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return True
    return False


def _merged(boxes: list[Box], slack: float = 2.0) -> list[Box]:
    """Boxes that overlap or touch, joined into one, until none do."""
    merged = list(boxes)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                a, b = merged[i], merged[j]
                if a[0] - slack <= b[2] and b[0] - slack <= a[2] and a[1] - slack <= b[3] and b[1] - slack <= a[3]:
                    merged[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged


def _area(box: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _is_figure_size(box: Box, page_area: float) -> bool:
    if min(box[2] - box[0], box[3] - box[1]) < MIN_SIDE_PT:
        return False
    return MIN_AREA_SHARE * page_area <= _area(box) <= MAX_AREA_SHARE * page_area


def _chars_inside(textpage, box: Box) -> int:
    text = textpage.get_text_bounded(left=box[0], bottom=box[1], right=box[2], top=box[3])
    return sum(1 for ch in text if not ch.isspace())


def _title_box(textpage, title: str) -> Box | None:
    needle = "".join(title.split())[:12]
    if len(needle) < 2:
        return None
    searcher = textpage.search(needle, match_case=False)
    try:
        found = searcher.get_next()
    finally:
        searcher.close()
    if not found:
        return None
    start, count = found
    rects = [textpage.get_charbox(i) for i in range(start, start + count)]
    return (min(r[0] for r in rects), min(r[1] for r in rects), max(r[2] for r in rects), max(r[3] for r in rects))


def _owner(box: Box, on_page: list[int], titles: dict[int, Box | None], articles, number: int) -> int:
    if len(on_page) == 1:
        return on_page[0]
    found = {i: t for i, t in titles.items() if t is not None}
    # A figure follows its title in reading order: the nearest title above it in the same column
    # (horizontal text), else the nearest title to its right in the same band (vertical text).
    above = {i: t[1] - box[3] for i, t in found.items() if t[1] >= box[3] - 4 and _overlap(t[0], t[2], box[0], box[2])}
    if above:
        return min(above, key=lambda i: (above[i], i))
    right = {i: t[0] - box[2] for i, t in found.items() if t[0] >= box[2] - 4 and _overlap(t[1], t[3], box[1], box[3])}
    if right:
        return min(right, key=lambda i: (right[i], i))
    if found:
        return min(found, key=lambda i: (_distance(box, found[i]), i))
    starting = [i for i in on_page if min(articles[i][1]) == number]
    return starting[0] if starting else on_page[0]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> bool:
    return min(a1, b1) - max(a0, b0) > 0


def _distance(a: Box, b: Box) -> float:
    dx = max(b[0] - a[2], a[0] - b[2], 0.0)
    dy = max(b[1] - a[3], a[1] - b[3], 0.0)
    return (dx * dx + dy * dy) ** 0.5


def _crop(page, box: Box, page_width: float, page_height: float) -> tuple[bytes, int, int]:
    left, bottom, right, top = (max(box[0], 0.0), max(box[1], 0.0), min(box[2], page_width), min(box[3], page_height))
    scale = min(MAX_PIXELS / max(right - left, top - bottom), 3.0)
    bitmap = page.render(scale=scale, crop=(left, bottom, page_width - right, page_height - top))
    image = bitmap.to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), image.width, image.height
