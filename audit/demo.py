"""A month of invented activity for the demo, so the Caldicott guardian has something to
review: everyday reads by the demo practitioners, an evening session, a break-glass opening
and one busy day, sealed and run through privacy monitoring."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from audit.alerts import alerts_detect
from audit.models import Action, AuditEvent, Purpose
from audit.services import PastEvent, audit_seal, history_import
from core.errors import ApplicationError

DAYS = 30
MARKER = "demo-history"


def _moment(day: datetime, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day.date(), time(hour, minute)))


def load_demo_activity(*, seed: int = 2026) -> int:
    """Write the month once; returns how many events were written (0 when already there)."""
    from records.models import Allocation, Person

    if settings.PRODUCTION:
        raise ApplicationError("Demo data cannot be loaded in production.")
    if AuditEvent.objects.filter(request_id__startswith=MARKER).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - invented activity
    today = timezone.localtime()
    caseloads: dict[User, list[int]] = {}
    for allocation in Allocation.objects.select_related("worker", "case").filter(
        worker__username__in=["amy", "ben", "gus", "hal"]
    ):
        caseloads.setdefault(allocation.worker, []).append(allocation.case.person_id)
    if not caseloads:
        return 0
    events: list[PastEvent] = []
    reason = {"reason": "Police asked for an urgent welfare check"}

    def read(user: User, person_id: int, at: datetime, purpose: str = Purpose.NORMAL) -> None:
        events.append(
            PastEvent(
                actor=user,
                action=Action.READ,
                summary="Viewed a person's record",
                occurred_at=at,
                subjects=(person_id,),
                purpose=purpose,
                object_type="records.person",
                personal=reason if purpose == Purpose.BREAK_GLASS else None,
                request_id=f"{MARKER}-{len(events):06d}",
            )
        )

    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for user, people in caseloads.items():
            for _ in range(rng.randint(4, 9)):
                read(user, rng.choice(people), _moment(day, rng.randint(8, 17), rng.randint(0, 59)))
    users = sorted(caseloads, key=lambda u: u.username)
    first = users[0]
    # One evening catching up at home, one very busy day, one break-glass opening.
    evening = today - timedelta(days=3)
    for minute in (5, 20, 41):
        read(first, rng.choice(caseloads[first]), _moment(evening, 22, minute))
    busy = today - timedelta(days=2)
    for _ in range(60):
        read(users[-1], rng.choice(caseloads[users[-1]]), _moment(busy, rng.randint(9, 16), 0))
    outsider = Person.objects.exclude(pk__in=caseloads[first]).order_by("pk").first()
    if outsider is not None:
        read(first, outsider.pk, _moment(today - timedelta(days=1), 11, 15), Purpose.BREAK_GLASS)
    history_import(events=events)
    audit_seal()
    alerts_detect()
    return len(events)
