"""A disclosed document's own pages, as images for the bundle: a PDF page by page (rendered
with PDFium), a photo or scan as it is. A Word document cannot be laid out here; the bundle
says it is supplied alongside."""

from __future__ import annotations

import io
import logging

import pypdfium2 as pdfium

from records.models import Document

log = logging.getLogger(__name__)

# Enough for a letter, a report or a court order; a longer file is supplied alongside.
MAX_PAGES = 60
# About 100 dots per inch: readable in print, small in the file.
SCALE = 100 / 72


def page_images(document: Document) -> tuple[list[tuple[str, bytes]], str]:
    """The document's pages as (content type, bytes), and a line for the bundle when some or
    all of it could not be shown."""
    if document.content_type in ("image/png", "image/jpeg"):
        with document.file.open("rb") as handle:
            return [(document.content_type, handle.read())], ""
    if document.content_type != "application/pdf":
        return [], "This document is not a PDF or an image: it is supplied alongside this bundle."
    with document.file.open("rb") as handle:
        data = handle.read()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        log.warning("Document %s could not be opened for a bundle", document.public_id)
        return [], "This document could not be opened: it is supplied alongside this bundle."
    try:
        images = []
        for number in range(min(len(pdf), MAX_PAGES)):
            page = pdf[number]
            picture = page.render(scale=SCALE).to_pil().convert("RGB")
            buffer = io.BytesIO()
            picture.save(buffer, format="JPEG", quality=80)  # write-ok: an image in memory
            images.append(("image/jpeg", buffer.getvalue()))
            page.close()
        note = ""
        if len(pdf) > MAX_PAGES:
            note = (
                f"The first {MAX_PAGES} of the document's {len(pdf)} pages are shown; the "
                "whole document is supplied alongside this bundle."
            )
        return images, note
    finally:
        pdf.close()
