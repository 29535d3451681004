"""Beat finishes approved disposal batches every ten minutes: a batch queued when its second
approval was given runs at once, and one a dead worker left running is finished here."""

from django.db import migrations

NAME = "Retention: finish approved disposal batches"


def add_schedule(apps, schema_editor):
    from django.utils import timezone

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "retention.resume_disposals",
            "interval": every,
            "crontab": None,
            "enabled": True,
            "description": "Carries out disposal batches approved by two people, and finishes "
            "any batch a stopped worker left part-done. Each record is destroyed whole or "
            "not at all.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0005_disposal_execution"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
