"""The audit trail at scale: the cost of auditing reads, the guardian's "who accessed this
person" report over six years, and verification speed.

On top of the case records from ``bench.datagen``, six years of audit events are written with
COPY (500,000 at small scale, 20,000,000 at county scale; ``BENCH_AUDIT_EVENTS`` overrides),
hashed exactly as ``audit.services`` hashes them, then sealed by ``audit.services.audit_seal``
itself, so ``audit_verify`` checks a real chain.
"""

from __future__ import annotations

import os
import random
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

from django.db import connection
from django.urls import reverse

from accounts.models import User
from audit import canonical
from audit.integrity import audit_verify
from audit.middleware import AuditMiddleware
from audit.models import AuditEvent, AuditEventSubject
from audit.services import audit_seal
from bench import datagen
from bench.bench_records import data, expect, signed_in
from bench.harness import Figures, Run, UnexpectedStatusError, benchmark, measure, percentile, ratio
from records.models import Person

USES_GENERATED_DATA = True

EVENTS = {"small": 500_000, "county": 20_000_000}
YEARS = 6
READ_COST_TARGET = 1.10
WHO_ACCESSED_TARGET_MS = 200.0
VERIFY_TARGET_PER_SECOND = 200_000

_state: dict[str, Any] = {}

SUMMARIES = {
    "read": "Viewed a person's record",
    "update": "Updated a person's details",
    "create": "Recorded a contact",
    "sign_in": "Signed in",
}


def _enc(value: object) -> str:
    text = str(value)
    return f"{len(text)}:{text}"


def _lines(
    total: int, people: list[int], heavy: int, users: list[tuple[int, str]], first_id: int
) -> Iterator[tuple[str, list[str]]]:
    """COPY text for events in time order over six years, and for their subject rows.

    Hashed as audit.canonical hashes them, with the parts that repeat worked out once (the
    first events are checked against ``canonical.event_hash`` itself). The heavy person is in
    about one event in 10,000."""
    rng = random.Random(2026)  # noqa: S311 - synthetic data
    end = int((datetime.now(tz=UTC) - timedelta(hours=1) - canonical.EPOCH).total_seconds() * 1e6)
    start = end - YEARS * 365 * 24 * 3600 * 1_000_000
    step = (end - start) // total
    heavy_every = 10_000 if total > 2_000_000 else 250
    personal_text = '{"changes": {"last_name": ["Old", "New"]}}'
    kinds = ("read", "update", "create", "sign_in")
    prefixes = {
        (action, actor_id): _enc(action)
        + _enc("normal")
        + _enc(actor_id)
        + _enc(username)
        + _enc(SUMMARIES[action])
        + _enc("accounts.user" if action == "sign_in" else "records.person")
        + _enc("")
        for action in kinds
        for actor_id, username in users
    }
    columns = {
        (action, actor_id): (
            f"{action}\tnormal\t{actor_id}\t{username}\t{SUMMARIES[action]}\t"
            f"{'accounts.user' if action == 'sign_in' else 'records.person'}\t"
        )
        for action in kinds
        for actor_id, username in users
    }
    tail = _enc("/people/")
    address = _enc("10.0.0.1")
    gmtime, strftime = time.gmtime, time.strftime
    for n in range(total):
        event_id = first_id + n
        micros = start + n * step + rng.randrange(step)
        actor_id, _ = users[rng.randrange(len(users))]
        roll = rng.random()
        action = kinds[0 if roll < 0.9 else 1 if roll < 0.96 else 2 if roll < 0.98 else 3]
        subject_ids = ""
        subjects: list[int] = []
        if action != "sign_in":
            subjects = [people[rng.randrange(len(people))] for _ in range(1 + (roll < 0.2))]
            if n % heavy_every == 0:
                subjects.append(heavy)
            subjects = sorted(set(subjects))
            subject_ids = ",".join(map(str, subjects))
        text = "\\N"
        salt = digest = changed = ""
        if action in ("update", "create"):
            changed = "last_name"
            text = personal_text
            salt = secrets.token_hex(16)
            digest = canonical.personal_digest(salt, personal_text)
        request_id = f"{n:032x}"
        hashed = canonical.sha256_hex(
            "event-v1"
            + _enc(micros)
            + prefixes[(action, actor_id)]
            + _enc(subject_ids)
            + _enc(changed)
            + tail
            + _enc(request_id)
            + address
            + _enc(digest)
        )
        if n < 100:
            _check_hash(
                micros, action, actor_id, users, subject_ids, changed, request_id, digest, hashed
            )
        seconds, fraction = divmod(micros, 1_000_000)
        when = f"{strftime('%Y-%m-%d %H:%M:%S', gmtime(seconds))}.{fraction:06d}+00"
        line = (
            f"{event_id}\t{when}\t{columns[(action, actor_id)]}\t{subject_ids}\t{changed}\t"
            f"/people/\t{request_id}\t10.0.0.1\t{digest}\t{hashed}\t{text}\t{salt}\n"
        )
        yield (
            line,
            [f"{event_id}\t{person_id}\t{when}\t{actor_id}\tnormal\n" for person_id in subjects],
        )


def _check_hash(
    micros: int,
    action: str,
    actor_id: int,
    users: list[tuple[int, str]],
    subject_ids: str,
    changed: str,
    request_id: str,
    digest: str,
    hashed: str,
) -> None:
    values = {
        "occurred_at": canonical.EPOCH + timedelta(microseconds=micros),
        "action": action,
        "purpose": "normal",
        "actor_id": actor_id,
        "actor_username": dict(users)[actor_id],
        "summary": SUMMARIES[action],
        "object_type": "accounts.user" if action == "sign_in" else "records.person",
        "object_id": "",
        "subject_ids": subject_ids,
        "changed_fields": changed,
        "path": "/people/",
        "request_id": request_id,
        "ip_address": "10.0.0.1",
        "personal_digest": digest,
    }
    if canonical.event_hash(values) != hashed:
        raise UnexpectedStatusError(
            "bench: generated audit events are not hashed as Carefile hashes"
        )


# In the order _lines writes them.
EVENT_COLUMNS = (
    "id",
    *canonical.HASHED_EVENT_COLUMNS,
    "event_hash",
    "personal_text",
    "personal_salt",
)


def _plain_indexes(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table],
        )
        return list(cursor.fetchall())


def _generate() -> dict[str, Any]:
    if "generated" in _state:
        return _state["generated"]
    generated = data()
    total = int(os.environ.get("BENCH_AUDIT_EVENTS") or EVENTS[generated.scale])
    heavy = Person.objects.get(public_id=generated.heavy_person).pk
    people = list(Person.objects.values_list("pk", flat=True))
    users = list(User.objects.values_list("pk", "username"))
    print(f"generating {total:,} audit events over {YEARS} years…", flush=True)
    started = time.perf_counter()
    first_id = datagen._next_id(AuditEvent)
    tables = ("audit_auditevent", "audit_auditeventsubject")
    indexes = [index for table in tables for index in _plain_indexes(table)]
    with connection.cursor() as cursor:
        # Loading history in bulk, as a migration from a previous system would: triggers off,
        # indexes built once at the end.
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    raw = datagen._raw_connection()
    event_sql = f"COPY audit_auditevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
    subject_sql = (
        "COPY audit_auditeventsubject (event_id, person_id, occurred_at, actor_id, purpose) "
        "FROM STDIN"
    )
    events: list[str] = []
    subjects: list[str] = []

    def flush() -> None:
        with raw.cursor() as cursor:
            with cursor.copy(event_sql) as copy:
                copy.write("".join(events))
            with cursor.copy(subject_sql) as copy:
                copy.write("".join(subjects))
        events.clear()
        subjects.clear()

    for line, subject_lines in _lines(total, people, heavy, users, first_id):
        events.append(line)
        subjects.extend(subject_lines)
        if len(events) >= 100_000:
            flush()
    flush()
    copied = time.perf_counter() - started
    print(f"copied in {copied:.1f}s; indexing…", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), "
            "(SELECT max(id) FROM audit_auditevent))"
        )
        cursor.execute("VACUUM ANALYZE audit_auditevent")
        cursor.execute("VACUUM ANALYZE audit_auditeventsubject")
    written = time.perf_counter() - started
    print(f"written and indexed in {written:.1f}s; sealing…", flush=True)
    started = time.perf_counter()
    seals = audit_seal()
    sealed = time.perf_counter() - started
    print(f"sealed in {sealed:.1f}s ({len(seals)} seals)", flush=True)
    _state["generated"] = {
        "events": total,
        "heavy": generated.heavy_person,
        "write_seconds": written,
        "seal_seconds": sealed,
        "seals": len(seals),
        "scale": generated.scale,
    }
    return _state["generated"]


@benchmark("audit-read-cost", share=0.5)
def read_cost(run: Run) -> list[Figures]:
    """The person page with its read audit event, and the same page with the write skipped."""
    audit = _generate()
    generated = data()
    client = signed_in(generated.practitioners[30])
    url = reverse("records:person-detail", args=[generated.heavy_person])
    expect(client.get(url), "Relationships", "person-audited")
    description = f"GET /people/<id>/ with {audit['events']:,} audit events stored"
    with_audit = measure(
        run, name="person-audited", description=description, send=lambda: client.get(url)
    )
    with mock.patch.object(AuditMiddleware, "_record", staticmethod(lambda request, context: None)):
        without = measure(
            run,
            name="person-unaudited",
            description=f"{description}, read audit write skipped (baseline)",
            send=lambda: client.get(url),
        )
    cost = with_audit.p50_ms / without.p50_ms if without.p50_ms else 0.0
    verdict = "met" if cost <= READ_COST_TARGET else "MISSED"
    with_audit.notes.append(
        f"read-audit cost {cost:.2f}x at p50 (target <= {READ_COST_TARGET}: {verdict})"
    )
    return [with_audit, without]


def _shire_guardian() -> str:
    """The benchmark council's own Caldicott guardian (the demo's guardians serve others)."""
    from accounts.models import Organisation, Service, Team
    from accounts.roles import Role
    from accounts.services import membership_add

    shire = Organisation.objects.get(name="Shire County Council (benchmark)")
    team, _ = Team.objects.get_or_create(
        organisation=shire,
        name="Information Governance",
        defaults={"service": Service.INFORMATION_GOVERNANCE},
    )
    user, created = User.objects.get_or_create(
        username="bench-guardian", defaults={"first_name": "Bench", "last_name": "Guardian"}
    )
    if created:
        membership_add(actor=None, user=user, team=team, role=Role.CALDICOTT_GUARDIAN)
    return user.username


@benchmark("audit-who-accessed", share=0.5)
def who_accessed(run: Run) -> Figures:
    """The guardian's report for people picked at random, and for the most-read person."""
    audit = _generate()
    client = signed_in(_shire_guardian())
    rng = random.Random(7)  # noqa: S311
    candidates = list(
        AuditEventSubject.objects.order_by("?").values_list("person_id", flat=True)[:200]
    )
    public = dict(Person.objects.filter(pk__in=candidates).values_list("pk", "public_id"))
    urls = [reverse("audit:person-report", args=[public[p]]) for p in candidates if p in public]
    urls.append(reverse("audit:person-report", args=[audit["heavy"]]))
    heavy_url = urls[-1]
    if client.get(heavy_url).status_code != 200:
        raise UnexpectedStatusError("audit-who-accessed: the guardian cannot open the report")

    def send() -> Any:
        return client.get(urls[rng.randrange(len(urls))] if rng.random() < 0.8 else heavy_url)

    figures = measure(
        run,
        name="who-accessed",
        description=f"GET the guardian's 'who accessed this person' report, {YEARS} years, "
        f"{audit['events']:,} events",
        send=send,
    )
    verdict = "met" if figures.p95_ms <= WHO_ACCESSED_TARGET_MS else "MISSED"
    figures.notes.append(
        f"target p95 <= {WHO_ACCESSED_TARGET_MS:.0f} ms with 20M events: {verdict} "
        f"at {audit['events']:,}"
    )
    return figures


@benchmark("audit-verify", share=0.01)
def verify(run: Run) -> Figures:
    """audit_verify over every stored event, once (it is minutes of work, not a request)."""
    audit = _generate()
    latencies = []
    report = None
    for _ in range(1 if audit["events"] > 2_000_000 else 3):
        report = audit_verify()
        if not report.ok:
            raise UnexpectedStatusError(f"audit-verify: {report.problems[0]}")
        latencies.append(report.seconds * 1000)
    if report is None:
        raise UnexpectedStatusError("audit-verify: nothing was verified")
    latencies.sort()
    rate = report.events / (latencies[0] / 1000)
    verdict = "met" if rate >= VERIFY_TARGET_PER_SECOND else "MISSED"
    return Figures(
        name="audit-verify",
        description=f"audit_verify over {report.events:,} events and {report.seals:,} seals",
        status=0,
        iterations=len(latencies),
        requests_per_second=rate,
        p50_ms=percentile(latencies, 0.5),
        p95_ms=percentile(latencies, 0.95),
        max_ms=latencies[-1],
        mean_ms=sum(latencies) / len(latencies),
        queries=0,
        response_bytes=0,
        notes=[
            f"{rate:,.0f} events/s (target >= {VERIFY_TARGET_PER_SECOND:,}: {verdict})",
            f"history written in {audit['write_seconds']:.0f}s, sealed in "
            f"{audit['seal_seconds']:.0f}s ({audit['seals']} seals)",
        ],
    )


ratio("person-audited", "person-unaudited", "read-audit cost, person page (target <= 1.10)")
