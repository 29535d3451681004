"""Reads of the retention schedule and of what is held from disposal."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from retention import policies, schedule
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
    from accounts.models import User


def rules_in_force() -> QuerySet[RetentionRule]:
    return RetentionRule.objects.filter(is_active=True).select_related("record_class")


def rule_in_force(record_class: RecordClass) -> RetentionRule | None:
    return rules_in_force().filter(record_class=record_class).first()


def rule_history(record_class: RecordClass) -> QuerySet[RetentionRule]:
    """Every version of the class's rule, newest first, with who made each."""
    return record_class.rules.select_related("created_by").order_by("-version")


def record_class_get(*, code: str) -> RecordClass:
    record_class = RecordClass.objects.filter(code=code).first()
    if record_class is None:
        raise Http404("No such record class.")
    return record_class


@dataclass(frozen=True)
class HoldsInForce:
    """Everything held from disposal on one day, loaded once for a run and asked per record.
    Disposal asks again inside each transaction, so a hold placed meanwhile still stops it."""

    person_ids: frozenset[int]
    case_ids: frozenset[int]
    # Class holds are a council's own: (organisation id, class id).
    class_ids: frozenset[tuple[int, int]]
    class_ranges: dict[tuple[int, int], list[tuple[date, date]]] = field(default_factory=dict)
    # People held by a rights request or a data protection complaint (DPA s173).
    request_person_ids: frozenset[int] = frozenset()

    def class_held(self, organisation_id: int, class_id: int) -> bool:
        return (organisation_id, class_id) in self.class_ids

    def ranges(self, organisation_id: int, class_id: int) -> list[tuple[date, date]]:
        return self.class_ranges.get((organisation_id, class_id), [])

    def reason(
        self,
        *,
        organisation_id: int,
        person_id: int | None,
        case_id: int | None,
        class_id: int,
        record_from: date | None,
        record_to: date | None,
        others: Collection[int] = (),
    ) -> str:
        """Why this record may not be disposed of, or "" if nothing holds it. ``others``: the
        other people the record is about (a case's family, everyone linked in its items): a
        hold or request on any of them holds it. A date-range hold covers a record whose own
        dates overlap the range."""
        people = {p for p in (person_id, *others) if p is not None}
        if people & self.request_person_ids:
            return "An open rights request or complaint, or one closed recently, holds it."
        if person_id is not None and person_id in self.person_ids:
            return "A hold on the person's records."
        if people & self.person_ids:
            return "A hold on the records of someone the record is about."
        if case_id is not None and case_id in self.case_ids:
            return "A hold on the case."
        if self.class_held(organisation_id, class_id):
            return "A hold on the whole record class."
        start = record_from or record_to
        end = record_to or record_from
        if start is not None and end is not None:
            for low, high in self.ranges(organisation_id, class_id):
                if start <= high and end >= low:
                    return f"An inquiry hold on records from {low:%-d %B %Y} to {high:%-d %B %Y}."
        return ""


def holds_in_force(*, on: date | None = None) -> HoldsInForce:
    from access_requests.services import held_person_ids

    on = on or timezone.localdate()
    rows = list(
        Hold.objects.filter(lifted_at__isnull=True).values_list(
            "scope",
            "organisation_id",
            "person_id",
            "case_id",
            "record_class_id",
            "from_date",
            "to_date",
        )
    )
    ranges: dict[tuple[int, int], list[tuple[date, date]]] = {}
    classes: set[tuple[int, int]] = set()
    for scope, organisation_id, _, _, class_id, low, high in rows:
        if scope == HoldScope.CLASS_AND_DATES and low is not None and high is not None:
            ranges.setdefault((organisation_id, class_id), []).append((low, high))
        elif scope == HoldScope.RECORD_CLASS:
            classes.add((organisation_id, class_id))
    return HoldsInForce(
        person_ids=frozenset(r[2] for r in rows if r[0] == HoldScope.PERSON),
        case_ids=frozenset(r[3] for r in rows if r[0] == HoldScope.CASE),
        class_ids=frozenset(classes),
        class_ranges=ranges,
        request_person_ids=frozenset(held_person_ids(on)),
    )


def _case_links(**by: Any) -> dict[int, set[int]]:
    """Case id -> the people a case names besides its subject (who took part, everyone
    linked in its items), for the cases or people ``by`` filters on (``case`` or ``person``
    followed by ``__any``)."""
    from records.models import CaseParticipant, ItemPerson

    found: dict[int, set[int]] = {}
    participants = CaseParticipant.objects.filter(**by).values_list("case_id", "person_id")
    linked = ItemPerson.objects.filter(
        **{k.replace("case", "item__case"): v for k, v in by.items()}
    ).values_list("item__case_id", "person_id")
    for rows in (participants, linked):
        for case_id, person_id in rows:
            found.setdefault(case_id, set()).add(person_id)
    return found


def sharings_held() -> Q:
    """The sharing-log entries a hold on the sharing-log class stands on (a council's whole
    class, or an inquiry's date range over the day shared to the last decision), as a filter
    on ``SharingRecord``. Matches nothing when no such hold stands."""
    held = Q(pk__in=[])
    holds = Hold.objects.filter(
        lifted_at__isnull=True,
        record_class__kind=ClassKind.SHARING_LOG,
        scope__in=(HoldScope.RECORD_CLASS, HoldScope.CLASS_AND_DATES),
    ).values_list("scope", "organisation_id", "from_date", "to_date")
    for scope, organisation_id, low, high in holds:
        covered = Q(organisation_id=organisation_id)
        if scope == HoldScope.CLASS_AND_DATES:
            covered &= Q(shared_on__lte=high) & (
                Q(shared_on__gte=low) | Q(authorised_at__date__gte=low)
            )
        held |= covered
    return held


SHARING_HELD = "A hold on the sharing log covers an entry that lists its records."


def cases_in_held_sharings(case_ids: Collection[int] | None = None) -> set[int]:
    """Of these cases (or all), those with an item listed in a sharing-log entry a hold on
    the sharing log stands on: the entry keeps the record exactly as shared, so the case
    waits for the hold."""
    from sharing.models import SharedItem, SharingRecord

    listed = SharedItem.objects.filter(sharing__in=SharingRecord.objects.filter(sharings_held()))
    if case_ids is not None:
        listed = listed.filter(item__case_id__any=case_ids)
    return set(listed.values_list("item__case_id", flat=True))


def case_people(case_ids: Collection[int]) -> dict[int, set[int]]:
    """Everyone a case is about besides its subject: who took part, and everyone linked in
    its items. A hold or a rights request on any of them holds the case."""
    return _case_links(case_id__any=set(case_ids))


def _cases_naming(person_ids: Collection[int]) -> dict[int, set[int]]:
    """For the proposal: the cases naming any of these (held) people besides as subject."""
    return _case_links(person_id__any=set(person_ids))


# --- What is due -----------------------------------------------------------------------------

OPEN_BATCH = (BatchStatus.PROPOSED, BatchStatus.APPROVED, BatchStatus.RUNNING)


def cases_spoken_for(on: date) -> QuerySet[Any]:
    """Cases already to be disposed of in a batch not yet finished, kept longer at review
    until a later day, or anonymised already (an anonymised case stays, linked to its register
    entry). Held and unknown ones are not: once free, they are proposed again."""
    return (
        DisposalItem.objects.filter(case__isnull=False)
        .filter(
            Q(batch__status__in=OPEN_BATCH, status=ItemStatus.INCLUDED)
            | Q(status=ItemStatus.KEPT, keep_until__gt=on)
            | Q(status=ItemStatus.DISPOSED)
        )
        .values("case_id")
    )


def objects_spoken_for(on: date) -> QuerySet[Any]:
    """Records of the classes that are not cases, as (class kind, primary key), already in a
    batch not yet finished, or kept longer at review until a later day."""
    return (
        DisposalItem.objects.filter(object_pk__isnull=False)
        .filter(
            Q(batch__status__in=OPEN_BATCH, status=ItemStatus.INCLUDED)
            | Q(status=ItemStatus.KEPT, keep_until__gt=on)
        )
        .values_list("batch__record_class__kind", "object_pk")
    )


@dataclass
class DueRecords:
    """One council's records of one class due under the rule in force: the batch to propose.
    ``items`` are unsaved register rows (included, held or trigger unknown)."""

    rule: RetentionRule
    organisation_id: int
    items: list[DisposalItem]

    @property
    def included(self) -> int:
        return sum(1 for i in self.items if i.status == ItemStatus.INCLUDED)


def _case_dues(rule: RetentionRule, organisation_ids: frozenset[int] | None) -> Iterator[Any]:
    """(case, Due) for every closed case of the rule's class, by council then id. Open cases
    are never disposed of, whatever their dates."""
    from records.models import Case

    cases = (
        Case.objects.filter(category__in=rule.record_class.case_categories, closed_on__isnull=False)
        .select_related("person")
        .order_by("organisation_id", "pk")
    )
    if rule.trigger == Trigger.LAST_ACTION:  # the only trigger that reads the items
        cases = cases.annotate(last_action=Max("items__occurred_at"))
    if organisation_ids is not None:
        cases = cases.filter(organisation_id__in=organisation_ids)
    for case in cases.iterator(chunk_size=2000):
        latest = getattr(case, "last_action", None)
        last = timezone.localtime(latest).date() if latest else None
        trigger = schedule.case_trigger(rule.trigger, case, case.person, last)
        yield case, schedule.due(rule, trigger, case.person)


def disposal_due(
    *, on: date | None = None, organisation_ids: frozenset[int] | None = None
) -> list[DueRecords]:
    """What falls to be disposed of on ``on``: for each class whose rule disposes, the records
    due by the rule in force, per council. Held records and records whose trigger is not known
    are listed, left out, with the reason. Records already in an open batch, or kept longer
    at review, wait. The nightly proposal saves this; the dry run only shows it."""
    from records.models import Case

    on = on or timezone.localdate()
    holds = holds_in_force(on=on)
    named = _cases_naming(holds.person_ids | holds.request_person_ids)
    shared_held = cases_in_held_sharings()
    spoken_for = set(cases_spoken_for(on).values_list("case_id", flat=True))
    found: list[DueRecords] = []
    rules = rules_in_force().filter(record_class__kind=ClassKind.CASE)
    for rule in rules.exclude(action=Action.KEEP):
        rows: dict[int, list[DisposalItem]] = {}
        case: Case
        for case, due in _case_dues(rule, organisation_ids):
            if case.pk in spoken_for or (due.on is not None and due.on > on):
                continue
            status, reason = ItemStatus.INCLUDED, ""
            if due.on is None:
                status, reason = ItemStatus.UNKNOWN, due.reason
            else:
                held = holds.reason(
                    organisation_id=case.organisation_id,
                    person_id=case.person_id,
                    case_id=case.pk,
                    class_id=rule.record_class_id,
                    record_from=case.opened_on,
                    record_to=case.closed_on,
                    others=named.get(case.pk, ()),
                )
                if not held and case.pk in shared_held:
                    held = SHARING_HELD
                if held:
                    status, reason = ItemStatus.HELD, held
            rows.setdefault(case.organisation_id, []).append(
                DisposalItem(
                    case=case,
                    person_id=case.person_id,
                    record_reference=case.reference,
                    trigger_date=due.trigger_date,
                    due_on=due.on,
                    status=status,
                    reason=reason,
                )
            )
        found += [DueRecords(rule, org, items) for org, items in rows.items()]
    # The classes that are not cases: rights requests, complaints, the sharing log, audit.
    from retention import other_records

    spoken_for_objects = set(objects_spoken_for(on))
    others = rules_in_force().exclude(record_class__kind=ClassKind.CASE)
    for rule in others.exclude(action=Action.KEEP):
        found += other_records.due(
            rule,
            on=on,
            holds=holds,
            organisation_ids=organisation_ids,
            spoken_for=spoken_for_objects,
        )
    return found


@dataclass
class Forecast:
    """How many records fall due in each of the coming months, per class."""

    months: list[date]  # the first day of each month
    rows: list[tuple[RecordClass, list[int]]]  # per class, a count per month
    unknown: dict[int, int]  # class id -> records whose trigger is not known

    @property
    def totals(self) -> list[int]:
        return [sum(counts[m] for _, counts in self.rows) for m in range(len(self.months))]


def _kept_until(on: date) -> tuple[dict[int, date], dict[tuple[str, int], date]]:
    """Records kept longer at review, with the day each is next reviewed (the latest, if kept
    more than once): they fall due again then. Cases by id; other records by (kind, key)."""
    cases: dict[int, date] = {}
    objects: dict[tuple[str, int], date] = {}
    rows = DisposalItem.objects.filter(status=ItemStatus.KEPT, keep_until__gt=on).values_list(
        "case_id", "batch__record_class__kind", "object_pk", "keep_until"
    )
    for case_id, kind, object_pk, until in rows:
        if until is None:  # never, by the filter; the column allows it for other statuses
            continue
        if case_id is not None:
            cases[case_id] = max(until, cases.get(case_id, until))
        elif object_pk is not None:
            objects[(kind, object_pk)] = max(until, objects.get((kind, object_pk), until))
    return cases, objects


def forecast(
    *, on: date | None = None, months: int = 24, organisation_ids: frozenset[int] | None = None
) -> Forecast:
    """Counts of closed records falling due in each of the next ``months`` calendar months
    (this month first), per class, by the rule in force; a record kept longer at review falls
    due again on its review day. Records already due are in the dry run, not here."""
    on = on or timezone.localdate()
    first = on.replace(day=1)
    starts = [schedule.add_period(first, months=m) for m in range(months)]
    end = schedule.add_period(first, months=months)
    rows: list[tuple[RecordClass, list[int]]] = []
    unknown: dict[int, int] = {}
    from retention import other_records

    # Anonymised cases stay, with no date of birth: they never fall due again.
    anonymised = set(
        DisposalItem.objects.filter(status=ItemStatus.DISPOSED, case__isnull=False).values_list(
            "case_id", flat=True
        )
    )
    kept_cases, kept_objects = _kept_until(on)
    for rule in rules_in_force():
        counts = [0] * months
        kind = rule.record_class.kind
        if kind != ClassKind.CASE:
            counts, not_known = other_records.forecast_counts(
                rule,
                on=on,
                months=months,
                organisation_ids=organisation_ids,
                kept={pk: day for (k, pk), day in kept_objects.items() if k == kind},
            )
            if not_known:
                unknown[rule.record_class_id] = not_known
        elif rule.action != Action.KEEP:
            for case, due in _case_dues(rule, organisation_ids):
                if case.pk in anonymised:
                    continue
                if due.on is None:
                    unknown[rule.record_class_id] = unknown.get(rule.record_class_id, 0) + 1
                    continue
                day = max(due.on, kept_cases.get(case.pk, due.on))
                if on < day < end:
                    counts[(day.year - first.year) * 12 + day.month - first.month] += 1
        rows.append((rule.record_class, counts))
    return Forecast(months=starts, rows=rows, unknown=unknown)


# --- For the records manager -----------------------------------------------------------------


def _councils(user: User) -> frozenset[int]:
    return policies.approver_org_ids(user) | policies.hold_org_ids(user)


def holds_list_for_user(*, user: User, active: bool = True) -> QuerySet[Hold]:
    """Holds on the councils the user keeps; in force only, unless ``active`` is False."""
    holds = Hold.objects.filter(organisation_id__in=_councils(user)).select_related(
        "person", "case", "record_class", "placed_by", "lifted_by", "organisation"
    )
    return holds.filter(lifted_at__isnull=True) if active else holds


def hold_get_for_user(*, user: User, public_id: Any) -> Hold:
    hold = holds_list_for_user(user=user, active=False).filter(public_id=public_id).first()
    if hold is None:
        raise Http404("No such hold.")
    return hold


def batch_list_for_user(*, user: User) -> QuerySet[DisposalBatch]:
    return DisposalBatch.objects.filter(
        organisation_id__in=policies.approver_org_ids(user)
    ).select_related("record_class", "rule", "organisation", "first_approver", "second_approver")


def batch_get_for_user(*, user: User, public_id: Any) -> DisposalBatch:
    batch = batch_list_for_user(user=user).filter(public_id=public_id).first()
    if batch is None:
        raise Http404("No such disposal batch.")
    return batch


def register_list_for_user(*, user: User) -> QuerySet[DisposalItem]:
    """The disposal register: one stub per record disposed of, newest first. No personal
    data: class, reference, trigger date, rule version, batch, approvers, date disposed."""
    return (
        DisposalItem.objects.filter(
            status=ItemStatus.DISPOSED,
            batch__organisation_id__in=policies.approver_org_ids(user),
        )
        .select_related(
            "batch__record_class",
            "batch__rule",
            "batch__first_approver",
            "batch__second_approver",
        )
        .order_by("-disposed_at", "record_reference")
    )


# --- API


def record_class_list() -> QuerySet[RecordClass]:
    """Every record class by name, each with its rule in force loaded as ``rules_in_force``."""
    from django.db.models import Prefetch

    return RecordClass.objects.order_by("name").prefetch_related(
        Prefetch(
            "rules",
            queryset=RetentionRule.objects.filter(is_active=True).select_related("created_by"),
            to_attr="rules_in_force",
        )
    )


def hold_case_for_user(*, user: User, reference: str) -> Any:
    """The case with this reference, of a council whose holds the user keeps, or None."""
    from records.models import Case

    return (
        Case.objects.filter(reference=reference, organisation_id__in=policies.hold_org_ids(user))
        .select_related("person", "organisation")
        .first()
    )


def hold_councils_for_user(*, user: User) -> QuerySet[Any]:
    """The councils whose holds the user keeps, by name."""
    from accounts.models import Organisation

    return Organisation.objects.filter(pk__in=policies.hold_org_ids(user)).order_by("name")


def councils_by_id(*, organisation_ids: Any) -> dict[int, Any]:
    from accounts.models import Organisation

    return {o.pk: o for o in Organisation.objects.filter(pk__in=organisation_ids)}


def batch_list_with_counts_for_user(*, user: User) -> QuerySet[DisposalBatch]:
    """The user's batches, newest first, each with a count of its records by status
    (``n_included``, ``n_kept``…)."""
    from django.db.models import Count

    counts = {
        f"n_{value}": Count("items", filter=Q(items__status=value)) for value in ItemStatus.values
    }
    return batch_list_for_user(user=user).annotate(**counts).order_by("-proposed_at", "-pk")


def batch_item_get(*, batch: DisposalBatch, public_id: Any) -> DisposalItem:
    item = batch.items.select_related("batch", "person").filter(public_id=public_id).first()
    if item is None:
        raise Http404("No such record in this batch.")
    return item


def batch_get_with_counts_for_user(*, user: User, public_id: Any) -> DisposalBatch:
    batch = batch_list_with_counts_for_user(user=user).filter(public_id=public_id).first()
    if batch is None:
        raise Http404("No such disposal batch.")
    return batch


# --- Pages


@dataclass
class DryRunRow:
    """One class at one council in the dry run: counts and reasons, never a record."""

    record_class: RecordClass
    organisation: Any
    rule: RetentionRule
    included: int
    held: int
    unknown: int
    reasons: list[tuple[str, int]]  # why records are left out, most common first


def dry_run_for_user(*, user: User, on: date | None = None) -> list[DryRunRow]:
    """What the nightly proposal would put forward now for the councils the user approves
    for, per class and council."""
    from collections import Counter

    org_ids = policies.approver_org_ids(user)
    if not org_ids:
        return []
    found = disposal_due(on=on, organisation_ids=org_ids)
    councils = councils_by_id(organisation_ids={due.organisation_id for due in found})
    rows = []
    for due in found:
        statuses = Counter(item.status for item in due.items)
        reasons = Counter(item.reason for item in due.items if item.reason)
        rows.append(
            DryRunRow(
                record_class=due.rule.record_class,
                organisation=councils.get(due.organisation_id),
                rule=due.rule,
                included=statuses[ItemStatus.INCLUDED],
                held=statuses[ItemStatus.HELD],
                unknown=statuses[ItemStatus.UNKNOWN],
                reasons=sorted(reasons.items(), key=lambda pair: (-pair[1], pair[0])),
            )
        )
    rows.sort(
        key=lambda row: (row.record_class.name, row.organisation.name if row.organisation else "")
    )
    return rows


def forecast_for_user(*, user: User, on: date | None = None, months: int = 24) -> Forecast:
    return forecast(on=on, months=months, organisation_ids=policies.approver_org_ids(user))


def batch_items_for_review(*, batch: DisposalBatch, status: str = "") -> QuerySet[DisposalItem]:
    """A batch's records with what the review page shows of each: the case (for its
    category) and the person (named only while the record is still to be decided on)."""
    items = batch.items.select_related("person", "case", "decided_by").order_by(
        "due_on", "record_reference", "pk"
    )
    return items.filter(status=status) if status else items


def batch_item_counts(*, batch: DisposalBatch) -> dict[str, int]:
    """How many of the batch's records are in each status, every status named."""
    from django.db.models import Count

    counts = dict(
        batch.items.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {status: int(counts.get(status, 0)) for status in ItemStatus.values}


def batch_disposed_items(*, batch: DisposalBatch) -> Iterator[tuple[str, date | None, Any]]:
    """The certificate's rows, (reference, trigger date, when disposed of), read in chunks
    so a batch of any size is never held in memory at once."""
    rows = (
        batch.items.filter(status=ItemStatus.DISPOSED)
        .order_by("record_reference", "pk")
        .values_list("record_reference", "trigger_date", "disposed_at")
    )
    return rows.iterator(chunk_size=2000)


def register_search_for_user(
    *, user: User, record_class: str = "", batch_reference: str = ""
) -> QuerySet[DisposalItem]:
    """The disposal register, narrowed to one record class (by code) and to batches whose
    reference contains what was typed."""
    register = register_list_for_user(user=user)
    if record_class:
        register = register.filter(batch__record_class__code=record_class)
    if batch_reference:
        register = register.filter(batch__reference__icontains=batch_reference.strip())
    return register
