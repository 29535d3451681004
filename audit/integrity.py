"""Re-checking the audit trail: every event against its hash, every seal against its events
and the seal before it, and every id in a sealed range accounted for.

On PostgreSQL the heavy lifting runs in SQL (audit.canonical builds the same hashes there), so
millions of events are checked in seconds; on SQLite the same checks run in Python.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from audit import canonical
from audit.models import AuditEvent, AuditEventSubject, AuditSeal
from audit.services import parse_ranges


@dataclass
class VerifyReport:
    events: int = 0
    seals: int = 0
    unsealed: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def _check_seal_chain(seals: list[AuditSeal]) -> str | None:
    previous: AuditSeal | None = None
    for seal in seals:
        expected_start = previous.last_event_id + 1 if previous else seal.first_event_id
        if previous and seal.previous_hash != previous.seal_hash:
            return f"Seal #{seal.id} does not follow seal #{previous.id}: the chain is broken."
        if not previous and seal.previous_hash:
            return f"Seal #{seal.id} names a previous seal that does not exist."
        if seal.first_event_id != expected_start:
            return (
                f"Seal #{seal.id} starts at event #{seal.first_event_id}, but seal "
                f"#{previous.id if previous else '-'} ended at #{expected_start - 1}."
            )
        recomputed = canonical.seal_hash(
            first_event_id=seal.first_event_id,
            last_event_id=seal.last_event_id,
            event_count=seal.event_count,
            skipped_ids=seal.skipped_ids,
            events_digest=seal.events_digest,
            previous_hash=seal.previous_hash,
            sealed_at=seal.sealed_at,
        )
        if recomputed != seal.seal_hash:
            return f"Seal #{seal.id} does not match its own hash: the seal was changed."
        previous = seal
    return None


def _check_before_first_seal(seals: list[AuditSeal]) -> str | None:
    if not seals:
        return None
    early = AuditEvent.objects.filter(id__lt=seals[0].first_event_id).order_by("id").first()
    if early is not None:
        return f"Event #{early.id} comes before the first seal: it was added afterwards."
    return None


def _range_problem(seal: AuditSeal) -> str:
    """Explain why a seal's events do not add up: a missing or an extra event."""
    present = set(
        AuditEvent.objects.filter(
            id__gte=seal.first_event_id, id__lte=seal.last_event_id
        ).values_list("id", flat=True)
    )
    skipped = parse_ranges(seal.skipped_ids)
    for event_id in range(seal.first_event_id, seal.last_event_id + 1):
        if event_id not in present and event_id not in skipped:
            return f"Event #{event_id} is missing from seal #{seal.id}: it was deleted."
        if event_id in present and event_id in skipped:
            return (
                f"Event #{event_id} lies in the range of seal #{seal.id} but was not sealed: "
                "it was added afterwards."
            )
    return (
        f"Seal #{seal.id} does not match the events it covers "
        f"(#{seal.first_event_id}–#{seal.last_event_id}): an event's hash was rewritten."
    )


def _event_problem(event_id: int, kind: str) -> str:
    if kind == "personal":
        return f"Event #{event_id}'s personal details do not match their digest: they were changed."
    return f"Event #{event_id} does not match its hash: it was changed after it was written."


def _verify_postgresql(report: VerifyReport, seals: list[AuditSeal]) -> None:
    """Two statements: one parallel scan re-hashing every event, then each seal's digest."""
    event_hash = canonical.sql_event_hash("e")
    digest = canonical.sql_personal_digest("e")
    last_sealed = seals[-1].last_event_id if seals else 0
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 4")
        cursor.execute("SET LOCAL parallel_setup_cost = 0")
        cursor.execute(
            f"""
            SELECT count(*),
                   count(*) FILTER (WHERE e.id > %s),
                   min(e.id) FILTER (WHERE e.event_hash <> {event_hash}),
                   min(e.id) FILTER (
                       WHERE (e.personal_text IS NOT NULL AND e.personal_digest <> {digest})
                          OR (e.personal_text IS NULL AND e.scrubbed_at IS NULL
                              AND e.personal_digest <> ''))
              FROM audit_auditevent e
            """,  # noqa: S608 (built from constants in audit.canonical)
            [last_sealed],
        )
        report.events, report.unsealed, changed, personal = cursor.fetchone()
        bad = [(i, kind) for i, kind in ((changed, "event"), (personal, "personal")) if i]
        if bad:
            event_id, kind = min(bad)
            report.problems.append(_event_problem(event_id, kind))
            return
        if not seals:
            return
        cursor.execute(
            f"""
            SELECT s.id, count(e.id), {canonical.sql_events_digest("e")}
              FROM audit_auditseal s
              LEFT JOIN audit_auditevent e
                ON e.id BETWEEN s.first_event_id AND s.last_event_id
             GROUP BY s.id
             ORDER BY s.id
            """  # noqa: S608 (built from constants in audit.canonical)
        )
        by_id = {seal.id: seal for seal in seals}
        for seal_id, count, events_digest in cursor.fetchall():
            seal = by_id[seal_id]
            if count != seal.event_count or (count and events_digest != seal.events_digest):
                report.problems.append(_range_problem(seal))
                return


def _events_in_order() -> Iterator[dict]:
    fields = ["id", *canonical.HASHED_EVENT_COLUMNS, "event_hash"]
    fields += ["personal_text", "personal_salt", "scrubbed_at"]
    yield from AuditEvent.objects.order_by("id").values(*fields).iterator(chunk_size=5000)


def _verify_python(report: VerifyReport, seals: list[AuditSeal]) -> None:
    index = 0
    pairs: list[tuple[int, str]] = []
    for row in _events_in_order():
        report.events += 1
        if canonical.event_hash(row) != row["event_hash"]:
            report.problems.append(_event_problem(row["id"], "event"))
            return
        text = row["personal_text"]
        if text is not None:
            if canonical.personal_digest(row["personal_salt"], text) != row["personal_digest"]:
                report.problems.append(_event_problem(row["id"], "personal"))
                return
        elif row["scrubbed_at"] is None and row["personal_digest"]:
            report.problems.append(_event_problem(row["id"], "personal"))
            return
        while index < len(seals) and row["id"] > seals[index].last_event_id:
            if not _seal_matches(seals[index], pairs):
                return _fail(report, seals[index])
            pairs, index = [], index + 1
        if index < len(seals) and row["id"] >= seals[index].first_event_id:
            pairs.append((row["id"], row["event_hash"]))
        elif index >= len(seals):
            report.unsealed += 1
    while index < len(seals):
        if not _seal_matches(seals[index], pairs):
            return _fail(report, seals[index])
        pairs, index = [], index + 1
    return None


def _seal_matches(seal: AuditSeal, pairs: list[tuple[int, str]]) -> bool:
    return len(pairs) == seal.event_count and canonical.events_digest(pairs) == seal.events_digest


def _fail(report: VerifyReport, seal: AuditSeal) -> None:
    report.problems.append(_range_problem(seal))


def _subject_index_problem() -> str | None:
    """The per-person index against each event's sealed subjects, actor, purpose and time.

    The index is what "who has accessed this person" reads, so a row taken out of it would
    hide an access from the guardian although the event itself still verifies."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH s AS (
                    SELECT event_id,
                           string_agg(person_id::text, ',' ORDER BY person_id) AS ids,
                           min(actor_id) AS actor_id, count(DISTINCT actor_id) AS actors,
                           min(purpose) AS purpose, count(DISTINCT purpose) AS purposes,
                           min(occurred_at) AS first, max(occurred_at) AS last
                      FROM audit_auditeventsubject
                     GROUP BY event_id)
                SELECT min(coalesce(e.id, s.event_id))
                  FROM audit_auditevent e
                  FULL JOIN s ON s.event_id = e.id
                 WHERE e.id IS NULL
                    OR coalesce(s.ids, '') <> e.subject_ids
                    OR (s.event_id IS NOT NULL AND (
                        s.actors > 1 OR s.purposes > 1
                        OR s.actor_id IS DISTINCT FROM e.actor_id OR s.purpose <> e.purpose
                        OR s.first <> e.occurred_at OR s.last <> e.occurred_at))
                """
            )
            bad = cursor.fetchone()[0]
    else:
        rows: dict[int, list[tuple[int, Any, str, Any]]] = {}
        for event_id, person_id, actor_id, purpose, occurred_at in (
            AuditEventSubject.objects.order_by("event_id", "person_id")
            .values_list("event_id", "person_id", "actor_id", "purpose", "occurred_at")
            .iterator(chunk_size=5000)
        ):
            rows.setdefault(event_id, []).append((person_id, actor_id, purpose, occurred_at))
        bad = None
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
            index = rows.pop(event.id, [])
            if ",".join(str(r[0]) for r in index) != event.subject_ids or any(
                (r[1], r[2], r[3]) != (event.actor_id, event.purpose, event.occurred_at)
                for r in index
            ):
                bad = event.id
                break
        if bad is None and rows:
            bad = min(rows)
    if bad is None:
        return None
    return (
        f"The people index for event #{bad} does not match the event's sealed subjects: "
        "index rows were removed, added or changed."
    )


def audit_verify(*, subjects: bool = False) -> VerifyReport:
    """Check the whole trail; the report names the first thing that does not match.

    With ``subjects``, also check the per-person index against the events (slower)."""
    started = time.perf_counter()
    report = VerifyReport()
    seals = list(AuditSeal.objects.order_by("id"))
    report.seals = len(seals)
    problem = _check_seal_chain(seals) or _check_before_first_seal(seals)
    if problem:
        report.problems.append(problem)
    elif connection.vendor == "postgresql":
        from django.db import transaction

        with transaction.atomic():
            _verify_postgresql(report, seals)
    else:
        _verify_python(report, seals)
    if subjects and report.ok and (problem := _subject_index_problem()):
        report.problems.append(problem)
    report.seconds = time.perf_counter() - started
    return report
