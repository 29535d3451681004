"""Helpers shared by the audit tests."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from audit.models import Action, AuditEvent, Purpose
from audit.services import event_record
from records.models import Person


def read(
    actor: User | None, people: list[Person], summary: str = "Opened a record", **kw: Any
) -> AuditEvent:
    """A read event, as the middleware writes one."""
    purpose = kw.pop("purpose", Purpose.NORMAL)
    return event_record(
        actor=actor,
        action=Action.READ,
        summary=summary,
        subjects=people,
        purpose=purpose,
        personal=kw or None,
    )
