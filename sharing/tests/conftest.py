"""Fixtures for sharing tests: a council's partner agencies and an agreement, and a child's
file that amy works on, with the mother taking part. All synthetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Organisation, Team, User
from records import services as record_services
from records.models import Case, Contact, Item, Person
from records.tests.factories import open_case
from sharing import services
from sharing.models import PartnerAgency, SharingAgreement
from sharing.services import SharingDraft


@dataclass
class Register:
    police: PartnerAgency
    hospital: PartnerAgency
    abroad: PartnerAgency
    closed: PartnerAgency
    agreement: SharingAgreement


@pytest.fixture
def register(admin_user: User, council: Organisation) -> Register:
    """fay's register for the council: police (secure email at pnn.police.uk), an NHS trust,
    an agency holding data in the United States, an inactive agency, and a safeguarding
    agreement with the police in force since last year."""
    police = services.agency_create(
        actor=admin_user,
        organisation=council,
        name="Northshire Police",
        kind="police",
        contact_name="Public Protection Unit",
        secure_email_domain="pnn.police.uk",
    )
    hospital = services.agency_create(
        actor=admin_user,
        organisation=council,
        name="Northshire Hospitals NHS Trust",
        kind="nhs_trust",
        secure_email_domain="nhs.net",
    )
    abroad = services.agency_create(
        actor=admin_user,
        organisation=council,
        name="Transatlantic Case Analytics",
        kind="processor",
        country="US",
    )
    closed = services.agency_create(
        actor=admin_user,
        organisation=council,
        name="Old Town Housing Trust",
        kind="housing",
        is_active=False,
    )
    today = timezone.localdate()
    agreement = services.agreement_create(
        actor=admin_user,
        agency=police,
        title="Northshire safeguarding information sharing agreement",
        reference="ISA-2025-04",
        purposes=["safeguarding", "crime"],
        lawful_bases=["public_task", "legal_obligation", "vital_interests", "consent"],
        data_categories=[
            "identity",
            "family",
            "social_care",
            "health",
            "criminal",
            "third_party",
            "education",
        ],
        starts_on=today - timedelta(days=400),
        review_on=today + timedelta(days=200),
    )
    return Register(police, hospital, abroad, closed, agreement)


@dataclass
class ShareFile:
    case: Case
    child: Person
    mother: Person
    visit: Contact
    health_note: Item


@pytest.fixture
def share_file(practitioner: User, team_north: Team) -> ShareFile:
    """A child's case allocated to amy (held by team north, which cara manages) with the
    mother taking part, a home visit naming her, and a sensitive health note."""
    case = open_case(
        team=team_north,
        worker=practitioner,
        first_name="Ruby",
        last_name="Fennimore",
        date_of_birth=date(2015, 3, 14),
    )
    mother, _ = record_services.related_person_create(
        actor=practitioner,
        case=case,
        details={
            "first_name": "Carys",
            "last_name": "Fennimore",
            "date_of_birth": date(1990, 6, 2),
        },
        kind="mother",
    )
    visit = record_services.contact_record(
        actor=practitioner,
        case=case,
        contact_type="home_visit",
        occurred_at=timezone.now() - timedelta(days=3),
        title="Home visit",
        body="Ruby had a bruise on her arm; Carys said she fell in the park.",
        mentioned=[mother],
    )
    health_note = record_services.note_record(
        actor=practitioner,
        case=case,
        title="Health update",
        body="Ruby's asthma review: inhaler changed by the GP.",
        is_sensitive=True,
    )
    return ShareFile(case, case.person, mother, visit, health_note)


def safeguarding_draft(register: Register, share_file: ShareFile, **overrides: Any) -> SharingDraft:
    """An urgent-capable safeguarding sharing with the police, without consent: every field
    valid, so a test changes just the one it is about."""
    values: dict[str, Any] = {
        "people": [share_file.child],
        "items": [share_file.visit],
        "data_categories": ["identity", "social_care"],
        "agency": register.police,
        "agreement": register.agreement,
        "recipient_name": "DC Sam Okafor",
        "recipient_role": "Detective constable, child abuse investigation",
        "recipient_email": "sam.okafor@northshire.pnn.police.uk",
        "method": "secure_email",
        "shared_on": timezone.localdate(),
        "purpose": "safeguarding",
        "purpose_detail": "Strategy discussion under section 47 after an unexplained bruise.",
        "lawful_basis": "public_task",
        "statute": "ca1989_s47",
        "consent_status": "not_sought",
        "no_consent_reason": "safeguarding",
        "no_consent_detail": "Telling the family first could put Ruby at risk.",
    }
    values.update(overrides)
    return SharingDraft(**values)
