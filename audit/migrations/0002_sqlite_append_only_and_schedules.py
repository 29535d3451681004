"""The embedded default gets the same append-only rules as PostgreSQL (where django-pgtrigger
installs them), and beat gets its sealing and privacy-monitoring schedules, which an
administrator can see and change."""

from django.conf import settings
from django.db import migrations

# The sealed columns as this migration created the table (frozen here, not imported).
SEALED_COLUMNS = (
    "id",
    "occurred_at",
    "action",
    "purpose",
    "actor_id",
    "actor_username",
    "summary",
    "object_type",
    "object_id",
    "subject_ids",
    "changed_fields",
    "path",
    "request_id",
    "ip_address",
    "personal_digest",
    "event_hash",
)
_SAME = " AND ".join(f"OLD.{c} IS NEW.{c}" for c in SEALED_COLUMNS)
SQLITE_TRIGGERS = {
    "audit_event_no_delete": (
        "BEFORE DELETE ON audit_auditevent BEGIN "
        "SELECT RAISE(ABORT, 'audit events cannot be deleted'); END"
    ),
    "audit_event_only_scrub": (
        "BEFORE UPDATE ON audit_auditevent WHEN NOT (NEW.personal_text IS NULL AND "
        f"NEW.personal_salt = '' AND NEW.scrubbed_at IS NOT NULL AND {_SAME}) BEGIN "
        "SELECT RAISE(ABORT, 'audit events cannot be changed'); END"
    ),
    "audit_subject_no_update": (
        "BEFORE UPDATE ON audit_auditeventsubject BEGIN "
        "SELECT RAISE(ABORT, 'audit subjects cannot be changed'); END"
    ),
    "audit_subject_no_delete": (
        "BEFORE DELETE ON audit_auditeventsubject BEGIN "
        "SELECT RAISE(ABORT, 'audit subjects cannot be deleted'); END"
    ),
    "audit_seal_no_update": (
        "BEFORE UPDATE ON audit_auditseal BEGIN "
        "SELECT RAISE(ABORT, 'audit seals cannot be changed'); END"
    ),
    "audit_seal_no_delete": (
        "BEFORE DELETE ON audit_auditseal BEGIN "
        "SELECT RAISE(ABORT, 'audit seals cannot be deleted'); END"
    ),
}

SCHEDULES = [
    (
        "Seal the audit trail",
        "audit.seal",
        settings.CAREFILE_AUDIT_SEAL_MINUTES,
        "Seals settled audit events into the hash chain that audit_verify re-checks.",
    ),
    (
        "Privacy monitoring",
        "audit.detect_alerts",
        settings.CAREFILE_PRIVACY_ALERT_MINUTES,
        "Runs the privacy-alert rules over new audit events for the Caldicott guardian.",
    ),
]


def sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, body in SQLITE_TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in SQLITE_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def add_schedules(apps, schema_editor):
    from django.utils import timezone

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, minutes, description in SCHEDULES:
        every, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={"task": task, "interval": every, "enabled": True, "description": description},
        )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(sqlite_triggers, drop_sqlite_triggers),
        migrations.RunPython(add_schedules, remove_schedules),
    ]
