"""Sending a stored document to someone already allowed to see it (pages and API alike)."""

from __future__ import annotations

import logging

from django.http import FileResponse, Http404

from records.models import Document

logger = logging.getLogger(__name__)


def document_response(document: Document) -> FileResponse:
    """The file as an attachment with its checked content type, never cached or sniffed."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        logger.error("Document %s has no stored file", document.public_id)
        raise Http404("Page not found") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
