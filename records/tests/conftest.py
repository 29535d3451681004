"""Cases shared by the records tests: amy's allocated case in Team North, ben's in Team South."""

from __future__ import annotations

import pytest

from accounts.models import Team, User
from records.models import Case
from records.tests.factories import open_case


@pytest.fixture
def case_north(team_north: Team, practitioner: User, manager: User) -> Case:
    """A child-in-need case held by Team North, allocated to amy. Fixed names, unlike each
    other, so a search for one never finds the other by chance."""
    return open_case(
        team=team_north,
        worker=practitioner,
        manager=manager,
        first_name="Maisie",
        last_name="Thornbury",
    )


@pytest.fixture
def case_south(team_south: Team, other_practitioner: User) -> Case:
    """A case held by Team South, allocated to ben."""
    return open_case(
        team=team_south, worker=other_practitioner, first_name="Oluwaseun", last_name="Adeyemi"
    )
