from celery import shared_task

from audit.services import audit_seal


@shared_task(name="audit.seal", ignore_result=True)
def seal() -> None:
    """Periodic: seal settled events into the hash chain."""
    audit_seal()


@shared_task(name="audit.detect_alerts", ignore_result=True)
def detect_alerts() -> None:
    """Periodic: run the privacy rules over events not yet scanned."""
    from audit.alerts import alerts_detect

    alerts_detect()
