"""Every records service writes the audit events that describe it, in its own transaction.

Each test checks the action, the actor, the object, the data subjects, the changed fields and
their old and new values, and that the summary (sealed, never erased) holds nothing personal."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from faker import Faker

from accounts.roles import Role
from accounts.tests.factories import staff_member
from audit.models import Action, AuditEvent, AuditEventSubject, Purpose
from core.errors import ApplicationError
from records import services
from records.models import (
    Allocation,
    AssessmentStatus,
    BreakGlassAccess,
    CaseNote,
    CaseParticipant,
    Person,
)
from records.tests.factories import open_case

pytestmark = pytest.mark.django_db

fake = Faker("en_GB")
LONDON = ZoneInfo("Europe/London")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _an_afternoon_in_june():
    """Dates here are relative to "now"; pin it away from midnight."""
    with time_machine.travel(datetime(2025, 6, 11, 14, 30, tzinfo=LONDON), tick=True):
        yield


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents"), "base_url": None},
        },
    }


# --- Helpers ---------------------------------------------------------------------------------


def written(call: Callable[[], Any]) -> tuple[Any, list[AuditEvent]]:
    """Run a service; return its result and the events it wrote, oldest first."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = call()
    return result, list(AuditEvent.objects.filter(id__gt=last).order_by("id"))


def public_ref(obj: Any) -> str:
    return str(getattr(obj, "public_id", None) or obj.pk)


def check(
    event: AuditEvent,
    *,
    action: str,
    actor: Any,
    obj: Any,
    subjects: Iterable[Any],
    changed: Iterable[str] = (),
    purpose: str = Purpose.NORMAL,
    personal: Iterable[str] = (),
) -> dict[str, list[Any]]:
    """Assert one event in full; return its recorded changes."""
    expected_subjects = sorted({s if isinstance(s, int) else s.pk for s in subjects})
    assert event.action == action
    assert event.purpose == purpose
    assert event.actor_id == actor.pk
    assert event.actor_username == actor.username
    assert event.object_type == f"{obj._meta.app_label}.{obj._meta.model_name}"
    assert event.object_id == public_ref(obj)
    assert event.subject_id_list == expected_subjects
    indexed = AuditEventSubject.objects.filter(event_id=event.pk)
    assert sorted(indexed.values_list("person_id", flat=True)) == expected_subjects
    assert set(filter(None, event.changed_fields.split(","))) == set(changed)
    changes = event.personal.get("changes", {})
    assert set(changes) == set(changed)
    for value in personal:
        assert str(value).lower() not in event.summary.lower()
    return changes


def new_details() -> dict[str, Any]:
    return {
        "first_name": fake.first_name(),
        "last_name": fake.last_name(),
        "date_of_birth": fake.date_of_birth(minimum_age=2, maximum_age=15),
    }


@pytest.fixture
def family(case_north, practitioner) -> Person:
    """A mother added to amy's case, so the case has a participant."""
    mother, _ = services.related_person_create(
        actor=practitioner, case=case_north, details=new_details(), kind="mother"
    )
    return mother


@pytest.fixture
def colleague(team_north):
    """gus: another practitioner in Team North."""
    return staff_member(role=Role.PRACTITIONER, team=team_north, username="gus")


@pytest.fixture
def note(case_north, practitioner) -> CaseNote:
    return services.note_record(
        actor=practitioner, case=case_north, title="Visit", body=fake.paragraph()
    )


def names(person: Person) -> list[str]:
    return [person.first_name, person.last_name]


# --- People ----------------------------------------------------------------------------------


def test_person_create_records_the_person_the_case_and_its_grants(practitioner, team_north):
    details = new_details()
    (person, case), events = written(
        lambda: services.person_create(
            actor=practitioner,
            details=details,
            team=team_north,
            category="child_in_need",
            referral_reason="School raised concerns",
        )
    )
    allocation = Allocation.objects.get(case=case)
    assert [e.action for e in events] == [
        Action.CREATE,
        Action.CREATE,
        Action.PERMISSION_GRANT,
        Action.CREATE,
        Action.PERMISSION_GRANT,
    ]
    created, opened, team_grant, allocated, worker_grant = events
    changes = check(
        created,
        action=Action.CREATE,
        actor=practitioner,
        obj=person,
        subjects=[person],
        changed={
            "organisation",
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "ethnicity",
            "interpreter_needed",
            "is_restricted",
            "created_by",
        },
        personal=details.values(),
    )
    assert created.summary == "Recorded a new person"
    assert changes["first_name"] == [None, details["first_name"]]
    assert changes["date_of_birth"] == [None, details["date_of_birth"].isoformat()]
    changes = check(
        opened,
        action=Action.CREATE,
        actor=practitioner,
        obj=case,
        subjects=[person],
        changed={
            "reference",
            "person",
            "organisation",
            "service",
            "category",
            "team",
            "opened_on",
            "referral_reason",
            "created_by",
        },
        personal=[*details.values(), "School raised concerns"],
    )
    assert changes["referral_reason"] == [None, "School raised concerns"]
    assert changes["reference"] == [None, case.reference]
    check(
        team_grant,
        action=Action.PERMISSION_GRANT,
        actor=practitioner,
        obj=case,
        subjects=[person],
    )
    assert team_grant.personal == {"team": str(team_north.public_id)}
    check(
        allocated,
        action=Action.CREATE,
        actor=practitioner,
        obj=allocation,
        subjects=[person],
        changed={"case", "worker", "role", "starts_on", "allocated_by"},
    )
    check(
        worker_grant,
        action=Action.PERMISSION_GRANT,
        actor=practitioner,
        obj=allocation,
        subjects=[person],
    )
    assert worker_grant.personal == {"grantee": str(practitioner.public_id)}


def test_person_update_records_old_and_new_values(case_north, practitioner):
    person = case_north.person
    old_first, old_last = person.first_name, person.last_name
    new_first, new_last = fake.first_name(), fake.last_name() + "-Smith"
    _, events = written(
        lambda: services.person_update(
            actor=practitioner,
            person=person,
            details={"first_name": new_first, "last_name": new_last, "first_language": "Welsh"},
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.UPDATE,
        actor=practitioner,
        obj=person,
        subjects=[person],
        changed={"first_name", "last_name", "first_language"},
        personal=[old_first, old_last, new_first, new_last, "Welsh"],
    )
    assert event.summary == "Changed a person's details"
    assert changes == {
        "first_name": [old_first, new_first],
        "last_name": [old_last, new_last],
        "first_language": ["", "Welsh"],
    }


def test_person_name_add(case_north, practitioner):
    person = case_north.person
    birth_name = fake.last_name()
    name, events = written(
        lambda: services.person_name_add(
            actor=practitioner,
            person=person,
            kind="birth",
            first_name=person.first_name,
            last_name=birth_name,
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=name,
        subjects=[person],
        changed={"person", "kind", "first_name", "last_name"},
        personal=[person.first_name, birth_name],
    )
    assert changes["last_name"] == [None, birth_name]


@pytest.mark.parametrize(
    ("service", "arguments", "summary", "changed", "value_field"),
    [
        (
            "address_add",
            {"line_1": "12 Example Road", "town": "Ashdown", "postcode": "zz99 1aa"},
            "Added an address",
            {"person", "line_1", "town", "postcode", "is_confidential"},
            ("postcode", "ZZ99 1AA"),
        ),
        (
            "phone_add",
            {"number": "07700 900123", "label": "Mobile"},
            "Added a phone number",
            {"person", "number", "label"},
            ("number", "07700 900123"),
        ),
        (
            "email_add",
            {"email": "someone@example.invalid"},
            "Added an email address",
            {"person", "email"},
            ("email", "someone@example.invalid"),
        ),
        (
            "alert_add",
            {"kind": "risk_to_staff", "description": "Dog in the house"},
            "Added an alert",
            {"person", "kind", "description", "starts_on", "recorded_by"},
            ("description", "Dog in the house"),
        ),
    ],
)
def test_contact_details_and_alerts(
    case_north, practitioner, service, arguments, summary, changed, value_field
):
    person = case_north.person
    row, events = written(
        lambda: getattr(services, service)(actor=practitioner, person=person, **arguments)
    )
    [event] = events
    field, value = value_field
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=row,
        subjects=[person],
        changed=changed,
        personal=[*names(person), value],
    )
    assert event.summary == summary
    assert changes[field] == [None, value]


def test_relationship_add_names_both_people(case_north, practitioner, family):
    person = case_north.person
    relationship, events = written(
        lambda: services.relationship_add(
            actor=practitioner,
            from_person=family,
            to_person=person,
            kind="next_of_kin",
            notes="Lives nearby",
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=relationship,
        subjects=[person, family],
        changed={
            "from_person",
            "to_person",
            "kind",
            "notes",
            "is_parental_responsibility",
            "created_by",
        },
        personal=[*names(person), *names(family), "Lives nearby"],
    )
    assert changes["kind"] == [None, "next_of_kin"]
    assert changes["notes"] == [None, "Lives nearby"]


def test_related_person_create_is_one_event_for_the_person_and_their_place(
    case_north, practitioner
):
    details = new_details()
    (mother, relationship), events = written(
        lambda: services.related_person_create(
            actor=practitioner, case=case_north, details=details, kind="mother"
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=mother,
        subjects=[case_north.person, mother],
        changed={
            "organisation",
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "ethnicity",
            "interpreter_needed",
            "is_restricted",
            "created_by",
            "participant.case",
            "participant.person",
            "participant.role",
            "participant.added_at",
            "relationship.from_person",
            "relationship.to_person",
            "relationship.kind",
            "relationship.is_parental_responsibility",
            "relationship.created_by",
        },
        personal=details.values(),
    )
    assert changes["last_name"] == [None, details["last_name"]]
    assert changes["relationship.kind"] == [None, "mother"]
    assert changes["relationship.from_person"] == [None, mother.pk]


def test_case_participant_add(case_north, practitioner, manager, team_north, family):
    other = open_case(team=team_north, worker=practitioner, manager=manager)
    participant, events = written(
        lambda: services.case_participant_add(
            actor=practitioner, case=case_north, person=other.person, role="household"
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=participant,
        subjects=[case_north.person, family, other.person],
        changed={"case", "person", "role", "added_at"},
        personal=names(other.person),
    )
    assert changes["role"] == [None, "household"]
    # Adding someone already there changes nothing, and records nothing.
    _, again = written(
        lambda: services.case_participant_add(
            actor=practitioner, case=case_north, person=other.person
        )
    )
    assert again == []
    assert CaseParticipant.objects.filter(case=case_north, person=other.person).count() == 1


# --- Restriction and break-glass -------------------------------------------------------------


def test_person_restrict_records_the_change_and_the_named_grants(case_north, manager, practitioner):
    person = case_north.person
    _, events = written(
        lambda: services.person_restrict(actor=manager, person=person, reason="staff_relative")
    )
    update, grant = events
    changes = check(
        update,
        action=Action.UPDATE,
        actor=manager,
        obj=person,
        subjects=[person],
        changed={"is_restricted", "restriction_reason"},
        personal=names(person),
    )
    assert changes == {"is_restricted": [False, True], "restriction_reason": ["", "staff_relative"]}
    check(grant, action=Action.PERMISSION_GRANT, actor=manager, obj=person, subjects=[person])
    assert sorted(grant.personal["grantees"]) == sorted(
        [str(manager.public_id), str(practitioner.public_id)]
    )


def test_restricted_access_grant_names_the_grantee_only_in_the_personal_part(
    case_north, manager, colleague
):
    person = case_north.person
    services.person_restrict(actor=manager, person=person, reason="high_profile")
    reason = "Covering while the allocated worker is on leave"
    _, events = written(
        lambda: services.restricted_access_grant(
            actor=manager, person=person, user=colleague, reason=reason
        )
    )
    [event] = events
    check(
        event,
        action=Action.PERMISSION_GRANT,
        actor=manager,
        obj=person,
        subjects=[person],
        personal=[*names(person), reason, colleague.username, colleague.last_name],
    )
    assert event.summary == "Granted named access to a restricted person"
    assert event.personal == {"grantee": str(colleague.public_id), "reason": reason}


def test_break_glass_is_a_grant_with_its_purpose_and_reason(case_north, other_practitioner):
    person = case_north.person
    reason = "Police called out of hours about a welfare concern"
    opened, events = written(
        lambda: services.break_glass_open(actor=other_practitioner, person=person, reason=reason)
    )
    [event] = events
    assert isinstance(opened, BreakGlassAccess)
    changes = check(
        event,
        action=Action.PERMISSION_GRANT,
        purpose=Purpose.BREAK_GLASS,
        actor=other_practitioner,
        obj=opened,
        subjects=[person],
        changed={"expires_at"},
        personal=[*names(person), reason],
    )
    assert event.summary == "Opened break-glass access"
    assert event.personal["reason"] == reason
    assert changes["expires_at"] == [None, opened.expires_at.isoformat()]


# --- Cases and allocations -------------------------------------------------------------------


def test_case_open_records_the_case_and_the_team_grant(case_north, practitioner, team_north):
    person = case_north.person
    case, events = written(
        lambda: services.case_open(
            actor=practitioner, person=person, team=team_north, category="child_protection"
        )
    )
    opened, grant = events
    changes = check(
        opened,
        action=Action.CREATE,
        actor=practitioner,
        obj=case,
        subjects=[person],
        changed={
            "reference",
            "person",
            "organisation",
            "service",
            "category",
            "team",
            "opened_on",
            "created_by",
        },
        personal=names(person),
    )
    assert opened.summary == "Opened a case"
    assert changes["category"] == [None, "child_protection"]
    check(grant, action=Action.PERMISSION_GRANT, actor=practitioner, obj=case, subjects=[person])
    assert grant.personal == {"team": str(team_north.public_id)}


def test_case_close_records_the_closure_and_each_allocation_it_ends(
    case_north, manager, practitioner, family
):
    allocation = case_north.allocations.get()
    today = timezone.localdate()
    _, events = written(
        lambda: services.case_close(
            actor=manager, case=case_north, closed_on=today, reason="needs_met"
        )
    )
    closed, revoked = events
    changes = check(
        closed,
        action=Action.UPDATE,
        actor=manager,
        obj=case_north,
        subjects=[case_north.person, family],
        changed={"closed_on", "closure_reason"},
        personal=[*names(case_north.person), *names(family)],
    )
    assert changes == {"closed_on": [None, today.isoformat()], "closure_reason": ["", "needs_met"]}
    changes = check(
        revoked,
        action=Action.PERMISSION_REVOKE,
        actor=manager,
        obj=allocation,
        subjects=[case_north.person, family],
        changed={"ends_on"},
    )
    assert changes == {"ends_on": [None, today.isoformat()]}
    assert revoked.personal["grantee"] == str(practitioner.public_id)


def test_case_transfer_revokes_one_team_and_grants_the_other(
    case_north, manager, team_north, team_south, family
):
    subjects = [case_north.person, family]
    _, events = written(
        lambda: services.case_transfer(actor=manager, case=case_north, team=team_south)
    )
    revoked, moved, granted = events
    check(
        revoked, action=Action.PERMISSION_REVOKE, actor=manager, obj=case_north, subjects=subjects
    )
    assert revoked.personal == {"team": str(team_north.public_id)}
    changes = check(
        moved,
        action=Action.UPDATE,
        actor=manager,
        obj=case_north,
        subjects=subjects,
        changed={"team"},
    )
    assert changes == {"team": [team_north.pk, team_south.pk]}
    check(granted, action=Action.PERMISSION_GRANT, actor=manager, obj=case_north, subjects=subjects)
    assert granted.personal == {"team": str(team_south.public_id)}


def test_case_allocate_records_the_allocation_and_the_grant(case_north, manager, colleague, family):
    allocation, events = written(
        lambda: services.case_allocate(
            actor=manager, case=case_north, worker=colleague, role="co_worker"
        )
    )
    created, granted = events
    changes = check(
        created,
        action=Action.CREATE,
        actor=manager,
        obj=allocation,
        subjects=[case_north.person, family],
        changed={"case", "worker", "role", "starts_on", "allocated_by"},
        personal=[colleague.username, colleague.last_name],
    )
    assert changes["worker"] == [None, colleague.pk]
    assert changes["role"] == [None, "co_worker"]
    check(
        granted,
        action=Action.PERMISSION_GRANT,
        actor=manager,
        obj=allocation,
        subjects=[case_north.person, family],
        personal=[colleague.username, colleague.last_name],
    )
    assert granted.personal == {"grantee": str(colleague.public_id)}


def test_allocation_end_records_the_change_and_the_revocation(case_north, manager, practitioner):
    allocation = case_north.allocations.select_related("worker").get()
    ends_on = timezone.localdate() + timedelta(days=7)
    _, events = written(
        lambda: services.allocation_end(actor=manager, allocation=allocation, ends_on=ends_on)
    )
    updated, revoked = events
    changes = check(
        updated,
        action=Action.UPDATE,
        actor=manager,
        obj=allocation,
        subjects=[case_north.person],
        changed={"ends_on"},
    )
    assert changes == {"ends_on": [None, ends_on.isoformat()]}
    check(
        revoked,
        action=Action.PERMISSION_REVOKE,
        actor=manager,
        obj=allocation,
        subjects=[case_north.person],
    )
    assert revoked.personal == {"grantee": str(practitioner.public_id)}


# --- Items -----------------------------------------------------------------------------------

ITEM_FIELDS = {
    "kind",
    "case",
    "person",
    "organisation",
    "occurred_at",
    "title",
    "body",
    "is_sensitive",
    "is_restricted",
    "author",
    "revision_number",
}


def test_contact_record_names_the_subject_and_everyone_linked(case_north, practitioner, family):
    body = fake.paragraph()
    contact, events = written(
        lambda: services.contact_record(
            actor=practitioner,
            case=case_north,
            contact_type="home_visit",
            occurred_at=timezone.now() - timedelta(hours=2),
            body=body,
            location="Family home",
            seen_alone=True,
            participants=[family],
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=contact,
        subjects=[case_north.person, family],
        changed=ITEM_FIELDS | {"contact_type", "location", "seen_alone"},
        personal=[body, "Family home", *names(case_north.person), *names(family)],
    )
    assert event.summary == "Recorded a contact"
    assert changes["body"] == [None, body]
    assert changes["contact_type"] == [None, "home_visit"]


@pytest.mark.parametrize(
    ("record", "summary", "extra"),
    [
        (
            lambda actor, case, body: services.note_record(
                actor=actor, case=case, title="Supervision", body=body
            ),
            "Recorded a case note",
            {"note_type"},
        ),
        (
            lambda actor, case, body: services.assessment_start(
                actor=actor,
                case=case,
                assessment_type="child_and_family",
                body=body,
                sections=[{"heading": "Needs", "text": body}],
            ),
            "Started an assessment",
            {"assessment_type", "status", "sections"},
        ),
        (
            lambda actor, case, body: services.plan_record(
                actor=actor,
                case=case,
                plan_type="child_in_need",
                starts_on=timezone.localdate() - timedelta(days=3),
                next_review_on=timezone.localdate() + timedelta(days=60),
                body=body,
            ),
            "Recorded a plan",
            {"plan_type", "starts_on", "next_review_on"},
        ),
        (
            lambda actor, case, body: services.information_received_record(
                actor=actor,
                case=case,
                source_organisation="Ashdown Primary School",
                source_name=fake.name(),
                method="email",
                occurred_at=timezone.now() - timedelta(days=1),
                body=body,
            ),
            "Recorded information received",
            {"source_organisation", "source_name", "method"},
        ),
    ],
)
def test_items_recorded_on_a_case(case_north, practitioner, record, summary, extra):
    body = fake.paragraph()
    item, events = written(lambda: record(practitioner, case_north, body))
    [event] = events
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=item,
        subjects=[case_north.person],
        changed=ITEM_FIELDS | extra,
        personal=[body, *names(case_north.person)],
    )
    assert event.summary == summary
    assert changes["body"] == [None, body]


def test_review_record(case_north, practitioner):
    plan = services.plan_record(
        actor=practitioner,
        case=case_north,
        plan_type="child_in_need",
        starts_on=timezone.localdate() - timedelta(days=30),
        next_review_on=timezone.localdate() + timedelta(days=5),
        body=fake.paragraph(),
    )
    body = fake.paragraph()
    review, events = written(
        lambda: services.review_record(
            actor=practitioner,
            plan=plan,
            occurred_at=timezone.now() - timedelta(hours=1),
            body=body,
            next_review_on=timezone.localdate() + timedelta(days=90),
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=review,
        subjects=[case_north.person],
        changed=ITEM_FIELDS | {"reviewed_plan", "next_review_on"},
        personal=[body],
    )
    assert event.summary == "Recorded a review of a plan"
    assert changes["reviewed_plan"] == [None, plan.pk]


def test_document_upload(case_north, practitioner):
    upload = SimpleUploadedFile("Letter from school.pdf", PDF, content_type="application/pdf")
    document, events = written(
        lambda: services.document_upload(
            actor=practitioner,
            case=case_north,
            file=upload,
            document_type="letter",
            title="Letter from school",
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=document,
        subjects=[case_north.person],
        changed=(ITEM_FIELDS - {"body"})
        | {"document_type", "file", "original_name", "content_type", "size", "sha256"},
        personal=["Letter from school"],
    )
    assert event.summary == "Uploaded a document"
    assert changes["original_name"] == [None, "Letter from school.pdf"]
    assert changes["file"] == [None, document.file.name]


def test_assessment_submit_authorise_and_return(case_north, practitioner, manager):
    assessment = services.assessment_start(
        actor=practitioner,
        case=case_north,
        assessment_type="child_and_family",
        sections=[{"heading": "Needs", "text": fake.paragraph()}],
    )
    _, [submitted] = written(
        lambda: services.assessment_submit(actor=practitioner, assessment=assessment)
    )
    changes = check(
        submitted,
        action=Action.UPDATE,
        actor=practitioner,
        obj=assessment,
        subjects=[case_north.person],
        changed={"status", "submitted_at"},
    )
    assert submitted.summary == "Submitted an assessment for authorisation"
    assert changes["status"] == [AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED]

    reason = "Add the family history"
    _, [returned] = written(
        lambda: services.assessment_return(actor=manager, assessment=assessment, reason=reason)
    )
    changes = check(
        returned,
        action=Action.UPDATE,
        actor=manager,
        obj=assessment,
        subjects=[case_north.person],
        changed={"status", "submitted_at"},
        personal=[reason],
    )
    assert changes["status"] == [AssessmentStatus.SUBMITTED, AssessmentStatus.DRAFT]
    assert changes["submitted_at"][1] is None
    assert returned.personal["reason"] == reason

    services.assessment_submit(actor=practitioner, assessment=assessment)
    authorised, [event] = written(
        lambda: services.assessment_authorise(actor=manager, assessment=assessment)
    )
    changes = check(
        event,
        action=Action.UPDATE,
        actor=manager,
        obj=assessment,
        subjects=[case_north.person],
        changed={"status", "authorised_at", "authorised_by"},
    )
    assert event.summary == "Authorised an assessment"
    assert changes["status"] == [AssessmentStatus.SUBMITTED, AssessmentStatus.AUTHORISED]
    assert changes["authorised_by"] == [None, manager.pk]
    assert changes["authorised_at"] == [None, authorised.authorised_at.isoformat()]


def test_item_amend_keeps_the_old_and_new_text_and_the_reason(case_north, practitioner, family):
    old_body, new_body = fake.paragraph(), fake.paragraph()
    note = services.note_record(
        actor=practitioner, case=case_north, title="Visit", body=old_body, mentioned=[family]
    )
    reason = "Wrong school named"
    _, events = written(
        lambda: services.item_amend(
            actor=practitioner, item=note, changes={"body": new_body}, reason=reason
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.UPDATE,
        actor=practitioner,
        obj=note,
        subjects=[case_north.person, family],
        changed={"body"},
        personal=[old_body, new_body, reason],
    )
    assert event.summary == "Amended a case note"
    assert changes == {"body": [old_body, new_body]}
    assert event.personal["reason"] == reason


def test_item_mark_entered_in_error(case_north, manager, note):
    reason = "Recorded on the wrong child"
    _, events = written(
        lambda: services.item_mark_entered_in_error(actor=manager, item=note, reason=reason)
    )
    [event] = events
    changes = check(
        event,
        action=Action.UPDATE,
        actor=manager,
        obj=note,
        subjects=[case_north.person],
        changed={"entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"},
        personal=[reason],
    )
    assert event.summary == "Marked a case note as entered in error"
    assert changes["entered_in_error_reason"] == ["", reason]
    assert changes["entered_in_error_by"] == [None, manager.pk]


def test_disagreement_attach(case_north, practitioner, note):
    statement = fake.paragraph()
    made_by = fake.name()
    disagreement, events = written(
        lambda: services.disagreement_attach(
            actor=practitioner,
            item=note,
            statement=statement,
            made_by=made_by,
            received_on=timezone.localdate(),
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.CREATE,
        actor=practitioner,
        obj=disagreement,
        subjects=[case_north.person],
        changed={"item", "statement", "made_by", "received_on", "recorded_by", "recorded_at"},
        personal=[statement, made_by],
    )
    assert changes["statement"] == [None, statement]
    assert changes["made_by"] == [None, made_by]


def _working_rights_request(officer, person):
    """The grant a records-access officer holds while working a rights request about them."""
    from django.contrib.auth.models import Permission

    from records.models import PersonUserObjectPermission
    from records.policies import grants_changed

    grants_changed()
    PersonUserObjectPermission.objects.create(
        user=officer,
        permission=Permission.objects.get(codename="disclose_person"),
        content_object=person,
        reason="Rights request RR-2026-00001",
    )


def test_corrections_and_statements_on_a_rights_request(case_north, records_officer, note):
    person = case_north.person
    _working_rights_request(records_officer, person)
    old_dob = person.date_of_birth
    new_dob = old_dob.replace(day=1) if old_dob.day != 1 else old_dob.replace(day=2)
    _, events = written(
        lambda: services.person_correct_for_rights_request(
            actor=records_officer, person=person, details={"date_of_birth": new_dob}
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.UPDATE,
        actor=records_officer,
        obj=person,
        subjects=[person],
        changed={"date_of_birth"},
        personal=[old_dob.isoformat(), new_dob.isoformat()],
    )
    assert event.summary == "Corrected a person's details on a rights request"
    assert changes == {"date_of_birth": [old_dob.isoformat(), new_dob.isoformat()]}
    statement = fake.paragraph()
    disagreement, events = written(
        lambda: services.disagreement_attach_for_rights_request(
            actor=records_officer,
            item=note,
            statement=statement,
            made_by=person.full_name,
            received_on=timezone.localdate(),
        )
    )
    [event] = events
    check(
        event,
        action=Action.CREATE,
        actor=records_officer,
        obj=disagreement,
        subjects=[case_north.person],
        changed={"item", "statement", "made_by", "received_on", "recorded_by", "recorded_at"},
        personal=[statement],
    )


def test_without_a_rights_request_the_records_team_changes_nothing(case_north, records_officer):
    person = case_north.person
    with pytest.raises(ApplicationError):
        services.person_correct_for_rights_request(
            actor=records_officer, person=person, details={"first_name": "Changed"}
        )
    person.refresh_from_db()
    assert person.first_name != "Changed"


def test_item_restricted_access_grant(case_north, practitioner, colleague, family):
    item = services.note_record(
        actor=practitioner,
        case=case_north,
        title="Disclosure",
        body=fake.paragraph(),
        mentioned=[family],
        is_restricted=True,
    )
    _, events = written(
        lambda: services.item_restricted_access_grant(actor=practitioner, item=item, user=colleague)
    )
    [event] = events
    check(
        event,
        action=Action.PERMISSION_GRANT,
        actor=practitioner,
        obj=item,
        subjects=[case_north.person, family],
        personal=[colleague.username, colleague.last_name],
    )
    assert event.personal == {"grantee": str(colleague.public_id)}
    # Granting again changes nothing and records nothing.
    _, again = written(
        lambda: services.item_restricted_access_grant(actor=practitioner, item=item, user=colleague)
    )
    assert again == []


def test_historic_record_add_names_no_person_record(records_officer):
    last_name = fake.last_name()
    record, events = written(
        lambda: services.historic_record_add(
            actor=records_officer,
            first_name=fake.first_name(),
            last_name=last_name,
            service="childrens_social_care",
            box_reference="ASH-CSC-1999-0042",
            location="Offsite store, bay 4",
        )
    )
    [event] = events
    changes = check(
        event,
        action=Action.CREATE,
        actor=records_officer,
        obj=record,
        subjects=[],
        changed={
            "organisation",
            "first_name",
            "last_name",
            "service",
            "box_reference",
            "location",
        },
        personal=[last_name],
    )
    assert changes["last_name"] == [None, last_name]


# --- Nothing without its event, and no event without its change -----------------------------


def test_a_change_rolled_back_leaves_no_event(case_north, practitioner):
    body = fake.paragraph()

    def record_then_fail() -> None:
        with transaction.atomic():
            services.note_record(actor=practitioner, case=case_north, title="Visit", body=body)
            raise RuntimeError("the rest of the request failed")

    with pytest.raises(RuntimeError):
        written(record_then_fail)
    assert not CaseNote.objects.filter(case=case_north).exists()
    assert not AuditEvent.objects.filter(summary="Recorded a case note").exists()


@pytest.mark.parametrize(
    ("refused", "error"),
    [
        (
            lambda case, stranger, manager: services.person_update(
                actor=stranger, person=case.person, details={"first_name": "Changed"}
            ),
            ApplicationError,
        ),
        (
            lambda case, stranger, manager: services.case_close(
                actor=stranger, case=case, closed_on=timezone.localdate(), reason="needs_met"
            ),
            ApplicationError,
        ),
        (
            lambda case, stranger, manager: services.break_glass_open(
                actor=stranger, person=case.person, reason="short"
            ),
            ApplicationError,
        ),
        (
            lambda case, stranger, manager: services.note_record(
                actor=manager, case=case, title="Visit", body="  "
            ),
            ValidationError,
        ),
    ],
)
def test_a_refused_service_writes_no_event(case_north, other_practitioner, manager, refused, error):
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    with pytest.raises(error):
        refused(case_north, other_practitioner, manager)
    assert not AuditEvent.objects.filter(id__gt=last).exists()


# Public functions of records.services that write nothing of their own to audit: the caseload
# group a team's case grants hang on (set up once per team, mirrored for the admin).
NOT_AUDITED = {"team_caseload_group_ensure"}
AUDITED = {
    "person_create",
    "person_update",
    "person_name_add",
    "address_add",
    "phone_add",
    "email_add",
    "alert_add",
    "relationship_add",
    "related_person_create",
    "case_participant_add",
    "person_restrict",
    "restricted_access_grant",
    "break_glass_open",
    "case_open",
    "case_close",
    "case_transfer",
    "case_allocate",
    "allocation_end",
    "contact_record",
    "note_record",
    "assessment_start",
    "assessment_submit",
    "assessment_authorise",
    "assessment_return",
    "plan_record",
    "review_record",
    "document_upload",
    "information_received_record",
    "item_amend",
    "item_mark_entered_in_error",
    "disagreement_attach",
    "item_restricted_access_grant",
    "historic_record_add",
    "person_correct_for_rights_request",
    "disagreement_attach_for_rights_request",
}


def test_every_records_service_is_covered_here() -> None:
    """A new service must come with its audit test (and this list)."""
    public = {
        name
        for name, function in inspect.getmembers(services, inspect.isfunction)
        if function.__module__ == services.__name__ and not name.startswith("_")
    }
    assert public == AUDITED | NOT_AUDITED
