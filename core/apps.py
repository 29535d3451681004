from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    """What every app shares: errors, the start page, health, navigation and the heartbeat."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    default = True
    verbose_name = "Carefile core"

    def ready(self) -> None:
        from core import lookups  # noqa: F401  registers ``__any`` on every field


class CarefileAdminConfig(admin_apps.AdminConfig):
    """The admin site signs in through Carefile's own sign-in (lockout and MFA included)."""

    default = False
    default_site = "core.admin_site.CarefileAdminSite"
