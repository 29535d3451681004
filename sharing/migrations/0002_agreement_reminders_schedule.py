"""Beat reminds the register keepers of sharing agreements due for review every morning at
06:45."""

from django.db import migrations

NAME = "Sharing agreements: daily review reminders"


def add_schedule(apps, schema_editor):
    from django.utils import timezone

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="45",
        hour="6",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "sharing.agreement_reminders",
            "crontab": morning,
            "interval": None,
            "enabled": True,
            "description": "Reminders to each council's records managers and administrators of "
            "information sharing agreements due for review in 30 days, in 7 days, today, and "
            "overdue; each sent once.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
