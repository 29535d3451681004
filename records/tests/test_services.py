"""Services: each rule refuses bad input with a field error and leaves nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import ApplicationError
from records import services
from records.models import (
    Allocation,
    Case,
    CaseUserObjectPermission,
    Item,
    ItemRevision,
    Person,
    Relationship,
)

pytestmark = pytest.mark.django_db


def field_errors(exc_info) -> dict:
    exc = exc_info.value
    if isinstance(exc, ApplicationError):
        return exc.field_errors
    return exc.message_dict


def test_person_create_with_bad_identifiers_writes_nothing(practitioner, team_north):
    with pytest.raises(ValidationError) as error:
        services.person_create(
            actor=practitioner,
            details={"first_name": "Ada", "last_name": "Test", "nhs_number": "1234567890"},
            team=team_north,
            category="child_in_need",
        )
    assert "nhs_number" in field_errors(error)
    assert not Person.objects.exists()
    assert not Case.objects.exists()


def test_person_create_refuses_a_category_the_team_does_not_provide(practitioner, team_north):
    with pytest.raises(ApplicationError) as error:
        services.person_create(
            actor=practitioner,
            details={"first_name": "Ada", "last_name": "Test"},
            team=team_north,
            category="adult_care",
        )
    assert "category" in field_errors(error)
    assert not Person.objects.exists()


def test_person_create_only_for_own_team(practitioner, team_south):
    with pytest.raises(ApplicationError) as error:
        services.person_create(
            actor=practitioner,
            details={"first_name": "Ada", "last_name": "Test"},
            team=team_south,
            category="child_in_need",
        )
    assert "team" in field_errors(error)


def test_date_of_death_before_birth(case_north, practitioner):
    with pytest.raises(ValidationError) as error:
        services.person_update(
            actor=practitioner,
            person=case_north.person,
            details={
                "date_of_birth": timezone.localdate() - timedelta(days=400),
                "date_of_death": timezone.localdate() - timedelta(days=800),
            },
        )
    assert "date_of_death" in field_errors(error)


def test_future_date_of_birth(case_north, practitioner):
    with pytest.raises(ValidationError) as error:
        services.person_update(
            actor=practitioner,
            person=case_north.person,
            details={"date_of_birth": timezone.localdate() + timedelta(days=1)},
        )
    assert "date_of_birth" in field_errors(error)


def test_update_changes_the_searchable_name(case_north, practitioner):
    services.person_update(
        actor=practitioner, person=case_north.person, details={"last_name": "Renamed"}
    )
    assert case_north.person.names.get(kind="current").last_name == "Renamed"


def test_other_team_cannot_change_a_person(case_north, other_practitioner):
    with pytest.raises(ApplicationError):
        services.person_update(
            actor=other_practitioner, person=case_north.person, details={"last_name": "X"}
        )


def test_relationship_reads_both_ways(case_north, practitioner):
    from records import selectors

    mother, relationship = services.related_person_create(
        actor=practitioner,
        case=case_north,
        details={"first_name": "Mo", "last_name": "Parent"},
        kind="mother",
        is_parental_responsibility=True,
    )
    child_view = selectors.relationships_for_person(user=practitioner, person=case_north.person)
    mother_view = selectors.relationships_for_person(user=practitioner, person=mother)
    assert [(r.other, r.label) for r in child_view] == [(mother, "Mother")]
    assert [(r.other, r.label) for r in mother_view] == [(case_north.person, "Child")]
    with pytest.raises(ApplicationError):
        services.relationship_add(
            actor=practitioner, from_person=mother, to_person=case_north.person, kind="mother"
        )
    assert Relationship.objects.count() == 1


def test_item_amend_refuses_unknown_fields_and_no_change(case_north, practitioner):
    item = services.note_record(actor=practitioner, case=case_north, title="T", body="B")
    with pytest.raises(ValidationError) as error:
        services.item_amend(actor=practitioner, item=item, changes={"author": 1}, reason="Because")
    assert "author" in field_errors(error)
    with pytest.raises(ApplicationError):
        services.item_amend(actor=practitioner, item=item, changes={"body": "B"}, reason="Same")
    assert ItemRevision.objects.filter(item=item).count() == 1


def test_someone_elses_item_can_be_amended_only_by_a_manager(
    case_north, practitioner, manager, team_north
):
    from accounts.roles import Role
    from accounts.tests.factories import staff_member

    colleague = staff_member(role=Role.PRACTITIONER, team=team_north)
    item = services.note_record(actor=practitioner, case=case_north, title="T", body="B")
    with pytest.raises(ApplicationError):
        services.item_amend(actor=colleague, item=item, changes={"body": "C"}, reason="R")
    services.item_amend(actor=manager, item=item, changes={"body": "C"}, reason="Typo")
    item.refresh_from_db()
    assert item.body == "C"
    assert item.revision_number == 2


def test_entered_in_error_is_for_managers_and_only_once(case_north, practitioner, manager):
    item = services.note_record(actor=practitioner, case=case_north, title="T", body="B")
    with pytest.raises(ApplicationError):
        services.item_mark_entered_in_error(actor=practitioner, item=item, reason="Mine")
    with pytest.raises(ValidationError):
        services.item_mark_entered_in_error(actor=manager, item=item, reason=" ")
    services.item_mark_entered_in_error(actor=manager, item=item, reason="Wrong child")
    with pytest.raises(ApplicationError):
        services.item_mark_entered_in_error(actor=manager, item=item, reason="Again")
    with pytest.raises(ApplicationError):
        services.item_amend(actor=manager, item=item, changes={"body": "Z"}, reason="R")


def test_entered_in_error_contact_leaves_the_caseload_summary(case_north, practitioner, manager):
    contact = services.contact_record(
        actor=practitioner,
        case=case_north,
        contact_type="phone",
        occurred_at=timezone.now() - timedelta(hours=1),
        body="Rang mum.",
    )
    case_north.refresh_from_db()
    assert case_north.last_contact_at == contact.occurred_at
    services.item_mark_entered_in_error(actor=manager, item=contact, reason="Wrong family")
    case_north.refresh_from_db()
    assert case_north.last_contact_at is None


def test_linked_people_must_belong_to_the_case(case_north, case_south, practitioner):
    with pytest.raises(ValidationError) as error:
        services.contact_record(
            actor=practitioner,
            case=case_north,
            contact_type="phone",
            occurred_at=timezone.now(),
            body="x",
            participants=[case_south.person],
        )
    assert "people" in field_errors(error)
    assert not Item.objects.exists()


def test_nothing_new_on_a_closed_case(case_north, practitioner, manager):
    services.case_close(
        actor=manager, case=case_north, closed_on=timezone.localdate(), reason="needs_met"
    )
    with pytest.raises(ApplicationError) as error:
        services.note_record(actor=practitioner, case=case_north, title="T", body="B")
    assert "case" in field_errors(error)
    # The allocation's last day is the closing day.
    assert [a.ends_on for a in Allocation.objects.filter(case=case_north)] == [timezone.localdate()]


def test_case_close_validation(case_north, manager):
    with pytest.raises(ValidationError) as error:
        services.case_close(
            actor=manager,
            case=case_north,
            closed_on=case_north.opened_on - timedelta(days=1),
            reason="",
        )
    assert set(field_errors(error)) == {"closed_on", "closure_reason"}
    case_north.refresh_from_db()
    assert case_north.is_open


def test_allocation_grant_carries_the_end_date(case_north, manager, practitioner):
    allocation = case_north.allocations.get()
    end = timezone.localdate() + timedelta(days=5)
    services.allocation_end(actor=manager, allocation=allocation, ends_on=end)
    grant = CaseUserObjectPermission.objects.get(content_object=case_north, user=practitioner)
    assert timezone.localtime(grant.expires_at).date() == end + timedelta(days=1)


def test_allocation_in_the_future_or_ending_before_it_starts(case_north, manager, team_north):
    from accounts.roles import Role
    from accounts.tests.factories import staff_member

    colleague = staff_member(role=Role.PRACTITIONER, team=team_north)
    with pytest.raises(ValidationError) as error:
        services.case_allocate(
            actor=manager,
            case=case_north,
            worker=colleague,
            starts_on=timezone.localdate() + timedelta(days=3),
            ends_on=timezone.localdate(),
        )
    assert set(field_errors(error)) == {"starts_on", "ends_on"}
    assert not CaseUserObjectPermission.objects.filter(user=colleague).exists()


def test_assessment_authorisation_rules(case_north, practitioner, manager):
    assessment = services.assessment_start(
        actor=practitioner, case=case_north, assessment_type="child_and_family"
    )
    with pytest.raises(ValidationError):
        services.assessment_submit(actor=practitioner, assessment=assessment)
    services.item_amend(
        actor=practitioner,
        item=assessment,
        changes={"sections": [{"heading": "Needs", "text": "Support"}]},
        reason="Draft saved",
    )
    services.assessment_submit(actor=practitioner, assessment=assessment)
    with pytest.raises(ApplicationError):
        services.assessment_authorise(actor=practitioner, assessment=assessment)
    services.assessment_return(actor=manager, assessment=assessment, reason="Add the history")
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    with pytest.raises(ApplicationError):
        services.assessment_authorise(actor=manager, assessment=assessment)


def test_disagreement_needs_words_and_a_past_date(case_north, practitioner):
    item = services.note_record(actor=practitioner, case=case_north, title="T", body="B")
    with pytest.raises(ValidationError) as error:
        services.disagreement_attach(
            actor=practitioner,
            item=item,
            statement="",
            made_by="",
            received_on=timezone.localdate() + timedelta(days=1),
        )
    assert set(field_errors(error)) == {"statement", "made_by", "received_on"}


def test_restricted_item_is_seen_by_its_author_and_named_people_only(
    case_north, practitioner, manager, team_north
):
    from django.http import Http404

    from accounts.roles import Role
    from accounts.tests.factories import staff_member
    from records import selectors

    colleague = staff_member(role=Role.PRACTITIONER, team=team_north)
    item = services.note_record(
        actor=practitioner, case=case_north, title="Disclosure", body="B", is_restricted=True
    )
    assert selectors.item_get_for_user(user=practitioner, item_id=item.public_id)
    with pytest.raises(Http404):
        selectors.item_get_for_user(user=colleague, item_id=item.public_id)
    page = selectors.chronology_for_user(user=colleague, person=case_north.person)
    assert item not in page.object_list
    # The manager cannot see it either; its author names who may.
    with pytest.raises(ApplicationError):
        services.item_restricted_access_grant(actor=manager, item=item, user=colleague)
    services.item_restricted_access_grant(actor=practitioner, item=item, user=colleague)
    fresh = type(colleague).objects.get(pk=colleague.pk)
    assert selectors.item_get_for_user(user=fresh, item_id=item.public_id)


def test_break_glass_never_becomes_lasting_access_through_a_new_case(
    case_north, other_practitioner, team_south
):
    services.break_glass_open(
        actor=other_practitioner, person=case_north.person, reason="Police call, out of hours"
    )
    fresh = type(other_practitioner).objects.get(pk=other_practitioner.pk)
    with pytest.raises(ApplicationError) as error:
        services.case_open(
            actor=fresh, person=case_north.person, team=team_south, category="child_in_need"
        )
    assert "person" in field_errors(error)
    assert case_north.person.cases.count() == 1


def test_a_family_members_details_are_kept_by_the_workers_on_the_case(
    case_north, practitioner, other_practitioner
):
    mother, _ = services.related_person_create(
        actor=practitioner,
        case=case_north,
        details={"first_name": "Mo", "last_name": "Parent"},
        kind="mother",
    )
    address = services.address_add(
        actor=practitioner,
        person=mother,
        line_1="1 Example Row",
        town="Ashdown",
        postcode="ab1 2cd",
    )
    assert address.postcode == "AB1 2CD"
    with pytest.raises(ApplicationError):
        services.phone_add(actor=other_practitioner, person=mother, number="07700 900123")


def test_a_team_working_for_two_councils_says_which_council_holds_the_record(
    council, other_council
):
    from accounts.roles import Role
    from accounts.tests.factories import TeamFactory, staff_member

    adoption = TeamFactory(name="Adoption Together", organisation=council, service="adoption")
    adoption.acts_for.set([council, other_council])
    worker = staff_member(role=Role.PRACTITIONER, team=adoption)
    details = {"first_name": "Ada", "last_name": "Test"}
    with pytest.raises(ApplicationError) as error:
        services.person_create(actor=worker, details=details, team=adoption, category="adoption")
    assert "organisation" in field_errors(error)
    assert not Person.objects.exists()
    person, case = services.person_create(
        actor=worker,
        details=details,
        team=adoption,
        category="adoption",
        organisation=other_council,
    )
    assert person.organisation == other_council
    assert case.organisation == other_council


def test_a_worker_refers_a_child_to_another_teams_service(case_north, practitioner, council):
    from accounts.roles import Role
    from accounts.tests.factories import TeamFactory, staff_member
    from records import selectors

    youth_justice = TeamFactory(name="Youth Justice", organisation=council, service="youth_justice")
    officer = staff_member(role=Role.PRACTITIONER, team=youth_justice)
    referral = services.case_open(
        actor=practitioner,
        person=case_north.person,
        team=youth_justice,
        category="yj_referral_order",
        referral_reason="Referral order made by the youth court",
    )
    assert referral.team == youth_justice
    assert not referral.allocations.exists()
    assert selectors.case_get_for_user(user=officer, case_id=referral.public_id)
    # The officer sees the young person through the youth justice case, not the North case.
    officer_cases = selectors.case_list_for_person(user=officer, person=case_north.person)
    assert [c.pk for c in officer_cases] == [referral.pk]


def test_the_database_refuses_to_change_a_revision(case_north, practitioner):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.fail("The suite runs on PostgreSQL")
    item = services.note_record(actor=practitioner, case=case_north, title="T", body="Original")
    with pytest.raises(DatabaseError), transaction.atomic():
        ItemRevision.objects.filter(item=item).update(data={"body": "Rewritten"})
    assert ItemRevision.objects.get(item=item).data["body"] == "Original"


def test_case_references_come_from_the_cases_own_number(case_north, case_south):
    assert case_north.reference == f"CSC-{case_north.pk:07d}"
    assert case_south.reference == f"CSC-{case_south.pk:07d}"
    case_north.refresh_from_db()
    assert case_north.reference == f"CSC-{case_north.pk:07d}"
