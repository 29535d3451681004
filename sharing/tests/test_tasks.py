"""The daily agreement review reminders: 30 days, 7 days, on the day and overdue, each sent
once however often the task runs; ended agreements are left alone; beat runs it at 06:45."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from sharing import services
from sharing.models import AgreementReminder
from sharing.tasks import agreement_reminders_task

pytestmark = pytest.mark.django_db


def test_each_review_reminder_is_sent_once(register, admin_user, mailoutbox) -> None:
    review = timezone.localdate() + timedelta(days=60)
    agreement = services.agreement_update(
        actor=admin_user, agreement=register.agreement, review_on=review
    )
    services.agreement_create(
        actor=admin_user,
        agency=register.hospital,
        title="Hospital discharge protocol (ended)",
        purposes=["direct_care"],
        lawful_bases=["public_task"],
        data_categories=["identity", "health"],
        starts_on=timezone.localdate() - timedelta(days=700),
        ends_on=timezone.localdate() - timedelta(days=1),
        review_on=review,
    )
    sent: dict[int, list[str]] = {}
    for offset in (-31, -30, -29, -7, -3, 0, 1, 9):
        morning = datetime.combine(review + timedelta(days=offset), time(6, 45))
        with time_machine.travel(timezone.make_aware(morning), tick=False):
            before = len(mailoutbox)
            agreement_reminders_task()
            agreement_reminders_task()  # a second delivery of the same morning's task
            sent[offset] = [m.subject for m in mailoutbox[before:]]

    subject = f"Sharing agreement review: {agreement.title}"
    assert sent == {
        -31: [],
        -30: [subject],
        -29: [],
        -7: [subject],
        -3: [],
        0: [subject],
        1: [subject],
        9: [],
    }
    assert all(m.to == [admin_user.email] for m in mailoutbox)
    assert "due for review on" in mailoutbox[0].body
    kinds = AgreementReminder.objects.filter(agreement=agreement).values_list("kind", flat=True)
    assert sorted(kinds) == ["days_30", "days_7", "due", "overdue"]
    assert AgreementReminder.objects.count() == 4


def test_beat_runs_the_reminders_every_morning() -> None:
    task = PeriodicTask.objects.get(task="sharing.agreement_reminders")
    assert task.enabled
    crontab = task.crontab
    assert (crontab.hour, crontab.minute, crontab.day_of_week) == ("6", "45", "*")
    assert str(crontab.timezone) == "Europe/London"
