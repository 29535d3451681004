from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Audit events for every read and write, seals, privacy alerts and the guardian's review."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit trail"
