from celery import shared_task

from core.services import heartbeat_record


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Periodic: proves beat schedules and a worker runs; /healthz reads the result."""
    hostname = getattr(heartbeat.request, "hostname", "") or ""
    heartbeat_record(worker=hostname)
