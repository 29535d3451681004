"""Health checks for /healthz: the database, the broker and the last heartbeat."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.models import Heartbeat
from core.services import HEARTBEAT_NAME


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail}


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy, and says why
        return Check("database", False, f"database unreachable: {type(exc).__name__}")
    return Check("database", True, f"{connection.vendor} reachable")


def check_broker() -> Check:
    from config.celery import app

    if settings.CELERY_BROKER_IS_FILESYSTEM:
        folder = Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]))
        if not folder.is_dir():
            return Check("broker", False, "filesystem broker folder is missing")
        return Check("broker", True, "filesystem broker ready")
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return Check("broker", False, f"broker unreachable: {type(exc).__name__}")
    return Check("broker", True, "broker reachable")


def check_heartbeat() -> Check:
    try:
        beat = Heartbeat.objects.filter(name=HEARTBEAT_NAME).first()
    except Exception as exc:  # noqa: BLE001
        return Check("heartbeat", False, f"cannot read heartbeat: {type(exc).__name__}")
    if beat is None:
        return Check("heartbeat", False, "no heartbeat yet: is the worker with beat running?")
    age = (timezone.now() - beat.last_run_at).total_seconds()
    detail = f"last run {beat.last_run_at.isoformat()} ({int(age)} seconds ago)"
    if age > settings.CAREFILE_HEARTBEAT_STALE_SECONDS:
        return Check("heartbeat", False, f"stale: {detail}")
    return Check("heartbeat", True, detail)


def run_checks() -> list[Check]:
    return [check_database(), check_broker(), check_heartbeat()]
