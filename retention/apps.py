from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Retention rules, holds, disposal batches, the disposal register and certificates."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "retention"
    verbose_name = "Retention and disposal"
