from celery import shared_task
from django.db import OperationalError


@shared_task(name="retention.propose_disposals", ignore_result=True)
def disposal_propose_task() -> None:
    """Nightly: propose batches of the records that have fallen due under their rules."""
    from retention.services import disposal_propose

    disposal_propose()


@shared_task(
    name="retention.run_disposal",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def disposal_run_task(batch_id: int) -> None:
    """Carry out one approved batch (queued by the second approval)."""
    from retention.services import batch_run

    batch_run(batch_id=batch_id)


@shared_task(name="retention.resume_disposals", ignore_result=True)
def disposal_resume_task() -> None:
    """Every few minutes: finish any approved batch not yet run, or left running by a worker
    that died."""
    from retention.services import batches_resume

    batches_resume()


@shared_task(
    name="retention.make_certificate",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def disposal_certificate_task(batch_id: int) -> None:
    """Make and keep the certificate of a batch just carried out."""
    from retention.services import batch_certificate_make

    batch_certificate_make(batch_id=batch_id)
