"""A real Celery worker process, on the test Redis, runs a task against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core.models import Heartbeat
from core.tasks import heartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{db.get('PORT')}/{db['NAME']}"


def test_worker_runs_the_heartbeat_through_redis() -> None:
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "`make test` provides Redis"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
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
        heartbeat.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        beat = None
        while time.monotonic() < deadline and beat is None:
            beat = Heartbeat.objects.filter(name="celery").first()
            if beat is None:
                if worker.poll() is not None:
                    output = worker.stdout.read().decode() if worker.stdout else ""
                    pytest.fail(f"worker exited early:\n{output}")
                time.sleep(0.2)
        assert beat is not None, "the worker did not run the task within 60 seconds"
        assert beat.runs == 1
        assert beat.worker == f"{queue}@localhost"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
