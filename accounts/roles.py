"""The roles staff hold in a team. Each role is also a Django group carrying model permissions."""

from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    RECORDS_ACCESS_OFFICER = "records_access_officer", "Records-access officer"
    CALDICOTT_GUARDIAN = "caldicott_guardian", "Caldicott guardian"
    RECORDS_MANAGER = "records_manager", "Records manager"
    SYSTEM_ADMIN = "system_admin", "System administrator"


# Model permissions each role's group carries, as "app_label.codename". Record data is never
# granted here: need-to-know on records is per object (django-guardian), decided by policies.
ROLE_MODEL_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.PRACTITIONER: (),
    Role.TEAM_MANAGER: (),
    Role.RECORDS_ACCESS_OFFICER: (),
    Role.CALDICOTT_GUARDIAN: ("axes.view_accessattempt", "axes.view_accessfailurelog"),
    Role.RECORDS_MANAGER: (),
    Role.SYSTEM_ADMIN: (
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.add_organisation",
        "accounts.change_organisation",
        "accounts.view_organisation",
        "accounts.add_team",
        "accounts.change_team",
        "accounts.view_team",
        "accounts.add_membership",
        "accounts.change_membership",
        "accounts.delete_membership",
        "accounts.view_membership",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_intervalschedule",
        "django_celery_beat.add_intervalschedule",
        "django_celery_beat.change_intervalschedule",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.add_crontabschedule",
        "django_celery_beat.change_crontabschedule",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
    ),
}

# Roles whose holders administer the system through the admin site.
STAFF_ROLES = frozenset({Role.SYSTEM_ADMIN})
