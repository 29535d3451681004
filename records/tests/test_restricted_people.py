"""Restricted people stay out of sight everywhere, even as names in someone else's record; a
break-glass grant opens one person and never their family, and never becomes lasting access."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import ApplicationError
from records import selectors, services
from records.models import CaseCategory, Person

pytestmark = pytest.mark.django_db


def restricted_mother(case, worker, manager):
    mother, _ = services.related_person_create(
        actor=worker,
        case=case,
        details={"first_name": "Secretia", "last_name": "Stafford"},
        kind="mother",
    )
    # cara restricts the mother through her own case, which the family's team also holds.
    services.case_open(actor=manager, person=mother, team=case.team, category="child_in_need")
    services.person_restrict(actor=manager, person=mother, reason="staff_relative")
    return Person.objects.get(pk=mother.pk)


@pytest.fixture
def colleague(team_north):
    from accounts.roles import Role
    from accounts.tests.factories import staff_member

    return staff_member(role=Role.PRACTITIONER, team=team_north, username="sam")


def test_restricted_relative_is_left_out_of_relationships(
    case_north, practitioner, manager, colleague
):
    mother = restricted_mother(case_north, practitioner, manager)
    with pytest.raises(Http404):
        selectors.person_get_for_user(user=colleague, person_id=mother.public_id)
    api = APIClient()
    api.force_authenticate(colleague)
    response = api.get(
        reverse("records-api:person-relationships", args=[case_north.person.public_id])
    )
    assert response.status_code == 200
    assert "Secretia" not in response.content.decode()
    # cara restricted it and holds a named grant: she still sees the relationship.
    fresh = type(manager).objects.get(pk=manager.pk)
    mine = selectors.relationships_for_person(user=fresh, person=case_north.person)
    assert [r.other.pk for r in mine] == [mother.pk]


@pytest.mark.parametrize("page", ["records:case-detail", "records:person-detail"])
def test_restricted_participant_is_not_named_on_pages(
    client, case_north, practitioner, manager, colleague, page
):
    restricted_mother(case_north, practitioner, manager)
    client.force_login(colleague)
    target = case_north if page == "records:case-detail" else case_north.person
    response = client.get(reverse(page, args=[target.public_id]))
    assert response.status_code == 200
    assert "Secretia" not in response.content.decode()


def test_restricted_participant_cannot_be_linked_to_a_contact(
    case_north, practitioner, manager, colleague
):
    mother = restricted_mother(case_north, practitioner, manager)
    with pytest.raises(Exception, match="part of this case"):
        services.contact_record(
            actor=colleague,
            case=case_north,
            contact_type="phone",
            occurred_at=timezone.now(),
            body="Rang the family.",
            participants=[mother],
        )


def test_break_glass_opens_one_person_not_their_family_and_never_lasts(
    case_north, practitioner, other_practitioner, team_south, settings
):
    settings.CAREFILE_BREAK_GLASS_HOURS = 1
    mother, _ = services.related_person_create(
        actor=practitioner,
        case=case_north,
        details={"first_name": "Ma", "last_name": "Other"},
        kind="mother",
    )
    services.break_glass_open(
        actor=other_practitioner, person=case_north.person, reason="Out of hours police call"
    )
    ben = type(other_practitioner).objects.get(pk=other_practitioner.pk)
    assert (
        selectors.person_in_view_for_user(user=ben, person_id=case_north.person.public_id).reach
        == "break_glass"
    )
    with pytest.raises(Http404):
        selectors.person_in_view_for_user(user=ben, person_id=mother.public_id)
    for person in (mother, case_north.person):
        with pytest.raises(ApplicationError):
            services.case_open(
                actor=ben, person=person, team=team_south, category=CaseCategory.CHILD_IN_NEED
            )
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        ben = type(other_practitioner).objects.get(pk=other_practitioner.pk)
        assert (
            not selectors.person_list_for_user(user=ben)
            .filter(pk__in=[mother.pk, case_north.person.pk])
            .exists()
        )


def test_no_statement_of_disagreement_on_an_item_entered_in_error(
    case_north, practitioner, manager
):
    item = services.note_record(actor=practitioner, case=case_north, title="T", body="B")
    services.item_mark_entered_in_error(actor=manager, item=item, reason="Wrong child")
    with pytest.raises(ApplicationError):
        services.disagreement_attach(
            actor=manager,
            item=item,
            statement="Not true",
            made_by="The mother",
            received_on=timezone.localdate(),
        )


def test_a_restricted_item_cannot_be_reviewed_or_granted_by_someone_who_cannot_see_it(
    case_north, practitioner, colleague
):
    plan = services.plan_record(
        actor=practitioner,
        case=case_north,
        plan_type="child_in_need",
        starts_on=timezone.localdate(),
        next_review_on=None,
        body="Private plan.",
        is_restricted=True,
    )
    with pytest.raises(ApplicationError):
        services.review_record(
            actor=colleague,
            plan=plan,
            occurred_at=timezone.now(),
            body="Reviewed",
            next_review_on=None,
        )
    with pytest.raises(ApplicationError):
        services.item_restricted_access_grant(actor=colleague, item=plan, user=colleague)
