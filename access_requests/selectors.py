"""Reads for rights requests and complaints: only the records-access team of the controller
sees them; anyone else gets the same 404 as for a request that does not exist."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access_requests import clock, policies
from access_requests.models import (
    OPEN_STATES,
    AccessRequest,
    AdditionalBankHoliday,
    CollectedItem,
    Complaint,
    Decision,
    DisclosureBundle,
    Outcome,
    Redaction,
    RequestSubject,
    State,
)
from records.identifiers import compact, identifier_kind
from records.models import Case, HistoricRecord, Person, PersonName, search_text
from records.selectors import _fuzzy_score, _trigram_rows

if TYPE_CHECKING:
    from accounts.models import Organisation, User

NOT_FOUND = "There is no such request, or you do not have access to it."


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError) as error:
        raise Http404(NOT_FOUND) from error


def request_list_for_user(
    *,
    user: User,
    state: str = "",
    assigned: str = "",
    query: str = "",
    include_closed: bool = False,
) -> QuerySet[AccessRequest]:
    """Requests the user works, soonest due first. ``assigned``: "me", "none" or ""."""
    qs = AccessRequest.objects.filter(
        organisation_id__in=policies.officer_org_ids(user)
    ).select_related("assigned_to", "organisation")
    if state:
        qs = qs.filter(state=state)
    elif not include_closed:
        qs = qs.filter(state__in=OPEN_STATES)
    if assigned == "me":
        qs = qs.filter(assigned_to=user)
    elif assigned == "none":
        qs = qs.filter(assigned_to__isnull=True)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(reference__iexact=query)
            | Q(subject_name__icontains=query)
            | Q(requester_name__icontains=query)
        )
    return qs.order_by("due_on", "received_on", "pk")


def request_get_for_user(*, user: User, request_id: Any) -> AccessRequest:
    request = (
        AccessRequest.objects.filter(
            public_id=_uuid(request_id), organisation_id__in=policies.officer_org_ids(user)
        )
        .select_related(
            "organisation",
            "assigned_to",
            "approved_by",
            "submitted_for_approval_by",
            "identity_verified_by",
            "authority_verified_by",
            "closed_by",
        )
        .prefetch_related(
            "pauses",
            Prefetch("notes", queryset=_notes()),
            Prefetch(
                "subjects",
                queryset=RequestSubject.objects.select_related("person", "historic_record"),
            ),
            "documents",
        )
        .first()
    )
    if request is None:
        raise Http404(NOT_FOUND)
    return request


def _notes() -> QuerySet[Any]:
    from access_requests.models import RequestNote

    return RequestNote.objects.select_related("author")


def subject_people(request: AccessRequest) -> list[Person]:
    return [link.person for link in request.subjects.all() if link.person is not None]


@dataclass(frozen=True)
class DueStatus:
    due_on: date | None
    days_left: int | None
    urgency: str  # green, amber, red, overdue, waiting, paused, closed
    label: str


def due_status(request: AccessRequest, today: date | None = None) -> DueStatus:
    today = today or timezone.localdate()
    if not request.is_open:
        late = request.due_on and request.sent_on and request.sent_on > request.due_on
        return DueStatus(request.due_on, None, "closed", "Closed late" if late else "Closed")
    if request.due_on is None:
        return DueStatus(None, None, "waiting", "Clock not started")
    days = clock.working_days_left(
        today, request.due_on, nation=request.nation, extra=_extra(request.nation)
    )
    if request.state == State.PAUSED:
        return DueStatus(request.due_on, days, "paused", "Paused")
    level = clock.urgency(days)
    if level == "overdue":
        label = f"Overdue by {-days} day{'s' if days != -1 else ''}"
    elif days == 0:
        label = "Due today"
    else:
        label = f"{days} working day{'s' if days != 1 else ''} left"
    return DueStatus(request.due_on, days, level, label)


_extra_cache: dict[str, tuple[float, list[date]]] = {}


def _extra(nation: str) -> list[date]:
    """Added bank holidays, read at most once a minute per process (lists show many rows)."""
    now = timezone.now().timestamp()
    cached = _extra_cache.get(nation)
    if cached is None or now - cached[0] > 60:
        days = list(
            AdditionalBankHoliday.objects.filter(nation=nation).values_list("day", flat=True)
        )
        _extra_cache[nation] = cached = (now, days)
    return cached[1]


def extra_holidays_clear() -> None:
    _extra_cache.clear()


# --- Identity search -------------------------------------------------------------------------


@dataclass
class IdentityMatch:
    """What the records-access team may see to decide who a request is about: names, dates of
    birth, and where records are held, never their content."""

    person: Person
    score: float
    other_names: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)


def identity_search_for_user(
    *, user: User, query: str = "", date_of_birth: date | None = None, limit: int = 25
) -> tuple[list[IdentityMatch], list[tuple[HistoricRecord, float]]]:
    orgs = policies.officer_org_ids(user)
    if not orgs:
        raise Http404(NOT_FOUND)
    query = (query or "").strip()
    people = Person.objects.filter(organisation_id__in=orgs)
    scores: dict[int, float] = {}
    kind = identifier_kind(query) if query else None
    if kind:
        for pk in people.filter(**{kind: compact(query)}).values_list("pk", flat=True)[:limit]:
            scores[pk] = 1.0
    elif query:
        wanted = search_text(query)
        names = PersonName.objects.filter(person__organisation_id__in=orgs)
        if date_of_birth:
            names = names.filter(person__date_of_birth=date_of_birth)
        if connection.vendor == "postgresql":
            for pk, rank in _trigram_rows(
                names, wanted, whole=0.3, fields=("person_id",), limit=limit * 4
            ):
                scores[pk] = max(scores.get(pk, 0.0), rank)
        else:
            for pk, name in names.values_list("person_id", "search_name"):
                score = _fuzzy_score(wanted, name)
                if score >= 0.6:
                    scores[pk] = max(scores.get(pk, 0.0), score)
    elif date_of_birth:
        for pk in people.filter(date_of_birth=date_of_birth).values_list("pk", flat=True)[:limit]:
            scores[pk] = 1.0
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
    by_id = people.prefetch_related("names").in_bulk([pk for pk, _ in ranked])
    services: dict[int, set[str]] = {}
    for person_id, service in Case.objects.filter(person_id__in=by_id).values_list(
        "person_id", "service"
    ):
        services.setdefault(person_id, set()).add(service)
    from accounts.models import Service

    labels = dict(Service.choices)
    matches = []
    for pk, score in ranked:
        if pk not in by_id:
            continue
        person = by_id[pk]
        others = [
            f"{n.first_name} {n.last_name}".strip()
            for n in person.names.all()
            if n.kind != PersonName.Kind.CURRENT
        ]
        matches.append(
            IdentityMatch(
                person=person,
                score=round(score, 2),
                other_names=others,
                services=sorted(labels.get(s, s) for s in services.get(pk, set())),
            )
        )
    historic: list[tuple[HistoricRecord, float]] = []
    records = HistoricRecord.objects.filter(organisation_id__in=orgs)
    if date_of_birth:
        records = records.filter(date_of_birth=date_of_birth)
    wanted = search_text(query) if query and not kind else ""
    if wanted:
        if connection.vendor == "postgresql":
            ranked_ids = _trigram_rows(records, wanted, whole=0.25, fields=("pk",), limit=limit)
            found = HistoricRecord.objects.in_bulk([pk for pk, _ in ranked_ids])
            historic = [(found[pk], round(rank, 2)) for pk, rank in ranked_ids]
        else:
            scored = [(r, round(_fuzzy_score(wanted, r.search_name), 2)) for r in records]
            historic = sorted([rs for rs in scored if rs[1] >= 0.6], key=lambda rs: -rs[1])
            historic = historic[:limit]
    elif date_of_birth and not kind:
        historic = [(r, 1.0) for r in records.order_by("last_name")[:limit]]
    return matches, historic


def person_for_linking(*, user: User, request: AccessRequest, person_id: Any) -> Person:
    person = Person.objects.filter(
        public_id=_uuid(person_id), organisation_id=request.organisation_id
    ).first()
    if person is None or not policies.can_work_request(user, request):
        raise Http404(NOT_FOUND)
    return person


def historic_for_linking(*, user: User, request: AccessRequest, record_id: Any) -> HistoricRecord:
    record = HistoricRecord.objects.filter(
        public_id=_uuid(record_id), organisation_id=request.organisation_id
    ).first()
    if record is None or not policies.can_work_request(user, request):
        raise Http404(NOT_FOUND)
    return record


def subject_link_get_for_user(
    *, user: User, request: AccessRequest, link_id: Any
) -> RequestSubject:
    link = request.subjects.filter(public_id=_uuid(link_id)).select_related("request").first()
    if link is None or not policies.can_work_request(user, request):
        raise Http404(NOT_FOUND)
    return link


# --- Collection and review -------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewSummary:
    total: int
    by_decision: dict[str, int]
    proposals_open: int

    @property
    def pending(self) -> int:
        return self.by_decision.get(Decision.PENDING, 0)

    @property
    def reviewed(self) -> int:
        return self.total - self.pending


def review_summary(request: AccessRequest) -> ReviewSummary:
    counts = dict(
        request.collected_items.values_list("decision").annotate(n=Count("pk")).order_by()
    )
    proposals = Redaction.objects.filter(
        collected_item__request=request, status=Redaction.Status.PROPOSED
    ).count()
    return ReviewSummary(sum(counts.values()), counts, proposals)


def collected_list_for_user(
    *, user: User, request: AccessRequest, decision: str = "", source: str = ""
) -> QuerySet[CollectedItem]:
    if not policies.can_work_request(user, request):
        raise Http404(NOT_FOUND)
    qs = request.collected_items.select_related("subject").annotate(
        proposals=Count("redactions", filter=Q(redactions__status=Redaction.Status.PROPOSED)),
        redacted=Count("redactions", filter=Q(redactions__status=Redaction.Status.ACCEPTED)),
    )
    if decision:
        qs = qs.filter(decision=decision)
    if source:
        qs = qs.filter(source=source)
    return qs.order_by("occurred_at", "pk")


def collected_get_for_user(*, user: User, request: AccessRequest, item_id: Any) -> CollectedItem:
    item = (
        request.collected_items.filter(public_id=_uuid(item_id))
        .select_related("subject", "reviewed_by", "request")
        .prefetch_related("redactions")
        .first()
    )
    if item is None or not policies.can_work_request(user, request):
        raise Http404(NOT_FOUND)
    return item


def redaction_get_for_user(*, user: User, item: CollectedItem, redaction_id: Any) -> Redaction:
    row = item.redactions.filter(public_id=_uuid(redaction_id)).first()
    if row is None or not policies.can_work_request(user, item.request):
        raise Http404(NOT_FOUND)
    return row


def adjacent_items(item: CollectedItem) -> tuple[CollectedItem | None, CollectedItem | None]:
    """The previous and next items still waiting for review, for "save and next"."""
    pending = item.request.collected_items.filter(decision=Decision.PENDING).exclude(pk=item.pk)
    after = pending.filter(
        Q(occurred_at__gt=item.occurred_at) | Q(occurred_at=item.occurred_at, pk__gt=item.pk)
        if item.occurred_at
        else Q(pk__gt=item.pk)
    ).order_by("occurred_at", "pk")
    before = pending.exclude(pk__in=after.values("pk")).order_by("-occurred_at", "-pk")
    return before.first(), after.first()


def bundle_get_for_user(*, user: User, request: AccessRequest, bundle_id: Any) -> DisclosureBundle:
    bundle = request.bundles.filter(public_id=_uuid(bundle_id)).select_related("request").first()
    if bundle is None or not policies.can_work_request(user, request):
        raise Http404(NOT_FOUND)
    return bundle


def latest_bundle(request: AccessRequest) -> DisclosureBundle | None:
    return request.bundles.order_by("-requested_at").first()


# --- Complaints ------------------------------------------------------------------------------


def complaint_list_for_user(*, user: User, include_closed: bool = False) -> QuerySet[Complaint]:
    qs = Complaint.objects.filter(organisation_id__in=policies.officer_org_ids(user))
    if not include_closed:
        qs = qs.filter(state__in=("received", "acknowledged"))
    return qs.select_related("person", "assigned_to").order_by("acknowledge_by", "pk")


def complaint_get_for_user(*, user: User, complaint_id: Any) -> Complaint:
    complaint = (
        Complaint.objects.filter(
            public_id=_uuid(complaint_id), organisation_id__in=policies.officer_org_ids(user)
        )
        .select_related("person", "access_request", "assigned_to", "organisation")
        .first()
    )
    if complaint is None:
        raise Http404(NOT_FOUND)
    return complaint


# --- Dashboard and performance ---------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    month: date
    closed: int
    in_time: int
    late: int
    extended: int
    paused: int

    @property
    def percent_in_time(self) -> int | None:
        return round(100 * self.in_time / self.closed) if self.closed else None


def dashboard_for_user(*, user: User, today: date | None = None) -> dict[str, Any]:
    """Open requests by state and by how close they are to the deadline."""
    today = today or timezone.localdate()
    open_requests = list(request_list_for_user(user=user))
    by_state = Counter(r.state for r in open_requests)
    by_urgency = Counter(due_status(r, today).urgency for r in open_requests)
    return {
        "open": len(open_requests),
        "by_state": [
            (label, by_state.get(value, 0), value)
            for value, label in State.choices
            if value != State.CLOSED
        ],
        "by_urgency": by_urgency,
        "mine": sum(1 for r in open_requests if r.assigned_to_id == user.pk),
        "unassigned": sum(1 for r in open_requests if r.assigned_to_id is None),
    }


def performance_for_user(
    *, user: User, months: int = 12, today: date | None = None
) -> list[MonthFigures]:
    """For each of the last ``months`` months, requests closed with a reply (not withdrawn):
    in time, late, extended, paused."""
    today = today or timezone.localdate()
    first = clock.add_months(today.replace(day=1), -(months - 1))
    closed = (
        AccessRequest.objects.filter(
            organisation_id__in=policies.officer_org_ids(user),
            state=State.CLOSED,
            closed_on__gte=first,
        )
        .exclude(outcome=Outcome.WITHDRAWN)
        .annotate(pause_count=Count("pauses"))
        .values_list("closed_on", "sent_on", "due_on", "extended", "pause_count")
    )
    buckets: dict[date, list[int]] = {
        clock.add_months(first, n): [0, 0, 0, 0, 0] for n in range(months)
    }
    for closed_on, sent_on, due_on, extended, pauses in closed:
        if closed_on is None:
            continue
        row = buckets[closed_on.replace(day=1)]
        row[0] += 1
        if due_on and sent_on and sent_on <= due_on:
            row[1] += 1
        else:
            row[2] += 1
        row[3] += int(extended)
        row[4] += int(pauses > 0)
    return [MonthFigures(month, *row) for month, row in buckets.items()]


# --- Choices and references ------------------------------------------------------------------


def organisation_for_officer(*, user: User, organisation_id: Any = None) -> Organisation | None:
    """The council an officer logs against: the one named (if they serve it), or the only one
    they serve. None when it cannot be decided."""
    from accounts.models import Organisation

    orgs = policies.officer_org_ids(user)
    if organisation_id is None:
        if len(orgs) != 1:
            return None
        return Organisation.objects.get(pk=next(iter(orgs)))
    try:
        wanted = uuid.UUID(str(organisation_id))
    except ValueError:
        return None
    return Organisation.objects.filter(public_id=wanted, pk__in=orgs).first()


def officer_list(*, organisation_id: int) -> list[User]:
    """Records-access officers working for a council, for assignment."""
    from accounts.models import Membership, User
    from accounts.roles import Role

    members = (
        Membership.objects.current()
        .filter(role=Role.RECORDS_ACCESS_OFFICER)
        .filter(Q(team__organisation_id=organisation_id) | Q(team__acts_for=organisation_id))
        .values("user_id")
    )
    return list(
        User.objects.filter(pk__in=members, is_active=True).order_by("first_name", "last_name")
    )


def officer_for_request(*, request: AccessRequest, officer_id: Any) -> User | None:
    from accounts.models import User

    try:
        wanted = uuid.UUID(str(officer_id))
    except ValueError:
        return None
    officer = User.objects.filter(public_id=wanted).first()
    if officer is None or not policies.can_work_request(officer, request):
        return None
    return officer


def person_of_council(*, organisation_id: int, person_id: Any) -> Person | None:
    try:
        wanted = uuid.UUID(str(person_id))
    except ValueError:
        return None
    return Person.objects.filter(public_id=wanted, organisation_id=organisation_id).first()


def bank_holiday_list() -> QuerySet[AdditionalBankHoliday]:
    return AdditionalBankHoliday.objects.select_related("added_by").order_by("-day")


def _correction_items(request: AccessRequest) -> QuerySet[Any]:
    from records.models import Item

    people = [link.person_id for link in request.subjects.all() if link.person_id]
    return Item.objects.filter(
        case__person_id__in=people, entered_in_error_at__isnull=True
    ).order_by("-occurred_at", "-pk")


def correction_items(*, user: User, request: AccessRequest, limit: int = 500) -> list[Any]:
    """Items in the linked people's own cases, newest first: what a statement of disagreement
    can be attached to."""
    if not policies.can_work_request(user, request):
        raise Http404(NOT_FOUND)
    return list(
        _correction_items(request).only("public_id", "occurred_at", "title", "person_id")[:limit]
    )


def correction_item_get(*, user: User, request: AccessRequest, item_id: Any) -> Any:
    if not policies.can_work_request(user, request):
        raise Http404(NOT_FOUND)
    item = _correction_items(request).filter(public_id=_uuid(item_id)).first()
    if item is None:
        raise Http404(NOT_FOUND)
    return item
