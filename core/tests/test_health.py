from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.services import heartbeat_record
from core.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_503_until_the_first_heartbeat(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["heartbeat"]["ok"] is False
    assert any("no heartbeat yet" in problem for problem in body["problems"])


def test_healthz_is_200_after_a_heartbeat_and_503_when_it_goes_stale(client, settings) -> None:
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        heartbeat_record(worker="worker@test")
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
    stale = now + timedelta(seconds=settings.CAREFILE_HEARTBEAT_STALE_SECONDS + 1)
    with time_machine.travel(stale, tick=False):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["checks"]["heartbeat"]["detail"].startswith("stale")


def test_healthz_reports_an_unreachable_broker(client, settings) -> None:
    heartbeat_record()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_IS_FILESYSTEM = False
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_healthz_needs_no_sign_in_and_shows_no_personal_data(client) -> None:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"status", "checks", "problems"}


def test_heartbeat_task_counts_runs_and_is_safe_to_repeat() -> None:
    heartbeat.apply()
    heartbeat.apply()
    beat = heartbeat_record()
    assert beat.runs == 3


def test_heartbeat_is_scheduled_in_django_celery_beat(settings) -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="core.heartbeat")
    assert task.enabled
    assert task.interval.every == settings.CAREFILE_HEARTBEAT_SECONDS
