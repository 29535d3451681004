"""Every write to the retention schedule and its holds. Each service takes ``actor=``, checks
the policy, validates, writes, and records its audit event in one transaction."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from audit.models import Action as AuditAction
from audit.services import event_record, snapshot
from core.errors import ApplicationError, refuse_if
from retention import policies, schedule, selectors
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

OPEN_BATCH = (BatchStatus.PROPOSED, BatchStatus.APPROVED, BatchStatus.RUNNING)


def _cases_spoken_for(on: date) -> QuerySet[Any]:
    """Cases already in a batch not yet finished, or kept longer at review until a later day."""
    return (
        DisposalItem.objects.filter(case__isnull=False)
        .filter(Q(batch__status__in=OPEN_BATCH) | Q(status=ItemStatus.KEPT, keep_until__gt=on))
        .values("case_id")
    )


@transaction.atomic
def disposal_propose(*, on: date | None = None) -> list[DisposalBatch]:
    """The nightly proposal: for each case class whose rule disposes, the closed cases due by
    the rule in force, one batch per council. Held cases and closed cases whose trigger is
    not known are listed in the batch, left out, with the reason. Cases already in an open
    batch, or kept longer at review, wait."""
    from records.models import Case

    on = on or timezone.localdate()
    holds = selectors.holds_in_force(on=on)
    batches: list[DisposalBatch] = []
    rules = selectors.rules_in_force().filter(record_class__kind=ClassKind.CASE)
    for rule in rules.exclude(action=Action.KEEP):
        record_class = rule.record_class
        cases = (
            Case.objects.filter(category__in=record_class.case_categories)
            .exclude(pk__in=_cases_spoken_for(on))
            .select_related("person")
            .annotate(last_action=Max("items__occurred_at"))
            .order_by("organisation_id", "pk")
        )
        rows: dict[int, list[DisposalItem]] = {}
        for case in cases.iterator(chunk_size=2000):
            if case.closed_on is None:
                continue  # an open case is not disposed of, whatever its dates
            last = timezone.localtime(case.last_action).date() if case.last_action else None
            found = schedule.due(
                rule, schedule.case_trigger(rule.trigger, case, case.person, last), case.person
            )
            if found.on is not None and found.on > on:
                continue
            status, reason = ItemStatus.INCLUDED, ""
            if found.on is None:
                status, reason = ItemStatus.UNKNOWN, found.reason
            else:
                held = holds.reason(
                    person_id=case.person_id,
                    case_id=case.pk,
                    class_id=record_class.pk,
                    record_from=case.opened_on,
                    record_to=case.closed_on,
                )
                if held:
                    status, reason = ItemStatus.HELD, held
            rows.setdefault(case.organisation_id, []).append(
                DisposalItem(
                    case=case,
                    person_id=case.person_id,
                    record_reference=case.reference,
                    trigger_date=found.trigger_date,
                    due_on=found.on,
                    status=status,
                    reason=reason,
                )
            )
        for organisation_id, items in rows.items():
            batch = DisposalBatch.objects.create(
                reference=f"tmp-{uuid.uuid4().hex[:16]}",
                organisation_id=organisation_id,
                record_class=record_class,
                rule=rule,
                action=rule.action,
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
                    f"{record_class.name.lower()} records due under rule version {rule.version}"
                ),
                obj=batch,
            )
            batches.append(batch)
    return batches


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
    batch.save()
    event_record(actor=actor, action=AuditAction.UPDATE, summary=summary, obj=batch)
    return batch


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
