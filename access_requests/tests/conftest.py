"""Fixtures for rights-request tests: a second records-access officer, and a child's file
with a mother who is a third party, all synthetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from access_requests import services
from access_requests.models import AccessRequest
from accounts.models import Organisation, Team, User
from accounts.roles import Role
from accounts.tests.factories import staff_member
from records import services as record_services
from records.models import Case, Person
from records.tests.factories import open_case


@pytest.fixture
def second_officer(records_team: Team) -> User:
    """rex: another records-access officer, who approves dan's work."""
    return staff_member(role=Role.RECORDS_ACCESS_OFFICER, team=records_team, username="rex")


@dataclass
class ChildFile:
    case: Case
    child: Person
    mother: Person
    note_text: str


@pytest.fixture
def child_file(practitioner: User, team_north: Team) -> ChildFile:
    """A child's case with a contact naming the mother and her phone number, written by amy."""
    case = open_case(
        team=team_north,
        worker=practitioner,
        first_name="Ellie",
        last_name="Marsh",
        date_of_birth=date(2014, 5, 2),
    )
    mother, _ = record_services.related_person_create(
        actor=practitioner,
        case=case,
        details={"first_name": "Dawn", "last_name": "Kettering", "date_of_birth": date(1988, 1, 9)},
        kind="mother",
    )
    record_services.phone_add(actor=practitioner, person=mother, number="07700 900461")
    text = (
        f"Home visit. Ellie was seen with her mother Dawn Kettering, who can be reached on "
        f"07700 900461. {practitioner.first_name} {practitioner.last_name} observed Ellie "
        "playing calmly."
    )
    record_services.contact_record(
        actor=practitioner,
        case=case,
        contact_type="home_visit",
        occurred_at=timezone.now() - timedelta(days=10),
        title="Home visit",
        body=text,
        mentioned=[mother],
    )
    return ChildFile(case, case.person, mother, text)


def log_request(officer: User, organisation: Organisation, **overrides: Any) -> AccessRequest:
    """A subject access request by the person themselves, received today."""
    fields: dict[str, Any] = {
        "request_type": "access",
        "channel": "letter",
        "received_on": timezone.localdate(),
        "requester_name": "Ellie Marsh",
        "relationship": "self",
        "subject_name": "Ellie Marsh",
        "description": "Please send me everything you hold about me.",
        **overrides,
    }
    return services.access_request_log(actor=officer, organisation=organisation, **fields)
