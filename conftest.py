"""Fixed personas shared by every app's tests, as in the demo: one per role, two councils."""

from __future__ import annotations

import pytest

from accounts.models import Organisation, Service, Team, User
from accounts.roles import Role
from accounts.tests.factories import OrganisationFactory, TeamFactory, staff_member


@pytest.fixture(autouse=True)
def _isolated_cache(settings) -> None:
    """Throttle counts live in the cache; each test starts with its own empty one."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "carefile-tests",
        }
    }
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Test staff are made by the hundred, and Django's default PBKDF2 (what production uses)
    is slow on purpose: tests hash with MD5."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def council(db: None) -> Organisation:
    return OrganisationFactory(name="Ashdown Borough Council")


@pytest.fixture
def other_council(db: None) -> Organisation:
    return OrganisationFactory(name="Brambley Borough Council")


@pytest.fixture
def team_north(council: Organisation) -> Team:
    return TeamFactory(name="Children's Team North", organisation=council)


@pytest.fixture
def team_south(council: Organisation) -> Team:
    return TeamFactory(name="Children's Team South", organisation=council)


@pytest.fixture
def records_team(council: Organisation) -> Team:
    return TeamFactory(name="Records Access", organisation=council, service=Service.RECORDS_ACCESS)


@pytest.fixture
def ig_team(council: Organisation) -> Team:
    return TeamFactory(
        name="Information Governance",
        organisation=council,
        service=Service.INFORMATION_GOVERNANCE,
    )


@pytest.fixture
def practitioner(team_north: Team) -> User:
    """amy: a practitioner in the team that holds the case."""
    return staff_member(
        role=Role.PRACTITIONER,
        team=team_north,
        username="amy",
        first_name="Amy",
        last_name="Okafor",
    )


@pytest.fixture
def other_practitioner(team_south: Team) -> User:
    """ben: a practitioner in another team of the same council."""
    return staff_member(role=Role.PRACTITIONER, team=team_south, username="ben")


@pytest.fixture
def manager(team_north: Team) -> User:
    """cara: the manager of amy's team."""
    return staff_member(role=Role.TEAM_MANAGER, team=team_north, username="cara")


@pytest.fixture
def records_officer(records_team: Team) -> User:
    """dan: a records-access officer."""
    return staff_member(role=Role.RECORDS_ACCESS_OFFICER, team=records_team, username="dan")


@pytest.fixture
def guardian(ig_team: Team) -> User:
    """eve: the Caldicott guardian."""
    return staff_member(role=Role.CALDICOTT_GUARDIAN, team=ig_team, username="eve")


@pytest.fixture
def admin_user(ig_team: Team) -> User:
    """fay: records manager and system administrator."""
    from accounts.services import membership_add

    user = staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="fay")
    membership_add(actor=None, user=user, team=ig_team, role=Role.SYSTEM_ADMIN)
    user.refresh_from_db()
    return user
