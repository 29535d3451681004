from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.integrity import audit_verify


class Command(BaseCommand):
    help = (
        "Re-check every audit event and seal; report the first that does not match, or a gap "
        "where an event was deleted. Exits non-zero when anything is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--subjects",
            action="store_true",
            help="also check the per-person index the guardian's reports read (slower)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify(subjects=options["subjects"])
        summary = (
            f"Checked {report.events:,} events and {report.seals:,} seals in "
            f"{report.seconds:.2f} s ({report.rate:,.0f} events/s); "
            f"{report.unsealed:,} not sealed yet."
        )
        if not report.ok:
            self.stderr.write(summary)
            raise CommandError(report.problems[0])
        self.stdout.write(f"Audit trail intact. {summary}")
