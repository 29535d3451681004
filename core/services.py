"""Writes that belong to no one domain: the worker heartbeat."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import Heartbeat

HEARTBEAT_NAME = "celery"


@transaction.atomic
def heartbeat_record(*, worker: str = "", name: str = HEARTBEAT_NAME) -> Heartbeat:
    """Record that the worker ran the periodic heartbeat now. Safe to run any number of times."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(
        last_run_at=now, runs=F("runs") + 1, worker=worker[:200]
    )
    if not updated:
        Heartbeat.objects.get_or_create(
            name=name, defaults={"last_run_at": now, "runs": 1, "worker": worker[:200]}
        )
    return Heartbeat.objects.get(name=name)
