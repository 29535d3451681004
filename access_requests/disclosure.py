"""Producing what is sent: the PDF bundle (rendered by a worker), and the machine-readable
export for portability. Both are built only from the reviewed text with the accepted
redactions already cut out, so redacted words never reach a file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import tempfile
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from access_requests import bundle as pdf
from access_requests import letters, redaction
from access_requests.documents import page_images
from access_requests.models import (
    AccessRequest,
    CollectedItem,
    Decision,
    DisclosureBundle,
    Redaction,
)
from audit.models import Action, Purpose
from audit.services import event_record
from core.csvsafe import csv_cell
from core.errors import ApplicationError
from records.models import Document, ItemKind

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)


def _accepted(item: CollectedItem) -> list[tuple[int, int, str]]:
    return [
        (r.start, r.end, r.exemption)
        for r in item.redactions.all()
        if r.status == Redaction.Status.ACCEPTED
    ]


def _disclosed(request: AccessRequest) -> Iterator[CollectedItem]:
    yield from (
        request.collected_items.filter(decision__in=(Decision.DISCLOSE, Decision.REDACT))
        .select_related("item")
        .prefetch_related("redactions")
        .order_by("occurred_at", "pk")
        .iterator(chunk_size=500)
    )


def redacted_segments(item: CollectedItem) -> list[pdf.Segment]:
    accepted = _accepted(item) if item.decision == Decision.REDACT else []
    return [pdf.Segment(text, code) for text, code in redaction.apply(item.text, accepted)]


class _Items:
    """The disclosed items as bundle items, read from the database in chunks as the renderer
    walks them once, in order (so thousands of items never sit in memory together)."""

    def __init__(self, request: AccessRequest, count: int) -> None:
        self.request = request
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[pdf.BundleItem]:
        for number, item in enumerate(_disclosed(self.request), start=1):
            segments = redacted_segments(item)
            images, note = _document_pages(item)
            if note:
                segments.append(pdf.Segment(f"\n\n{note}"))
            yield pdf.BundleItem(
                number=number,
                occurred_at=item.occurred_at,
                title=item.title,
                source=item.source_label,
                segments=segments,
                images=images,
            )


def _document_pages(item: CollectedItem) -> tuple[list[tuple[str, bytes]], str]:
    """A document disclosed in full shows its own pages; one disclosed with redactions has
    only its description redacted here, so its pages go out separately once redacted."""
    if item.item_id is None or item.item is None or item.item.kind != ItemKind.DOCUMENT:
        return [], ""
    if item.decision != Decision.DISCLOSE:
        return [], "The document itself is supplied separately, with its redactions."
    document = Document.objects.filter(item_ptr_id=item.item_id).first()
    if document is None or not document.file:
        return [], ""
    return page_images(document)


def bundle_spec(request: AccessRequest) -> pdf.BundleSpec:
    items = request.collected_items
    withheld = [
        pdf.WithheldEntry(i.occurred_at, i.get_source_display(), i.exemption)
        for i in items.filter(decision=Decision.WITHHOLD).order_by("occurred_at", "pk")
    ]
    used: Counter[str] = Counter(w.exemption for w in withheld)
    for code in Redaction.objects.filter(
        collected_item__request=request,
        collected_item__decision=Decision.REDACT,
        status=Redaction.Status.ACCEPTED,
    ).values_list("exemption", flat=True):
        used[code] += 1
    disclosed = items.filter(decision__in=(Decision.DISCLOSE, Decision.REDACT)).count()
    return pdf.BundleSpec(
        reference=request.reference,
        organisation=request.organisation.name,
        cover_letter=letters.cover_letter(request),
        items=_Items(request, disclosed),  # type: ignore[arg-type]
        withheld=withheld,
        exemptions=[(code, letters.exemption_label(code), n) for code, n in sorted(used.items())],
        generated_on=timezone.localdate(),
    )


def bundle_build(*, bundle_id: int) -> DisclosureBundle | None:
    """Render a queued bundle. Claims it with a conditional update, so a task delivered twice
    renders once; a failure is recorded on the bundle for the officer to see and retry."""
    claimed = DisclosureBundle.objects.filter(
        pk=bundle_id, status=DisclosureBundle.Status.QUEUED
    ).update(status=DisclosureBundle.Status.RENDERING)
    if not claimed:
        return None
    bundle = DisclosureBundle.objects.select_related("request", "request__organisation").get(
        pk=bundle_id
    )
    request = bundle.request

    def progress(done: int) -> None:
        DisclosureBundle.objects.filter(pk=bundle_id).update(items_done=done)

    try:
        with tempfile.TemporaryFile() as out:
            pages = pdf.bundle_render(
                bundle_spec(request),
                out,
                section_items=settings.CAREFILE_BUNDLE_SECTION_ITEMS,
                progress=progress,
            )
            out.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: out.read(1 << 20), b""):
                digest.update(chunk)
            size = out.tell()
            out.seek(0)
            with transaction.atomic():
                bundle = DisclosureBundle.objects.select_for_update().get(pk=bundle_id)
                bundle.file.save(f"{bundle.public_id}.pdf", File(out), save=False)
                bundle.status = DisclosureBundle.Status.READY
                bundle.pages = pages
                bundle.size = size
                bundle.sha256 = digest.hexdigest()
                bundle.items_done = bundle.items_total
                bundle.finished_at = timezone.now()
                bundle.save()
                event_record(
                    actor=None,
                    action=Action.EXPORT,
                    summary="Produced a disclosure bundle",
                    obj=bundle,
                    subjects=request.subjects.filter(person__isnull=False).values_list(
                        "person_id", flat=True
                    ),
                    personal={"reference": request.reference, "pages": pages},
                    purpose=Purpose.ACCESS_REQUEST,
                )
    except Exception as error:
        log.exception("Disclosure bundle %s failed", bundle_id)
        DisclosureBundle.objects.filter(pk=bundle_id).update(
            status=DisclosureBundle.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:500],
            finished_at=timezone.now(),
        )
        return None
    return bundle


# --- Portability export ----------------------------------------------------------------------

EXPORT_FIELDS = ("number", "date", "title", "source", "text")


def export_rows(request: AccessRequest) -> Iterator[dict[str, str]]:
    for number, item in enumerate(_disclosed(request), start=1):
        accepted = _accepted(item) if item.decision == Decision.REDACT else []
        yield {
            "number": str(number),
            "date": item.occurred_at.isoformat() if item.occurred_at else "",
            "title": item.title,
            "source": item.source_label,
            "text": redaction.redacted_plain(item.text, accepted),
        }


def _require_exportable(actor: User, request: AccessRequest) -> None:
    from access_requests import policies
    from access_requests.models import State

    if not policies.can_work_request(actor, request):
        raise ApplicationError("Only the records-access team of this council can do this.")
    if request.state not in (State.READY, State.CLOSED) or request.approved_by_id is None:
        raise ApplicationError("The export is available once a second officer has approved.")


def _export_event(actor: User, request: AccessRequest, fmt: str, count: int) -> None:
    event_record(
        actor=actor,
        action=Action.EXPORT,
        summary=f"Exported a disclosure as {fmt.upper()}",
        obj=request,
        subjects=request.subjects.filter(person__isnull=False).values_list("person_id", flat=True),
        personal={"reference": request.reference, "items": count},
        purpose=Purpose.ACCESS_REQUEST,
    )


@transaction.atomic
def export_json(*, actor: User, request: AccessRequest) -> bytes:
    """Portability: the disclosed records as JSON, redactions marked in place."""
    _require_exportable(actor, request)
    rows = list(export_rows(request))
    _export_event(actor, request, "json", len(rows))
    document = {
        "reference": request.reference,
        "controller": request.organisation.name,
        "subject": request.subject_name,
        "generated_on": timezone.localdate().isoformat(),
        "records": rows,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


@transaction.atomic
def export_csv(*, actor: User, request: AccessRequest) -> bytes:
    _require_exportable(actor, request)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    count = 0
    for row in export_rows(request):
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
        count += 1
    _export_event(actor, request, "csv", count)
    return buffer.getvalue().encode("utf-8-sig")
