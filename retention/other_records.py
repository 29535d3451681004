"""Disposal of the record classes that are not cases: rights request case files, data
protection complaints, the sharing log, audit events, and user research and survey responses.

``retention.selectors`` asks :func:`due` what each class has due (the dry run and the nightly
proposal) and :func:`forecast_counts` what falls due later; ``retention.destruction`` hands
:func:`records_destroy` the records of an approved batch, inside the transaction that
re-checked their holds. Deletes are set-based (``destruction.raw_delete``) with every table under
a record named here, and files go last, still inside the transaction, as for cases.

When each kind falls due (the rule's period after its trigger):

- a rights request file: from the day the request closed. An open request is never due.
- a data protection complaint: from the day it was answered. An open complaint is never due;
  a withdrawn one records no date of withdrawal, so its trigger is not known and it is listed,
  left out, once it could be due at the earliest (the period after it was received).
- a sharing-log entry: from its last action, the day shared or the manager's later decision.
  An entry still waiting for a manager's decision is never due.
- audit events: from the day of the event; see :func:`audit_events_anonymise`.
- user research and survey responses: Carefile holds none (no model stores them), so the
  class has nothing to propose and nothing to destroy; its rule stays for records kept
  elsewhere.

Anonymising keeps a record's non-personal facts (type, dates, outcome, agency, legal basis)
for statistics, with its personal fields blanked and everything under it removed. The blanked
name reads "(anonymised)" (``ANONYMISED``), which is also how a later proposal knows not to
offer it again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from access_requests.models import (
    AccessRequest,
    CollectedItem,
    Complaint,
    ComplaintState,
    DisclosureBundle,
    DownloadLink,
    Pause,
    Redaction,
    ReminderSent,
    RequestDocument,
    RequestNote,
    RequestSubject,
    State,
)
from accounts.models import Membership, Organisation
from audit.models import AuditEvent, AuditEventSubject
from audit.services import events_scrub_objects
from records.models import Case, Person
from retention import schedule
from retention.destruction import (
    Destroyed,
    files_queue,
    packages_drop,
    people_release,
    raw_delete,
)
from retention.models import (
    Action,
    BatchStatus,
    ClassKind,
    DisposalItem,
    ItemStatus,
    RetentionRule,
    Trigger,
)
from retention.selectors import OPEN_BATCH, DueRecords, HoldsInForce, holds_in_force
from sharing.models import (
    Authorisation,
    PackageLink,
    SharedItem,
    SharingPackage,
    SharingRecord,
    SharingSubject,
)

KINDS = frozenset(
    {
        ClassKind.RIGHTS_REQUEST,
        ClassKind.COMPLAINT,
        ClassKind.SHARING_LOG,
        ClassKind.AUDIT,
        ClassKind.SURVEY,
    }
)
# The kinds whose records can be about several people (each one's holds apply).
MULTI_SUBJECT_KINDS = frozenset(
    {ClassKind.RIGHTS_REQUEST, ClassKind.COMPLAINT, ClassKind.SHARING_LOG}
)
ANONYMISED = "(anonymised)"
# Which of the schedule's triggers each kind's records can give. The records manager may
# choose another for the class; its records are then listed as trigger not known.
TRIGGERS: dict[str, frozenset[str]] = {
    ClassKind.RIGHTS_REQUEST: frozenset({Trigger.REQUEST_CLOSURE, Trigger.LAST_ACTION}),
    ClassKind.COMPLAINT: frozenset({Trigger.REQUEST_CLOSURE, Trigger.LAST_ACTION}),
    ClassKind.SHARING_LOG: frozenset({Trigger.LAST_ACTION}),
    ClassKind.AUDIT: frozenset({Trigger.LAST_ACTION}),
    ClassKind.SURVEY: frozenset({Trigger.STUDY_END}),
}
CHUNK = 2000
WITHDRAWN_UNDATED = "The date the complaint was withdrawn is not recorded."
# Enough ids per statement to keep well under PostgreSQL's limit on bound parameters.
IDS_PER_STATEMENT = 5000


# --- When records fall due -------------------------------------------------------------------


def _period(rule: RetentionRule, day: date, sign: int = 1) -> date:
    return schedule.add_period(
        day,
        years=sign * rule.period_years,
        months=sign * rule.period_months,
        days=sign * rule.period_days,
    )


def latest_due_trigger(rule: RetentionRule, on: date) -> date:
    """The latest trigger date whose records are due on ``on`` under the rule. Calendar
    months are uneven (31 January and 28 February both fall due a month on, on the same
    day), so the rough answer is walked to the exact one."""
    day = _period(rule, on, -1)
    while _period(rule, day + timedelta(days=1)) <= on:
        day += timedelta(days=1)
    while _period(rule, day) > on:
        day -= timedelta(days=1)
    return day


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _misfit(rule: RetentionRule) -> str:
    """Why the rule's trigger cannot be read from this class's records, or ""."""
    kind = rule.record_class.kind
    if rule.trigger in TRIGGERS.get(kind, frozenset()):
        return ""
    return (
        f"The rule's trigger ({Trigger(rule.trigger).label.lower()}) does not apply to "
        f"{ClassKind(kind).label.lower()}."
    )


@dataclass(frozen=True)
class _Record:
    """A record of a class that is not cases, with when it falls due. ``earliest``: for a
    record whose trigger is not known, the first day it could be due at all."""

    pk: int
    organisation_id: int
    reference: str
    due: schedule.Due
    record_from: date | None
    record_to: date | None
    earliest: date | None = None


def _in_councils(queryset: QuerySet[Any], organisation_ids: frozenset[int] | None) -> Any:
    if organisation_ids is None:
        return queryset
    return queryset.filter(organisation_id__in=organisation_ids)


def _requests(rule: RetentionRule, organisation_ids: Any, upto: date | None) -> Iterator[_Record]:
    """Closed rights requests, by council then id; ``upto``: closed on or before."""
    misfit = _misfit(rule)
    requests = _in_councils(
        AccessRequest.objects.filter(state=State.CLOSED).exclude(requester_name=ANONYMISED),
        organisation_ids,
    )
    if upto is not None and not misfit:
        requests = requests.filter(Q(closed_on__lte=upto) | Q(closed_on__isnull=True))
    rows = requests.order_by("organisation_id", "pk").values_list(
        "pk", "organisation_id", "reference", "received_on", "closed_on"
    )
    for pk, organisation_id, reference, received_on, closed_on in rows.iterator(CHUNK):
        if misfit or closed_on is None:
            trigger = schedule.Due(None, None, misfit or "The closing date is not recorded.")
        else:
            trigger = schedule.Due(None, closed_on)
        yield _Record(
            pk, organisation_id, reference, schedule.due(rule, trigger), received_on, closed_on
        )


def _complaints(rule: RetentionRule, organisation_ids: Any, upto: date | None) -> Iterator[_Record]:
    """Answered and withdrawn complaints, by council then id; ``upto``: answered (or, when
    withdrawn, received) on or before."""
    misfit = _misfit(rule)
    complaints = _in_councils(
        Complaint.objects.filter(
            state__in=(ComplaintState.RESPONDED, ComplaintState.WITHDRAWN)
        ).exclude(complainant_name=ANONYMISED),
        organisation_ids,
    )
    if upto is not None and not misfit:
        complaints = complaints.filter(
            Q(responded_on__lte=upto) | Q(responded_on__isnull=True, received_on__lte=upto)
        )
    rows = complaints.order_by("organisation_id", "pk").values_list(
        "pk", "organisation_id", "reference", "received_on", "responded_on"
    )
    for pk, organisation_id, reference, received_on, responded_on in rows.iterator(CHUNK):
        earliest = None
        if misfit:
            trigger = schedule.Due(None, None, misfit)
        elif responded_on is None:
            trigger = schedule.Due(None, None, WITHDRAWN_UNDATED)
            earliest = _period(rule, received_on)
        else:
            trigger = schedule.Due(None, responded_on)
        yield _Record(
            pk,
            organisation_id,
            reference,
            schedule.due(rule, trigger),
            received_on,
            responded_on,
            earliest,
        )


def _sharings(rule: RetentionRule, organisation_ids: Any, upto: date | None) -> Iterator[_Record]:
    """Sharing-log entries a manager no longer has to decide on, by council then id;
    ``upto``: last action on or before."""
    misfit = _misfit(rule)
    sharings = _in_councils(
        SharingRecord.objects.exclude(authorisation=Authorisation.PENDING).exclude(
            recipient_name=ANONYMISED
        ),
        organisation_ids,
    )
    if upto is not None and not misfit:
        # The last action is on or after the day shared: a cheap first cut.
        sharings = sharings.filter(shared_on__lte=upto)
    rows = sharings.order_by("organisation_id", "pk").values_list(
        "pk", "organisation_id", "reference", "shared_on", "authorised_at"
    )
    for pk, organisation_id, reference, shared_on, decided_at in rows.iterator(CHUNK):
        last = shared_on
        if decided_at is not None:
            last = max(last, timezone.localdate(decided_at))
        trigger = schedule.Due(None, None, misfit) if misfit else schedule.Due(None, last)
        yield _Record(pk, organisation_id, reference, schedule.due(rule, trigger), shared_on, last)


RECORDS: dict[str, Callable[[RetentionRule, Any, date | None], Iterator[_Record]]] = {
    ClassKind.RIGHTS_REQUEST: _requests,
    ClassKind.COMPLAINT: _complaints,
    ClassKind.SHARING_LOG: _sharings,
}


def record_subjects(kind: str, pks: list[int]) -> dict[int, list[int]]:
    """The people each record is about, the first linked first."""
    if kind == ClassKind.RIGHTS_REQUEST:
        rows: Iterable[tuple[int, int]] = (
            RequestSubject.objects.filter(request_id__in=pks, person__isnull=False)
            .order_by("pk")
            .values_list("request_id", "person_id")
        )
    elif kind == ClassKind.COMPLAINT:
        rows = Complaint.objects.filter(pk__in=pks, person__isnull=False).values_list(
            "pk", "person_id"
        )
    else:
        rows = (
            SharingSubject.objects.filter(sharing_id__in=pks)
            .order_by("pk")
            .values_list("sharing_id", "person_id")
        )
    people: dict[int, list[int]] = {}
    for pk, person_id in rows:
        people.setdefault(pk, []).append(person_id)
    return people


def _chunks(records: Iterator[_Record]) -> Iterator[list[_Record]]:
    chunk: list[_Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _held(holds: HoldsInForce, class_id: int, people: list[int], record: _Record) -> str:
    """Why the record is held, or "". Every person it is about is asked: a hold on any of
    them holds the whole record."""
    asked: list[int | None] = [*people] or [None]
    for person_id in asked:
        reason = holds.reason(
            organisation_id=record.organisation_id,
            person_id=person_id,
            case_id=None,
            class_id=class_id,
            record_from=record.record_from,
            record_to=record.record_to,
        )
        if reason:
            return reason
    return ""


def due(
    rule: RetentionRule,
    *,
    on: date,
    holds: HoldsInForce,
    organisation_ids: frozenset[int] | None,
    spoken_for: Collection[tuple[str, int]],
) -> list[DueRecords]:
    """The records of the rule's class due on ``on``, per council, as unsaved register rows:
    included, held (with the reason) or trigger not known. ``spoken_for``: (kind, primary
    key) of records already in an open batch or kept longer, which wait."""
    kind = rule.record_class.kind
    if kind == ClassKind.AUDIT:
        return _audit_due(rule, on=on, holds=holds, organisation_ids=organisation_ids)
    if kind not in RECORDS:
        return []  # survey responses: see the module's docstring
    upto = latest_due_trigger(rule, on)
    rows: dict[int, list[DisposalItem]] = {}
    for chunk in _chunks(RECORDS[kind](rule, organisation_ids, upto)):
        people = record_subjects(kind, [record.pk for record in chunk])
        for record in chunk:
            when = record.due
            if (kind, record.pk) in spoken_for or (when.on is not None and when.on > on):
                continue
            if when.on is None and record.earliest is not None and record.earliest > on:
                continue
            subjects = people.get(record.pk, [])
            status, reason = ItemStatus.INCLUDED, ""
            if when.on is None:
                status, reason = ItemStatus.UNKNOWN, when.reason
            else:
                held = _held(holds, rule.record_class_id, subjects, record)
                if held:
                    status, reason = ItemStatus.HELD, held
            rows.setdefault(record.organisation_id, []).append(
                DisposalItem(
                    object_pk=record.pk,
                    person_id=subjects[0] if subjects else None,
                    record_reference=record.reference,
                    record_from=record.record_from,
                    record_to=record.record_to,
                    trigger_date=when.trigger_date,
                    due_on=when.on,
                    status=status,
                    reason=reason,
                )
            )
    return [DueRecords(rule, org, items) for org, items in rows.items()]


def forecast_counts(
    rule: RetentionRule,
    *,
    on: date,
    months: int,
    organisation_ids: frozenset[int] | None,
    kept: Mapping[int, date] | None = None,
) -> tuple[list[int], int]:
    """How many of the class's records fall due in each of the ``months`` calendar months
    from ``on``'s (records already due excluded), and how many have no known trigger.
    ``kept``: records kept longer at review, by key, with the day they are next reviewed."""
    kept = kept or {}
    first = on.replace(day=1)
    end = schedule.add_period(first, months=months)
    counts = [0] * months
    kind = rule.record_class.kind
    if rule.action == Action.KEEP or (kind not in RECORDS and kind != ClassKind.AUDIT):
        return counts, 0

    def count(day: date, n: int = 1) -> None:
        if on < day < end:
            counts[(day.year - first.year) * 12 + day.month - first.month] += n

    upto = latest_due_trigger(rule, end - timedelta(days=1))
    if kind == ClassKind.AUDIT:
        if _misfit(rule):
            return counts, 0
        events = AuditEvent.objects.filter(
            personal_text__isnull=False,
            occurred_at__gte=_start_of(latest_due_trigger(rule, on) + timedelta(days=1)),
            occurred_at__lt=_start_of(upto + timedelta(days=1)),
        )
        if organisation_ids is not None:
            events = events.filter(_council_events_q(organisation_ids))
        per_day = (
            events.annotate(day=TruncDate("occurred_at"))
            .order_by()
            .values("day")
            .annotate(n=Count("id"))
            .values_list("day", "n")
        )
        for day, n in per_day:
            count(_period(rule, day), n)
        return counts, 0
    unknown = 0
    for record in RECORDS[kind](rule, organisation_ids, upto):
        if record.due.on is None:
            unknown += 1
        else:
            count(max(record.due.on, kept.get(record.pk, record.due.on)))
    return counts, unknown


# --- Audit events ----------------------------------------------------------------------------


def _council_events_q(organisation_ids: Collection[int]) -> Q:
    """The audit events that are these councils' records.

    An event naming people is the council's whose people they are (the subject index joined
    to ``Person.organisation``); one naming people of two councils is each council's, and
    whichever council's batch runs first anonymises it. An event naming nobody (a search that
    found no one, a setting changed with a reason) is the council's whose team the user who
    did it has worked in, or acts for. Events naming nobody and done by nobody are the public
    web forms and reminders about a rights request or complaint: they are scrubbed with that
    file, and while the file is kept they hold nothing it does not hold itself."""
    ids = list(organisation_ids)
    people = Person.objects.filter(organisation_id__in=ids).values("pk")
    staff = Membership.objects.filter(
        Q(team__organisation_id__in=ids) | Q(team__acts_for__in=ids)
    ).values("user_id")
    return Q(pk__in=AuditEventSubject.objects.filter(person_id__in=people).values("event_id")) | Q(
        subject_ids="", actor_id__in=staff
    )


def _held_people(holds: HoldsInForce) -> set[int]:
    """People whose audit trail is held: a hold on them or on a case about them, or a rights
    request or complaint that names them (they may ask who has seen their records)."""
    people = set(holds.person_ids | holds.request_person_ids)
    people.update(Case.objects.filter(pk__in=holds.case_ids).values_list("person_id", flat=True))
    return people


def _audit_events(
    organisation_id: int, through: date, holds: HoldsInForce, class_id: int
) -> QuerySet[AuditEvent]:
    """The council's events on or before ``through`` whose personal part is still there,
    less those a hold covers (their people, or an inquiry's date range of the class)."""
    events = AuditEvent.objects.filter(
        _council_events_q([organisation_id]),
        personal_text__isnull=False,
        occurred_at__lt=_start_of(through + timedelta(days=1)),
    )
    held = _held_people(holds)
    if held:
        events = events.exclude(
            pk__in=AuditEventSubject.objects.filter(person_id__in=held).values("event_id")
        )
    for low, high in holds.ranges(organisation_id, class_id):
        events = events.exclude(
            occurred_at__gte=_start_of(low), occurred_at__lt=_start_of(high + timedelta(days=1))
        )
    return events


def audit_reference(through: date) -> str:
    return f"Audit events to {through:%-d %b %Y}"


def _audit_due(
    rule: RetentionRule,
    *,
    on: date,
    holds: HoldsInForce,
    organisation_ids: frozenset[int] | None,
) -> list[DueRecords]:
    """One register row per council for all its events due, not one per event: a council's
    trail grows by hundreds of thousands of events a day, and the approvers decide on "the
    trail up to this day", which is also what the register records. The row's
    ``object_pk`` is the newest event it covers, so what runs is exactly what was approved
    (events written later, even about earlier days, wait for the next batch)."""
    councils = Organisation.objects.filter(kind=Organisation.Kind.COUNCIL).order_by("pk")
    if organisation_ids is not None:
        councils = councils.filter(pk__in=organisation_ids)
    waiting = set(
        DisposalItem.objects.filter(batch__record_class_id=rule.record_class_id)
        .filter(Q(batch__status__in=OPEN_BATCH) | Q(status=ItemStatus.KEPT, keep_until__gt=on))
        .values_list("batch__organisation_id", flat=True)
    )
    misfit = _misfit(rule)
    through = latest_due_trigger(rule, on)
    found: list[DueRecords] = []
    for organisation_id in councils.values_list("pk", flat=True):
        if organisation_id in waiting:
            continue
        if misfit:
            item = DisposalItem(
                record_reference="Audit events", status=ItemStatus.UNKNOWN, reason=misfit
            )
        else:
            newest = _audit_events(organisation_id, through, holds, rule.record_class_id).aggregate(
                newest=Max("id")
            )["newest"]
            if newest is None:
                continue
            held = holds.reason(
                organisation_id=organisation_id,
                person_id=None,
                case_id=None,
                class_id=rule.record_class_id,
                record_from=through,
                record_to=through,
            )
            item = DisposalItem(
                object_pk=newest,
                record_reference=audit_reference(through),
                trigger_date=through,
                due_on=_period(rule, through),
                status=ItemStatus.HELD if held else ItemStatus.INCLUDED,
                reason=held,
            )
        found.append(DueRecords(rule, organisation_id, [item]))
    return found


# Event ids per transaction when a council's audit events are anonymised: a council's trail
# grows by hundreds of thousands of events a day, and a first run may cover years of them.
AUDIT_WINDOW = 20_000


@transaction.atomic
def audit_events_anonymise(newest_ids: Collection[int]) -> Destroyed:
    """Erase the personal part of a council's events up to the day and the newest event its
    approved register row names (the sealed part stays, so every seal still verifies), one
    window of ``AUDIT_WINDOW`` event ids per call: the row's ``progress`` records the last id
    done, in the same transaction, and a row not yet at its newest event is ``unfinished``.

    The people the window's events name are locked first, as a new hold on one of them would
    lock them, and the holds are read after: an event about a person held since the proposal
    keeps its personal part, and the next batch covers it once the hold is lifted. Events
    cannot be deleted (the database refuses), so a rule that destroys them anonymises them
    too."""
    from records.models import Person

    result = Destroyed()
    rows = (
        DisposalItem.objects.filter(
            object_pk__any=set(newest_ids),
            status=ItemStatus.INCLUDED,
            batch__status=BatchStatus.RUNNING,
            batch__record_class__kind=ClassKind.AUDIT,
        )
        .select_for_update(of=("self",))
        .select_related("batch")
    )
    now = timezone.now()
    for row in rows:
        through, newest = row.trigger_date, row.object_pk
        if through is None or newest is None:
            continue
        low = (row.progress or 0) + 1
        high = min(low + AUDIT_WINDOW - 1, newest)
        named = AuditEventSubject.objects.filter(event_id__range=(low, high)).values("person_id")
        # In key order, as a disposal chunk locks people: two never wait on each other.
        people = Person.objects.select_for_update().filter(pk__in=named).order_by("pk")
        list(people.values_list("pk"))
        holds = holds_in_force(on=timezone.localdate())
        class_id = row.batch.record_class_id
        if holds.class_held(row.batch.organisation_id, class_id):
            continue
        result.scrubbed_events += (
            _audit_events(row.batch.organisation_id, through, holds, class_id)
            .filter(id__range=(low, high))
            .update(personal_text=None, personal_salt="", scrubbed_at=now)
        )
        DisposalItem.objects.filter(pk=row.pk).update(progress=high)
        if high < newest:
            result.unfinished.add(newest)
    return result


# --- Destroying ------------------------------------------------------------------------------


def _public_ids(*querysets: QuerySet[Any]) -> list[str]:
    return [str(u) for qs in querysets for u in qs.values_list("public_id", flat=True)]


def _people_release(candidates: set[int], result: Destroyed) -> None:
    """Destroy the people the records named, and their relatives, whom nothing retained
    names any more."""
    people = people_release(candidates, candidates)
    result.people += people.people
    result.person_ids |= people.person_ids
    result.files += people.files
    result.scrubbed_events += people.scrubbed_events


def _locked(queryset: QuerySet[Any]) -> list[int]:
    """Lock the records: a service changing one now waits for the disposal, then finds it
    gone."""
    return list(queryset.select_for_update().order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def requests_destroy(request_ids: Collection[int], *, anonymise: bool = False) -> Destroyed:
    """Destroy these rights request files: each request and everything under it (subjects,
    pauses, notes, documents and their files, collected items and their redactions,
    disclosure bundles and their files, download links, reminders), the personal part of
    the events about them, then the people they named whom nothing retained names any more.
    A complaint about a request is its own record, kept under its own rule, without the link.
    Anonymising keeps each request's type, dates and outcome, with no personal value."""
    result = Destroyed()
    ids = _locked(AccessRequest.objects.filter(pk__in=list(request_ids)))
    if not ids:
        return result
    requests = AccessRequest.objects.filter(pk__in=ids)
    subjects = RequestSubject.objects.filter(request_id__in=ids)
    collected = CollectedItem.objects.filter(request_id__in=ids)
    redactions = Redaction.objects.filter(collected_item_id__in=collected.values("pk"))
    documents = RequestDocument.objects.filter(request_id__in=ids)
    bundles = DisclosureBundle.objects.filter(request_id__in=ids)
    links = DownloadLink.objects.filter(bundle_id__in=bundles.values("pk"))
    pauses = Pause.objects.filter(request_id__in=ids)
    notes = RequestNote.objects.filter(request_id__in=ids)
    candidates = set(subjects.filter(person__isnull=False).values_list("person_id", flat=True))
    candidates.update(collected.filter(subject__isnull=False).values_list("subject_id", flat=True))
    object_ids = _public_ids(
        requests, subjects, pauses, notes, documents, collected, redactions, bundles, links
    )
    files = [("documents", name) for name in documents.values_list("file", flat=True)]
    files += [("documents", name) for name in bundles.values_list("file", flat=True)]
    # Children before parents: each filter reaches its rows through the parent's.
    for rows in (links, redactions, collected, bundles, documents, pauses, notes, subjects):
        result.items += raw_delete(rows)
    result.items += raw_delete(ReminderSent.objects.filter(request_id__in=ids))
    if anonymise:
        requests.update(
            requester_name=ANONYMISED,
            requester_email="",
            requester_phone="",
            requester_address="",
            subject_name=ANONYMISED,
            subject_other_names="",
            subject_date_of_birth=None,
            subject_address="",
            description="",
            identity_notes="",
            authority_notes="",
            fee_reason="",
            outcome_reasons="",
            reply_text="",
            meeting_notes="",
        )
        # An extended request keeps a reason, as the database requires, but not its words.
        requests.filter(extended=True).update(extension_reason=ANONYMISED)
    else:
        Complaint.objects.filter(access_request_id__in=ids).update(access_request=None)
        raw_delete(requests)
    result.scrubbed_events = events_scrub_objects(object_ids=object_ids)
    result.files = files_queue(files)
    _people_release(candidates, result)
    return result


@transaction.atomic
def complaints_destroy(complaint_ids: Collection[int], *, anonymise: bool = False) -> Destroyed:
    """Destroy these complaints, their reminders and the personal part of the events about
    them, then the person each concerned if nothing retained names them any more.
    Anonymising keeps each complaint's dates and outcome, with no personal value."""
    result = Destroyed()
    ids = _locked(Complaint.objects.filter(pk__in=list(complaint_ids)))
    if not ids:
        return result
    complaints = Complaint.objects.filter(pk__in=ids)
    candidates = set(complaints.filter(person__isnull=False).values_list("person_id", flat=True))
    object_ids = _public_ids(complaints)
    result.items += raw_delete(ReminderSent.objects.filter(complaint_id__in=ids))
    if anonymise:
        complaints.update(
            complainant_name=ANONYMISED,
            complainant_email="",
            complainant_address="",
            description="",
            response="",
            person=None,
        )
    else:
        raw_delete(complaints)
    result.scrubbed_events = events_scrub_objects(object_ids=object_ids)
    _people_release(candidates, result)
    return result


@transaction.atomic
def sharings_destroy(sharing_ids: Collection[int], *, anonymise: bool = False) -> Destroyed:
    """Destroy these sharing-log entries: each with its subjects, the items it lists, its
    packages and their files, and their links; the personal part of the events about them;
    then the people they named whom nothing retained names any more. The items shared stay
    in their cases, and consents stay with their people. Anonymising keeps each entry's
    agency, dates, purpose and legal basis, with no personal value."""
    result = Destroyed()
    ids = _locked(SharingRecord.objects.filter(pk__in=list(sharing_ids)))
    if not ids:
        return result
    sharings = SharingRecord.objects.filter(pk__in=ids)
    subjects = SharingSubject.objects.filter(sharing_id__in=ids)
    packages = SharingPackage.objects.filter(sharing_id__in=ids)
    candidates = set(subjects.values_list("person_id", flat=True))
    object_ids = _public_ids(
        sharings, packages, PackageLink.objects.filter(package_id__in=packages.values("pk"))
    )
    files = packages_drop(sharings.values("pk"))
    result.items += raw_delete(SharedItem.objects.filter(sharing_id__in=ids))
    result.items += raw_delete(subjects)
    if anonymise:
        sharings.update(
            recipient_name=ANONYMISED,
            recipient_role="",
            recipient_email="",
            purpose_detail="",
            statute_detail="",
            no_consent_detail="",
            authorisation_note="",
        )
    else:
        raw_delete(sharings)
    result.scrubbed_events = events_scrub_objects(object_ids=object_ids)
    result.files = files_queue(files)
    _people_release(candidates, result)
    return result


def records_destroy(kind: str, ids: Collection[int], *, anonymise: bool = False) -> Destroyed:
    """Destroy (or anonymise) records of one class kind that is not cases, by primary key
    (for audit events, the newest event id of each approved register row)."""
    if kind == ClassKind.RIGHTS_REQUEST:
        return requests_destroy(ids, anonymise=anonymise)
    if kind == ClassKind.COMPLAINT:
        return complaints_destroy(ids, anonymise=anonymise)
    if kind == ClassKind.SHARING_LOG:
        return sharings_destroy(ids, anonymise=anonymise)
    if kind == ClassKind.AUDIT:
        return audit_events_anonymise(ids)
    raise ValueError(f"No disposal for {kind} records: Carefile holds none.")
