"""Privacy monitoring: the rules of DOMAIN.md §2 run over events not yet scanned.

Each rule is switchable and tunable (``AlertRule``). Alerts are keyed by rule, user, person (if
the rule is about one) and day, so running the scan again, or over events it has already
seen, adds events to the existing alert and never raises a second one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from audit.models import (
    Action,
    AlertRule,
    AlertRuleCode,
    AlertScan,
    AuditEvent,
    PrivacyAlert,
    PrivacyAlertEvent,
    Purpose,
)
from audit.services import newest_settled_id
from core.errors import ApplicationError

SCAN_NAME = "privacy"
BATCH = 20000
# Actions that touch a person's data; sign-ins and seals are not access.
ACCESS_ACTIONS = (Action.READ, Action.CREATE, Action.UPDATE, Action.DELETE, Action.EXPORT)

DEFAULT_PARAMETERS: dict[str, dict[str, Any]] = {
    AlertRuleCode.DECEASED: {"days_after_death": 0},
    AlertRuleCode.VOLUME: {"multiplier": 3.0, "minimum_events": 50, "baseline_days": 28},
    AlertRuleCode.OUT_OF_HOURS: {"start_hour": 7, "end_hour": 19, "weekends": True},
}

# name: (type, minimum, maximum, label)
PARAMETER_SPECS: dict[str, dict[str, tuple[type, float, float, str]]] = {
    AlertRuleCode.DECEASED: {
        "days_after_death": (int, 0, 3650, "Days after death before access is flagged"),
    },
    AlertRuleCode.VOLUME: {
        "multiplier": (float, 1.0, 100.0, "Times the user's usual daily reads"),
        "minimum_events": (int, 1, 100000, "Never flag a day with fewer reads than"),
        "baseline_days": (int, 7, 365, "Days the usual level is measured over"),
    },
    AlertRuleCode.OUT_OF_HOURS: {
        "start_hour": (int, 0, 23, "Working day starts at (hour)"),
        "end_hour": (int, 1, 24, "Working day ends at (hour)"),
        "weekends": (bool, 0, 1, "Flag access at weekends"),
    },
}


def clean_parameters(code: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Check a rule's settings; field errors name each wrong one."""
    specs = PARAMETER_SPECS.get(code, {})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, (kind, low, high, label) in specs.items():
        raw = parameters.get(name, DEFAULT_PARAMETERS[code][name])
        try:
            if kind is bool:
                value: Any = (
                    raw if isinstance(raw, bool) else str(raw).lower() in {"1", "true", "on"}
                )
            else:
                value = kind(raw)
                if not low <= value <= high:
                    raise ValueError
        except (TypeError, ValueError):
            errors[name] = [f"{label}: enter a number from {low:g} to {high:g}."]
            continue
        cleaned[name] = value
    unknown = set(parameters) - set(specs)
    for name in unknown:
        errors[name] = ["This rule has no such setting."]
    if (
        code == AlertRuleCode.OUT_OF_HOURS
        and not errors
        and cleaned["end_hour"] <= cleaned["start_hour"]
    ):
        errors["end_hour"] = ["The working day must end after it starts."]
    if errors:
        raise ApplicationError("Check the rule's settings.", field_errors=errors)
    return cleaned


@dataclass
class _Found:
    rule: str
    user_id: int
    person_id: int | None
    day: date
    detail: str
    event_ids: set[int] = field(default_factory=set)


def _norm(text: str) -> str:
    return "".join(text.split()).casefold()


def alerts_detect(*, now: datetime | None = None) -> int:
    """Scan settled events since the last scan; returns how many new alerts were raised."""
    now = now or timezone.now()
    raised = 0
    while True:
        with transaction.atomic():
            AlertScan.objects.get_or_create(name=SCAN_NAME)
            scan = AlertScan.objects.select_for_update().get(name=SCAN_NAME)
            bound = newest_settled_id(after=scan.last_event_id, now=now)
            if bound is None or bound <= scan.last_event_id:
                return raised
            upper = min(bound, scan.last_event_id + BATCH)
            raised += _scan_range(scan.last_event_id, upper)
            scan.last_event_id = upper
            scan.scanned_at = timezone.now()
            scan.save(update_fields=["last_event_id", "scanned_at"])


def _scan_range(after: int, upper: int) -> int:
    rules = {r.code: r for r in AlertRule.objects.filter(enabled=True)}
    if not rules:
        return 0
    events: list[dict[str, Any]] = [
        dict(row)
        for row in AuditEvent.objects.filter(
            id__gt=after, id__lte=upper, actor__isnull=False, action__in=ACCESS_ACTIONS
        )
        .order_by("id")
        .values("id", "occurred_at", "actor_id", "purpose", "subject_ids")
    ]
    if not events:
        return 0
    context = _Context.load(events)
    found: dict[str, _Found] = {}

    def hit(
        rule: str, event: dict[str, Any], person_id: int | None, detail: str, day: date
    ) -> None:
        key = f"{rule}:{event['actor_id']}:{person_id or '-'}:{day.isoformat()}"
        entry = found.get(key)
        if entry is None:
            entry = found[key] = _Found(rule, event["actor_id"], person_id, day, detail)
        entry.event_ids.add(event["id"])

    for event in events:
        local = timezone.localtime(event["occurred_at"])
        day = local.date()
        user = context.users.get(event["actor_id"])
        if user is None:
            continue
        subjects = [int(s) for s in event["subject_ids"].split(",") if s]
        if AlertRuleCode.DISABLED_ACCOUNT in rules and (
            not user.is_active or (user.left_on is not None and user.left_on < day)
        ):
            hit(AlertRuleCode.DISABLED_ACCOUNT, event, None, "Account disabled or left", day)
        if AlertRuleCode.OUT_OF_HOURS in rules and _out_of_hours(
            local, rules[AlertRuleCode.OUT_OF_HOURS].parameters
        ):
            hit(AlertRuleCode.OUT_OF_HOURS, event, None, f"Access at {local:%H:%M %a}", day)
        for person_id in subjects:
            person = context.people.get(person_id)
            if person is None:
                continue
            for rule, detail in context.person_rules(rules, event, user, person_id, day):
                hit(rule, event, person_id, detail, day)
    if AlertRuleCode.VOLUME in rules:
        for key_user, day, count, baseline, ids in context.volume(
            events, rules[AlertRuleCode.VOLUME].parameters
        ):
            entry = found.setdefault(
                f"{AlertRuleCode.VOLUME}:{key_user}:-:{day.isoformat()}",
                _Found(
                    AlertRuleCode.VOLUME,
                    key_user,
                    None,
                    day,
                    f"{count} reads against a usual {baseline:.0f} a day",
                ),
            )
            entry.event_ids.update(ids)
    return _save(found)


def _save(found: dict[str, _Found]) -> int:
    if not found:
        return 0
    existing = set(
        PrivacyAlert.objects.filter(dedupe_key__in=found.keys()).values_list(
            "dedupe_key", flat=True
        )
    )
    PrivacyAlert.objects.bulk_create(
        [
            PrivacyAlert(
                rule=f.rule,
                dedupe_key=key,
                user_id=f.user_id,
                person_id=f.person_id,
                day=f.day,
                detail=f.detail[:300],
            )
            for key, f in found.items()
            if key not in existing
        ],
        ignore_conflicts=True,
    )
    ids = dict(
        PrivacyAlert.objects.filter(dedupe_key__in=found.keys()).values_list("dedupe_key", "id")
    )
    PrivacyAlertEvent.objects.bulk_create(
        [
            PrivacyAlertEvent(alert_id=ids[key], event_id=event_id)
            for key, f in found.items()
            for event_id in f.event_ids
        ],
        ignore_conflicts=True,
    )
    return len(set(found) - existing)


def _out_of_hours(local: datetime, parameters: Mapping[str, Any]) -> bool:
    p = {**DEFAULT_PARAMETERS[AlertRuleCode.OUT_OF_HOURS], **parameters}
    if p["weekends"] and local.weekday() >= 5:
        return True
    return not (p["start_hour"] <= local.hour < p["end_hour"])


@dataclass
class _Person:
    first: str
    last: str
    dob: date | None
    dod: date | None
    restricted: str
    addresses: set[tuple[str, str]]


@dataclass
class _Context:
    users: dict[int, User]
    people: dict[int, _Person]
    staff_by_identity: dict[tuple[str, str, date | None], set[int]]
    ended: set[tuple[int, int]]  # (user, person) with an allocation that has ended
    current: set[tuple[int, int]]  # (user, person) with an allocation still running
    ended_on: dict[tuple[int, int], date]

    @classmethod
    def load(cls, events: list[dict[str, Any]]) -> _Context:
        from records.models import Address, Allocation, CaseParticipant, Person

        user_ids = {e["actor_id"] for e in events}
        person_ids = {int(s) for e in events for s in e["subject_ids"].split(",") if s}
        users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
        people = {
            p["id"]: _Person(
                _norm(p["first_name"]),
                _norm(p["last_name"]),
                p["date_of_birth"],
                p["date_of_death"],
                p["restriction_reason"] if p["is_restricted"] else "",
                set(),
            )
            for p in Person.objects.filter(pk__in=person_ids).values(
                "id",
                "first_name",
                "last_name",
                "date_of_birth",
                "date_of_death",
                "is_restricted",
                "restriction_reason",
            )
        }
        today = timezone.localdate()
        for person_id, line_1, postcode in (
            Address.objects.filter(person_id__in=person_ids)
            .filter(Q(lived_to__isnull=True) | Q(lived_to__gte=today))
            .values_list("person_id", "line_1", "postcode")
        ):
            people[person_id].addresses.add((_norm(line_1), _norm(postcode)))
        staff: dict[tuple[str, str, date | None], set[int]] = defaultdict(set)
        for user_id, first, last, dob in User.objects.filter(
            date_of_birth__isnull=False
        ).values_list("id", "first_name", "last_name", "date_of_birth"):
            staff[(_norm(first), _norm(last), dob)].add(user_id)
        # Cases each person is in: as the case's subject or as a participant.
        case_people: dict[int, set[int]] = defaultdict(set)
        from records.models import Case

        for case_id, person_id in Case.objects.filter(person_id__in=person_ids).values_list(
            "id", "person_id"
        ):
            case_people[case_id].add(person_id)
        for case_id, person_id in CaseParticipant.objects.filter(
            person_id__in=person_ids
        ).values_list("case_id", "person_id"):
            case_people[case_id].add(person_id)
        ended: set[tuple[int, int]] = set()
        current: set[tuple[int, int]] = set()
        ended_on: dict[tuple[int, int], date] = {}
        for case_id, worker_id, ends_on in Allocation.objects.filter(
            case_id__in=case_people, worker_id__in=user_ids
        ).values_list("case_id", "worker_id", "ends_on"):
            for person_id in case_people[case_id]:
                key = (worker_id, person_id)
                if ends_on is None or ends_on >= today:
                    current.add(key)
                else:
                    ended.add(key)
                    ended_on[key] = max(ended_on.get(key, ends_on), ends_on)
        return cls(users, people, staff, ended, current, ended_on)

    def person_rules(
        self,
        rules: Mapping[str, AlertRule],
        event: dict[str, Any],
        user: User,
        person_id: int,
        day: date,
    ) -> list[tuple[str, str]]:
        person = self.people[person_id]
        hits: list[tuple[str, str]] = []
        user_first, user_last = _norm(user.first_name), _norm(user.last_name)
        user_dob = getattr(user, "date_of_birth", None)
        own = bool(
            user_dob
            and person.dob == user_dob
            and (person.first, person.last) == (user_first, user_last)
        )
        if AlertRuleCode.BREAK_GLASS in rules and event["purpose"] == Purpose.BREAK_GLASS:
            hits.append((AlertRuleCode.BREAK_GLASS, "Break-glass access"))
        if AlertRuleCode.RESTRICTED in rules and person.restricted:
            hits.append((AlertRuleCode.RESTRICTED, f"Restricted record ({person.restricted})"))
        if AlertRuleCode.OWN_RECORD in rules and own:
            hits.append((AlertRuleCode.OWN_RECORD, "Name and date of birth match the user's"))
        if AlertRuleCode.COLLEAGUE in rules and person.dob is not None and not own:
            dob: date = person.dob
            colleagues = self.staff_by_identity.get((person.first, person.last, dob), set())
            if colleagues - {user.pk}:
                hits.append((AlertRuleCode.COLLEAGUE, "Name and date of birth match a colleague"))
        if (
            AlertRuleCode.SAME_SURNAME in rules
            and not own
            and user_last
            and person.last == user_last
        ):
            hits.append((AlertRuleCode.SAME_SURNAME, "Same surname as the user"))
        home = (
            _norm(getattr(user, "home_address_line_1", "")),
            _norm(getattr(user, "home_postcode", "")),
        )
        if (
            AlertRuleCode.SAME_ADDRESS in rules
            and not own
            and all(home)
            and home in person.addresses
        ):
            hits.append((AlertRuleCode.SAME_ADDRESS, "Same address as the user"))
        if AlertRuleCode.DECEASED in rules and person.dod:
            grace = int(rules[AlertRuleCode.DECEASED].parameters.get("days_after_death", 0))
            if (day - person.dod).days >= grace:
                hits.append((AlertRuleCode.DECEASED, f"Died {person.dod:%d %B %Y}"))
        if AlertRuleCode.AFTER_ALLOCATION in rules:
            key = (user.pk, person_id)
            if key in self.ended and key not in self.current and self.ended_on[key] < day:
                hits.append(
                    (
                        AlertRuleCode.AFTER_ALLOCATION,
                        f"Allocation ended {self.ended_on[key]:%d %B %Y}",
                    )
                )
        return hits

    def volume(
        self, events: list[dict[str, Any]], parameters: Mapping[str, Any]
    ) -> list[tuple[int, date, int, float, set[int]]]:
        p = {**DEFAULT_PARAMETERS[AlertRuleCode.VOLUME], **parameters}
        by_user_day: dict[tuple[int, date], set[int]] = defaultdict(set)
        for event in events:
            day = timezone.localtime(event["occurred_at"]).date()
            by_user_day[(event["actor_id"], day)].add(event["id"])
        if not by_user_day:
            return []
        baseline_days = int(p["baseline_days"])
        days = [day for _, day in by_user_day]
        # Every user's reads per day over the whole window, in one query for the batch.
        counts = {
            (actor_id, on): n
            for actor_id, on, n in AuditEvent.objects.filter(
                actor_id__in={user_id for user_id, _ in by_user_day},
                action=Action.READ,
                occurred_at__date__gte=min(days) - timedelta(days=baseline_days),
                occurred_at__date__lte=max(days),
            )
            .annotate(on=TruncDate("occurred_at"))
            .values("actor_id", "on")
            .annotate(n=Count("id"))
            .values_list("actor_id", "on", "n")
        }
        results = []
        for (user_id, day), ids in by_user_day.items():
            count = counts.get((user_id, day), 0)
            baseline = (
                sum(
                    counts.get((user_id, day - timedelta(days=back)), 0)
                    for back in range(1, baseline_days + 1)
                )
                / baseline_days
            )
            threshold = max(float(p["minimum_events"]), float(p["multiplier"]) * baseline)
            if count > threshold:
                results.append((user_id, day, count, baseline, ids))
        return results
