from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    """Audit events for every read and write, seals, privacy alerts and the guardian's review."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from audit import receivers

        receivers.connect_axes()
        post_migrate.connect(_ensure_rules, sender=self, dispatch_uid="audit.rules_ensure")


def _ensure_rules(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from audit.services import alert_rules_ensure

    alert_rules_ensure()
