"""A real Celery worker process, on the test Redis, runs a task against the test database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Organisation, User
from audit import tasks as audit_tasks
from audit.integrity import audit_verify
from audit.models import Action, AuditEvent, AuditSeal, PrivacyAlert, Purpose
from audit.services import alert_rules_ensure, event_record
from core.models import Heartbeat
from core.tasks import heartbeat
from records.tests.factories import PersonFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{db.get('PORT')}/{db['NAME']}"


@contextlib.contextmanager
def worker_on_queue(
    extra_env: dict[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A worker process listening on a queue of its own, stopped afterwards."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "`make test` provides Redis"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        **(extra_env or {}),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{queue}@localhost",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue, worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def wait_for(found: Callable[[], object], worker: subprocess.Popen[bytes]) -> object:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        if worker.poll() is not None:
            output = worker.stdout.read().decode() if worker.stdout else ""
            pytest.fail(f"worker exited early:\n{output}")
        time.sleep(0.2)
    worker.terminate()
    output = worker.communicate(timeout=20)[0].decode() if worker.stdout else ""
    pytest.fail(f"the worker did not run the task within 60 seconds:\n{output}")


def test_worker_runs_the_heartbeat_through_redis() -> None:
    with worker_on_queue() as (queue, worker):
        heartbeat.apply_async(queue=queue)
        beat = wait_for(lambda: Heartbeat.objects.filter(name="celery").first(), worker)
        assert isinstance(beat, Heartbeat)
        assert beat.runs == 1
        assert beat.worker == f"{queue}@localhost"


def test_worker_seals_the_audit_trail_and_scans_for_alerts(
    practitioner: User, council: Organisation
) -> None:
    alert_rules_ensure()  # a transactional test may follow one whose flush removed them
    person = PersonFactory(organisation=council)
    with time_machine.travel(timezone.now() - timedelta(hours=1), tick=False):
        event_record(
            actor=practitioner,
            action=Action.READ,
            summary="Viewed a person's record",
            subjects=[person],
            purpose=Purpose.BREAK_GLASS,
        )
    with worker_on_queue() as (queue, worker):
        audit_tasks.seal.apply_async(queue=queue)
        audit_tasks.detect_alerts.apply_async(queue=queue)
        seal = wait_for(lambda: AuditSeal.objects.first(), worker)
        alert = wait_for(lambda: PrivacyAlert.objects.filter(rule="break_glass").first(), worker)
    assert isinstance(seal, AuditSeal)
    assert seal.event_count == AuditEvent.objects.filter(id__lte=seal.last_event_id).count()
    assert isinstance(alert, PrivacyAlert)
    assert alert.user_id == practitioner.pk
    assert audit_verify().ok
