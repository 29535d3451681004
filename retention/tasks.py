from celery import shared_task


@shared_task(name="retention.propose_disposals", ignore_result=True)
def disposal_propose_task() -> None:
    """Nightly: propose batches of the records that have fallen due under their rules."""
    from retention.services import disposal_propose

    disposal_propose()
