from celery import shared_task


@shared_task(name="sharing.render_package", ignore_result=True)
def package_render_task(package_id: int) -> None:
    """Render a queued outbound package (claimed once, however often delivered)."""
    from sharing.packages import package_render

    package_render(package_id=package_id)


@shared_task(name="sharing.agreement_reminders", ignore_result=True)
def agreement_reminders_task() -> None:
    """Daily: remind each council's register keepers of agreements due for review."""
    from sharing.services import agreement_reminders_send

    agreement_reminders_send()
