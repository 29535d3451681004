"""Append-only storage, seals and verification, on the real PostgreSQL the suite runs on."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import canonical
from audit.integrity import audit_verify
from audit.models import AuditEvent, AuditEventSubject, AuditSeal
from audit.services import audit_seal, event_record, events_scrub_personal, parse_ranges

pytestmark = pytest.mark.django_db

LATER = timedelta(hours=1)


def _events(n: int, **extra: object) -> list[AuditEvent]:
    return [
        event_record(
            actor=None,
            action="update",
            summary="Updated a person's details",
            subjects=[100 + i, 7],
            changes={"last_name": (f"Old{i}", f'New «{i}» "quoted"\n')},
            **extra,  # type: ignore[arg-type]
        )
        for i in range(n)
    ]


def _rolled_back(n: int) -> list[int]:
    """Write events in a transaction that then fails; returns the ids it used up."""
    used: list[int] = []
    with contextlib.suppress(RuntimeError), transaction.atomic():
        used.extend(e.pk for e in _events(n))
        raise RuntimeError("the change failed")
    return used


def _seal() -> list[AuditSeal]:
    return audit_seal(now=timezone.now() + LATER)


def _tamper(sql: str, params: list[object]) -> None:
    """Change stored rows behind the application's back, as someone with database access
    might: the append-only triggers are switched off for the statement."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audit_auditseal DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        cursor.execute("ALTER TABLE audit_auditseal ENABLE TRIGGER USER")


def test_database_refuses_changes_and_deletions() -> None:
    (event,) = _events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="Nothing happened")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        # Not even the personal part may be rewritten: only erased.
        AuditEvent.objects.filter(pk=event.pk).update(personal_text='{"changes": {}}')
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEventSubject.objects.filter(event_id=event.pk).delete()
    (seal,) = _seal()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(pk=seal.pk).update(events_digest="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(pk=seal.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Updated a person's details"


def test_scrub_erases_personal_values_and_seals_still_verify() -> None:
    events = _events(3)
    _seal()
    assert events_scrub_personal(person_ids=[101]) == 1
    scrubbed = AuditEvent.objects.get(pk=events[1].pk)
    assert scrubbed.personal_text is None
    assert scrubbed.personal_salt == ""
    assert scrubbed.scrubbed_at is not None
    assert scrubbed.personal_digest == events[1].personal_digest
    untouched = AuditEvent.objects.get(pk=events[0].pk)
    assert untouched.personal["changes"]["last_name"] == ["Old0", 'New «0» "quoted"\n']
    report = audit_verify()
    assert report.ok, report.problems
    assert report.events == 3


def test_seal_covers_settled_events_only_and_is_idempotent() -> None:
    _events(2)
    assert audit_seal(now=timezone.now()) == []  # too fresh: a transaction may still be open
    first = _seal()
    assert [s.event_count for s in first] == [2]
    assert _seal() == []
    _events(3)
    second = _seal()
    assert second[0].first_event_id == first[0].last_event_id + 1
    assert second[0].previous_hash == first[0].seal_hash
    assert audit_verify().ok


def test_large_runs_are_split_into_several_chained_seals() -> None:
    _events(7)
    seals = audit_seal(now=timezone.now() + LATER, max_events=3)
    assert [s.event_count for s in seals] == [3, 3, 1]
    assert all(b.previous_hash == a.seal_hash for a, b in zip(seals, seals[1:], strict=False))
    assert audit_verify().ok


def test_rolled_back_ids_are_recorded_as_skipped_not_as_gaps() -> None:
    _events(1)
    _rolled_back(2)
    _events(1)
    (seal,) = _seal()
    assert seal.event_count == 2
    assert len(parse_ranges(seal.skipped_ids)) == 2
    assert audit_verify().ok


def test_changed_event_is_reported() -> None:
    events = _events(4)
    _seal()
    _tamper("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["Nothing", events[2].pk])
    report = audit_verify()
    assert not report.ok
    assert report.problems[0].startswith(f"Event #{events[2].pk} does not match its hash")


def test_changed_event_with_recomputed_hash_is_caught_by_its_seal() -> None:
    events = _events(4)
    (seal,) = _seal()
    target = AuditEvent.objects.get(pk=events[1].pk)
    values = {c: getattr(target, c) for c in canonical.HASHED_EVENT_COLUMNS}
    values["summary"] = "Viewed nothing"
    _tamper(
        "UPDATE audit_auditevent SET summary = %s, event_hash = %s WHERE id = %s",
        ["Viewed nothing", canonical.event_hash(values), target.pk],
    )
    report = audit_verify()
    assert report.problems[0].startswith(f"Seal #{seal.pk} does not match the events")


def test_changed_personal_value_is_reported() -> None:
    events = _events(2)
    _seal()
    _tamper(
        "UPDATE audit_auditevent SET personal_text = %s WHERE id = %s",
        ['{"changes": {"last_name": ["A", "B"]}}', events[0].pk],
    )
    assert (
        audit_verify()
        .problems[0]
        .startswith(f"Event #{events[0].pk}'s personal details do not match")
    )


def test_personal_part_erased_without_the_scrub_mark_is_reported() -> None:
    events = _events(2)
    _seal()
    _tamper(
        "UPDATE audit_auditevent SET personal_text = NULL, personal_salt = '' WHERE id = %s",
        [events[1].pk],
    )
    assert not audit_verify().ok


def test_deleted_event_is_reported_as_a_gap() -> None:
    events = _events(5)
    (seal,) = _seal()
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[3].pk])
    problem = audit_verify().problems[0]
    assert problem == f"Event #{events[3].pk} is missing from seal #{seal.pk}: it was deleted."


def test_event_slipped_into_a_sealed_range_is_reported() -> None:
    events = _events(1)
    (skipped,) = _rolled_back(1)
    _events(1)
    _seal()
    source = AuditEvent.objects.get(pk=events[0].pk)
    _tamper(
        "INSERT INTO audit_auditevent (id, occurred_at, action, purpose, actor_username, summary,"
        " object_type, object_id, subject_ids, changed_fields, path, request_id, ip_address,"
        " personal_digest, event_hash, personal_salt) VALUES (%s, %s, 'read', 'normal', '',"
        " %s, '', '', '', '', '', '', '', '', %s, '')",
        [skipped, source.occurred_at, source.summary, source.event_hash],
    )
    report = audit_verify()
    assert not report.ok
    assert f"#{skipped}" in report.problems[0]


def test_changed_or_removed_seal_is_reported() -> None:
    _events(2)
    (first,) = _seal()
    _events(2)
    (second,) = _seal()
    _tamper("UPDATE audit_auditseal SET event_count = 1 WHERE id = %s", [first.pk])
    assert audit_verify().problems[0] == (
        f"Seal #{first.pk} does not match its own hash: the seal was changed."
    )
    _tamper("UPDATE audit_auditseal SET event_count = 2 WHERE id = %s", [first.pk])
    assert audit_verify().ok
    _tamper("DELETE FROM audit_auditseal WHERE id = %s", [first.pk])
    assert audit_verify().problems[0].startswith(f"Seal #{second.pk}")


def test_python_and_postgresql_verification_agree(settings: object) -> None:
    """The embedded default verifies in Python; both must reach the same verdicts."""
    from audit import integrity

    events = _events(6)
    seals = _seal()
    report = integrity.VerifyReport()
    integrity._verify_python(report, seals)
    assert report.ok
    assert report.events == 6
    _tamper("UPDATE audit_auditevent SET path = '/x/' WHERE id = %s", [events[4].pk])
    python_report = integrity.VerifyReport()
    integrity._verify_python(python_report, list(AuditSeal.objects.order_by("id")))
    assert python_report.problems == audit_verify().problems


def test_audit_verify_command_exits_non_zero_when_tampered() -> None:
    events = _events(3)
    call_command("audit_seal", stdout=StringIO())
    # Nothing settled yet: the command seals nothing and says so.
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "Audit trail intact" in out.getvalue()
    _seal()
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
    with pytest.raises(CommandError, match=f"Event #{events[0].pk} is missing"):
        call_command("audit_verify", stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "",
        "Zoë O'Brien-Ñúñez",
        'quote " backslash \\ tab \t newline \n',
        "emoji 🧒🏽 and 中文",
        "pipes | and 12:colons ~ tilde",
    ],
)
def test_python_and_sql_canonical_hashes_agree(text: str) -> None:
    event = event_record(
        actor=None,
        action="read",
        summary=text[:200],
        actor_username=text[:150],
        subjects=[3, 1, 2],
        personal={"query": text},
    )
    moment = datetime(2031, 3, 30, 0, 59, 59, 999999, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {canonical.sql_event_hash('e')}, {canonical.sql_personal_digest('e')} "  # noqa: S608
            "FROM audit_auditevent e WHERE e.id = %s",
            [event.pk],
        )
        sql_hash, sql_digest = cursor.fetchone()
        cursor.execute(
            "SELECT ((extract(epoch FROM %s::timestamptz) * 1000000)::bigint)::text", [moment]
        )
        assert cursor.fetchone()[0] == str(canonical.micros(moment))
    assert sql_hash == event.event_hash
    assert sql_digest == event.personal_digest


def test_subject_index_repeats_actor_and_purpose(practitioner: object) -> None:
    event = event_record(
        actor=practitioner,  # type: ignore[arg-type]
        action="read",
        summary="Viewed a person's record",
        subjects=[5, 3],
        purpose="break_glass",
    )
    rows = AuditEventSubject.objects.filter(event_id=event.pk).order_by("person_id")
    assert [(r.person_id, r.actor_id, r.purpose, r.occurred_at) for r in rows] == [
        (3, practitioner.pk, "break_glass", event.occurred_at),  # type: ignore[attr-defined]
        (5, practitioner.pk, "break_glass", event.occurred_at),  # type: ignore[attr-defined]
    ]


def _subject_tamper(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditeventsubject DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditeventsubject ENABLE TRIGGER USER")


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM audit_auditeventsubject WHERE event_id = %s AND person_id = 7",
        "UPDATE audit_auditeventsubject SET person_id = 8 WHERE event_id = %s AND person_id = 7",
        "UPDATE audit_auditeventsubject SET purpose = 'normal' WHERE event_id = %s",
        "INSERT INTO audit_auditeventsubject (event_id, person_id, occurred_at, actor_id, purpose)"
        " SELECT event_id, 9999, occurred_at, actor_id, purpose FROM audit_auditeventsubject"
        " WHERE event_id = %s AND person_id = 7",
    ],
)
def test_a_tampered_people_index_is_reported(sql: str) -> None:
    events = _events(3, purpose="access_request")
    _seal()
    assert audit_verify(subjects=True).ok
    _subject_tamper(sql, [events[1].pk])
    assert audit_verify().ok  # the events themselves are untouched
    problem = audit_verify(subjects=True).problems[0]
    assert problem.startswith(f"The people index for event #{events[1].pk} does not match")
    from audit import integrity

    assert integrity._subject_index_problem() == problem
