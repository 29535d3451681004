from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Partner agencies, sharing agreements, consents and the sharing log."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "sharing"
    verbose_name = "Sharing with partner agencies"
