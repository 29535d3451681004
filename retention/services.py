"""Every write to the retention schedule and its holds. Each service takes ``actor=``, checks
the policy, validates, writes, and records its audit event in one transaction."""

from __future__ import annotations

import logging
import uuid
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import Action as AuditAction
from audit.services import event_record, snapshot
from core.errors import ApplicationError, refuse_if
from retention import destruction, policies, schedule, selectors
from retention.models import (
    Action,
    BatchStatus,
    ClassKind,
    DisposalBatch,
    DisposalItem,
    Hold,
    HoldScope,
    ItemStatus,
    RecordClass,
    RetentionRule,
    Trigger,
)

if TYPE_CHECKING:
    from accounts.models import Organisation, User
    from records.models import Case, Person

logger = logging.getLogger(__name__)
Errors = dict[str, list[str]]
RULE_FIELDS = (
    "trigger",
    "period_years",
    "period_months",
    "period_days",
    "death_under_18_years",
    "action",
    "then_action",
    "legal_authority",
)


def _whole(value: Any, field: str, errors: Errors, *, required: bool = True) -> int | None:
    """A whole number of years, months or days, not negative."""
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append("Enter a number (0 if none).")
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append("Enter a whole number.")
        return None
    if number < 0 or number > 200:
        errors.setdefault(field, []).append("Enter a number from 0 to 200.")
        return None
    return number


@transaction.atomic
def rule_change(
    *,
    actor: User,
    record_class: RecordClass,
    trigger: str,
    period_years: Any,
    period_months: Any,
    period_days: Any,
    action: str,
    legal_authority: str,
    reason: str,
    then_action: str = "",
    death_under_18_years: Any = None,
) -> RetentionRule:
    """Put a new version of the class's rule in force; the one it replaces is kept, closed."""
    if not policies.can_change_schedule(actor):
        raise ApplicationError("Only a records manager can change the retention schedule.")
    record_class = RecordClass.objects.select_for_update().get(pk=record_class.pk)
    errors: Errors = {}
    if trigger not in Trigger.values:
        errors["trigger"] = ["Choose what starts the clock."]
    if action not in Action.values:
        errors["action"] = ["Choose what happens at the end of the period."]
    if then_action and then_action not in Action.values:
        errors["then_action"] = ["Choose what follows the review."]
    years = _whole(period_years, "period_years", errors)
    months = _whole(period_months, "period_months", errors)
    days = _whole(period_days, "period_days", errors)
    after_death = _whole(death_under_18_years, "death_under_18_years", errors, required=False)
    if (
        action in Action.values
        and action != Action.KEEP
        and None not in (years, months, days)
        and not (years or months or days)
    ):
        errors["period_years"] = ["Enter how long the records are kept."]
    if not (legal_authority or "").strip():
        errors["legal_authority"] = ["Enter the law or guidance the rule follows."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why the rule is changing."]
    refuse_if(errors)
    current = RetentionRule.objects.filter(record_class=record_class, is_active=True).first()
    before = snapshot(current, RULE_FIELDS) if current else {}
    if current is not None:
        current.is_active = False
        current.superseded_at = timezone.now()
        current.save(update_fields=["is_active", "superseded_at"])
    latest = record_class.rules.order_by("-version").values_list("version", flat=True).first()
    rule = RetentionRule(
        record_class=record_class,
        version=(latest or 0) + 1,
        trigger=trigger,
        period_years=years or 0,
        period_months=months or 0,
        period_days=days or 0,
        death_under_18_years=after_death,
        action=action,
        then_action=then_action,
        legal_authority=legal_authority.strip(),
        reason=reason.strip(),
        created_by=actor,
    )
    rule.full_clean()
    rule.save()
    after = snapshot(rule, RULE_FIELDS)
    event_record(
        actor=actor,
        action=AuditAction.SETTING_CHANGE,
        summary=f"Changed the retention rule for {record_class.name} (version {rule.version})",
        obj=rule,
        changes={k: (before.get(k), v) for k, v in after.items() if before.get(k) != v},
        personal={"reason": rule.reason},
    )
    return rule


def _require_holds(actor: User, organisation_id: int) -> None:
    if organisation_id not in policies.hold_org_ids(actor):
        raise ApplicationError("Only a records manager of this council can place or lift holds.")


def _lock_held(
    scope: str, person: Person | None, case: Case | None, record_class: RecordClass | None
) -> None:
    """Lock the row a disposal chunk locks for what the hold names: either the chunk running
    now sees this hold, or this waits for it and finds the record gone."""
    from records.models import Case, Person

    if scope == HoldScope.PERSON and person is not None:
        found = Person.objects.select_for_update().filter(pk=person.pk).exists()
    elif scope == HoldScope.CASE and case is not None:
        found = Case.objects.select_for_update().filter(pk=case.pk).exists()
    elif record_class is not None:
        found = RecordClass.objects.select_for_update().filter(pk=record_class.pk).exists()
    else:
        return
    if not found:
        raise ApplicationError("That record has been disposed of.")


@transaction.atomic
def hold_place(
    *,
    actor: User,
    organisation: Organisation,
    scope: str,
    reason: str,
    person: Person | None = None,
    case: Case | None = None,
    record_class: RecordClass | None = None,
    from_date: date | None = None,
    to_date: date | None = None,
) -> Hold:
    """Stop disposal of what the hold names until it is lifted."""
    _require_holds(actor, organisation.pk)
    errors: Errors = {}
    if scope not in HoldScope.values:
        errors["scope"] = ["Choose what the hold covers."]
    if scope == HoldScope.PERSON and (person is None or person.organisation_id != organisation.pk):
        errors["person"] = ["Choose the person whose records are held."]
    if scope == HoldScope.CASE and (case is None or case.organisation_id != organisation.pk):
        errors["case"] = ["Choose the case that is held."]
    if scope in (HoldScope.RECORD_CLASS, HoldScope.CLASS_AND_DATES) and record_class is None:
        errors["record_class"] = ["Choose the record class that is held."]
    if scope == HoldScope.CLASS_AND_DATES:
        if from_date is None or to_date is None:
            errors["from_date"] = ["Enter the first and last days of the records held."]
        elif to_date < from_date:
            errors["to_date"] = ["The last day must be on or after the first day."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why disposal must stop (the inquiry, claim or complaint)."]
    refuse_if(errors)
    _lock_held(scope, person, case, record_class)
    hold = Hold(
        organisation=organisation,
        scope=scope,
        person=person if scope == HoldScope.PERSON else None,
        case=case if scope == HoldScope.CASE else None,
        record_class=record_class
        if scope in (HoldScope.RECORD_CLASS, HoldScope.CLASS_AND_DATES)
        else None,
        from_date=from_date if scope == HoldScope.CLASS_AND_DATES else None,
        to_date=to_date if scope == HoldScope.CLASS_AND_DATES else None,
        reason=reason.strip(),
        placed_by=actor,
    )
    hold.full_clean()
    hold.save()
    subject = person or (case.person_id if case is not None else None)
    event_record(
        actor=actor,
        action=AuditAction.CREATE,
        summary=f"Placed a retention hold on {hold.get_scope_display().lower()}",
        obj=hold,
        subjects=[subject] if subject else [],
        personal={"reason": hold.reason},
    )
    return hold


@transaction.atomic
def hold_lift(*, actor: User, hold: Hold, reason: str) -> Hold:
    """Lift a hold: what it covered may be disposed of again when due."""
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    _require_holds(actor, hold.organisation_id)
    if hold.lifted_at is not None:
        raise ApplicationError("This hold has already been lifted.")
    if not (reason or "").strip():
        raise ApplicationError(
            "Say why the hold can be lifted.",
            field_errors={"reason": ["Say why the hold can be lifted."]},
        )
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor
    hold.lift_reason = reason.strip()
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    subject = hold.person_id or (hold.case.person_id if hold.case is not None else None)
    event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        summary=f"Lifted a retention hold on {hold.get_scope_display().lower()}",
        obj=hold,
        subjects=[subject] if subject else [],
        personal={"reason": hold.lift_reason},
    )
    return hold


# --- Disposal batches ------------------------------------------------------------------------


@transaction.atomic
def disposal_propose(*, on: date | None = None) -> list[DisposalBatch]:
    """The nightly proposal: for each class whose rule disposes, the records due by the rule
    in force, one batch per council (``selectors.disposal_due``). Held records and records
    whose trigger is not known are listed in the batch, left out, with the reason."""
    on = on or timezone.localdate()
    batches: list[DisposalBatch] = []
    for due in selectors.disposal_due(on=on):
        if not due.included:
            continue  # nothing to approve: the held and unknown show in the dry run
        rule, items = due.rule, due.items
        batch = DisposalBatch.objects.create(
            reference=f"tmp-{uuid.uuid4().hex[:16]}",
            organisation_id=due.organisation_id,
            record_class=rule.record_class,
            rule=rule,
            action=batch_action(rule),
            proposed_on=on,
        )
        batch.reference = f"DB-{on.year}-{batch.pk:05d}"
        batch.save(update_fields=["reference"])
        for item in items:
            item.batch = batch
        DisposalItem.objects.bulk_create(items)
        included = sum(1 for i in items if i.status == ItemStatus.INCLUDED)
        event_record(
            actor=None,
            action=AuditAction.CREATE,
            summary=(
                f"Proposed disposal batch {batch.reference}: {included} of {len(items)} "
                f"{rule.record_class.name.lower()} records due under rule version {rule.version}"
            ),
            obj=batch,
        )
        batches.append(batch)
    return batches


def batch_action(rule: RetentionRule) -> str:
    """What approving the batch does: a review rule's usual outcome where it names one (the
    review is the batch's own review), otherwise the rule's action."""
    if rule.action == Action.REVIEW and rule.then_action in (Action.DESTROY, Action.ANONYMISE):
        return rule.then_action
    return rule.action


def _locked_batch(actor: User, batch: DisposalBatch) -> DisposalBatch:
    batch = DisposalBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.organisation_id not in policies.approver_org_ids(actor):
        raise ApplicationError(
            "Only a records manager or system administrator of this council can review and "
            "approve its disposal batches."
        )
    return batch


@transaction.atomic
def batch_approve(*, actor: User, batch: DisposalBatch) -> DisposalBatch:
    """Approve a proposed batch. Two different people must: the first approval waits for the
    second, and nobody approves the same batch twice."""
    batch = _locked_batch(actor, batch)
    if batch.status != BatchStatus.PROPOSED:
        raise ApplicationError(
            f"This batch is not waiting for approval ({batch.get_status_display().lower()})."
        )
    if not batch.rule.is_active:
        raise ApplicationError(
            "The rule this batch follows has changed since it was proposed: cancel it, and "
            "the records due under the rule now in force are proposed again."
        )
    if batch.action not in (Action.DESTROY, Action.ANONYMISE):
        raise ApplicationError(
            "This batch is for review only: its rule destroys nothing. Keep each record longer "
            "with its next review day, or change the rule."
        )
    if not batch.items.filter(status=ItemStatus.INCLUDED).exists():
        raise ApplicationError("Nothing in this batch is to be disposed of.")
    now = timezone.now()
    if batch.first_approver_id is None:
        batch.first_approver, batch.first_approved_at = actor, now
        summary = f"First approval of disposal batch {batch.reference}"
    elif batch.first_approver_id == actor.pk:
        raise ApplicationError(
            "You have already approved this batch: a second, different person must approve it."
        )
    else:
        batch.second_approver, batch.second_approved_at = actor, now
        batch.status = BatchStatus.APPROVED
        summary = f"Second approval of disposal batch {batch.reference}: approved"
        transaction.on_commit(partial(_queue_run, batch.pk))
    batch.save()
    event_record(actor=actor, action=AuditAction.UPDATE, summary=summary, obj=batch)
    return batch


def _queue_run(batch_id: int) -> None:
    """Queue the run once per worker that may share it: each claims its own chunks, so
    several workers carry a large batch out side by side, and a spare task finds it done."""
    from retention.tasks import disposal_run_task

    for _ in range(settings.CAREFILE_DISPOSAL_WORKERS):
        disposal_run_task.delay(batch_id)


@transaction.atomic
def batch_cancel(*, actor: User, batch: DisposalBatch, reason: str) -> DisposalBatch:
    """Withdraw a batch before it runs: nothing in it is disposed of, and its records are
    proposed again the next night they are due."""
    batch = _locked_batch(actor, batch)
    if batch.status not in (BatchStatus.PROPOSED, BatchStatus.APPROVED):
        raise ApplicationError("Only a batch that has not started can be cancelled.")
    if not (reason or "").strip():
        raise ApplicationError(
            "Say why the batch is cancelled.",
            field_errors={"reason": ["Say why the batch is cancelled."]},
        )
    batch.status = BatchStatus.CANCELLED
    batch.cancelled_by, batch.cancelled_at = actor, timezone.now()
    batch.cancel_reason = reason.strip()
    batch.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        summary=f"Cancelled disposal batch {batch.reference}",
        obj=batch,
        personal={"reason": batch.cancel_reason},
    )
    return batch


# --- Carrying out an approved batch ----------------------------------------------------------


def batch_run(*, batch_id: int, chunk_size: int | None = None) -> DisposalBatch | None:
    """Carry out an approved batch, a chunk of records per transaction. Safe to run again and
    side by side: each chunk claims its records with SKIP LOCKED, so a worker that dies
    mid-batch leaves only whole chunks done, and the next run finishes the rest exactly."""
    DisposalBatch.objects.filter(pk=batch_id, status=BatchStatus.APPROVED).update(
        status=BatchStatus.RUNNING, started_at=timezone.now()
    )
    batch = DisposalBatch.objects.select_related("record_class").filter(pk=batch_id).first()
    if batch is None or batch.status != BatchStatus.RUNNING:
        return batch
    chunk_size = chunk_size or settings.CAREFILE_DISPOSAL_CHUNK
    while _run_chunk(batch, chunk_size):
        destruction.files_sweep()  # the chunk has committed: its files go now
    destruction.files_sweep()
    return _run_finish(batch)


RULE_CHANGED = "The rule changed after the proposal: due again under the rule now in force."


def _class_share_lock(class_id: int | None = None, *, kind: str = "") -> None:
    """Lock a record class (by id, or every class of a kind) against a new class hold, which
    takes it FOR UPDATE, while letting other workers' chunks run side by side. SQLite runs
    one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    column, value = ("kind", kind) if kind else ("id", class_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM retention_recordclass WHERE {column} = %s FOR SHARE",  # noqa: S608
            [value],
        )


def _no_longer_due(rule: RetentionRule, case: Case | None, today: date) -> str:
    """Why a case in the batch is no longer due (gone, reopened, its dates corrected since
    the proposal), or "": the run never acts on the proposal's reading alone."""
    if case is None:
        return "The record no longer exists."
    if case.closed_on is None:
        return "The case was reopened after the proposal."
    latest = getattr(case, "last_action", None)
    last = timezone.localtime(latest).date() if latest else None
    trigger = schedule.case_trigger(rule.trigger, case, case.person, last)
    found = schedule.due(rule, trigger, case.person)
    if found.on is None or found.on > today:
        return "Not due any more: the record changed after the proposal."
    return ""


def _people_of(kind: str, items: list[DisposalItem]) -> dict[int, list[int]]:
    """Everyone each record is about, read now: a case's subject, family and everyone linked
    in its items; a request, complaint or sharing's people. A hold or request on any of them
    holds the whole record."""
    from retention import other_records

    found: dict[int, list[int]] = {i.pk: [i.person_id] if i.person_id else [] for i in items}
    if kind == ClassKind.CASE:
        family = selectors.case_people([i.case_id for i in items if i.case_id])
        for item in items:
            found[item.pk] = sorted({*found[item.pk], *family.get(item.case_id or 0, ())})
    elif kind in other_records.MULTI_SUBJECT_KINDS:
        subjects = other_records.record_subjects(
            kind, [i.object_pk for i in items if i.object_pk is not None]
        )
        for item in items:
            found[item.pk] = sorted({*found[item.pk], *subjects.get(item.object_pk or 0, [])})
    return found


@transaction.atomic
def _run_chunk(batch: DisposalBatch, chunk_size: int) -> bool:
    """One transaction: claim the next records, re-check every hold on them under lock, then
    destroy those still free and write their register entries. False when none are left."""
    from records.models import Case, Person

    items = list(
        DisposalItem.objects.filter(batch=batch, status=ItemStatus.INCLUDED)
        .select_for_update(skip_locked=True)
        .order_by("pk")[:chunk_size]
    )
    if not items:
        return False
    # Lock what a new hold would lock, so a hold placed meanwhile waits for this chunk or
    # is seen by it: the class, every person each record is about, and the cases.
    kind = batch.record_class.kind
    people = _people_of(kind, items)
    _class_share_lock(batch.record_class_id)
    person_ids = {p for found in people.values() for p in found if p}
    # In key order (not the model's by-name order): chunks side by side, and the audit
    # class's windows, take people in one order, so they never deadlock on them.
    people_locked = Person.objects.select_for_update().filter(pk__any=person_ids)
    list(people_locked.order_by("pk").values_list("pk"))
    locked = Case.objects.select_for_update(of=("self",)).select_related("person")
    if batch.rule.trigger == Trigger.LAST_ACTION:
        locked = locked.annotate(last_action=Max("items__occurred_at"))
    cases = {c.pk: c for c in locked.filter(pk__any={i.case_id for i in items if i.case_id})}
    shared_held: set[int] = set()
    if kind == ClassKind.CASE:
        # A case listed in a held sharing-log entry waits: lock the sharing log's class
        # against a new hold on it first, as for the batch's own class.
        _class_share_lock(kind=ClassKind.SHARING_LOG)
        shared_held = selectors.cases_in_held_sharings(set(cases))
    holds = selectors.holds_in_force(on=timezone.localdate())
    today = timezone.localdate()
    rule_current = RetentionRule.objects.filter(pk=batch.rule_id, is_active=True).exists()
    now = timezone.now()
    free: list[DisposalItem] = []
    for item in items:
        case = cases.get(item.case_id) if item.case_id else None
        not_due = "" if rule_current else RULE_CHANGED
        if kind == ClassKind.CASE:
            not_due = not_due or _no_longer_due(batch.rule, case, today)
        if not_due:
            item.status, item.reason = ItemStatus.SKIPPED, not_due
            continue
        asked: list[int | None] = [*people[item.pk]] or [None]
        held = ""
        for person_id in asked:
            held = holds.reason(
                organisation_id=batch.organisation_id,
                person_id=person_id,
                case_id=item.case_id,
                class_id=batch.record_class_id,
                record_from=case.opened_on if case else item.record_from or item.trigger_date,
                record_to=case.closed_on if case else item.record_to or item.trigger_date,
            )
            if held:
                break
        if not held and item.case_id in shared_held:
            held = selectors.SHARING_HELD
        if held:
            item.status, item.reason = ItemStatus.SKIPPED, held
        else:
            free.append(item)
    destroyed = destruction.records_destroy(
        batch.record_class.kind,
        [int(i.case_id or i.object_pk or 0) for i in free],
        anonymise=batch.action == Action.ANONYMISE,
    )
    # A record begun but not finished (a council's audit events, a window at a time) stays
    # in the batch for the next transaction.
    free = [i for i in free if i.object_pk is None or i.object_pk not in destroyed.unfinished]
    # The register: one statement for the disposed (an anonymised case stays, linked), one
    # per reason for those left out.
    stubs: dict[str, Any] = {"status": ItemStatus.DISPOSED, "disposed_at": now}
    stubs |= {"person": None, "object_pk": None}
    if batch.action != Action.ANONYMISE:
        stubs["case"] = None
    DisposalItem.objects.filter(pk__any={i.pk for i in free}).update(**stubs)
    reasons: dict[str, list[int]] = {}
    for item in items:
        if item.status == ItemStatus.SKIPPED:
            reasons.setdefault(item.reason, []).append(item.pk)
    for reason, pks in reasons.items():
        DisposalItem.objects.filter(pk__any=pks).update(status=ItemStatus.SKIPPED, reason=reason)
    skipped = sum(1 for item in items if item.status == ItemStatus.SKIPPED)
    verb = "Anonymised" if batch.action == Action.ANONYMISE else "Destroyed"
    event_record(
        actor=None,
        action=AuditAction.DELETE,
        summary=(
            f"{verb} {len(free)} records of disposal batch {batch.reference} "
            f"({destroyed.items} items, {destroyed.people} people, {destroyed.files} files, "
            f"{destroyed.scrubbed_events} audit events scrubbed)"
            + (f"; {skipped} left out, held" if skipped else "")
            + (f"; {len(destroyed.unfinished)} to go on with" if destroyed.unfinished else "")
        ),
        obj=batch,
    )
    return True


@transaction.atomic
def _run_finish(batch: DisposalBatch) -> DisposalBatch:
    batch = DisposalBatch.objects.select_for_update().get(pk=batch.pk)
    if (
        batch.status != BatchStatus.RUNNING
        or batch.items.filter(status=ItemStatus.INCLUDED).exists()
    ):
        return batch
    batch.status, batch.finished_at = BatchStatus.DONE, timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    disposed = batch.items.filter(status=ItemStatus.DISPOSED).count()
    event_record(
        actor=None,
        action=AuditAction.UPDATE,
        summary=f"Disposal batch {batch.reference} carried out: {disposed} records disposed of",
        obj=batch,
    )
    transaction.on_commit(partial(_queue_certificate, batch.pk))
    return batch


def _queue_certificate(batch_id: int) -> None:
    """The batch is done whatever happens here: if the task cannot be queued, the first
    download makes the certificate instead."""
    from retention.tasks import disposal_certificate_task

    try:
        disposal_certificate_task.delay(batch_id)
    except Exception:  # the broker being away must not fail a batch already carried out
        logger.warning("Could not queue the certificate of disposal batch %s", batch_id)


def batch_certificate_make(*, batch_id: int) -> DisposalBatch | None:
    """Lay out and keep the certificate of a batch carried out, once (the task queued when it
    is done, or the first download if that comes sooner). Safe to run twice: the batch is
    locked while the certificate is made and saved, and one already made is kept. The PDF is
    laid out before the lock is taken, so a large one holds nothing for its minutes."""
    from retention.certificate import certificate_pdf

    batch = DisposalBatch.objects.filter(pk=batch_id, status=BatchStatus.DONE).first()
    if batch is None or batch.certificate:
        return batch
    pdf = certificate_pdf(batch)
    with transaction.atomic():
        batch = DisposalBatch.objects.select_for_update().get(pk=batch_id)
        if batch.certificate:
            return batch
        batch.certificate.save(f"{batch.reference}.pdf", ContentFile(pdf), save=False)
        batch.save(update_fields=["certificate"])
        event_record(
            actor=None,
            action=AuditAction.CREATE,
            summary=f"Made the certificate for disposal batch {batch.reference}",
            obj=batch,
        )
    return batch


def batches_resume() -> list[int]:
    """Approved batches not yet run and batches a dead worker left running: run them."""
    ids = list(
        DisposalBatch.objects.filter(
            status__in=(BatchStatus.APPROVED, BatchStatus.RUNNING)
        ).values_list("pk", flat=True)
    )
    destruction.files_sweep()  # files of a chunk committed just before a worker died
    for batch_id in ids:
        try:
            batch_run(batch_id=batch_id)
        except Exception:
            # One batch failing (a database error mid-chunk) must not stop the others; its
            # chunk rolled back whole and is tried again on the next run.
            logger.exception("Disposal batch %s stopped; it is tried again next run", batch_id)
    return ids


@transaction.atomic
def batch_item_keep(
    *, actor: User, item: DisposalItem, reason: str, keep_until: date | None
) -> DisposalItem:
    """Take a record out of a proposed batch: kept longer, with a reason and the day it is
    next reviewed. An approval already given is withdrawn, as the batch has changed."""
    batch = _locked_batch(actor, item.batch)
    item = DisposalItem.objects.select_for_update().get(pk=item.pk)
    if batch.status != BatchStatus.PROPOSED:
        raise ApplicationError("Only a batch still under review can change.")
    if item.status != ItemStatus.INCLUDED:
        raise ApplicationError("That record is not in the batch to be disposed of.")
    errors: Errors = {}
    if not (reason or "").strip():
        errors["reason"] = ["Say why the record is kept longer."]
    if keep_until is None or keep_until <= timezone.localdate():
        errors["keep_until"] = ["Enter the day it is next reviewed, after today."]
    refuse_if(errors)
    item.status, item.reason, item.keep_until = ItemStatus.KEPT, reason.strip(), keep_until
    item.decided_by = actor
    item.save(update_fields=["status", "reason", "keep_until", "decided_by"])
    if batch.first_approver_id is not None:
        batch.first_approver, batch.first_approved_at = None, None
        batch.save(update_fields=["first_approver", "first_approved_at"])
    event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        summary=f"Kept record {item.record_reference} out of disposal batch {batch.reference}",
        obj=batch,
        subjects=[item.person_id] if item.person_id else [],
        personal={"reason": item.reason},
    )
    return item
