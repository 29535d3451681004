"""Handing a PDF to someone outside the council through the link they were sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase

from core.errors import ApplicationError


def link_download(
    *,
    file: FieldFile,
    use: Callable[[], Any],
    filename: str,
    not_valid: Callable[[], HttpResponse],
) -> HttpResponseBase:
    """Open the file, then spend the link (``use``, which re-checks it under a lock), then
    stream it. A missing file spends nothing; a refused link streams nothing."""
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        return not_valid()
    try:
        use()
    except ApplicationError:
        handle.close()
        return not_valid()
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
