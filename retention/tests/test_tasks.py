"""A real worker carries out a batch; killed mid-batch, it leaves whole records destroyed or
whole records intact, and the next run finishes the job exactly."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.tests.factories import staff_member
from audit.models import Action, AuditEvent
from core.errors import ApplicationError
from records import services as record_services
from records.models import Case, Item, ItemRevision
from records.tests.factories import open_case
from retention import services
from retention.models import BatchStatus, DisposalBatch, Hold, ItemStatus
from retention.tasks import disposal_resume_task, disposal_run_task
from tests.test_celery_worker import wait_for, worker_on_queue

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def _due_cases(team: Any, worker: User, manager: User, count: int) -> list[Case]:
    cases = []
    for n in range(count):
        case = open_case(
            team=team,
            worker=worker,
            manager=manager,
            opened_on=date(2004, 1, 1),
            category="child_in_need",
            date_of_birth=date(1985, 1, 1 + n),
        )
        record_services.note_record(
            actor=worker,
            case=case,
            title="Visit",
            body=f"Visit {n}",
            occurred_at=timezone.now() - timedelta(days=7000),
        )
        record_services.case_close(
            actor=manager, case=case, closed_on=date(2006, 1, 1), reason="needs_met"
        )
        cases.append(case)
    return cases


def _approved(batch: DisposalBatch, first: User, second: User, capture: Any) -> None:
    """Approved by two people, its run tasks not queued: the test runs it its own way."""
    with capture(execute=False):
        services.batch_approve(actor=first, batch=batch)
        services.batch_approve(actor=second, batch=batch)


def _blocked_backend() -> int | None:
    """The worker's database session, once it waits for the row this test has locked."""
    with connection.cursor() as cursor:
        # Inside a transaction the activity view is a snapshot taken at its first reading.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _disposed(batch: DisposalBatch) -> int:
    return batch.items.filter(status=ItemStatus.DISPOSED).count()


def test_a_worker_killed_mid_batch_leaves_whole_records_and_the_next_run_finishes_exactly(
    team_north: Any,
    practitioner: User,
    manager: User,
    admin_user: User,
    ig_team: Any,
    django_capture_on_commit_callbacks: Any,
    default_schedule: None,
) -> None:
    cases = _due_cases(team_north, practitioner, manager, 6)
    (batch,) = services.disposal_propose()
    colleague = staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")
    _approved(batch, colleague, admin_user, django_capture_on_commit_callbacks)
    order = list(batch.items.order_by("pk").values_list("case_id", flat=True))
    env = {"CAREFILE_DISPOSAL_CHUNK": "2"}

    # Lock the third record: the worker finishes the first chunk of two, then waits on it.
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=order[2]).get()
        with worker_on_queue(env) as (queue, worker):
            disposal_run_task.apply_async(args=[batch.pk], queue=queue)
            pid = wait_for(lambda: _disposed(batch) == 2 and _blocked_backend(), worker)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=20)
            with connection.cursor() as cursor:  # its session dies with it
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    batch.refresh_from_db()
    assert batch.status == BatchStatus.RUNNING
    assert _disposed(batch) == 2
    destroyed, intact = order[:2], order[2:]
    assert not Case.objects.filter(pk__in=destroyed).exists()
    assert not Item.objects.filter(case_id__in=destroyed).exists()
    # Nothing half-destroyed: every other record is whole, with its note and its versions.
    assert Case.objects.filter(pk__in=intact).count() == 4
    assert Item.objects.filter(case_id__in=intact).count() == 4
    assert ItemRevision.objects.filter(item__case_id__in=intact).count() == 4
    assert batch.items.filter(status=ItemStatus.INCLUDED).count() == 4

    # The next run (the resume task a new worker picks up) finishes the batch exactly.
    with worker_on_queue(env) as (queue, worker):
        disposal_resume_task.apply_async(queue=queue)
        wait_for(
            lambda: DisposalBatch.objects.filter(pk=batch.pk, status=BatchStatus.DONE).exists(),
            worker,
        )
    assert _disposed(batch) == 6
    assert not Case.objects.filter(pk__in=[c.pk for c in cases]).exists()
    chunks = AuditEvent.objects.filter(
        action=Action.DELETE, object_id=str(batch.public_id), summary__startswith="Destroyed"
    ).values_list("summary", flat=True)
    # Three chunks of two, each destroyed once: the killed chunk left no event.
    assert sorted(s.split(" records")[0] for s in chunks) == ["Destroyed 2"] * 3


def _in_thread(work: Any) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``work`` on its own database session, as another worker or user would."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            connection.ensure_connection()
            outcome["pid"] = connection.connection.info.backend_pid
            outcome["value"] = work()
        except Exception as exc:  # noqa: BLE001  handed to the test to assert on
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _waiting(outcome: dict[str, Any]) -> bool:
    """Whether that thread's session is waiting for a lock."""
    if "pid" not in outcome:
        return False
    with connection.cursor() as cursor:
        # Inside a transaction the activity view is a snapshot taken at its first reading.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT 1 FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
            [outcome["pid"]],
        )
        return cursor.fetchone() is not None


def _until_waiting(thread: threading.Thread, outcome: dict[str, Any]) -> None:
    """Until that thread's session waits for a lock; it must not have finished first."""
    deadline = time.monotonic() + 30
    while not _waiting(outcome):
        assert thread.is_alive(), f"it finished without waiting: {outcome}"
        assert time.monotonic() < deadline, "timed out waiting for the other session"
        time.sleep(0.05)


def test_a_hold_placed_while_a_chunk_runs_either_stops_it_or_finds_the_record_gone(
    team_north: Any,
    practitioner: User,
    manager: User,
    admin_user: User,
    ig_team: Any,
    django_capture_on_commit_callbacks: Any,
    default_schedule: None,
    settings: Any,
) -> None:
    """Two orders, both safe. A hold being placed on a person when the chunk reaches them: the
    chunk waits for it, sees it and leaves the case whole. A hold placed on a person the chunk
    has already locked: it waits for the chunk, then is refused, the record being gone."""
    settings.CAREFILE_DISPOSAL_CHUNK = 10  # every record of a batch in one chunk
    first, second, third = _due_cases(team_north, practitioner, manager, 3)
    (batch,) = services.disposal_propose()
    colleague = staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")
    _approved(batch, colleague, admin_user, django_capture_on_commit_callbacks)
    place = partial(
        services.hold_place,
        actor=admin_user,
        organisation=team_north.organisation,
        scope="person",
        reason="Civil claim",
    )

    with transaction.atomic():
        # This session places a hold on the first case's person and has not committed: the
        # chunk, locking the people its records are about, waits for it.
        place(person=first.person)
        run, ran = _in_thread(lambda: services.batch_run(batch_id=batch.pk))
        _until_waiting(run, ran)
    # Committed: the chunk, waiting on the first person, now goes on and sees the hold.
    run.join(timeout=60)
    assert not run.is_alive()
    assert "error" not in ran, ran
    statuses = dict(batch.items.values_list("record_reference", "status"))
    assert statuses == {
        first.reference: ItemStatus.SKIPPED,
        second.reference: ItemStatus.DISPOSED,
        third.reference: ItemStatus.DISPOSED,
    }
    assert "hold on the person" in batch.items.get(case_id=first.pk).reason
    assert Case.objects.filter(pk=first.pk).exists()
    assert Item.objects.filter(case_id=first.pk).count() == 1

    # The other order: the chunk has locked the people and waits on a case; a hold on one
    # of its people waits for the chunk, and finds the record gone.
    later = _due_cases(team_north, practitioner, manager, 2)
    services.hold_lift(actor=admin_user, hold=Hold.objects.get(), reason="Claim settled")
    (again,) = [b for b in services.disposal_propose() if b.pk != batch.pk]
    _approved(again, colleague, admin_user, django_capture_on_commit_callbacks)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=later[1].pk).get()
        run, ran = _in_thread(lambda: services.batch_run(batch_id=again.pk))
        _until_waiting(run, ran)
        hold, held = _in_thread(lambda: place(person=later[0].person))
        _until_waiting(hold, held)
    run.join(timeout=60)
    hold.join(timeout=60)
    assert not run.is_alive()
    assert not hold.is_alive()
    assert "error" not in ran, ran
    assert isinstance(held.get("error"), ApplicationError)
    assert "disposed of" in str(held["error"])
    assert not Hold.objects.filter(lifted_at__isnull=True).exists()
    assert not Case.objects.filter(pk__in=[c.pk for c in later]).exists()
    assert set(again.items.values_list("status", flat=True)) == {ItemStatus.DISPOSED}
