from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """People, relationships, cases, contacts, notes, assessments, plans and documents."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "records"
    verbose_name = "Case records"
