"""Records for retention's tests to dispose of."""

from __future__ import annotations

from datetime import date

from accounts.models import Team, User
from records import services as record_services
from records.models import Case
from records.tests.factories import open_case


def closed_case(
    team: Team,
    worker: User,
    manager: User,
    *,
    born: date | None,
    opened: date = date(2005, 1, 1),
    closed: date = date(2008, 1, 1),
    category: str = "child_in_need",
    **names: str,
) -> Case:
    """A case opened and closed through the services (needs met), of a person born on
    ``born`` (None: not recorded)."""
    case = open_case(
        team=team,
        worker=worker,
        manager=manager,
        opened_on=opened,
        category=category,
        date_of_birth=born,
        **names,
    )
    record_services.case_close(actor=manager, case=case, closed_on=closed, reason="needs_met")
    case.refresh_from_db()
    return case
