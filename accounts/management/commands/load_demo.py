from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import USERS, load_demo
from core.errors import ApplicationError


class Command(BaseCommand):
    help = "Load the demo councils, teams and staff (idempotent). Refuses to run in production."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load_demo()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready: {organisations} organisations, {teams} teams, "
                "{users} users.".format(**counts)
            )
        )
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"Demo users (password: {settings.CAREFILE_DEMO_PASSWORD}):")
            for user in USERS:
                roles = ", ".join(f"{role.label} ({team})" for team, role in user.roles)
                self.stdout.write(
                    f"  {user.username:<5} {user.first_name} {user.last_name}: {roles}"
                )
