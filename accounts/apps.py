from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts, teams and organisations"

    def ready(self) -> None:
        # Permissions exist only after every app has migrated, so role groups are brought up
        # to date then (as Django itself creates permissions), not in a data migration.
        post_migrate.connect(_ensure_roles, sender=self, dispatch_uid="accounts.roles_ensure")


def _ensure_roles(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from accounts.services import roles_ensure

    roles_ensure(using=using)
