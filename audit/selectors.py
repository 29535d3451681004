"""The Caldicott guardian's reads of the audit trail: event search, who has accessed a person's
record, what a member of staff has looked at, the alert queue, reads per day and the seals.

**Scope.** A guardian sees events about people controlled by the councils their guardian teams
serve, and events by staff of those councils (anyone who is or was a member of a team working
for them). Events by those staff about another council's people are listed without naming the
people or showing the event's personal part. Anyone who is not a guardian gets ``Http404`` from
every function here, the same answer as for something that does not exist; the rules alone are
open to the system administrator as well.

**Bounded at scale.** The trail grows by hundreds of thousands of rows a day. Event lists page
by keyset on (occurred_at, id), newest first, and never count or skip rows; a person's events
are reached through ``AuditEventSubject`` by its (person_id, occurred_at) index, a user's
through (actor, occurred_at), everything else through (occurred_at).
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, Organisation, Team, User
from accounts.roles import Role
from audit import canonical, policies
from audit.models import (
    Action,
    AlertRule,
    AlertRuleCode,
    AuditEvent,
    AuditEventSubject,
    AuditSeal,
    PrivacyAlert,
    PrivacyAlertEvent,
    Purpose,
)
from core.errors import ApplicationError
from records.models import Person

_T = TypeVar("_T")

NOT_FOUND = "Page not found"
PAGE_SIZE = 50
# The guardian's report pages show fewer rows at a time than the API: each is a page to read.
REPORT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
EXPORT_LIMIT = 10_000
ALERT_EVENT_LIMIT = 200
UNSEALED_COUNT_LIMIT = 100_000
CHART_DAYS = 30
# Days that ended at least this long ago are complete (the last commit of the day is in).
SETTLED_AFTER = timedelta(minutes=10)
_DAY_CACHE_SECONDS = 40 * 24 * 3600


# --- Scope --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditScope:
    """The councils whose trail the guardian reviews."""

    user_id: int
    organisation_ids: frozenset[int]

    def person_ids(self) -> QuerySet[Person, Any]:
        return Person.objects.filter(organisation_id__in=self.organisation_ids).values("pk")

    def teams(self) -> QuerySet[Team]:
        return Team.objects.filter(
            Q(organisation_id__in=self.organisation_ids) | Q(acts_for__in=self.organisation_ids)
        ).distinct()

    def staff_ids(self) -> QuerySet[Membership, Any]:
        """Everyone who is or was a member of a team working for these councils: a leaver's
        accesses stay in the guardian's view."""
        return Membership.objects.filter(
            Q(team__organisation_id__in=self.organisation_ids)
            | Q(team__acts_for__in=self.organisation_ids)
        ).values("user_id")

    def cache_key(self) -> str:
        return ",".join(str(i) for i in sorted(self.organisation_ids))


def _not_found() -> Http404:
    return Http404(NOT_FOUND)


def audit_scope_for_user(*, user: User) -> AuditScope:
    """The guardian's scope, or ``Http404`` for anyone else."""
    if not policies.can_review_audit(user):
        raise _not_found()
    cached = getattr(user, "_carefile_audit_scope", None)
    if isinstance(cached, AuditScope):
        return cached
    team_ids = (
        Membership.objects.current()
        .filter(user=user, role=Role.CALDICOTT_GUARDIAN)
        .values("team_id")
    )
    organisation_ids = frozenset(
        Organisation.objects.filter(
            Q(kind=Organisation.Kind.COUNCIL, teams__in=team_ids) | Q(served_by_teams__in=team_ids)
        ).values_list("id", flat=True)
    )
    scope = AuditScope(user_id=user.pk, organisation_ids=organisation_ids)
    user._carefile_audit_scope = scope  # type: ignore[attr-defined]
    return scope


def _event_visible_q(scope: AuditScope) -> Q:
    """By the councils' staff, or about their people. The second test runs only for the few
    events by anyone else, one index probe each: the redundant inequality on ``occurred_at``
    (a subject row's time is its event's) stops PostgreSQL from hashing every subject row of
    every person of the councils instead."""
    about_our_people = Exists(
        AuditEventSubject.objects.filter(
            event_id=OuterRef("pk"),
            occurred_at__lte=OuterRef("occurred_at"),
            person_id__in=scope.person_ids(),
        )
    )
    return Q(actor_id__in=scope.staff_ids()) | Q(about_our_people)


def _uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# --- People and staff the guardian may look up --------------------------------------------------


def audit_person_get_for_user(*, user: User, person_id: Any) -> Person:
    """A person controlled by one of the guardian's councils, restricted or not."""
    scope = audit_scope_for_user(user=user)
    public_id = _uuid(person_id)
    person = (
        Person.objects.filter(organisation_id__in=scope.organisation_ids, public_id=public_id)
        .select_related("organisation")
        .first()
        if public_id
        else None
    )
    if person is None:
        raise _not_found()
    return person


def audit_person_find_for_user(
    *,
    user: User,
    nhs_number: str = "",
    first_name: str = "",
    last_name: str = "",
    date_of_birth: date | None = None,
    limit: int = 20,
) -> list[Person]:
    """People of the guardian's councils matching an NHS number, or a name and date of birth
    exactly (case aside). A lookup of a known person, not a search."""
    scope = audit_scope_for_user(user=user)
    people = Person.objects.filter(organisation_id__in=scope.organisation_ids)
    if nhs_number:
        from records.identifiers import normalise_nhs_number

        try:
            people = people.filter(nhs_number=normalise_nhs_number(nhs_number))
        except ValidationError as exc:
            raise ApplicationError(
                exc.messages[0], field_errors={"nhs_number": list(exc.messages)}
            ) from None
    elif first_name and last_name and date_of_birth:
        people = people.filter(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
    else:
        return []
    return list(people.select_related("organisation").order_by("last_name", "first_name")[:limit])


def _staff_q(scope: AuditScope) -> Q:
    return Q(pk__in=scope.staff_ids())


def audit_staff_get_for_user(*, user: User, staff_id: Any) -> User:
    """A member of staff of the guardian's councils, by public id."""
    scope = audit_scope_for_user(user=user)
    public_id = _uuid(staff_id)
    staff = User.objects.filter(_staff_q(scope), public_id=public_id).first() if public_id else None
    if staff is None:
        raise _not_found()
    return staff


def _staff_lookup(scope: AuditScope, text: str) -> User | None:
    text = text.strip()
    if not text:
        return None
    public_id = _uuid(text)
    lookup = Q(public_id=public_id) if public_id else Q(username__iexact=text)
    return User.objects.filter(_staff_q(scope)).filter(lookup).first()


def audit_team_list_for_user(*, user: User) -> QuerySet[Team]:
    """Teams working for the guardian's councils, for the event search's team filter."""
    scope = audit_scope_for_user(user=user)
    return scope.teams().select_related("organisation").order_by("organisation__name", "name")


# --- Filters and cursors ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilters:
    subject: Person | None = None
    actor: User | None = None
    team: Team | None = None
    action: str = ""
    purpose: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> dict[str, str]:
        """The filters in words and public ids, for the record of an export."""
        described = {
            "subject": str(self.subject.public_id) if self.subject else "",
            "actor": self.actor.username if self.actor else "",
            "team": str(self.team.public_id) if self.team else "",
            "action": self.action,
            "purpose": self.purpose,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {name: value for name, value in described.items() if value}


def event_filters_for_user(
    *,
    user: User,
    subject: Any = None,
    actor: str = "",
    team: Any = None,
    action: str = "",
    purpose: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> EventFilters:
    """Turn the guardian's filter values into people, staff and a team they may review.

    Field errors (``ApplicationError``) name each value that does not resolve: a person or
    member of staff outside the guardian's councils reads as unknown."""
    scope = audit_scope_for_user(user=user)
    errors: dict[str, list[str]] = {}
    person = None
    if subject not in (None, ""):
        public_id = _uuid(subject)
        person = (
            Person.objects.filter(
                organisation_id__in=scope.organisation_ids, public_id=public_id
            ).first()
            if public_id
            else None
        )
        if person is None:
            errors["subject"] = [
                "There is no person with this record id in your councils' records."
            ]
    staff = None
    if actor and actor.strip():
        staff = _staff_lookup(scope, actor)
        if staff is None:
            errors["actor"] = ["There is no member of staff with this username or id."]
    chosen_team = None
    if team not in (None, ""):
        team_id = _uuid(team)
        chosen_team = scope.teams().filter(public_id=team_id).first() if team_id else None
        if chosen_team is None:
            errors["team"] = ["Choose a team that works for your councils."]
    if action and action not in Action.values:
        errors["action"] = ["Choose an action from the list."]
    if purpose and purpose not in Purpose.values:
        errors["purpose"] = ["Choose a purpose from the list."]
    if date_from and date_to and date_from > date_to:
        errors["to"] = ["The end date must be the same as or after the start date."]
    if errors:
        raise ApplicationError("Check the search filters.", field_errors=errors)
    return EventFilters(
        subject=person,
        actor=staff,
        team=chosen_team,
        action=action,
        purpose=purpose,
        date_from=date_from,
        date_to=date_to,
    )


_CURSOR = re.compile(r"^(\d{1,20})\.(\d{1,20})$")


def cursor_for(event: AuditEvent) -> str:
    """Where the page after this event starts: its time (microseconds) and id."""
    return f"{canonical.micros(event.occurred_at)}.{event.pk}"


def _cursor_parse(cursor: str) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    match = _CURSOR.match(cursor)
    if match:
        with contextlib.suppress(OverflowError):  # a time past the end of the calendar
            return canonical.EPOCH + canonical.MICROSECOND * int(match[1]), int(match[2])
    raise ApplicationError(
        "This page link is not valid.",
        field_errors={"cursor": ["This page link is not valid. Start from the newest events."]},
    )


def _day_start(day: date) -> datetime:
    """Midnight at the start of this day in the service's time zone (Europe/London)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def _time_q(filters: EventFilters, field_name: str = "occurred_at") -> Q:
    q = Q()
    if filters.date_from:
        q &= Q(**{f"{field_name}__gte": _day_start(filters.date_from)})
    if filters.date_to and filters.date_to < date.max:
        q &= Q(**{f"{field_name}__lt": _day_start(filters.date_to + timedelta(days=1))})
    return q


def _event_q(filters: EventFilters) -> Q:
    """Conditions on the event itself (not its subjects or time)."""
    q = Q()
    if filters.actor:
        q &= Q(actor_id=filters.actor.pk)
    if filters.team:
        q &= Q(actor_id__in=Membership.objects.filter(team=filters.team).values("user_id"))
    if filters.action:
        q &= Q(action=filters.action)
    if filters.purpose:
        q &= Q(purpose=filters.purpose)
    return q


def _event_ids(
    scope: AuditScope,
    filters: EventFilters,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[int]:
    """Ids of matching events, newest first, after the cursor, at most ``limit``."""
    if filters.subject is not None:
        # Walk the subject index newest first; each row costs one primary-key probe when the
        # filters also look at the event.
        rows = AuditEventSubject.objects.filter(person_id=filters.subject.pk).filter(
            _time_q(filters)
        )
        conditions = _event_q(filters)
        if conditions:
            rows = rows.filter(
                Exists(AuditEvent.objects.filter(conditions, pk=OuterRef("event_id")))
            )
        if after:
            at, event_id = after
            rows = rows.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, event_id__lt=event_id))
        return list(
            rows.order_by("-occurred_at", "-event_id").values_list("event_id", flat=True)[:limit]
        )
    events = AuditEvent.objects.filter(_time_q(filters)).filter(_event_q(filters))
    if filters.actor is None and filters.team is None:
        # An actor or team filter has already been resolved within the scope.
        events = events.filter(_event_visible_q(scope))
    if after:
        at, event_id = after
        events = events.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=event_id))
    return list(events.order_by("-occurred_at", "-id").values_list("id", flat=True)[:limit])


# --- Rows as the guardian sees them -------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    """An event, with its people named where they are the guardian's councils' people."""

    event: AuditEvent
    actor: User | None
    subjects: list[Person]
    # People named by the event who belong to another council: counted, never named.
    other_subjects: int
    # The actor is staff of the guardian's councils (their activity page opens).
    actor_in_scope: bool = False

    @property
    def scrubbed(self) -> bool:
        return self.event.scrubbed_at is not None

    @property
    def withheld(self) -> bool:
        return self.other_subjects > 0 and not self.scrubbed

    @cached_property
    def personal(self) -> dict[str, Any]:
        """The personal part (field changes, reasons, search terms), unless erased or about
        another council's people. Parsed once per row."""
        if self.scrubbed or self.withheld:
            return {}
        return self.event.personal

    @property
    def details(self) -> list[tuple[str, str]]:
        """The personal part other than field changes, as (label, text)."""
        labels = {"reason": "Reason", "query": "Searched for"}
        found = []
        for key, value in sorted(self.personal.items()):
            if key == "changes":
                continue
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            found.append((labels.get(key, key.replace("_", " ").capitalize()), text))
        return found

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        changes = self.personal.get("changes") or {}
        if not isinstance(changes, dict):
            return []
        return [
            (name, *(pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)))
            for name, pair in sorted(changes.items())
        ]


def _people_in_scope(scope: AuditScope, ids: Iterable[int]) -> dict[int, Person]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {
        person.pk: person
        for person in Person.objects.filter(
            pk__in=wanted, organisation_id__in=scope.organisation_ids
        )
    }


def _rows(scope: AuditScope, events: list[AuditEvent]) -> list[EventRow]:
    people = _people_in_scope(scope, (pid for e in events for pid in e.subject_id_list))
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actors = User.objects.in_bulk(actor_ids) if actor_ids else {}
    ours = (
        set(User.objects.filter(_staff_q(scope), pk__in=actor_ids).values_list("pk", flat=True))
        if actor_ids
        else set()
    )
    rows = []
    for event in events:
        ids = event.subject_id_list
        shown = [people[pid] for pid in ids if pid in people]
        rows.append(
            EventRow(
                event=event,
                actor=actors.get(event.actor_id) if event.actor_id else None,
                subjects=shown,
                other_subjects=len(ids) - len(shown),
                actor_in_scope=event.actor_id in ours,
            )
        )
    return rows


def _events_in_order(ids: list[int]) -> list[AuditEvent]:
    found = AuditEvent.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def people_shown(rows: Iterable[EventRow]) -> list[Person]:
    """Every person the rows name: what an audit page tells the trail it has shown."""
    seen: dict[int, Person] = {}
    for row in rows:
        for person in row.subjects:
            seen[person.pk] = person
    return list(seen.values())


@dataclass(frozen=True)
class EventPage:
    rows: list[EventRow]
    cursor: str  # where this page started ("" for the newest)
    next_cursor: str  # where the next (older) page starts ("" when this is the last)

    @property
    def people(self) -> list[Person]:
        return people_shown(self.rows)


def event_search_for_user(
    *,
    user: User,
    filters: EventFilters,
    cursor: str = "",
    per_page: int = PAGE_SIZE,
) -> EventPage:
    """Events matching the filters, newest first, one page from the cursor."""
    scope = audit_scope_for_user(user=user)
    per_page = max(1, min(per_page, MAX_PAGE_SIZE))
    ids = _event_ids(scope, filters, _cursor_parse(cursor), per_page + 1)
    events = _events_in_order(ids[:per_page])
    next_cursor = cursor_for(events[-1]) if len(ids) > per_page and events else ""
    return EventPage(rows=_rows(scope, events), cursor=cursor, next_cursor=next_cursor)


def event_export_for_user(*, user: User, filters: EventFilters) -> list[EventRow]:
    """The newest ``EXPORT_LIMIT`` events matching the filters, for a CSV file."""
    scope = audit_scope_for_user(user=user)
    rows: list[EventRow] = []
    ids = _event_ids(scope, filters, None, EXPORT_LIMIT)
    for start in range(0, len(ids), 1000):
        rows.extend(_rows(scope, _events_in_order(ids[start : start + 1000])))
    return rows


def _same_page(current: Page[Any], rows: list[_T]) -> Page[_T]:
    """The same page of the same paginator, holding what the rows became."""
    paginator: Any = current.paginator
    return Page(rows, current.number, paginator)


# --- Who has accessed this person's record ------------------------------------------------------


@dataclass
class AccessSummary:
    """One member of staff's accesses to a person's record."""

    actor: User | None
    actor_username: str
    count: int
    first: datetime
    last: datetime
    purposes: list[str] = field(default_factory=list)
    actor_in_scope: bool = False

    @property
    def purpose_labels(self) -> list[str]:
        return [Purpose(p).label if p in Purpose.values else p for p in self.purposes]


def person_access_summary_for_user(*, user: User, person: Person) -> list[AccessSummary]:
    """Per member of staff: how many events about this person, the first and the last, and
    for what purposes. Most recent accessor first."""
    scope = audit_scope_for_user(user=user)
    if person.organisation_id not in scope.organisation_ids:
        raise _not_found()
    # The subject index carries actor and purpose: one index-only scan, however many events.
    grouped = (
        AuditEventSubject.objects.filter(person_id=person.pk)
        .values("actor_id", "purpose")
        .annotate(n=Count("event_id"), first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by()
    )
    merged: dict[int | None, AccessSummary] = {}
    for row in grouped:
        key = row["actor_id"]
        entry = merged.get(key)
        if entry is None:
            merged[key] = AccessSummary(
                actor=None,
                actor_username="",
                count=row["n"],
                first=row["first"],
                last=row["last"],
                purposes=[row["purpose"]],
            )
            continue
        entry.count += row["n"]
        entry.first = min(entry.first, row["first"])
        entry.last = max(entry.last, row["last"])
        entry.purposes.append(row["purpose"])
    actor_ids = {k for k in merged if k}
    actors = User.objects.in_bulk(actor_ids)
    ours = set(User.objects.filter(_staff_q(scope), pk__in=actor_ids).values_list("pk", flat=True))
    summaries = []
    for actor_id, entry in merged.items():
        entry.actor = actors.get(actor_id) if actor_id else None
        entry.actor_in_scope = actor_id in ours
        entry.purposes = sorted(set(entry.purposes))
        summaries.append(entry)
    return sorted(summaries, key=lambda s: s.last, reverse=True)


# --- What has this member of staff looked at ----------------------------------------------------


@dataclass(frozen=True)
class PersonCount:
    person: Person | None  # None: a person of another council, not named here
    count: int
    last: datetime


def user_activity_for_user(
    *,
    user: User,
    staff: User,
    date_from: date,
    date_to: date,
    page: Any = 1,
    per_page: int = PAGE_SIZE,
) -> Page[PersonCount]:
    """The people whose records this member of staff touched in the date range, most often
    first, with how many events and the last one."""
    scope = audit_scope_for_user(user=user)
    filters = EventFilters(actor=staff, date_from=date_from, date_to=date_to)
    event_ids = AuditEvent.objects.filter(actor_id=staff.pk).filter(_time_q(filters)).values("id")
    grouped = (
        AuditEventSubject.objects.filter(event_id__in=event_ids)
        .filter(_time_q(filters))
        .values("person_id")
        .annotate(n=Count("id"), last=Max("occurred_at"))
        .order_by("-n", "-last", "person_id")
    )
    current = Paginator(grouped, per_page).get_page(page)
    people = _people_in_scope(scope, (row["person_id"] for row in current.object_list))
    counts = [
        PersonCount(person=people.get(row["person_id"]), count=row["n"], last=row["last"])
        for row in current.object_list
    ]
    return _same_page(current, counts)


# --- Privacy alerts -----------------------------------------------------------------------------


class AlertStatus:
    OPEN = "open"
    REVIEWED = "reviewed"
    CHOICES = ((OPEN, "Open"), (REVIEWED, "Reviewed"))


def _alert_visible_q(scope: AuditScope) -> Q:
    return Q(user_id__in=scope.staff_ids()) | Q(person_id__in=scope.person_ids())


def alert_list_for_user(*, user: User, status: str = "", rule: str = "") -> QuerySet[PrivacyAlert]:
    """Alerts about the guardian's councils' people or staff, newest first."""
    scope = audit_scope_for_user(user=user)
    alerts = PrivacyAlert.objects.filter(_alert_visible_q(scope)).select_related(
        "user", "reviewed_by"
    )
    if status == AlertStatus.OPEN:
        alerts = alerts.filter(reviewed_at__isnull=True)
    elif status == AlertStatus.REVIEWED:
        alerts = alerts.filter(reviewed_at__isnull=False)
    if rule:
        alerts = alerts.filter(rule=rule)
    return alerts.order_by("-raised_at", "-id")


@dataclass(frozen=True)
class RuleCount:
    code: str
    label: str
    open: int


def alert_queue_counts_for_user(*, user: User) -> list[RuleCount]:
    """Open alerts per rule, every rule listed."""
    counts = dict(
        alert_list_for_user(user=user, status=AlertStatus.OPEN)
        .order_by()
        .values("rule")
        .annotate(n=Count("id"))
        .values_list("rule", "n")
    )
    return [
        RuleCount(code=code, label=label, open=counts.get(code, 0))
        for code, label in AlertRuleCode.choices
    ]


def alert_get_for_user(*, user: User, alert_id: Any) -> PrivacyAlert:
    public_id = _uuid(alert_id)
    alert = (
        alert_list_for_user(user=user).filter(public_id=public_id).first() if public_id else None
    )
    if alert is None:
        raise _not_found()
    return alert


@dataclass(frozen=True)
class AlertRow:
    alert: PrivacyAlert
    person: Person | None  # None: no person, or a person of another council

    @property
    def other_person(self) -> bool:
        return self.alert.person_id is not None and self.person is None


def alert_rows_for_user(*, user: User, alerts: Iterable[PrivacyAlert]) -> list[AlertRow]:
    scope = audit_scope_for_user(user=user)
    alerts = list(alerts)
    people = _people_in_scope(scope, (a.person_id for a in alerts if a.person_id))
    return [AlertRow(alert=a, person=people.get(a.person_id or 0)) for a in alerts]


def alert_page_for_user(
    *, user: User, status: str = "", rule: str = "", page: Any = 1, per_page: int = PAGE_SIZE
) -> Page[AlertRow]:
    """One page of the alert queue, with each alert's person where the guardian may see them."""
    alerts = alert_list_for_user(user=user, status=status, rule=rule)
    current = Paginator(alerts, per_page).get_page(page)
    return _same_page(current, alert_rows_for_user(user=user, alerts=current.object_list))


@dataclass(frozen=True)
class AlertEvents:
    rows: list[EventRow]
    total: int

    @property
    def people(self) -> list[Person]:
        return people_shown(self.rows)


def alert_events_for_user(*, user: User, alert: PrivacyAlert) -> AlertEvents:
    """The events the alert links, newest first (at most ``ALERT_EVENT_LIMIT``)."""
    scope = audit_scope_for_user(user=user)
    links = PrivacyAlertEvent.objects.filter(alert=alert)
    ids = list(
        AuditEvent.objects.filter(pk__in=links.values("event_id"))
        .order_by("-occurred_at", "-id")
        .values_list("id", flat=True)[:ALERT_EVENT_LIMIT]
    )
    total = len(ids) if len(ids) < ALERT_EVENT_LIMIT else links.count()
    return AlertEvents(rows=_rows(scope, _events_in_order(ids)), total=total)


# --- Reads per day ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


def _count_reads(scope: AuditScope, start: datetime, end: datetime) -> dict[date, int]:
    tz = timezone.get_default_timezone()
    rows = (
        AuditEvent.objects.filter(action=Action.READ, occurred_at__gte=start, occurred_at__lt=end)
        .filter(_event_visible_q(scope))
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .order_by()
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return dict(rows)


def reads_per_day_for_user(
    *, user: User, days: int = CHART_DAYS, now: datetime | None = None
) -> list[DayCount]:
    """Read events per day for the last ``days`` days, today last.

    A finished day never changes (the trail is append-only), so its count is cached; only the
    days not yet cached and today are counted, in one query each."""
    scope = audit_scope_for_user(user=user)
    now = now or timezone.now()
    today = timezone.localdate(now)
    wanted = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]

    def key(day: date) -> str:
        return f"audit:reads-per-day:{scope.cache_key()}:{day.isoformat()}"

    settled = [d for d in wanted if _day_start(d + timedelta(days=1)) + SETTLED_AFTER <= now]
    counts: dict[date, int] = {}
    cached = cache.get_many([key(d) for d in settled])
    missing = [d for d in settled if key(d) not in cached]
    for day in settled:
        if key(day) in cached:
            counts[day] = int(cached[key(day)])
    if missing:
        start, end = _day_start(missing[0]), _day_start(missing[-1] + timedelta(days=1))
        found = _count_reads(scope, start, end)
        fresh = {day: found.get(day, 0) for day in missing}
        counts.update(fresh)
        cache.set_many({key(d): n for d, n in fresh.items()}, timeout=_DAY_CACHE_SECONDS)
    unsettled = [d for d in wanted if d not in counts]
    if unsettled:
        found = _count_reads(
            scope, _day_start(unsettled[0]), _day_start(unsettled[-1] + timedelta(days=1))
        )
        counts.update({day: found.get(day, 0) for day in unsettled})
    return [DayCount(day=d, count=counts.get(d, 0)) for d in wanted]


# --- Seals --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealStatus:
    last_seal: AuditSeal | None
    unsealed: int
    unsealed_at_least: bool  # the count stopped at UNSEALED_COUNT_LIMIT


def seal_status_for_user(*, user: User) -> SealStatus:
    """The last seal and how many events wait for the next one."""
    audit_scope_for_user(user=user)
    last = AuditSeal.objects.order_by("-id").first()
    after = last.last_event_id if last else 0
    unsealed = AuditEvent.objects.filter(id__gt=after).order_by()[:UNSEALED_COUNT_LIMIT].count()
    return SealStatus(
        last_seal=last, unsealed=unsealed, unsealed_at_least=unsealed >= UNSEALED_COUNT_LIMIT
    )


# --- Rules --------------------------------------------------------------------------------------


def _configurer(user: User) -> None:
    if not policies.can_configure_audit(user):
        raise _not_found()


def alert_rule_list_for_user(*, user: User) -> list[AlertRule]:
    """Privacy rules, for the guardian or the system administrator."""
    _configurer(user)
    return list(AlertRule.objects.select_related("updated_by").order_by("code"))


def alert_rule_get_for_user(*, user: User, code: str) -> AlertRule:
    _configurer(user)
    rule = AlertRule.objects.select_related("updated_by").filter(code=code).first()
    if rule is None:
        raise _not_found()
    return rule
