"""Every write to the audit trail: events, seals, the retention scrub, rules and alert reviews.

``event_record`` is what every other app's services call, inside their own transaction, so a
change and its audit event commit or roll back together.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max, Min, Model
from django.utils import timezone

from audit import canonical
from audit.context import ReadNote, current, object_ref, person_ids
from audit.models import (
    Action,
    AlertOutcome,
    AlertRule,
    AlertRuleCode,
    AuditEvent,
    AuditEventSubject,
    AuditSeal,
    PrivacyAlert,
    Purpose,
)
from core.errors import ApplicationError

if TYPE_CHECKING:
    from accounts.models import User

_MAX = {f.name: f.max_length for f in AuditEvent._meta.fields if f.max_length}


def _fit(name: str, value: str) -> str:
    limit = _MAX.get(name)
    return value[:limit] if limit else value


def _personal_text(personal: Mapping[str, Any]) -> str:
    return json.dumps(personal, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)


def _build_event(
    *,
    action: str,
    summary: str,
    actor: User | None,
    actor_username: str = "",
    purpose: str = Purpose.NORMAL,
    object_type: str = "",
    object_id: str = "",
    subjects: Iterable[int] = (),
    changed_fields: Iterable[str] = (),
    personal: Mapping[str, Any] | None = None,
    occurred_at: datetime | None = None,
    request_id: str | None = None,
) -> tuple[AuditEvent, list[int]]:
    context = current()
    subject_list = sorted(set(subjects))
    values: dict[str, Any] = {
        "occurred_at": occurred_at or timezone.now(),
        "action": str(action),
        "purpose": str(purpose),
        "actor_id": actor.pk if actor is not None and actor.pk else None,
        "actor_username": _fit(
            "actor_username", actor_username or (actor.get_username() if actor else "")
        ),
        "summary": _fit("summary", summary),
        "object_type": _fit("object_type", object_type),
        "object_id": _fit("object_id", object_id),
        "subject_ids": ",".join(str(s) for s in subject_list),
        "changed_fields": ",".join(sorted(changed_fields)),
        "path": _fit("path", context.path if context else ""),
        "request_id": _fit(
            "request_id",
            request_id if request_id is not None else context.request_id if context else "",
        ),
        "ip_address": _fit("ip_address", context.ip_address if context else ""),
        "personal_digest": "",
    }
    text: str | None = None
    salt = ""
    if personal:
        text = _personal_text(personal)
        salt = secrets.token_hex(16)
        values["personal_digest"] = canonical.personal_digest(salt, text)
    event = AuditEvent(
        **values,
        event_hash=canonical.event_hash(values),
        personal_text=text,
        personal_salt=salt,
    )
    return event, subject_list


_COLUMNS = [f.column for f in AuditEvent._meta.concrete_fields if not f.primary_key]
_INSERT_ONE = (  # noqa: S608 (column names from the model)
    "WITH e AS (INSERT INTO audit_auditevent ({columns}) VALUES ({values}) "
    "RETURNING id, occurred_at, actor_id, purpose), "
    "s AS (INSERT INTO audit_auditeventsubject "
    "(event_id, person_id, occurred_at, actor_id, purpose) "
    "SELECT e.id, p, e.occurred_at, e.actor_id, e.purpose FROM e, unnest(%s::bigint[]) AS p) "
    "SELECT id FROM e"
).format(columns=", ".join(_COLUMNS), values=", ".join(["%s"] * len(_COLUMNS)))


def _save_one_postgresql(event: AuditEvent, subject_list: list[int]) -> AuditEvent:
    """The event and its subject rows in one statement: one round trip, atomic on its own,
    which is what keeps the read audit cheap on every page."""
    params = [
        getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields if not f.primary_key
    ]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_ONE, [*params, subject_list])
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    return event


def _save(events: list[tuple[AuditEvent, list[int]]]) -> list[AuditEvent]:
    if connection.vendor == "postgresql":
        # Outside a transaction (a page's read event) the one statement is atomic by itself;
        # inside one, a savepoint keeps a failure from poisoning the caller's transaction.
        if len(events) == 1 and not connection.in_atomic_block:
            return [_save_one_postgresql(*events[0])]
        with transaction.atomic():
            return [_save_one_postgresql(event, subjects) for event, subjects in events]
    with transaction.atomic():
        created = AuditEvent.objects.bulk_create([event for event, _ in events])
        rows = [
            AuditEventSubject(
                event_id=event.pk,
                person_id=person_id,
                occurred_at=event.occurred_at,
                actor_id=event.actor_id,
                purpose=event.purpose,
            )
            for event, (_, subject_list) in zip(created, events, strict=True)
            for person_id in subject_list
        ]
        if rows:
            AuditEventSubject.objects.bulk_create(rows)
    return created


def event_record(
    *,
    actor: User | None,
    action: str,
    summary: str,
    obj: Model | None = None,
    subjects: Iterable[Any] = (),
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    personal: Mapping[str, Any] | None = None,
    purpose: str = Purpose.NORMAL,
    actor_username: str = "",
) -> AuditEvent:
    """Record a write (or a sign-in, a grant, a setting change). Call it inside the service's
    transaction: if the change rolls back, so does its event, and the other way round.

    ``changes`` maps field names to (old, new); the names are sealed, the values are personal.
    """
    object_type, object_id = object_ref(obj)
    data: dict[str, Any] = dict(personal or {})
    if changes:
        data["changes"] = {name: [old, new] for name, (old, new) in changes.items()}
    event, subject_list = _build_event(
        action=action,
        summary=summary,
        actor=actor,
        actor_username=actor_username,
        purpose=purpose,
        object_type=object_type,
        object_id=object_id,
        subjects=person_ids(subjects),
        changed_fields=(changes or {}).keys(),
        personal=data,
    )
    return _save([(event, subject_list)])[0]


def reads_record(
    *, actor: User | None, notes: list[ReadNote], purposes: Mapping[int, tuple[str, str]]
) -> list[AuditEvent]:
    """Write the read events for one request: one per purpose (nearly always exactly one),
    naming every person shown. ``purposes`` gives, for subjects not reached through ordinary
    casework, (purpose, reason)."""
    if not notes:
        return []
    first = notes[0]
    groups: dict[str, set[int]] = {}
    reasons: dict[str, list[str]] = {}
    personal: dict[str, Any] = {}
    for note in notes:
        personal.update(note.personal)
        for person_id in note.subject_ids:
            purpose, reason = (
                (note.purpose, "")
                if note.purpose
                else purposes.get(person_id, (Purpose.NORMAL, ""))
            )
            groups.setdefault(purpose, set()).add(person_id)
            if reason:
                reasons.setdefault(purpose, []).append(reason)
        if not note.subject_ids:
            groups.setdefault(note.purpose or Purpose.NORMAL, set())
    events = []
    for purpose, subject_ids in sorted(groups.items()):
        data = dict(personal)
        if reasons.get(purpose):
            data["reason"] = "; ".join(sorted(set(reasons[purpose])))
        events.append(
            _build_event(
                action=Action.READ,
                summary=first.summary,
                actor=actor,
                purpose=purpose,
                object_type=first.object_type,
                object_id=first.object_id,
                subjects=subject_ids,
                personal=data,
            )
        )
    return _save(events)


def audit_export_record(
    *, actor: User, count: int, subjects: Iterable[Any], filters: Mapping[str, Any]
) -> AuditEvent:
    """An export of the audit trail is itself audited, with the filters it used."""
    return event_record(
        actor=actor,
        action=Action.EXPORT,
        purpose=Purpose.AUDIT_REVIEW,
        summary=f"Exported {count} audit events as CSV",
        subjects=subjects,
        personal={"filters": dict(filters)},
    )


@dataclass(frozen=True)
class PastEvent:
    """An event that happened before it was written here (see :func:`history_import`)."""

    actor: User | None
    action: str
    summary: str
    occurred_at: datetime
    subjects: tuple[int, ...] = ()
    purpose: str = Purpose.NORMAL
    object_type: str = ""
    personal: Mapping[str, Any] | None = None
    request_id: str = ""


@transaction.atomic
def history_import(*, events: Iterable[PastEvent]) -> int:
    """Write events that happened earlier: a previous system's trail being brought across, or
    the demo's invented month. They are hashed, then sealed and scanned like any other."""
    built = [
        _build_event(
            action=e.action,
            summary=e.summary,
            actor=e.actor,
            purpose=e.purpose,
            object_type=e.object_type,
            subjects=e.subjects,
            personal=e.personal,
            occurred_at=e.occurred_at,
            request_id=e.request_id,
        )
        for e in events
    ]
    if built:
        _save(built)
    return len(built)


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """Field changes from two snapshots (see :func:`snapshot`)."""
    return {
        name: (before.get(name), value)
        for name, value in after.items()
        if before.get(name) != value
    }


def snapshot(instance: Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The instance's concrete field values, JSON-ready (foreign keys as ids)."""
    names = set(fields) if fields is not None else None
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or (names is not None and field.name not in names):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, date | datetime):
            value = value.isoformat()
        elif value is not None and not isinstance(value, bool | int | float | str | list | dict):
            value = str(value)
        values[field.name] = value
    return values


def created_changes(instance: Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The filled-in fields of a new record, as changes from nothing."""
    return {
        name: (None, value)
        for name, value in snapshot(instance, fields).items()
        if value not in (None, "", [], {})
    }


# --- Seals ----------------------------------------------------------------------------------


def _ranges(ids: list[int]) -> str:
    parts: list[str] = []
    start = prev = None
    for value in ids:
        if start is None:
            start = prev = value
        elif value == prev + 1:  # type: ignore[operator]
            prev = value
        else:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            start = prev = value
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}-{prev}")
    return ",".join(parts)


def parse_ranges(text: str) -> set[int]:
    ids: set[int] = set()
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        ids.update(range(int(low), int(high or low) + 1))
    return ids


def _seal_lock() -> None:
    # SQLite's immediate transactions already serialise writers; PostgreSQL needs a lock so
    # two workers never seal the same events.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5EA1])


def newest_settled_id(*, after: int, now: datetime) -> int | None:
    """The newest event after ``after`` that is older than the seal lag: everything up to it
    has committed (or rolled back) by now. Sealing and privacy monitoring stop there."""
    cutoff = now - timedelta(seconds=settings.CAREFILE_AUDIT_SEAL_LAG_SECONDS)
    return AuditEvent.objects.filter(id__gt=after, occurred_at__lte=cutoff).aggregate(
        top=Max("id")
    )["top"]


@transaction.atomic
def audit_seal(*, now: datetime | None = None, max_events: int | None = None) -> list[AuditSeal]:
    """Seal every event old enough to be settled, in order, chained to the last seal.

    Only events older than ``CAREFILE_AUDIT_SEAL_LAG_SECONDS`` are sealed: a transaction still
    running may hold a lower id that has not committed yet. Safe to run at any time, any
    number of times, from several workers."""
    _seal_lock()
    now = now or timezone.now()
    max_events = max_events or settings.CAREFILE_AUDIT_SEAL_MAX_EVENTS
    last = AuditSeal.objects.order_by("-id").first()
    after = last.last_event_id if last else 0
    previous_hash = last.seal_hash if last else ""
    upper = newest_settled_id(after=after, now=now)
    if upper is None:
        return []
    seals = []
    rows = (
        AuditEvent.objects.filter(id__gt=after, id__lte=upper)
        .order_by("id")
        .values_list("id", "event_hash")
        .iterator(chunk_size=20000)
    )
    batch: list[tuple[int, str]] = []

    def close(batch: list[tuple[int, str]], start: int, end: int) -> AuditSeal:
        nonlocal previous_hash
        present = {event_id for event_id, _ in batch}
        skipped = _ranges([i for i in range(start, end + 1) if i not in present])
        digest = canonical.events_digest(batch)
        sealed_at = timezone.now()
        seal = AuditSeal.objects.create(
            sealed_at=sealed_at,
            first_event_id=start,
            last_event_id=end,
            event_count=len(batch),
            skipped_ids=skipped,
            events_digest=digest,
            previous_hash=previous_hash,
            seal_hash=canonical.seal_hash(
                first_event_id=start,
                last_event_id=end,
                event_count=len(batch),
                skipped_ids=skipped,
                events_digest=digest,
                previous_hash=previous_hash,
                sealed_at=sealed_at,
            ),
        )
        previous_hash = seal.seal_hash
        return seal

    # The very first seal starts at the first event there is (ids may not start at 1).
    start = after + 1 if last else AuditEvent.objects.aggregate(low=Min("id"))["low"]
    for row in rows:
        batch.append(row)
        if len(batch) >= max_events:
            seals.append(close(batch, start, row[0]))
            start, batch = row[0] + 1, []
    if batch or start <= upper:
        seals.append(close(batch, start, upper))
    return seals


# --- Retention's scrub ------------------------------------------------------------------------


@transaction.atomic
def events_scrub_personal(*, person_ids: Iterable[int]) -> int:
    """Erase the personal part of every event about these people (retention's disposal).

    The sealed part, including the digest of what is erased, stays, so seals still verify."""
    ids = list(set(person_ids))
    if not ids:
        return 0
    event_ids = AuditEventSubject.objects.filter(person_id__any=ids).values("event_id")
    return (
        AuditEvent.objects.filter(pk__in=event_ids, scrubbed_at__isnull=True)
        .exclude(personal_text__isnull=True)
        .update(personal_text=None, personal_salt="", scrubbed_at=timezone.now())
    )


def events_scrub_objects(*, object_ids: Iterable[str]) -> int:
    """Erase the personal part of every event about these objects (a destroyed case, its
    items, a request file): found by the object, since some such events name nobody (a
    request logged before its subject was found). A partial index holds exactly the events
    with a personal part still to erase."""
    objects = set(object_ids)
    if not objects:
        return 0
    return AuditEvent.objects.filter(object_id__any=objects, personal_text__isnull=False).update(
        personal_text=None, personal_salt="", scrubbed_at=timezone.now()
    )


# --- Rules and reviews ----------------------------------------------------------------------


@transaction.atomic
def alert_rule_update(
    *, actor: User, rule: AlertRule, enabled: bool, parameters: Mapping[str, Any]
) -> AlertRule:
    """Switch or tune a privacy rule. A change to monitoring is itself audited."""
    from audit import alerts, policies

    if not policies.can_configure_audit(actor):
        raise ApplicationError("Only the Caldicott guardian or a system administrator can do this.")
    cleaned = alerts.clean_parameters(rule.code, parameters)
    before = {"enabled": rule.enabled, **{f"parameters.{k}": v for k, v in rule.parameters.items()}}
    rule.enabled = enabled
    rule.parameters = cleaned
    rule.updated_at = timezone.now()
    rule.updated_by = actor
    rule.save()
    after = {"enabled": rule.enabled, **{f"parameters.{k}": v for k, v in cleaned.items()}}
    event_record(
        actor=actor,
        action=Action.SETTING_CHANGE,
        summary=f"Changed privacy rule: {rule.get_code_display()}",
        obj=rule,
        changes=changes_between(before, after),
    )
    return rule


@transaction.atomic
def alert_review(*, actor: User, alert: PrivacyAlert, outcome: str, note: str) -> PrivacyAlert:
    from audit import policies

    if not policies.can_review_audit(actor):
        raise ApplicationError("Only the Caldicott guardian can review privacy alerts.")
    if outcome not in AlertOutcome.values:
        raise ApplicationError(
            "Choose an outcome.", field_errors={"outcome": ["Choose an outcome."]}
        )
    note = note.strip()
    if outcome != AlertOutcome.APPROPRIATE and not note:
        message = "Say what happens next when the access was not plainly appropriate."
        raise ApplicationError(message, field_errors={"note": [message]})
    alert = PrivacyAlert.objects.select_for_update().get(pk=alert.pk)
    before = snapshot(alert, ["outcome", "review_note"])
    alert.outcome = outcome
    alert.review_note = note
    alert.reviewed_by = actor
    alert.reviewed_at = timezone.now()
    alert.save()
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary=f"Reviewed privacy alert: {alert.get_rule_display()}",
        obj=alert,
        subjects=[alert.person_id] if alert.person_id else [],
        purpose=Purpose.AUDIT_REVIEW,
        changes=changes_between(before, snapshot(alert, ["outcome", "review_note"])),
    )
    return alert


def alert_rules_ensure() -> None:
    """Every rule exists with its defaults (new rules appear switched on)."""
    from audit.alerts import DEFAULT_PARAMETERS

    for code in AlertRuleCode.values:
        AlertRule.objects.get_or_create(
            code=code, defaults={"parameters": dict(DEFAULT_PARAMETERS.get(code, {}))}
        )
