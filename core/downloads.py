"""Handing a PDF to someone outside the council through the link they were sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

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


def link_not_valid(request: HttpRequest, template: str) -> HttpResponse:
    """The page for a link that is unknown, expired, revoked or spent: all look the same."""
    response = render(request, template, status=404)
    # Keep this page even where the demo swaps 404s for the general one.
    response.carefile_error_page = True  # type: ignore[attr-defined]
    response["Referrer-Policy"] = "no-referrer"
    return response
