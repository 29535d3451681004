"""Who sees which person, case and item: the need-to-know invariant, through the selectors."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from accounts.roles import Role
from accounts.services import membership_add
from accounts.tests.factories import OrganisationFactory, TeamFactory, staff_member
from records import selectors, services
from records.models import RestrictionReason
from records.tests.factories import open_case

pytestmark = pytest.mark.django_db


def visible_people(user):
    return set(selectors.person_list_for_user(user=user).values_list("pk", flat=True))


def test_allocated_worker_sees_the_person_and_case(case_north, practitioner):
    assert selectors.person_get_for_user(user=practitioner, person_id=case_north.person.public_id)
    assert selectors.case_get_for_user(user=practitioner, case_id=case_north.public_id)


def test_other_team_sees_nothing_and_gets_the_same_404(case_north, other_practitioner):
    with pytest.raises(Http404) as hidden:
        selectors.person_get_for_user(
            user=other_practitioner, person_id=case_north.person.public_id
        )
    with pytest.raises(Http404) as missing:
        selectors.person_get_for_user(
            user=other_practitioner, person_id="00000000-0000-0000-0000-000000000000"
        )
    assert str(hidden.value) == str(missing.value)
    assert case_north.person.pk not in visible_people(other_practitioner)


def test_team_member_sees_the_teams_cases_when_it_shares_its_caseload(case_north, team_north):
    colleague = staff_member(role=Role.PRACTITIONER, team=team_north)
    assert case_north.person.pk in visible_people(colleague)
    team_north.shares_caseload = False
    team_north.save()
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert case_north.person.pk not in visible_people(colleague)


def test_manager_sees_the_teams_cases_even_without_a_shared_caseload(
    case_north, team_north, manager
):
    team_north.shares_caseload = False
    team_north.save()
    fresh = type(manager).objects.get(pk=manager.pk)
    assert case_north.person.pk in visible_people(fresh)


@pytest.mark.parametrize("persona", ["records_officer", "guardian", "admin_user"])
def test_roles_without_a_caseload_see_no_records(case_north, persona, request):
    user = request.getfixturevalue(persona)
    assert visible_people(user) == set()
    with pytest.raises(Http404):
        selectors.case_get_for_user(user=user, case_id=case_north.public_id)


def test_allocation_ending_removes_access_on_the_day_after(case_north, practitioner, manager):
    team_north = case_north.team
    team_north.shares_caseload = False
    team_north.save()
    allocation = case_north.allocations.get(worker=practitioner)
    services.allocation_end(
        actor=manager, allocation=allocation, ends_on=timezone.localdate() + timedelta(days=2)
    )
    user = type(practitioner).objects.get(pk=practitioner.pk)
    assert case_north.person.pk in visible_people(user)
    # No clean-up job runs in between: the grant's own expiry stops it.
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        user = type(practitioner).objects.get(pk=practitioner.pk)
        assert case_north.person.pk not in visible_people(user)


def test_membership_ending_stops_team_access_without_any_job(case_north, team_north):
    colleague = staff_member(role=Role.PRACTITIONER, team=team_north)
    membership = colleague.memberships.get()
    membership.ends_on = timezone.localdate() + timedelta(days=1)
    membership.save()
    assert case_north.person.pk in visible_people(colleague)
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        fresh = type(colleague).objects.get(pk=colleague.pk)
        assert case_north.person.pk not in visible_people(fresh)


def test_participants_are_seen_through_the_case(case_north, practitioner, other_practitioner):
    mother, _ = services.related_person_create(
        actor=practitioner,
        case=case_north,
        details={"first_name": "Jo", "last_name": "Example"},
        kind="mother",
    )
    assert mother.pk in visible_people(practitioner)
    assert mother.pk not in visible_people(other_practitioner)


def test_restricted_person_needs_a_named_grant_on_top(case_north, manager, team_north):
    colleague = staff_member(role=Role.PRACTITIONER, team=team_north)
    assert case_north.person.pk in visible_people(colleague)
    services.person_restrict(
        actor=manager, person=case_north.person, reason=RestrictionReason.STAFF_RELATIVE
    )
    fresh = type(colleague).objects.get(pk=colleague.pk)
    assert case_north.person.pk not in visible_people(fresh)
    # amy was allocated when it was restricted, so she carries on.
    amy = case_north.allocations.get().worker
    assert case_north.person.pk in visible_people(amy)
    services.restricted_access_grant(actor=manager, person=case_north.person, user=fresh)
    fresh = type(colleague).objects.get(pk=colleague.pk)
    assert case_north.person.pk in visible_people(fresh)


def test_break_glass_opens_for_a_limited_time(case_north, other_practitioner, settings):
    settings.CAREFILE_BREAK_GLASS_HOURS = 24
    person = case_north.person
    services.break_glass_open(
        actor=other_practitioner, person=person, reason="Out-of-hours call from the police"
    )
    fresh = type(other_practitioner).objects.get(pk=other_practitioner.pk)
    assert person.pk in visible_people(fresh)
    assert selectors.person_reach(user=fresh, person=person) == "break_glass"
    assert selectors.case_get_for_user(user=fresh, case_id=case_north.public_id)
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        fresh = type(other_practitioner).objects.get(pk=other_practitioner.pk)
        assert person.pk not in visible_people(fresh)


def test_break_glass_needs_a_reason_and_never_opens_restricted(
    case_north, other_practitioner, manager
):
    from core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        services.break_glass_open(actor=other_practitioner, person=case_north.person, reason="")
    services.person_restrict(actor=manager, person=case_north.person, reason="high_profile")
    with pytest.raises(ApplicationError):
        services.break_glass_open(
            actor=other_practitioner, person=case_north.person, reason="Urgent safeguarding call"
        )


def test_break_glass_is_for_caseworkers_only(case_north, guardian):
    from core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        services.break_glass_open(
            actor=guardian, person=case_north.person, reason="Curious about this person"
        )


def test_shared_service_sees_each_council_it_acts_for_and_nothing_else(council, other_council):
    third = OrganisationFactory(name="Cindermoor Council")
    adoption = TeamFactory(name="Adoption Together", organisation=council, service="adoption")
    adoption.acts_for.set([council, other_council])
    worker = staff_member(role=Role.PRACTITIONER, team=adoption)
    brambley_case = open_case(
        team=adoption, worker=worker, organisation=other_council, category="adoption"
    )
    assert brambley_case.organisation == other_council
    assert brambley_case.person.pk in visible_people(worker)
    # A Cindermoor case held by Cindermoor's own team stays out of sight.
    their_team = TeamFactory(name="Cindermoor Children", organisation=third)
    their_worker = staff_member(role=Role.PRACTITIONER, team=their_team)
    theirs = open_case(team=their_team, worker=their_worker)
    assert theirs.person.pk not in visible_people(worker)
    # And a Brambley case held by Brambley's own team is not the shared service's either.
    brambley_team = TeamFactory(name="Brambley Children", organisation=other_council)
    brambley_worker = staff_member(role=Role.PRACTITIONER, team=brambley_team)
    local = open_case(team=brambley_team, worker=brambley_worker)
    assert local.person.pk not in visible_people(worker)


def test_allocation_only_to_workers_of_a_team_serving_the_case(case_north, manager, team_south):
    from django.core.exceptions import ValidationError

    adults = TeamFactory(
        name="Adults", organisation=case_north.organisation, service="adult_social_care"
    )
    adult_worker = staff_member(role=Role.PRACTITIONER, team=adults)
    with pytest.raises(ValidationError) as error:
        services.case_allocate(actor=manager, case=case_north, worker=adult_worker)
    assert "worker" in error.value.message_dict


def test_case_transfer_moves_the_team_grant(case_north, manager, team_south, other_practitioner):
    south_manager = staff_member(role=Role.TEAM_MANAGER, team=team_south)
    assert case_north.person.pk not in visible_people(south_manager)
    services.case_transfer(actor=manager, case=case_north, team=team_south)
    fresh = type(south_manager).objects.get(pk=south_manager.pk)
    assert case_north.person.pk in visible_people(fresh)
    # amy is still allocated, so she still sees it; the north manager no longer does.
    fresh_manager = type(manager).objects.get(pk=manager.pk)
    assert case_north.person.pk not in visible_people(fresh_manager)


def test_a_second_role_in_a_case_team_gives_the_guardian_a_caseload(case_north, guardian):
    membership_add(actor=None, user=guardian, team=case_north.team, role=Role.PRACTITIONER)
    fresh = type(guardian).objects.get(pk=guardian.pk)
    assert case_north.person.pk in visible_people(fresh)
