"""Fixtures shared by the audit tests: two of amy's children in Ashdown, and Brambley with its
own guardian, practitioner and child."""

from __future__ import annotations

import pytest

from accounts.models import Organisation, Team, User
from accounts.roles import Role
from accounts.tests.factories import TeamFactory, staff_member
from audit.services import alert_rules_ensure
from records.models import Person
from records.tests.factories import open_case


@pytest.fixture
def person(team_north: Team, practitioner: User, manager: User) -> Person:
    """A child on amy's case in Ashdown."""
    return open_case(team=team_north, worker=practitioner, manager=manager).person


@pytest.fixture
def second_person(team_north: Team, practitioner: User, manager: User) -> Person:
    return open_case(team=team_north, worker=practitioner, manager=manager).person


@pytest.fixture
def brambley(other_council: Organisation) -> dict[str, object]:
    """Brambley: its guardian zoe, its practitioner olly and a child on olly's case."""
    ig = TeamFactory(
        name="Brambley IG", organisation=other_council, service="information_governance"
    )
    team = TeamFactory(name="Brambley Children", organisation=other_council)
    zoe = staff_member(role=Role.CALDICOTT_GUARDIAN, team=ig, username="zoe")
    olly = staff_member(role=Role.PRACTITIONER, team=team, username="olly")
    child = open_case(team=team, worker=olly).person
    return {"guardian": zoe, "practitioner": olly, "person": child, "team": team}


@pytest.fixture
def rules() -> None:
    alert_rules_ensure()
