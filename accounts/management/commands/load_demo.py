from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import USERS, load_demo
from core.errors import ApplicationError
from records.demo import DEFAULT_PEOPLE


class Command(BaseCommand):
    help = (
        "Load the demo councils, teams and staff, and invented people with their cases and "
        "chronologies (idempotent). Refuses to run in production."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            metavar="N",
            help=f"about how many demo people to create (default {DEFAULT_PEOPLE}; 0 for none). "
            "Ignored when demo people already exist.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] < 0:
            raise CommandError("--people must be 0 or more.")
        try:
            counts = load_demo(people=options["people"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready: {organisations} organisations, {teams} teams, "
                "{users} users.".format(**counts)
            )
        )
        people = (
            "{record_people} people, {record_cases} cases and {record_items} chronology "
            "items".format(**counts)
        )
        if counts["record_created"]:
            self.stdout.write(self.style.SUCCESS(f"Created {people}."))
        else:
            self.stdout.write(f"Demo people were already there ({people}); nothing added.")
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(f"Demo users (password: {settings.CAREFILE_DEMO_PASSWORD}):")
            for user in USERS:
                roles = ", ".join(f"{role.label} ({team})" for team, role in user.roles)
                self.stdout.write(
                    f"  {user.username:<5} {user.first_name} {user.last_name}: {roles}"
                )
