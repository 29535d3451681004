"""The certificate of destruction for a disposal batch that has been carried out (DOMAIN.md §5):
who approved it under which rule, when it ran, and every record it disposed of — by reference
and dates only, never a personal value.

The HTML comes from a Django template, so every value is escaped. WeasyPrint gets the
disclosure bundle's fetcher, which refuses every URL: the certificate needs nothing from
outside itself, so an attempt to fetch can only mean markup got in, and the render fails.
A large batch is laid out in parts of ``ROWS_PER_PART`` records, each part told the page it
starts on, and the parts are joined with pypdf, so memory stays bounded however many records
the batch disposed of.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfWriter
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from access_requests.bundle import FetchRefusedError, RefusingURLFetcher
from retention import selectors
from retention.models import Action, DisposalBatch, ItemStatus

ROWS_PER_PART = 2000


@dataclass(frozen=True)
class Row:
    reference: str
    trigger_date: date | None
    disposed_at: datetime | None


def _staff(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)


def _title(batch: DisposalBatch) -> str:
    if batch.action == Action.ANONYMISE:
        return "Certificate of anonymisation"
    return "Certificate of destruction"


def _facts(batch: DisposalBatch) -> dict[str, Any]:
    counts = selectors.batch_item_counts(batch=batch)
    rule = batch.rule
    return {
        "title": _title(batch),
        "batch": batch,
        "council": batch.organisation.name,
        "record_class": batch.record_class.name,
        "rule": rule,
        "action": batch.get_action_display(),
        "first_approver": _staff(batch.first_approver),
        "second_approver": _staff(batch.second_approver),
        "disposed": counts[ItemStatus.DISPOSED],
        "held": counts[ItemStatus.HELD],
        "skipped": counts[ItemStatus.SKIPPED],
        "kept": counts[ItemStatus.KEPT],
        "unknown": counts[ItemStatus.UNKNOWN],
        "issued_on": timezone.localdate(),
    }


def _parts(rows: Iterable[Any]) -> Iterator[list[Row]]:
    """The records in parts; always at least one, so a certificate with no records disposed
    of still has its facts page."""
    rows = iter(rows)
    first = True
    while True:
        part = [Row(*row) for row in islice(rows, ROWS_PER_PART)]
        if not part and not first:
            return
        yield part
        first = False


def certificate_pdf(batch: DisposalBatch) -> bytes:
    """The certificate as PDF bytes. Only for a batch that is done: the caller checks."""
    facts = _facts(batch)
    writer = PdfWriter()
    first_page = 1
    for number, part in enumerate(_parts(selectors.batch_disposed_items(batch=batch))):
        html = render_to_string(
            "retention/certificate.html",
            {**facts, "rows": part, "opening": number == 0, "first_page": first_page},
        )
        fetcher = RefusingURLFetcher()
        try:
            document = HTML(string=html, url_fetcher=fetcher).render()
        except FatalURLFetchingError as exc:
            raise FetchRefusedError(f"Refused to fetch {fetcher.attempts}.") from exc
        first_page += len(document.pages)
        writer.append(io.BytesIO(document.write_pdf()))
        del document
    writer.add_metadata(
        {"/Title": f"{facts['title']} {batch.reference}", "/Author": facts["council"]}
    )
    out = io.BytesIO()
    writer.write(out)
    writer.close()
    return out.getvalue()


def certificate_download(batch: DisposalBatch) -> HttpResponseBase:
    """The batch's kept certificate as a download; made now if its task has not made it yet.
    The caller has checked the batch is done and audits the download."""
    from retention.services import batch_certificate_make

    made = batch if batch.certificate else batch_certificate_make(batch_id=batch.pk)
    name = f"certificate-of-destruction-{batch.reference}.pdf"
    try:
        assert made is not None  # noqa: S101  done, so made
        response: HttpResponseBase = FileResponse(
            made.certificate.open("rb"),
            as_attachment=True,
            filename=name,
            content_type="application/pdf",
        )
    except (FileNotFoundError, ValueError):
        # The kept file is gone from storage: lay it out again rather than fail.
        response = HttpResponse(certificate_pdf(batch), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
