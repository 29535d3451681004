from django.apps import AppConfig


class AccessRequestsConfig(AppConfig):
    """Subject access and other rights requests, statutory clocks, redaction and disclosure."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "access_requests"
    verbose_name = "Rights requests"
