"""Reads of the retention schedule and of what is held from disposal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from retention.models import Hold, HoldScope, RecordClass, RetentionRule


def rules_in_force() -> QuerySet[RetentionRule]:
    return RetentionRule.objects.filter(is_active=True).select_related("record_class")


def rule_in_force(record_class: RecordClass) -> RetentionRule | None:
    return rules_in_force().filter(record_class=record_class).first()


@dataclass(frozen=True)
class HoldsInForce:
    """Everything held from disposal on one day, loaded once for a run and asked per record.
    Disposal asks again inside each transaction, so a hold placed meanwhile still stops it."""

    person_ids: frozenset[int]
    case_ids: frozenset[int]
    class_ids: frozenset[int]
    class_ranges: dict[int, list[tuple[date, date]]] = field(default_factory=dict)
    # People held by a rights request or a data protection complaint (DPA s173).
    request_person_ids: frozenset[int] = frozenset()

    def reason(
        self,
        *,
        person_id: int | None,
        case_id: int | None,
        class_id: int,
        record_from: date | None,
        record_to: date | None,
    ) -> str:
        """Why this record may not be disposed of, or "" if nothing holds it. A date-range
        hold covers a record whose own dates overlap the range."""
        if person_id is not None and person_id in self.request_person_ids:
            return "An open rights request or complaint, or one closed recently, holds it."
        if person_id is not None and person_id in self.person_ids:
            return "A hold on the person's records."
        if case_id is not None and case_id in self.case_ids:
            return "A hold on the case."
        if class_id in self.class_ids:
            return "A hold on the whole record class."
        start = record_from or record_to
        end = record_to or record_from
        if start is not None and end is not None:
            for low, high in self.class_ranges.get(class_id, []):
                if start <= high and end >= low:
                    return f"An inquiry hold on records from {low:%-d %B %Y} to {high:%-d %B %Y}."
        return ""


def holds_in_force(*, on: date | None = None) -> HoldsInForce:
    from access_requests.services import held_person_ids

    on = on or timezone.localdate()
    rows = list(
        Hold.objects.filter(lifted_at__isnull=True).values_list(
            "scope", "person_id", "case_id", "record_class_id", "from_date", "to_date"
        )
    )
    ranges: dict[int, list[tuple[date, date]]] = {}
    for scope, _, _, class_id, low, high in rows:
        if scope == HoldScope.CLASS_AND_DATES and low is not None and high is not None:
            ranges.setdefault(class_id, []).append((low, high))
    return HoldsInForce(
        person_ids=frozenset(p for scope, p, *_ in rows if scope == HoldScope.PERSON),
        case_ids=frozenset(c for scope, _, c, *_ in rows if scope == HoldScope.CASE),
        class_ids=frozenset(k for scope, _, _, k, *_ in rows if scope == HoldScope.RECORD_CLASS),
        class_ranges=ranges,
        request_person_ids=frozenset(held_person_ids(on)),
    )
