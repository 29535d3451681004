"""Every write to rights requests and data protection complaints. Each service takes
``actor=``, checks the policy, validates, writes, recomputes the clock where an input changed,
and records its audit event, all in one transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from access_requests import clock, collection, policies, redaction
from access_requests.models import (
    DISCLOSING_TYPES,
    OPEN_STATES,
    SERIOUS_HARM_CODES,
    AccessRequest,
    AdditionalBankHoliday,
    CollectedItem,
    Complaint,
    ComplaintOutcome,
    ComplaintState,
    Decision,
    DisclosureBundle,
    DisclosureMethod,
    DownloadLink,
    Exemption,
    Outcome,
    Pause,
    Redaction,
    Relationship,
    RequestDocument,
    RequestNote,
    RequestSubject,
    RequestType,
    State,
)
from audit.models import Action, Purpose
from audit.services import changes_between, created_changes, event_record, snapshot
from core.errors import ApplicationError
from records import policies as record_policies
from records import services as record_services
from records.models import (
    DisagreementStatement,
    HistoricRecord,
    Item,
    Person,
    PersonUserObjectPermission,
)
from records.uploads import check_upload

if TYPE_CHECKING:
    from accounts.models import Organisation, User


def _refuse(message: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(message, field_errors={field: [message]} if field else None)


def _locked(request: AccessRequest) -> AccessRequest:
    return (
        AccessRequest.objects.select_for_update().select_related("organisation").get(pk=request.pk)
    )


def _require_officer(actor: User, request: AccessRequest) -> None:
    if not policies.can_work_request(actor, request):
        raise ApplicationError("Only the records-access team of this council can do this.")


def _require_open(request: AccessRequest) -> None:
    if not request.is_open:
        raise ApplicationError("This request is closed.")


def _open_request(actor: User, request: AccessRequest) -> AccessRequest:
    """The request, locked for the change, once the actor may work it and it is open."""
    request = _locked(request)
    _require_officer(actor, request)
    _require_open(request)
    return request


def _subject_ids(request: AccessRequest) -> set[int]:
    return set(
        RequestSubject.objects.filter(request=request, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )


def _event(
    actor: User | None,
    request: AccessRequest,
    summary: str,
    *,
    action: str = Action.UPDATE,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
    personal: dict[str, Any] | None = None,
    purpose: str = Purpose.ACCESS_REQUEST,
) -> None:
    """Every event about a request names the people it is about, with the request's purpose."""
    event_record(
        actor=actor,
        action=action,
        summary=summary,
        obj=obj or request,
        subjects=_subject_ids(request),
        changes=changes,
        personal={"reference": request.reference, **(personal or {})},
        purpose=purpose,
    )


def _not_future(day: date | None, field: str, what: str) -> None:
    if day and day > timezone.localdate():
        raise _refuse(f"{what} must be today or in the past.", field)


# --- The clock -------------------------------------------------------------------------------


def extra_holidays(nation: str) -> list[date]:
    return list(AdditionalBankHoliday.objects.filter(nation=nation).values_list("day", flat=True))


def _pauses(request: AccessRequest, today: date) -> list[tuple[date, date]]:
    """Each pause as (asked, received); one still open counts up to today."""
    if request.pk is None:
        return []
    return [(p.asked_on, p.received_on or today) for p in request.pauses.all()]


def clock_start(request: AccessRequest) -> date | None:
    """The latest of: received, requested ID received, requested authority received, required
    fee received (DOMAIN.md §3). None while any of them is awaited."""
    if request.waiting_for:
        return None
    days = [request.received_on]
    if request.identity_required and request.identity_received_on:
        days.append(request.identity_received_on)
    if request.authority_required and request.authority_received_on:
        days.append(request.authority_received_on)
    if request.fee_required and request.fee_received_on:
        days.append(request.fee_received_on)
    return max(days)


def _clock_refresh(request: AccessRequest, *, extra: list[date] | None = None) -> list[str]:
    """Recompute the stored due date and its explanation; returns the fields that changed."""
    before = (request.clock_started_on, request.due_on, request.due_explanation)
    start = clock_start(request)
    request.clock_started_on = start
    if start is None:
        request.due_on = None
        request.due_explanation = [
            f"The clock has not started: waiting for {', '.join(request.waiting_for)}."
        ]
    else:
        today = timezone.localdate()
        explained = clock.explain(
            start,
            regime=request.clock_regime,
            extended=request.extended,
            pauses=_pauses(request, today),
            nation=request.nation,
            extra_holidays=extra if extra is not None else extra_holidays(request.nation),
        )
        request.due_on = explained.due
        request.due_explanation = explained.steps
        if request.state == State.PAUSED:
            request.due_explanation = [
                *explained.steps,
                "Paused: the due date moves on a day for each day until the answer arrives.",
            ]
    after = (request.clock_started_on, request.due_on, request.due_explanation)
    return [
        name
        for name, old, new in zip(
            ("clock_started_on", "due_on", "due_explanation"), before, after, strict=True
        )
        if old != new
    ]


def _state_after_verification(request: AccessRequest) -> None:
    """Work waits while identity, authority or a fee is awaited: a request not yet collected
    goes back to waiting when the team asks for something new."""
    early = (State.RECEIVED, State.AWAITING_VERIFICATION)
    if request.state in early or (request.state == State.IN_PROGRESS and not request.collected_at):
        request.state = State.AWAITING_VERIFICATION if request.waiting_for else State.IN_PROGRESS


# --- Logging a request -----------------------------------------------------------------------

_REQUESTER_FIELDS = (
    "requester_name",
    "requester_email",
    "requester_phone",
    "requester_address",
    "relationship",
    "child_basis",
    "subject_name",
    "subject_other_names",
    "subject_date_of_birth",
    "subject_address",
    "description",
)


def _validate_request(request: AccessRequest) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if request.received_on and request.received_on > today:
        errors["received_on"] = ["The date received must be today or in the past."]
    if request.subject_date_of_birth and request.subject_date_of_birth > today:
        errors["subject_date_of_birth"] = ["The date of birth must be in the past."]
    is_child = (
        request.subject_date_of_birth is not None
        and clock.add_months(request.subject_date_of_birth, 18 * 12) > request.received_on
    )
    if request.relationship == Relationship.PARENT and is_child and not request.child_basis:
        errors["child_basis"] = [
            "A child's information is the child's: say on what basis the parent may act."
        ]
    if request.child_basis and request.relationship != Relationship.PARENT:
        errors["child_basis"] = ["Only a parent's request needs a basis for acting for a child."]
    if request.fee_required:
        try:
            request.fee_amount = (
                None if request.fee_amount in (None, "") else Decimal(str(request.fee_amount))
            )
        except InvalidOperation:
            request.fee_amount = None
        if request.fee_amount is None or request.fee_amount <= Decimal(0):
            errors["fee_amount"] = ["Enter the fee, in pounds."]
        if request.request_type != RequestType.FURTHER_COPY and not request.fee_reason.strip():
            errors["fee_reason"] = [
                "A first request is free: a fee needs a reason (manifestly unfounded or excessive)."
            ]
    if errors:
        raise ValidationError(errors)
    try:
        request.full_clean(exclude=["reference", "organisation", "assigned_to"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


def _reference_assign(request: AccessRequest) -> None:
    request.reference = f"RR-{request.received_on.year}-{request.pk:05d}"
    request.save(update_fields=["reference"])


@transaction.atomic
def access_request_log(
    *,
    actor: User,
    organisation: Organisation,
    request_type: str,
    channel: str,
    received_on: date,
    assigned_to: User | None = None,
    identity_required: bool = False,
    authority_required: bool | None = None,
    fee_required: bool = False,
    fee_amount: Decimal | None = None,
    fee_reason: str = "",
    **details: Any,
) -> AccessRequest:
    """Log a request received by letter, email, phone or in person."""
    if organisation.pk not in policies.officer_org_ids(actor):
        raise _refuse("Choose a council whose records-access team you work in.", "organisation")
    unknown = set(details) - set(_REQUESTER_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    if authority_required is None:
        authority_required = details.get("relationship") != Relationship.SELF
    request = AccessRequest(
        organisation=organisation,
        request_type=request_type,
        channel=channel,
        received_on=received_on,
        identity_required=identity_required,
        authority_required=authority_required,
        fee_required=fee_required,
        fee_amount=fee_amount,
        fee_reason=fee_reason,
        clock_regime=organisation.clock_regime,
        nation=organisation.nation,
        created_by=actor,
        **{
            k: (v if v is not None else "") if k != "subject_date_of_birth" else v
            for k, v in details.items()
        },
    )
    if assigned_to is not None:
        _check_assignee(assigned_to, request)
        request.assigned_to = assigned_to
    _validate_request(request)
    _state_after_verification(request)
    _clock_refresh(request)
    request.save()
    _reference_assign(request)
    _event(
        actor,
        request,
        f"Logged a {request.get_request_type_display()} request",
        action=Action.CREATE,
        changes=created_changes(request, [*_REQUESTER_FIELDS, "received_on", "request_type"]),
    )
    return request


def public_form_organisation() -> Organisation | None:
    """The council a public form reaches when only one council is served."""
    from accounts.models import Organisation

    councils = list(Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)[:2])
    return councils[0] if len(councils) == 1 else None


def _acknowledge(to: str, subject: str, body: str) -> None:
    if to:
        transaction.on_commit(lambda: send_mail(subject, body, None, [to], fail_silently=False))


@transaction.atomic
def access_request_submit_public(
    *, organisation: Organisation, request_type: str, **details: Any
) -> AccessRequest:
    """A request made through the public web form: received today, waiting for triage, and
    acknowledged by email with its reference."""
    unknown = set(details) - set(_REQUESTER_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    request = AccessRequest(
        organisation=organisation,
        request_type=request_type,
        channel="web_form",
        received_on=timezone.localdate(),
        clock_regime=organisation.clock_regime,
        nation=organisation.nation,
        # Until the team has triaged it, the clock runs from today: nothing has been asked for.
        **details,
    )
    _validate_request(request)
    _clock_refresh(request)
    request.save()
    _reference_assign(request)
    event_record(
        actor=None,
        actor_username="public web form",
        action=Action.CREATE,
        summary=f"Received a {request.get_request_type_display()} request through the web form",
        obj=request,
        changes=created_changes(request, [*_REQUESTER_FIELDS, "request_type"]),
        personal={"reference": request.reference},
        purpose=Purpose.ACCESS_REQUEST,
    )
    _acknowledge(
        request.requester_email,
        f"Your request {request.reference} has been received",
        (
            f"Dear {request.requester_name},\n\n"
            f"{organisation.name} received your request on "
            f"{request.received_on:%-d %B %Y}. Its reference is {request.reference}.\n\n"
            "Our records-access team will contact you if we need proof of your identity, or of "
            "your authority to act for someone else; the time we have to reply starts when we "
            "have what we need. We will normally reply within one calendar month.\n\n"
            "Please quote the reference in any message about this request.\n"
        ),
    )
    return request


@transaction.atomic
def access_request_requirements_set(
    *,
    actor: User,
    request: AccessRequest,
    identity_required: bool,
    authority_required: bool,
    requested_on: date | None = None,
    fee_required: bool = False,
    fee_amount: Decimal | None = None,
    fee_reason: str = "",
) -> AccessRequest:
    """Triage: what the team asks for before the clock starts (ID, authority, a fee)."""
    request = _open_request(actor, request)
    _not_future(requested_on, "requested_on", "The date asked")
    fields = [
        "identity_required",
        "authority_required",
        "identity_requested_on",
        "authority_requested_on",
        "fee_required",
        "fee_amount",
        "fee_reason",
        "fee_requested_on",
        "state",
    ]
    before = snapshot(request, fields)
    on = requested_on or timezone.localdate()
    request.identity_required = identity_required
    request.authority_required = authority_required
    if identity_required and not request.identity_received_on:
        request.identity_requested_on = request.identity_requested_on or on
    if authority_required and not request.authority_received_on:
        request.authority_requested_on = request.authority_requested_on or on
    request.fee_required = fee_required
    request.fee_amount = fee_amount if fee_required else None
    request.fee_reason = fee_reason.strip() if fee_required else ""
    if fee_required and not request.fee_received_on:
        request.fee_requested_on = request.fee_requested_on or on
    _validate_request(request)
    _state_after_verification(request)
    changed = _clock_refresh(request)
    request.save()
    _event(
        actor,
        request,
        "Set what is needed before the clock starts",
        changes=changes_between(before, snapshot(request, fields)) | _clock_changes(changed),
    )
    return request


def _clock_changes(fields: list[str]) -> dict[str, Any]:
    return {name: ("", "recomputed") for name in fields if name != "due_explanation"}


def _verify(
    actor: User,
    request: AccessRequest,
    what: str,
    received_on: date,
    method: str,
    notes: str,
) -> AccessRequest:
    request = _open_request(actor, request)
    if not received_on:
        raise _refuse("Enter the date it was received.", "received_on")
    _not_future(received_on, "received_on", "The date received")
    if received_on < request.received_on:
        raise _refuse("It cannot have arrived before the request itself.", "received_on")
    if not method:
        raise _refuse("Say how it was checked.", "method")
    fields = [
        f"{what}_required",
        f"{what}_received_on",
        f"{what}_method",
        f"{what}_notes",
        f"{what}_verified_by",
        f"{what}_verified_at",
        "state",
    ]
    before = snapshot(request, fields)
    setattr(request, f"{what}_required", True)
    setattr(request, f"{what}_received_on", received_on)
    setattr(request, f"{what}_method", method)
    setattr(request, f"{what}_notes", (notes or "").strip())
    setattr(request, f"{what}_verified_by", actor)
    setattr(request, f"{what}_verified_at", timezone.now())
    try:
        request.full_clean(exclude=["reference", "organisation", "assigned_to"])
    except ValidationError as error:
        raise ValidationError(
            {k.removeprefix(f"{what}_"): v for k, v in error.message_dict.items()}
        ) from error
    _state_after_verification(request)
    changed = _clock_refresh(request)
    request.save()
    _event(
        actor,
        request,
        f"Verified the requester's {'identity' if what == 'identity' else 'authority'}",
        changes=changes_between(before, snapshot(request, fields)) | _clock_changes(changed),
    )
    return request


@transaction.atomic
def access_request_identity_verify(
    *, actor: User, request: AccessRequest, received_on: date, method: str, notes: str = ""
) -> AccessRequest:
    return _verify(actor, request, "identity", received_on, method, notes)


@transaction.atomic
def access_request_authority_verify(
    *, actor: User, request: AccessRequest, received_on: date, method: str, notes: str = ""
) -> AccessRequest:
    return _verify(actor, request, "authority", received_on, method, notes)


@transaction.atomic
def access_request_fee_receive(
    *, actor: User, request: AccessRequest, received_on: date
) -> AccessRequest:
    request = _open_request(actor, request)
    if not request.fee_required:
        raise ApplicationError("No fee was asked for on this request.")
    if not received_on:
        raise _refuse("Enter the date the fee was received.", "received_on")
    _not_future(received_on, "received_on", "The date received")
    if received_on < request.received_on:
        raise _refuse("The fee cannot have arrived before the request.", "received_on")
    before = snapshot(request, ["fee_received_on", "state"])
    request.fee_received_on = received_on
    _state_after_verification(request)
    changed = _clock_refresh(request)
    request.save()
    _event(
        actor,
        request,
        "Recorded the fee as received",
        changes=changes_between(before, snapshot(request, ["fee_received_on", "state"]))
        | _clock_changes(changed),
    )
    return request


def _check_assignee(officer: User, request: AccessRequest) -> None:
    if not policies.can_work_request(officer, request):
        raise _refuse("Choose an officer in this council's records-access team.", "assigned_to")


@transaction.atomic
def access_request_assign(*, actor: User, request: AccessRequest, officer: User) -> AccessRequest:
    request = _open_request(actor, request)
    _check_assignee(officer, request)
    previous = request.assigned_to
    if previous is not None and previous.pk == officer.pk:
        raise _refuse("The request is already assigned to this officer.", "assigned_to")
    request.assigned_to = officer
    request.save(update_fields=["assigned_to"])
    subjects = _subject_ids(request)
    if subjects:
        if previous is not None:
            _grants_revoke(actor, request, previous, subjects)
        _grants_give(actor, request, officer, subjects)
    _event(
        actor,
        request,
        "Assigned the request to an officer",
        changes={"assigned_to": (previous.username if previous else None, officer.username)},
    )
    return request


@transaction.atomic
def access_request_note_add(*, actor: User, request: AccessRequest, text: str) -> RequestNote:
    request = _locked(request)
    _require_officer(actor, request)
    if not (text or "").strip():
        raise _refuse("Enter the note.", "text")
    note = RequestNote.objects.create(request=request, text=text.strip(), author=actor)
    _event(
        actor,
        request,
        "Added a note to a request",
        action=Action.CREATE,
        obj=note,
        personal={"text": note.text},
    )
    return note


@transaction.atomic
def access_request_document_add(
    *, actor: User, request: AccessRequest, kind: str, upload: UploadedFile
) -> RequestDocument:
    """Proof of identity or authority, or correspondence, checked like any upload."""
    request = _locked(request)
    _require_officer(actor, request)
    if kind not in RequestDocument.Kind.values:
        raise _refuse("Choose what the document is.", "kind")
    checked = check_upload(upload)
    document = RequestDocument(
        request=request,
        kind=kind,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )
    document.file.save("upload", upload, save=False)
    stored_name = document.file.name
    try:
        document.save()
    except Exception:
        document.file.storage.delete(stored_name)
        raise
    _event(
        actor,
        request,
        f"Added {document.get_kind_display().lower()} to a request",
        action=Action.CREATE,
        obj=document,
        personal={"file": document.original_name},
    )
    return document


# --- Pauses and extension --------------------------------------------------------------------


@transaction.atomic
def access_request_pause(
    *, actor: User, request: AccessRequest, asked_on: date, question: str
) -> Pause:
    """Ask the requester to clarify: the clock stops from the day asked (Art 12A)."""
    request = _open_request(actor, request)
    if request.state == State.PAUSED:
        raise ApplicationError("The request is already paused; record the answer first.")
    if not asked_on:
        raise _refuse("Enter the date clarification was asked for.", "asked_on")
    _not_future(asked_on, "asked_on", "The date asked")
    if asked_on < request.received_on:
        raise _refuse("Clarification cannot be asked before the request arrived.", "asked_on")
    last = request.pauses.order_by("-asked_on").first()
    if last is not None and last.received_on and asked_on <= last.received_on:
        raise _refuse("This pause would overlap the last one.", "asked_on")
    if not (question or "").strip():
        raise _refuse("Say what was asked.", "question")
    pause = Pause.objects.create(
        request=request, asked_on=asked_on, question=question.strip(), recorded_by=actor
    )
    request.state_before_pause = request.state
    request.state = State.PAUSED
    _clock_refresh(request)
    request.save()
    _event(
        actor,
        request,
        "Paused a request for clarification",
        obj=pause,
        changes={"state": (request.state_before_pause, State.PAUSED)},
        personal={"question": pause.question},
    )
    return pause


@transaction.atomic
def access_request_resume(
    *, actor: User, request: AccessRequest, received_on: date
) -> AccessRequest:
    request = _locked(request)
    _require_officer(actor, request)
    if request.state != State.PAUSED:
        raise ApplicationError("The request is not paused.")
    pause = request.pauses.filter(received_on__isnull=True).order_by("-asked_on").first()
    if pause is None:
        raise ApplicationError("The request has no open pause.")
    if not received_on:
        raise _refuse("Enter the date the clarification arrived.", "received_on")
    _not_future(received_on, "received_on", "The date received")
    if received_on < pause.asked_on:
        raise _refuse(
            f"A pause cannot end before it starts ({pause.asked_on:%-d %B %Y}).", "received_on"
        )
    pause.received_on = received_on
    pause.save(update_fields=["received_on"])
    request.state = request.state_before_pause or State.IN_PROGRESS
    request.state_before_pause = ""
    changed = _clock_refresh(request)
    request.save()
    _event(
        actor,
        request,
        "Recorded the clarification and restarted the clock",
        obj=pause,
        changes={"state": (State.PAUSED, request.state)} | _clock_changes(changed),
    )
    return request


@transaction.atomic
def access_request_extend(
    *, actor: User, request: AccessRequest, reason: str, told_on: date
) -> AccessRequest:
    """Extend by two further months for a complex or numerous request; the requester must be
    told, with reasons, within the first month."""
    request = _open_request(actor, request)
    if request.extended:
        raise ApplicationError("The request has already been extended.")
    if request.clock_regime != "uk-gdpr":
        raise ApplicationError("Only a UK GDPR request can be extended.")
    start = request.clock_started_on
    if start is None:
        raise ApplicationError("The clock has not started yet, so there is nothing to extend.")
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Give the reason the request is complex or numerous."]
    if not told_on:
        errors["told_on"] = ["Enter the date the requester was told."]
    else:
        today = timezone.localdate()
        notice_by = clock.extension_notice_by(
            start,
            pauses=_pauses(request, today),
            nation=request.nation,
            extra_holidays=extra_holidays(request.nation),
        )
        if told_on > today:
            errors["told_on"] = ["The date the requester was told must be today or earlier."]
        elif told_on < start:
            errors["told_on"] = ["The requester cannot be told before the clock started."]
        elif told_on > notice_by:
            errors["told_on"] = [
                f"The requester had to be told within the first month, by {notice_by:%-d %B %Y}."
            ]
    if errors:
        raise ValidationError(errors)
    old_due = request.due_on
    request.extended = True
    request.extension_reason = reason.strip()
    request.extension_told_on = told_on
    _clock_refresh(request)
    request.save()
    _event(
        actor,
        request,
        "Extended a request by two months",
        changes={"due_on": (old_due, request.due_on), "extended": (False, True)},
        personal={"reason": request.extension_reason},
    )
    return request


@transaction.atomic
def bank_holiday_add(
    *, actor: User, nation: str, day: date, name: str
) -> tuple[AdditionalBankHoliday, int]:
    """Add a newly declared bank holiday and recompute every open request in that nation.
    Returns the holiday and how many due dates moved."""
    from accounts.policies import can_administer

    if not can_administer(actor):
        raise ApplicationError("Only a system administrator can add a bank holiday.")
    if not (name or "").strip():
        raise _refuse("Enter the holiday's name.", "name")
    holiday = AdditionalBankHoliday(nation=nation, day=day, name=name.strip(), added_by=actor)
    try:
        holiday.full_clean()
    except ValidationError as error:
        if "__all__" in error.message_dict:
            raise _refuse("That day is already an added bank holiday.", "day") from error
        raise
    if clock.bank_holiday(day, nation):
        raise _refuse(f"{day:%-d %B %Y} is already a bank holiday there.", "day")
    holiday.save()
    event_record(
        actor=actor,
        action=Action.SETTING_CHANGE,
        summary="Added a bank holiday",
        obj=holiday,
        changes=created_changes(holiday, ["nation", "day", "name"]),
    )
    moved = requests_recompute(nation=nation)
    return holiday, moved


def requests_recompute(*, nation: str | None = None) -> int:
    """Recompute the due date of every open request (in one nation); returns how many moved.
    The change of each is recorded as a system event on that request."""
    moved = 0
    extra_by_nation: dict[str, list[date]] = {}
    open_requests = AccessRequest.objects.filter(state__in=OPEN_STATES).prefetch_related("pauses")
    if nation:
        open_requests = open_requests.filter(nation=nation)
    for request in open_requests.select_for_update(of=("self",)):
        extra = extra_by_nation.setdefault(request.nation, extra_holidays(request.nation))
        old_due = request.due_on
        changed = _clock_refresh(request, extra=extra)
        if changed:
            request.save(update_fields=changed)
        if "due_on" in changed:
            moved += 1
            _event(
                None,
                request,
                "Recomputed a request's due date",
                changes={"due_on": (old_due, request.due_on)},
                purpose=Purpose.SYSTEM,
            )
    return moved


# --- Corrections -----------------------------------------------------------------------------


def _correction_request(actor: User, request: AccessRequest, person_id: int) -> AccessRequest:
    request = _open_request(actor, request)
    if request.request_type != RequestType.CORRECTION:
        raise ApplicationError("Only a correction request changes the records.")
    if request.state not in (State.IN_PROGRESS, State.REVIEW):
        raise ApplicationError("Settle identity and authority before correcting the records.")
    if person_id not in _subject_ids(request):
        raise _refuse("Link the request to this person first.", "person")
    return request


@transaction.atomic
def access_request_correction_apply(
    *, actor: User, request: AccessRequest, person: Person, details: dict[str, Any]
) -> Person:
    """Correct a factual error through the records services: the record shows the corrected
    value and the audit trail keeps the old one."""
    request = _correction_request(actor, request, person.pk)
    if not details:
        raise _refuse("Say what to correct.", "details")
    person = record_services.person_correct_for_rights_request(
        actor=actor, person=person, details=details
    )
    _event(
        actor,
        request,
        "Applied a correction to the records",
        personal={"fields": sorted(details)},
    )
    return person


@transaction.atomic
def access_request_disagreement_attach(
    *,
    actor: User,
    request: AccessRequest,
    item: Item,
    statement: str,
    made_by: str,
    received_on: date,
) -> DisagreementStatement:
    """Where the person disagrees with an opinion, their statement is attached to the record."""
    request = _correction_request(actor, request, item.person_id)
    statement_row = record_services.disagreement_attach_for_rights_request(
        actor=actor, item=item, statement=statement, made_by=made_by, received_on=received_on
    )
    _event(actor, request, "Attached the person's statement of disagreement")
    return statement_row


# --- Subjects and collection -----------------------------------------------------------------


def _person_locked(person: Person) -> Person:
    """The person, locked until the request or complaint naming them commits: a disposal
    chunk locks the same row, so either it sees this hold or this waits and finds the record
    gone."""
    locked = Person.objects.select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise _refuse("That record no longer exists.", "person")
    return locked


@transaction.atomic
def access_request_subject_link(
    *,
    actor: User,
    request: AccessRequest,
    person: Person | None = None,
    historic_record: HistoricRecord | None = None,
) -> RequestSubject:
    """Link the request to a person in Carefile or a paper file in the historic index, chosen
    from the identity search."""
    request = _open_request(actor, request)
    if (person is None) == (historic_record is None):
        raise _refuse("Choose one person or one historic file.", "person")
    target: Person | HistoricRecord = person or historic_record  # type: ignore[assignment]
    if target.organisation_id != request.organisation_id:
        raise _refuse("That record is held by another council.", "person")
    if person is not None:
        person = _person_locked(person)
    if RequestSubject.objects.filter(
        request=request, person=person, historic_record=historic_record
    ).exists():
        raise _refuse("That record is already linked to this request.", "person")
    link = RequestSubject.objects.create(
        request=request, person=person, historic_record=historic_record, linked_by=actor
    )
    _event(
        actor,
        request,
        "Linked a request to the records it is about",
        action=Action.CREATE,
        obj=link,
        personal={"historic_record": str(historic_record.public_id)} if historic_record else None,
    )
    if person is not None and request.assigned_to_id:
        _grants_give(actor, request, request.assigned_to, {person.pk})  # type: ignore[arg-type]
    return link


@transaction.atomic
def access_request_subject_unlink(*, actor: User, link: RequestSubject) -> None:
    request = _open_request(actor, link.request)
    if link.person_id and request.collected_items.filter(subject_id=link.person_id).exists():
        raise ApplicationError(
            "Items have been collected for this person. Withdraw the request and log it again "
            "if it was linked to the wrong person."
        )
    subjects = _subject_ids(request)
    link.delete()
    event_record(
        actor=actor,
        action=Action.DELETE,
        summary="Unlinked a record from a request",
        obj=request,
        subjects=subjects,
        personal={"reference": request.reference},
        purpose=Purpose.ACCESS_REQUEST,
    )


def _disclose_perm() -> Permission:
    return Permission.objects.get(content_type__app_label="records", codename="disclose_person")


def _grants_give(actor: User, request: AccessRequest, officer: User, people: set[int]) -> None:
    """The officer may read the subjects' records while the request is open: a person-wide
    records-access grant, audited with purpose "access request" on every read."""
    perm = _disclose_perm()
    existing = set(
        PersonUserObjectPermission.objects.filter(
            user=officer, permission=perm, content_object_id__in=people
        ).values_list("content_object_id", flat=True)
    )
    new = people - existing
    if not new:
        return
    record_policies.grants_changed()
    PersonUserObjectPermission.objects.bulk_create(
        PersonUserObjectPermission(
            user=officer,
            permission=perm,
            content_object_id=person_id,
            granted_by=actor,
            reason=f"Rights request {request.reference}",
        )
        for person_id in sorted(new)
    )
    event_record(
        actor=actor,
        action=Action.PERMISSION_GRANT,
        summary="Granted records-access work on a rights request",
        obj=request,
        subjects=new,
        personal={"reference": request.reference, "grantee": str(officer.public_id)},
        purpose=Purpose.ACCESS_REQUEST,
    )


def _grants_revoke(actor: User | None, request: AccessRequest, officer: User, people: set[int]):
    # Another open request for the same person keeps its own grant.
    still_needed = set(
        RequestSubject.objects.filter(
            request__assigned_to=officer,
            request__state__in=OPEN_STATES,
            person_id__in=people,
        )
        .exclude(request=request)
        .values_list("person_id", flat=True)
    )
    gone = people - still_needed
    if not gone:
        return
    record_policies.grants_changed()
    deleted, _ = PersonUserObjectPermission.objects.filter(
        user=officer, permission=_disclose_perm(), content_object_id__in=gone
    ).delete()
    if deleted:
        event_record(
            actor=actor,
            action=Action.PERMISSION_REVOKE,
            summary="Ended records-access work on a rights request",
            obj=request,
            subjects=gone,
            personal={"reference": request.reference, "grantee": str(officer.public_id)},
            purpose=Purpose.ACCESS_REQUEST,
        )


@transaction.atomic
def access_request_collect(*, actor: User, request: AccessRequest) -> int:
    """Gather everything held about the linked people into the review, with Carefile's
    proposed third-party redactions. Collecting again adds what is new and keeps every
    review already made. Returns how many items were added."""
    request = _open_request(actor, request)
    if request.state not in (State.IN_PROGRESS, State.REVIEW):
        raise ApplicationError(
            "Collect once identity and authority are settled and the request is in progress."
        )
    links = list(request.subjects.select_related("person", "historic_record"))
    people = [link.person for link in links if link.person is not None]
    historic = [link.historic_record for link in links if link.historic_record is not None]
    if not links:
        raise ApplicationError("Link the request to the records it is about first.")
    known = set(request.collected_items.values_list("source_key", flat=True))
    found = [
        f
        for f in collection.gather(subjects=people, historic=historic)
        if f.source_key not in known
    ]
    rows = [
        CollectedItem(
            request=request,
            subject_id=f.subject_id,
            source=f.source,
            source_label=f.source_label[:300],
            item_id=f.item_id,
            source_key=f.source_key,
            occurred_at=f.occurred_at,
            title=f.title[:300],
            text=f.text,
            is_sensitive=f.is_sensitive,
            is_restricted=f.is_restricted,
        )
        for f in found
    ]
    CollectedItem.objects.bulk_create(rows, batch_size=500)
    _propose(request, people, found)
    request.collected_at = timezone.now()
    request.save(update_fields=["collected_at"])
    subjects = {p.pk for p in people}
    if request.assigned_to_id:
        _grants_give(actor, request, request.assigned_to, subjects)  # type: ignore[arg-type]
    _event(
        actor,
        request,
        "Collected records for a rights request",
        personal={"added": len(rows), "total": len(known) + len(rows)},
    )
    return len(rows)


def _propose(request: AccessRequest, subjects: list[Person], found: list[Any]) -> None:
    """Store Carefile's proposed third-party redactions for the new items."""
    third_ids = {pk for f in found for pk in f.third_party_ids}
    terms = collection.third_party_terms(third_ids)
    # A child's placement or refuge address is proposed too, whoever is asking.
    confidential = [
        redaction.Term(text, kind, "a confidential address")
        for person in subjects
        for address in person.addresses.filter(is_confidential=True)
        for text, kind in ((address.line_1, "address"), (address.postcode, "postcode"))
    ]
    keep = collection.keep_words(
        subjects=subjects, item_ids=[f.item_id for f in found if f.item_id]
    )
    ids = dict(
        request.collected_items.filter(source_key__in=[f.source_key for f in found]).values_list(
            "source_key", "pk"
        )
    )
    proposals = []
    for f in found:
        item_terms = [t for pk in f.third_party_ids for t in terms.get(pk, [])] + confidential
        if not item_terms or not f.text:
            continue
        for span in redaction.propose(f.text, item_terms, keep=keep):
            proposals.append(
                Redaction(
                    collected_item_id=ids[f.source_key],
                    start=span.start,
                    end=span.end,
                    exemption=Exemption.THIRD_PARTY,
                    status=Redaction.Status.PROPOSED,
                    proposed=True,
                    reason=span.reason[:200],
                )
            )
    Redaction.objects.bulk_create(proposals, batch_size=1000)


# --- Review ----------------------------------------------------------------------------------


def _item_for_review(actor: User, item: CollectedItem) -> tuple[AccessRequest, CollectedItem]:
    request = _locked(item.request)
    _require_officer(actor, request)
    if request.state not in (State.IN_PROGRESS, State.REVIEW):
        raise ApplicationError("Items can be reviewed only while the request is in review.")
    item = CollectedItem.objects.select_for_update().get(pk=item.pk)
    return request, item


def _review_event(
    actor: User, request: AccessRequest, item: CollectedItem, summary: str, **kwargs: Any
) -> None:
    subjects = {item.subject_id} if item.subject_id else _subject_ids(request)
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary=summary,
        obj=item,
        subjects=subjects,
        purpose=Purpose.ACCESS_REQUEST,
        **kwargs,
    )


@transaction.atomic
def collected_item_review(
    *,
    actor: User,
    item: CollectedItem,
    decision: str,
    exemption: str = "",
    note: str = "",
) -> CollectedItem:
    """Decide an item: disclose in full, disclose with the accepted redactions, or withhold
    with an exemption. Every proposal on it must be accepted or rejected first."""
    request, item = _item_for_review(actor, item)
    if decision not in (Decision.DISCLOSE, Decision.REDACT, Decision.WITHHOLD):
        raise _refuse("Choose disclose, redact or withhold.", "decision")
    redactions = list(item.redactions.all())
    pending = [r for r in redactions if r.status == Redaction.Status.PROPOSED]
    accepted = [r for r in redactions if r.status == Redaction.Status.ACCEPTED]
    if decision != Decision.WITHHOLD and pending:
        raise _refuse(
            f"Accept or reject the {len(pending)} proposed redaction"
            f"{'s' if len(pending) > 1 else ''} first.",
            "decision",
        )
    if decision == Decision.REDACT and not accepted:
        raise _refuse("Redact at least one passage, or choose disclose.", "decision")
    if decision == Decision.DISCLOSE and accepted:
        raise _refuse(
            "This item has redactions: choose disclose with redactions, or remove them.",
            "decision",
        )
    if decision == Decision.WITHHOLD:
        if exemption not in Exemption.values or exemption == Exemption.PRACTITIONER:
            raise _refuse("Choose the exemption that allows withholding it.", "exemption")
        if exemption in SERIOUS_HARM_CODES and not item.consulted_on:
            raise _refuse(
                "Record the consultation on serious harm before withholding on that ground.",
                "exemption",
            )
    elif exemption:
        raise _refuse("An exemption is recorded on each redaction, not on the item.", "exemption")
    before = snapshot(item, ["decision", "exemption"])
    item.decision = decision
    item.exemption = exemption if decision == Decision.WITHHOLD else ""
    item.review_note = (note or "").strip()
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    item.save()
    if request.state == State.IN_PROGRESS:
        request.state = State.REVIEW
        request.save(update_fields=["state"])
    _review_event(
        actor,
        request,
        item,
        "Reviewed an item for disclosure",
        changes=changes_between(before, snapshot(item, ["decision", "exemption"])),
        personal={"reference": request.reference, "note": item.review_note},
    )
    return item


def _unreview(item: CollectedItem) -> None:
    """A changed redaction puts the item back in the queue."""
    if item.decision != Decision.PENDING:
        item.decision = Decision.PENDING
        item.exemption = ""
        item.reviewed_by = None
        item.reviewed_at = None
        item.save(update_fields=["decision", "exemption", "reviewed_by", "reviewed_at"])


@transaction.atomic
def redaction_add(
    *,
    actor: User,
    item: CollectedItem,
    start: int,
    end: int,
    exemption: str,
    note: str = "",
) -> Redaction:
    """Redact a span the officer selected."""
    request, item = _item_for_review(actor, item)
    try:
        redaction.validate_span(item.text, start, end)
    except ValueError as error:
        raise _refuse(str(error), "start") from error
    if exemption not in Exemption.values or exemption == Exemption.PRACTITIONER:
        raise _refuse("Choose the exemption for this redaction.", "exemption")
    if exemption in SERIOUS_HARM_CODES and not item.consulted_on:
        raise _refuse(
            "Record the consultation on serious harm before redacting on that ground.",
            "exemption",
        )
    row = Redaction.objects.create(
        collected_item=item,
        start=start,
        end=end,
        exemption=exemption,
        note=(note or "").strip()[:500],
        status=Redaction.Status.ACCEPTED,
        created_by=actor,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    _unreview(item)
    _review_event(
        actor,
        request,
        item,
        "Redacted a passage",
        changes={"redaction": (None, f"{start}-{end} {exemption}")},
        personal={"reference": request.reference, "text": item.text[start:end]},
    )
    return row


@transaction.atomic
def redaction_decide(
    *, actor: User, redaction_row: Redaction, accept: bool, exemption: str = ""
) -> Redaction:
    """Accept or reject a proposed redaction, or take back one already made."""
    item = redaction_row.collected_item
    request, item = _item_for_review(actor, item)
    row = Redaction.objects.select_for_update().get(pk=redaction_row.pk)
    status = Redaction.Status.ACCEPTED if accept else Redaction.Status.REJECTED
    if row.status == status:
        raise ApplicationError(
            "That redaction is already accepted." if accept else "That text is already kept."
        )
    if exemption:
        if exemption not in Exemption.values or exemption == Exemption.PRACTITIONER:
            raise _refuse("Choose the exemption for this redaction.", "exemption")
        row.exemption = exemption
    before = row.status
    row.status = status
    row.decided_by = actor
    row.decided_at = timezone.now()
    row.save()
    _unreview(item)
    _review_event(
        actor,
        request,
        item,
        "Accepted a redaction" if accept else "Kept text a redaction covered",
        changes={"redaction": (before, status)},
        personal={"reference": request.reference, "text": item.text[row.start : row.end]},
    )
    return row


@transaction.atomic
def collected_item_consultation_record(
    *,
    actor: User,
    item: CollectedItem,
    name: str,
    role: str,
    consulted_on: date,
    opinion: str,
) -> CollectedItem:
    """Serious harm: who was asked (a health professional for health data), when, and what
    they said."""
    request, item = _item_for_review(actor, item)
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["Enter who was consulted."]
    if not (role or "").strip():
        errors["role"] = ["Enter their role."]
    if not consulted_on:
        errors["consulted_on"] = ["Enter the date they were consulted."]
    elif consulted_on > timezone.localdate():
        errors["consulted_on"] = ["The date must be today or in the past."]
    if not (opinion or "").strip():
        errors["opinion"] = ["Record their opinion."]
    if errors:
        raise ValidationError(errors)
    item.consulted_name = name.strip()
    item.consulted_role = role.strip()
    item.consulted_on = consulted_on
    item.consulted_opinion = opinion.strip()
    item.save()
    _review_event(
        actor,
        request,
        item,
        "Recorded a serious-harm consultation",
        personal={
            "reference": request.reference,
            "consulted": item.consulted_name,
            "role": item.consulted_role,
            "opinion": item.consulted_opinion,
        },
    )
    return item


# --- Approval, sending and closing -----------------------------------------------------------


def _move(actor: User, request: AccessRequest, to: str, summary: str, **extra: Any) -> None:
    before = request.state
    request.state = to
    request.save()
    _event(actor, request, summary, changes={"state": (before, to)}, **extra)


def _unreviewed(request: AccessRequest) -> int:
    return request.collected_items.filter(decision=Decision.PENDING).count()


@transaction.atomic
def access_request_submit_for_approval(*, actor: User, request: AccessRequest) -> AccessRequest:
    request = _locked(request)
    _require_officer(actor, request)
    if request.state not in (State.IN_PROGRESS, State.REVIEW):
        raise ApplicationError("Only a request in review can go for approval.")
    if request.request_type in DISCLOSING_TYPES:
        if request.collected_at is None:
            raise ApplicationError("Collect the records before sending it for approval.")
        pending = _unreviewed(request)
        if pending:
            raise ApplicationError(
                f"{pending} item{'s are' if pending > 1 else ' is'} not reviewed yet."
            )
    request.submitted_for_approval_by = actor
    _move(actor, request, State.APPROVAL, "Sent a request for approval")
    return request


@transaction.atomic
def access_request_approve(*, actor: User, request: AccessRequest) -> AccessRequest:
    request = _locked(request)
    _require_officer(actor, request)
    if request.state != State.APPROVAL:
        raise ApplicationError("The request is not awaiting approval.")
    if not policies.can_approve(actor, request):
        raise ApplicationError(
            "A second officer must approve: not the officer it is assigned to, nor the one "
            "who sent it for approval."
        )
    request.approved_by = actor
    request.approved_at = timezone.now()
    _move(actor, request, State.READY, "Approved a request's disclosure")
    return request


@transaction.atomic
def access_request_return(*, actor: User, request: AccessRequest, reason: str) -> AccessRequest:
    """The approver sends it back for more review, saying why."""
    request = _locked(request)
    _require_officer(actor, request)
    if request.state not in (State.APPROVAL, State.READY):
        raise ApplicationError("Only a request awaiting approval or ready to send can go back.")
    if not (reason or "").strip():
        raise _refuse("Say what needs another look.", "reason")
    request.approved_by = None
    request.approved_at = None
    request.submitted_for_approval_by = None
    RequestNote.objects.create(request=request, text=f"Returned: {reason.strip()}", author=actor)
    _move(
        actor,
        request,
        State.REVIEW,
        "Returned a request for more review",
        personal={"reason": reason.strip()},
    )
    return request


@transaction.atomic
def access_request_close(
    *,
    actor: User,
    request: AccessRequest,
    outcome: str,
    reasons: str = "",
    sent_on: date | None = None,
    disclosure_method: str = "",
    meeting_on: date | None = None,
    meeting_notes: str = "",
) -> AccessRequest:
    """Close with an outcome. Disclosing needs the approved request and its bundle, the reply
    and how it was sent; refusing needs reasons; withdrawing can happen from any open state."""
    request = _open_request(actor, request)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if outcome not in Outcome.values:
        raise _refuse("Choose the outcome.", "outcome")
    if outcome != Outcome.WITHDRAWN:
        if not sent_on:
            errors["sent_on"] = ["Enter the date the reply was sent."]
        elif sent_on > today:
            errors["sent_on"] = ["The reply cannot be sent in the future."]
        elif sent_on < request.received_on:
            errors["sent_on"] = ["The reply cannot predate the request."]
    if (
        outcome in (Outcome.REFUSED, Outcome.PARTLY_DISCLOSED, Outcome.WITHDRAWN)
        and not (reasons or "").strip()
    ):
        errors["reasons"] = [
            "Give the reasons, as the reply states them."
            if outcome != Outcome.WITHDRAWN
            else "Record how the requester withdrew it."
        ]
    if outcome in (Outcome.DISCLOSED, Outcome.PARTLY_DISCLOSED):
        if request.request_type not in DISCLOSING_TYPES:
            errors["outcome"] = ["Only an access, portability or copy request discloses."]
        elif request.state != State.READY:
            errors["outcome"] = ["A second officer must approve the disclosure first."]
        elif not request.bundles.filter(status=DisclosureBundle.Status.READY).exists():
            errors["outcome"] = ["Produce the disclosure bundle before closing."]
        if disclosure_method not in DisclosureMethod.values:
            errors["disclosure_method"] = ["Choose how the records were given."]
        if disclosure_method == DisclosureMethod.MEETING and not meeting_on:
            errors["meeting_on"] = ["Enter the date of the meeting."]
        withheld = request.collected_items.filter(
            decision__in=(Decision.WITHHOLD, Decision.REDACT)
        ).exists()
        if outcome == Outcome.DISCLOSED and withheld:
            errors["outcome"] = [
                "Items were withheld or redacted: the outcome is partly disclosed."
            ]
    if outcome == Outcome.COMPLETED and request.request_type in DISCLOSING_TYPES:
        errors["outcome"] = ["An access request is disclosed, partly disclosed or refused."]
    if errors:
        raise ValidationError(errors)
    fields = ["state", "outcome", "sent_on", "closed_on", "disclosure_method"]
    before = snapshot(request, fields)
    request.state = State.CLOSED
    request.state_before_pause = ""
    request.outcome = outcome
    request.outcome_reasons = (reasons or "").strip()
    request.sent_on = sent_on if outcome != Outcome.WITHDRAWN else None
    request.disclosure_method = disclosure_method if disclosure_method else ""
    request.meeting_on = meeting_on
    request.meeting_notes = (meeting_notes or "").strip()
    # A reply closes the request on the day it was sent; a withdrawal on the day recorded.
    request.closed_on = request.sent_on or today
    request.closed_by = actor
    request.save()
    request.pauses.filter(received_on__isnull=True).update(received_on=request.closed_on)
    if request.assigned_to_id:
        _grants_revoke(actor, request, request.assigned_to, _subject_ids(request))  # type: ignore[arg-type]
    _event(
        actor,
        request,
        f"Closed a request: {request.get_outcome_display().lower()}",
        changes=changes_between(before, snapshot(request, fields)),
        personal={"reasons": request.outcome_reasons},
    )
    return request


# --- Bundles and download links --------------------------------------------------------------


@transaction.atomic
def bundle_request(*, actor: User, request: AccessRequest) -> DisclosureBundle:
    """Queue the disclosure bundle; a worker renders it (``bundle_build``)."""
    request = _locked(request)
    _require_officer(actor, request)
    if request.request_type not in DISCLOSING_TYPES:
        raise ApplicationError("Only an access, portability or copy request has a bundle.")
    if request.state != State.READY:
        raise ApplicationError(
            "The bundle is produced once the review is approved by a second officer."
        )
    pending = _unreviewed(request)
    if pending:
        raise ApplicationError(f"{pending} item{'s are' if pending > 1 else ' is'} not reviewed.")
    if request.bundles.filter(status__in=("queued", "rendering")).exists():
        raise ApplicationError("A bundle is already being produced.")
    bundle = DisclosureBundle.objects.create(
        request=request,
        requested_by=actor,
        items_total=request.collected_items.exclude(decision=Decision.WITHHOLD).count(),
    )
    _event(actor, request, "Asked for a disclosure bundle", action=Action.EXPORT, obj=bundle)

    def queue() -> None:
        from access_requests.tasks import bundle_build_task

        bundle_build_task.delay(bundle.pk)

    transaction.on_commit(queue)
    return bundle


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def download_link_create(
    *,
    actor: User,
    bundle: DisclosureBundle,
    recipient_name: str,
    recipient_email: str,
    days: int | None = None,
) -> tuple[DownloadLink, str]:
    """A link for one named recipient, valid for a few days. Returns the link and its token
    (shown once: only its hash is stored)."""
    request = _locked(bundle.request)
    _require_officer(actor, request)
    if bundle.status != DisclosureBundle.Status.READY:
        raise ApplicationError("The bundle is not ready yet.")
    if request.state not in (State.READY, State.CLOSED):
        raise ApplicationError("The disclosure has not been approved.")
    errors: dict[str, list[str]] = {}
    if not (recipient_name or "").strip():
        errors["recipient_name"] = ["Enter who the link is for."]
    if not (recipient_email or "").strip():
        errors["recipient_email"] = ["Enter the email address the link goes to."]
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    link = DownloadLink(
        bundle=bundle,
        token_hash=_token_hash(token),
        recipient_name=recipient_name.strip(),
        recipient_email=recipient_email.strip(),
        expires_at=timezone.now() + timedelta(days=days or settings.CAREFILE_DOWNLOAD_LINK_DAYS),
        created_by=actor,
    )
    link.full_clean()
    link.save()
    _event(
        actor,
        request,
        "Created a secure download link for a disclosure bundle",
        action=Action.CREATE,
        obj=link,
        personal={"recipient": link.recipient_name, "email": link.recipient_email},
    )
    return link, token


def download_link_find(token: str) -> DownloadLink | None:
    """The live link for a token, or None (expired, revoked and unknown look the same)."""
    if not token or len(token) > 100:
        return None
    return (
        DownloadLink.objects.select_related("bundle", "bundle__request")
        .filter(token_hash=_token_hash(token), revoked_at__isnull=True)
        .filter(expires_at__gt=timezone.now(), bundle__status=DisclosureBundle.Status.READY)
        .first()
    )


@transaction.atomic
def download_link_use(*, link: DownloadLink, ip_address: str = "") -> DownloadLink:
    link = DownloadLink.objects.select_for_update().get(pk=link.pk)
    # Looked at again under the lock: a link revoked or expired since it was found is dead.
    if link.revoked_at is not None or link.expires_at <= timezone.now():
        raise ApplicationError("This link has expired or is not valid.")
    link.downloads += 1
    link.last_downloaded_at = timezone.now()
    link.save(update_fields=["downloads", "last_downloaded_at"])
    request = link.bundle.request
    _event(
        None,
        request,
        "A disclosure bundle was downloaded through its secure link",
        action=Action.EXPORT,
        obj=link,
        personal={"recipient": link.recipient_name, "ip_address": ip_address},
    )
    return link


@transaction.atomic
def download_link_revoke(*, actor: User, link: DownloadLink) -> DownloadLink:
    request = _locked(link.bundle.request)
    _require_officer(actor, request)
    link = DownloadLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at:
        raise ApplicationError("That link is already revoked.")
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    _event(actor, request, "Revoked a secure download link", obj=link)
    return link


# --- Holds -----------------------------------------------------------------------------------


def hold_until(request: AccessRequest) -> date | None:
    """The last day the request holds its records: open, or closed within the complaint
    window (CAREFILE_REQUEST_HOLD_MONTHS)."""
    if request.is_open or request.closed_on is None:
        return None
    return clock.add_months(request.closed_on, settings.CAREFILE_REQUEST_HOLD_MONTHS)


def held_person_ids(on: date | None = None) -> set[int]:
    """People whose records may not be destroyed because of a rights request or a data
    protection complaint: the retention service re-checks this inside each disposal."""
    on = on or timezone.localdate()
    window_start = clock.add_months(on, -settings.CAREFILE_REQUEST_HOLD_MONTHS)
    by_request = RequestSubject.objects.filter(person__isnull=False).filter(
        Q(request__state__in=OPEN_STATES) | Q(request__closed_on__gte=window_start)
    )
    people = set(by_request.values_list("person_id", flat=True))
    open_complaints = Complaint.objects.filter(
        state__in=(ComplaintState.RECEIVED, ComplaintState.ACKNOWLEDGED)
    )
    people.update(open_complaints.filter(person__isnull=False).values_list("person_id", flat=True))
    # A complaint about how a request was handled holds that request's file and its people.
    people.update(
        RequestSubject.objects.filter(
            person__isnull=False,
            request_id__in=open_complaints.filter(access_request__isnull=False).values(
                "access_request_id"
            ),
        ).values_list("person_id", flat=True)
    )
    return people


# --- Data protection complaints --------------------------------------------------------------

_COMPLAINT_FIELDS = ("complainant_name", "complainant_email", "complainant_address", "description")


def _complaint_save_new(complaint: Complaint) -> None:
    complaint.acknowledge_by = complaint.received_on + timedelta(days=30)
    errors: dict[str, list[str]] = {}
    if complaint.received_on > timezone.localdate():
        errors["received_on"] = ["The date received must be today or in the past."]
    if errors:
        raise ValidationError(errors)
    try:
        complaint.full_clean(exclude=["reference", "organisation", "person", "access_request"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    complaint.save()
    complaint.reference = f"DPC-{complaint.received_on.year}-{complaint.pk:05d}"
    complaint.save(update_fields=["reference"])


@transaction.atomic
def complaint_log(
    *,
    actor: User,
    organisation: Organisation,
    channel: str,
    received_on: date,
    person: Person | None = None,
    access_request: AccessRequest | None = None,
    **details: Any,
) -> Complaint:
    if organisation.pk not in policies.officer_org_ids(actor):
        raise _refuse("Choose a council whose records-access team you work in.", "organisation")
    unknown = set(details) - set(_COMPLAINT_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    if person is not None and person.organisation_id != organisation.pk:
        raise _refuse("That record is held by another council.", "person")
    if person is not None:
        person = _person_locked(person)
    if access_request is not None and access_request.organisation_id != organisation.pk:
        raise _refuse("That request belongs to another council.", "access_request")
    complaint = Complaint(
        organisation=organisation,
        channel=channel,
        received_on=received_on,
        person=person,
        access_request=access_request,
        created_by=actor,
        assigned_to=actor,
        **details,
    )
    _complaint_save_new(complaint)
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary="Logged a data protection complaint",
        obj=complaint,
        subjects=[person.pk] if person else (),
        changes=created_changes(complaint, _COMPLAINT_FIELDS),
        personal={"reference": complaint.reference},
    )
    return complaint


@transaction.atomic
def complaint_submit_public(*, organisation: Organisation, **details: Any) -> Complaint:
    unknown = set(details) - set(_COMPLAINT_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    complaint = Complaint(
        organisation=organisation, channel="web_form", received_on=timezone.localdate(), **details
    )
    _complaint_save_new(complaint)
    event_record(
        actor=None,
        actor_username="public web form",
        action=Action.CREATE,
        summary="Received a data protection complaint through the web form",
        obj=complaint,
        changes=created_changes(complaint, _COMPLAINT_FIELDS),
        personal={"reference": complaint.reference},
    )
    _acknowledge(
        complaint.complainant_email,
        f"Your complaint {complaint.reference} has been received",
        (
            f"Dear {complaint.complainant_name},\n\n"
            f"{organisation.name} received your complaint about how your information was "
            f"recorded or used on {complaint.received_on:%-d %B %Y}. Its reference is "
            f"{complaint.reference}.\n\nWe will look into it and reply without undue delay. "
            "If you are unhappy with our reply you can complain to the Information "
            "Commissioner's Office (ico.org.uk).\n"
        ),
    )
    return complaint


def _complaint_locked(actor: User, complaint: Complaint) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not policies.can_work_complaint(actor, complaint):
        raise ApplicationError("Only the records-access team of this council can do this.")
    return complaint


def _complaint_event(actor: User, complaint: Complaint, summary: str, **kwargs: Any) -> None:
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary=summary,
        obj=complaint,
        subjects=[complaint.person_id] if complaint.person_id else (),
        **kwargs,
    )


@transaction.atomic
def complaint_person_link(*, actor: User, complaint: Complaint, person: Person) -> Complaint:
    """Say whose records the complaint concerns: they are held while it is open."""
    complaint = _complaint_locked(actor, complaint)
    if not complaint.is_open:
        raise ApplicationError("The complaint is closed.")
    if person.organisation_id != complaint.organisation_id:
        raise _refuse("That record is held by another council.", "person")
    complaint.person = _person_locked(person)
    complaint.save(update_fields=["person"])
    _complaint_event(actor, complaint, "Linked a complaint to the records it concerns")
    return complaint


@transaction.atomic
def complaint_acknowledge(*, actor: User, complaint: Complaint, acknowledged_on: date) -> Complaint:
    complaint = _complaint_locked(actor, complaint)
    if complaint.state != ComplaintState.RECEIVED:
        raise ApplicationError("The complaint has already been acknowledged.")
    if not acknowledged_on:
        raise _refuse("Enter the date it was acknowledged.", "acknowledged_on")
    _not_future(acknowledged_on, "acknowledged_on", "The date acknowledged")
    if acknowledged_on < complaint.received_on:
        raise _refuse("It cannot be acknowledged before it arrived.", "acknowledged_on")
    complaint.state = ComplaintState.ACKNOWLEDGED
    complaint.acknowledged_on = acknowledged_on
    complaint.save()
    _complaint_event(
        actor,
        complaint,
        "Acknowledged a data protection complaint",
        changes={"state": (ComplaintState.RECEIVED, ComplaintState.ACKNOWLEDGED)},
    )
    return complaint


@transaction.atomic
def complaint_respond(
    *, actor: User, complaint: Complaint, outcome: str, response: str, responded_on: date
) -> Complaint:
    complaint = _complaint_locked(actor, complaint)
    if not complaint.is_open:
        raise ApplicationError("The complaint is already closed.")
    errors: dict[str, list[str]] = {}
    if outcome not in ComplaintOutcome.values:
        errors["outcome"] = ["Choose the outcome."]
    if not (response or "").strip():
        errors["response"] = ["Enter the response sent."]
    if not responded_on:
        errors["responded_on"] = ["Enter the date of the response."]
    elif responded_on > timezone.localdate():
        errors["responded_on"] = ["The date must be today or in the past."]
    elif responded_on < complaint.received_on:
        errors["responded_on"] = ["The response cannot predate the complaint."]
    if errors:
        raise ValidationError(errors)
    before = complaint.state
    complaint.state = ComplaintState.RESPONDED
    complaint.outcome = outcome
    complaint.response = response.strip()
    complaint.responded_on = responded_on
    complaint.acknowledged_on = complaint.acknowledged_on or responded_on
    complaint.save()
    _complaint_event(
        actor,
        complaint,
        "Responded to a data protection complaint",
        changes={"state": (before, ComplaintState.RESPONDED), "outcome": ("", outcome)},
        personal={"response": complaint.response},
    )
    return complaint


@transaction.atomic
def complaint_withdraw(*, actor: User, complaint: Complaint, note: str) -> Complaint:
    complaint = _complaint_locked(actor, complaint)
    if not complaint.is_open:
        raise ApplicationError("The complaint is already closed.")
    if not (note or "").strip():
        raise _refuse("Record how the complainant withdrew it.", "note")
    before = complaint.state
    complaint.state = ComplaintState.WITHDRAWN
    complaint.response = note.strip()
    complaint.save()
    _complaint_event(
        actor,
        complaint,
        "Recorded a complaint as withdrawn",
        changes={"state": (before, ComplaintState.WITHDRAWN)},
    )
    return complaint
