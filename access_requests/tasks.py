from celery import shared_task


@shared_task(name="access_requests.build_bundle", ignore_result=True)
def bundle_build_task(bundle_id: int) -> None:
    """Render a queued disclosure bundle (claimed once, however often delivered)."""
    from access_requests.disclosure import bundle_build

    bundle_build(bundle_id=bundle_id)


@shared_task(name="access_requests.send_reminders", ignore_result=True)
def reminders_send_task() -> None:
    """Daily: recompute due dates and send the reminders that have fallen due."""
    from access_requests.reminders import reminders_send

    reminders_send()
