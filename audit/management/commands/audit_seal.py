from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from audit.services import audit_seal


class Command(BaseCommand):
    help = "Seal every settled audit event into the hash chain now (the periodic task does too)."

    def handle(self, *args: Any, **options: Any) -> None:
        seals = audit_seal()
        if not seals:
            self.stdout.write("Nothing to seal: no settled events since the last seal.")
            return
        events = sum(seal.event_count for seal in seals)
        self.stdout.write(
            f"Sealed {events:,} events in {len(seals)} seal(s), up to event "
            f"#{seals[-1].last_event_id}."
        )
