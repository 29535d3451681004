"""Demo partner agencies, sharing agreements, consents and a year of the sharing log for each
demo council. Never in production.

fay keeps Ashdown's register through the services. The worker on each case gives its consents
and sharings (amy, ben, gus and hal, and cara on the cases she works herself); cara, managing
Children's Team North, decides on the sharings without consent made for her team's children,
a few hours to a few days later. Today two wait in her queue and one urgent safeguarding
sharing, made yesterday evening, is still flagged; earlier in the year she declined one.

Where the demo does not go through the pages' services, and why:

- A year of history through ``sharing_record`` would take half a minute, so it is written in
  bulk, dated when it happened: each sharing is first checked by the service's own rules
  (``draft_errors``; the people and records are chosen from what the worker may share), and
  each consent, sharing and decision gets the audit event its service writes (stamped with the
  moment the demo loads, as the records demo's are). The named relatives' consents and today's
  queue go through ``consent_record`` and ``sharing_record`` themselves.
- Brambley has no records manager in the demo, so its register is brought in as an import
  would bring it, each agency and agreement with its audit event.
- Only Children's Team North has a manager, so only its children are shared without consent;
  the South, Youth Justice-only and Brambley cases share with consent on file.

People's names come from Faker (en_GB) seeded with a fixed number; agencies are invented;
addresses are at example.com, or invented mailboxes at the secure domains the register
requires (pnn.police.uk, nhs.net, justice.gov.uk, dwp.gov.uk); phone numbers are in the
range Ofcom keeps for drama (01632 960xxx).
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from accounts.roles import Role
from audit.models import Action
from audit.services import created_changes, event_record
from core.errors import ApplicationError
from records import policies as record_policies
from records.demo import demo_people
from records.models import Allocation, Case, CaseParticipant, Item, Person
from sharing import policies, selectors, services
from sharing.models import (
    AgencyKind,
    Article9Condition,
    Authorisation,
    Consent,
    ConsentStatus,
    DataCategory,
    LawfulBasis,
    Method,
    NoConsentReason,
    PartnerAgency,
    Purpose,
    Schedule1Condition,
    SharedItem,
    SharingAgreement,
    SharingRecord,
    SharingStatus,
    SharingSubject,
    Statute,
)
from sharing.services import SharingDraft

if TYPE_CHECKING:
    from faker import Faker

SEED = 2004  # the year of the Children Act 2004 and its duty to share to safeguard children

ASHDOWN = "Ashdown Borough Council"
BRAMBLEY = "Brambley Borough Council"

# Short names for the law's vocabulary, to keep the tables below readable.
IDENTITY, FAMILY, SOCIAL = DataCategory.IDENTITY, DataCategory.FAMILY, DataCategory.SOCIAL_CARE
EDUCATION, FINANCIAL, HOUSING = DataCategory.EDUCATION, DataCategory.FINANCIAL, DataCategory.HOUSING
HEALTH, CRIMINAL, THIRD = DataCategory.HEALTH, DataCategory.CRIMINAL, DataCategory.THIRD_PARTY
EMAIL, PORTAL, PHONE = Method.SECURE_EMAIL, Method.PORTAL, Method.PHONE
MEETING, BUNDLE = Method.MEETING, Method.COURT_BUNDLE
CARE, SAFEGUARDING, CRIME = Purpose.DIRECT_CARE, Purpose.SAFEGUARDING, Purpose.CRIME
PUBLIC_TASK, CONSENT = LawfulBasis.PUBLIC_TASK, LawfulBasis.CONSENT


# --- The register ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencySpec:
    key: str
    name: str
    kind: str
    contact_name: str
    roles: tuple[str, ...] = ()  # job titles of the people a sharing goes to
    secure_email_domain: str = ""
    mail_domain: str = ""  # where its people's addresses are, under the secure domain if any
    address: str = ""
    country: str = "GB"
    is_active: bool = True


NHS = "nhs.net"
JUSTICE = "justice.gov.uk"

REGISTERS: dict[str, tuple[AgencySpec, ...]] = {
    ASHDOWN: (
        AgencySpec(
            "police",
            "Ashdown Police",
            AgencyKind.POLICE,
            "Public Protection Unit",
            (
                "Detective constable, Public Protection Unit",
                "Police sergeant, multi-agency safeguarding hub",
                "Detective sergeant, child abuse investigation team",
            ),
            "pnn.police.uk",
            "ashdown.pnn.police.uk",
            "Police Station, Castle Street, Ashdown AS1 2PD",
        ),
        AgencySpec(
            "hospital",
            "Ashdown and Weald Hospitals NHS Foundation Trust",
            AgencyKind.NHS_TRUST,
            "Safeguarding children team",
            ("Named nurse for safeguarding children", "Consultant paediatrician"),
            NHS,
            NHS,
            "Ashdown General Hospital, Weald Road, Ashdown AS3 7HG",
        ),
        AgencySpec(
            "community",
            "Ashdown Community Health NHS Trust",
            AgencyKind.NHS_TRUST,
            "Health visiting and school nursing",
            ("Health visitor", "School nurse", "CAMHS clinician"),
            NHS,
            NHS,
        ),
        AgencySpec(
            "gp",
            "Ashdown Road Surgery",
            AgencyKind.GP_PRACTICE,
            "Practice safeguarding lead",
            ("GP, practice safeguarding lead", "Practice nurse"),
            NHS,
            NHS,
            "14 Ashdown Road, Ashdown AS2 4RS",
        ),
        AgencySpec(
            "primary",
            "Ashdown Park Primary School",
            AgencyKind.SCHOOL,
            "Designated safeguarding lead",
            ("Designated safeguarding lead", "Head teacher", "Special educational needs lead"),
            mail_domain="ashdownpark.example.com",
        ),
        AgencySpec(
            "secondary",
            "Harrow Lane Secondary School",
            AgencyKind.SCHOOL,
            "Designated safeguarding lead",
            ("Designated safeguarding lead", "Head of year", "Attendance officer"),
            mail_domain="harrowlane.example.com",
        ),
        AgencySpec(
            "court",
            "Ashdown Family Court",
            AgencyKind.COURT,
            "Family court office",
            ("Family court office",),
            JUSTICE,
            JUSTICE,
        ),
        AgencySpec(
            "probation",
            "Probation Service, Ashdown and Weald",
            AgencyKind.PROBATION,
            "Ashdown probation office",
            ("Probation officer", "MAPPA coordinator"),
            JUSTICE,
            JUSTICE,
        ),
        AgencySpec(
            "youth_justice",
            "Weald Valley Youth Justice Service",
            AgencyKind.YOUTH_JUSTICE,
            "Duty case manager",
            ("Youth justice case manager",),
            mail_domain="wealdvalley-yjs.example.com",
        ),
        AgencySpec(
            "housing",
            "Ashdown Homes",
            AgencyKind.HOUSING,
            "Tenancy services",
            ("Housing officer", "Tenancy sustainment officer"),
            mail_domain="ashdownhomes.example.com",
        ),
        AgencySpec(
            "dwp",
            "Department for Work and Pensions",
            AgencyKind.DWP,
            "Local partnership manager",
            ("Universal Credit work coach", "DWP visiting officer"),
            "dwp.gov.uk",
            "dwp.gov.uk",
        ),
        AgencySpec(
            "voluntary",
            "Ashdown Family Support Network",
            AgencyKind.VOLUNTARY,
            "Referrals coordinator",
            ("Family support worker", "Parenting group facilitator"),
            mail_domain="afsn.example.com",
        ),
        AgencySpec(
            "processor",
            "Brightpath Family Conferencing Ltd",
            AgencyKind.PROCESSOR,
            "Family group conference service",
            ("Family group conference coordinator",),
            mail_domain="brightpath.example.com",
        ),
        AgencySpec(
            "partnership",
            "Ashdown Safeguarding Children Partnership",
            AgencyKind.SAFEGUARDING_BOARD,
            "Partnership business manager",
            ("Partnership business manager",),
            mail_domain="ascp.example.com",
        ),
        AgencySpec(
            "closed",
            "Old Mill Children's Centre",
            AgencyKind.VOLUNTARY,
            "Centre manager",
            mail_domain="oldmill.example.com",
            is_active=False,
        ),
        AgencySpec(
            "abroad",
            "Northstar Care Analytics Inc.",
            AgencyKind.PROCESSOR,
            "Customer success team",
            mail_domain="northstar.example.com",
            country="US",
        ),
    ),
    BRAMBLEY: (
        AgencySpec(
            "police",
            "Brambley Police",
            AgencyKind.POLICE,
            "Adult safeguarding team",
            ("Police constable, vulnerable adults team", "Detective constable, fraud unit"),
            "pnn.police.uk",
            "brambley.pnn.police.uk",
        ),
        AgencySpec(
            "hospital",
            "Brambley General Hospital NHS Trust",
            AgencyKind.NHS_TRUST,
            "Discharge team",
            ("Discharge coordinator", "Falls clinic nurse"),
            NHS,
            NHS,
            "Brambley General Hospital, Mill Lane, Brambley BR1 3GH",
        ),
        AgencySpec(
            "community",
            "Brambley Community Health NHS Trust",
            AgencyKind.NHS_TRUST,
            "District nursing",
            ("District nurse",),
            NHS,
            NHS,
        ),
        AgencySpec(
            "gp",
            "Brambley Green Surgery",
            AgencyKind.GP_PRACTICE,
            "Practice manager",
            ("GP", "Practice nurse"),
            NHS,
            NHS,
            "2 The Green, Brambley BR2 5GS",
        ),
        AgencySpec(
            "primary",
            "Brambley Church of England Primary School",
            AgencyKind.SCHOOL,
            "Designated safeguarding lead",
            ("Designated safeguarding lead",),
            mail_domain="brambleyce.example.com",
        ),
        AgencySpec(
            "secondary",
            "Brambley Community College",
            AgencyKind.SCHOOL,
            "Designated safeguarding lead",
            ("Designated safeguarding lead",),
            mail_domain="brambleycc.example.com",
        ),
        AgencySpec(
            "court",
            "Brambley County Court",
            AgencyKind.COURT,
            "Court office",
            ("Court office",),
            JUSTICE,
            JUSTICE,
        ),
        AgencySpec(
            "probation",
            "Probation Service, Brambley",
            AgencyKind.PROBATION,
            "Brambley probation office",
            ("Probation officer",),
            JUSTICE,
            JUSTICE,
        ),
        AgencySpec(
            "youth_justice",
            "Weald Valley Youth Justice Service",
            AgencyKind.YOUTH_JUSTICE,
            "Duty case manager",
            ("Youth justice case manager",),
            mail_domain="wealdvalley-yjs.example.com",
        ),
        AgencySpec(
            "housing",
            "Brambley Housing Partnership",
            AgencyKind.HOUSING,
            "Adaptations team",
            ("Adaptations officer", "Housing officer"),
            mail_domain="brambleyhousing.example.com",
        ),
        AgencySpec(
            "dwp",
            "Department for Work and Pensions",
            AgencyKind.DWP,
            "Attendance Allowance unit",
            ("Decision maker, Attendance Allowance",),
            "dwp.gov.uk",
            "dwp.gov.uk",
        ),
        AgencySpec(
            "fire",
            "Weald Fire and Rescue Service",
            AgencyKind.FIRE,
            "Community safety team",
            ("Safe and well officer",),
            mail_domain="wealdfire.example.com",
        ),
        AgencySpec(
            "voluntary",
            "Brambley Good Neighbours",
            AgencyKind.VOLUNTARY,
            "Befriending coordinator",
            ("Befriending coordinator",),
            mail_domain="brambleygoodneighbours.example.com",
        ),
        AgencySpec(
            "processor",
            "Brambley Carers Together",
            AgencyKind.PROCESSOR,
            "Carers' assessments",
            ("Carers' assessor",),
            mail_domain="carerstogether.example.com",
        ),
        AgencySpec(
            "closed",
            "Brambley Homecare Services Ltd",
            AgencyKind.PROCESSOR,
            "Contracts manager",
            mail_domain="brambleyhomecare.example.com",
            is_active=False,
        ),
        AgencySpec(
            "abroad",
            "Celtic Health Data Services Ltd",
            AgencyKind.PROCESSOR,
            "Account manager",
            mail_domain="celtichealthdata.example.com",
            country="IE",
        ),
    ),
}


@dataclass(frozen=True)
class AgreementSpec:
    agency: str
    title: str
    reference: str
    purposes: tuple[str, ...]
    bases: tuple[str, ...]
    categories: tuple[str, ...]
    started: int  # days ago
    review_in: int  # days from today (negative: overdue)
    ended: int | None = None  # days ago
    notes: str = ""


AGREEMENTS: dict[str, tuple[AgreementSpec, ...]] = {
    ASHDOWN: (
        AgreementSpec(
            "police",
            "Ashdown multi-agency safeguarding information sharing agreement",
            "ISA-ASH-2024-01",
            (SAFEGUARDING, CRIME),
            (PUBLIC_TASK, LawfulBasis.LEGAL_OBLIGATION, LawfulBasis.VITAL_INTERESTS, CONSENT),
            (IDENTITY, FAMILY, SOCIAL, EDUCATION, HOUSING, HEALTH, CRIMINAL, THIRD),
            started=700,
            review_in=150,
            notes="Covers the multi-agency safeguarding hub and strategy discussions.",
        ),
        AgreementSpec(
            "community",
            "Ashdown health and social care information sharing protocol",
            "ISA-ASH-2023-04",
            (CARE, SAFEGUARDING),
            (PUBLIC_TASK, CONSENT),
            (IDENTITY, FAMILY, SOCIAL, EDUCATION, HEALTH),
            started=1000,
            review_in=18,
            notes="Health visiting, school nursing and CAMHS.",
        ),
        AgreementSpec(
            "secondary",
            "Harrow Lane safeguarding and attendance protocol",
            "ISA-ASH-2025-03",
            (CARE, SAFEGUARDING),
            (PUBLIC_TASK, CONSENT),
            (IDENTITY, FAMILY, SOCIAL, EDUCATION, THIRD, CRIMINAL),
            started=500,
            review_in=260,
        ),
        AgreementSpec(
            "processor",
            "Data processing agreement: family group conferences",
            "DPA-ASH-2025-02",
            (CARE,),
            (PUBLIC_TASK, CONSENT),
            (IDENTITY, FAMILY, SOCIAL, THIRD),
            started=420,
            review_in=310,
            notes="Brightpath acts for the council under contract; data stays in the UK.",
        ),
        AgreementSpec(
            "housing",
            "Ashdown housing and social care protocol 2021",
            "ISA-ASH-2021-07",
            (CARE, SAFEGUARDING),
            (PUBLIC_TASK, CONSENT),
            (IDENTITY, FAMILY, SOCIAL, HOUSING),
            started=1600,
            review_in=-70,
            ended=70,
            notes="Ended when Ashdown Homes changed its tenancy system; a new protocol is "
            "being drafted.",
        ),
        AgreementSpec(
            "probation",
            "Crime and Disorder Act section 115 protocol",
            "ISA-ASH-2022-11",
            (CRIME, SAFEGUARDING),
            (PUBLIC_TASK, LawfulBasis.LEGAL_OBLIGATION),
            (IDENTITY, FAMILY, SOCIAL, CRIMINAL, THIRD),
            started=1200,
            review_in=75,
        ),
        AgreementSpec(
            "dwp",
            "DWP and Ashdown Borough Council data sharing arrangement",
            "ISA-ASH-2024-09",
            (Purpose.BENEFITS,),
            (LawfulBasis.LEGAL_OBLIGATION, PUBLIC_TASK, CONSENT),
            (IDENTITY, FAMILY, FINANCIAL, HOUSING),
            started=900,
            review_in=200,
        ),
    ),
    BRAMBLEY: (
        AgreementSpec(
            "hospital",
            "Hospital discharge information sharing agreement",
            "ISA-BRA-2024-02",
            (CARE, SAFEGUARDING),
            (PUBLIC_TASK, CONSENT, LawfulBasis.VITAL_INTERESTS),
            (IDENTITY, FAMILY, SOCIAL, HOUSING, HEALTH),
            started=800,
            review_in=25,
        ),
        AgreementSpec(
            "processor",
            "Data processing agreement: carers' assessments",
            "DPA-BRA-2025-01",
            (CARE,),
            (PUBLIC_TASK, CONSENT),
            (IDENTITY, FAMILY, SOCIAL, HEALTH),
            started=600,
            review_in=400,
            notes="Brambley Carers Together carries out carers' assessments for the council.",
        ),
        AgreementSpec(
            "gp",
            "Brambley integrated care information sharing protocol",
            "ISA-BRA-2023-06",
            (CARE, SAFEGUARDING),
            (PUBLIC_TASK, CONSENT),
            (IDENTITY, FAMILY, SOCIAL, FINANCIAL, HEALTH),
            started=900,
            review_in=120,
        ),
        AgreementSpec(
            "fire",
            "Safe and well visits referral protocol",
            "ISA-BRA-2024-08",
            (CARE, SAFEGUARDING),
            (CONSENT, PUBLIC_TASK),
            (IDENTITY, FAMILY, HOUSING, HEALTH),
            started=700,
            review_in=200,
        ),
        AgreementSpec(
            "police",
            "Brambley adult safeguarding information sharing agreement",
            "ISA-BRA-2024-04",
            (SAFEGUARDING, CRIME),
            (PUBLIC_TASK, LawfulBasis.LEGAL_OBLIGATION, LawfulBasis.VITAL_INTERESTS, CONSENT),
            (IDENTITY, FAMILY, SOCIAL, FINANCIAL, HEALTH, CRIMINAL, THIRD),
            started=650,
            review_in=180,
        ),
        AgreementSpec(
            "closed",
            "Homecare data processing agreement 2020",
            "DPA-BRA-2020-03",
            (CARE,),
            (PUBLIC_TASK,),
            (IDENTITY, FAMILY, SOCIAL, HEALTH),
            started=2000,
            review_in=-240,
            ended=240,
            notes="Ended with the homecare contract.",
        ),
    ),
}


# --- What is shared, and why -----------------------------------------------------------------
# Placeholders: {name} the first person shared about, {carer} their parent or carer.


@dataclass(frozen=True)
class Scenario:
    agency: str
    purpose: str
    detail: str
    categories: tuple[str, ...]
    methods: tuple[str, ...]
    statute: str = ""
    statute_detail: str = ""
    basis: str = PUBLIC_TASK
    article9: str = ""
    schedule1: str = ""
    criminal: str = ""
    # Without consent: why, in words, and whether consent was refused rather than not sought.
    reason: str = ""
    reason_detail: str = ""
    refused: bool = False
    urgent: bool = False
    with_carer: bool = False  # the parent or carer is shared about too
    records: tuple[int, int] = (0, 2)  # how many of their records go with it
    to: str = ""  # the role of the person it goes to, if it matters


H = Article9Condition.HEALTH_OR_SOCIAL_CARE
SPI = Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST
S17, S47 = Statute.CHILDREN_ACT_1989_S17, Statute.CHILDREN_ACT_1989_S47
CA2004 = Statute.CHILDREN_ACT_2004
CARE_ACT = "Care Act 2014, sections 9 and 25 (needs assessment and care and support plan)"

# Shared with the consent on file (the consent covers the purpose and every category).
WITH_CONSENT: tuple[Scenario, ...] = (
    Scenario(
        "gp",
        CARE,
        "Update for the GP before {name}'s health review: the current plan and the worries "
        "about sleep and weight.",
        (IDENTITY, FAMILY, SOCIAL, HEALTH),
        (EMAIL,),
        S17,
        article9=H,
        records=(1, 2),
        to="GP, practice safeguarding lead",
    ),
    Scenario(
        "gp",
        CARE,
        "Asked the practice to follow up {name}'s missed immunisations and dental check.",
        (IDENTITY, HEALTH),
        (PHONE, EMAIL),
        S17,
        article9=H,
        to="Practice nurse",
    ),
    Scenario(
        "gp",
        CARE,
        "Outcome of the plan review, so the practice knows who is working with the family.",
        (IDENTITY, FAMILY, SOCIAL),
        (EMAIL,),
        CA2004,
        records=(1, 1),
        to="GP, practice safeguarding lead",
    ),
    Scenario(
        "community",
        CARE,
        "The plan shared with the health visitor before her next home visit.",
        (IDENTITY, FAMILY, SOCIAL),
        (EMAIL, PHONE),
        CA2004,
        records=(1, 2),
        to="Health visitor",
    ),
    Scenario(
        "community",
        CARE,
        "Asked the school nurse to see {name} about sleep and bedwetting.",
        (IDENTITY, SOCIAL, HEALTH),
        (PHONE, EMAIL),
        S17,
        article9=H,
        to="School nurse",
    ),
    Scenario(
        "community",
        CARE,
        "Referral to CAMHS: {name}'s anxiety and trouble sleeping since the move.",
        (IDENTITY, FAMILY, SOCIAL, HEALTH, EDUCATION),
        (Method.PORTAL,),
        S17,
        article9=H,
        records=(1, 3),
        to="CAMHS clinician",
    ),
    Scenario(
        "primary",
        CARE,
        "The plan shared with the designated safeguarding lead so school can support "
        "{name}'s attendance.",
        (IDENTITY, FAMILY, SOCIAL, EDUCATION),
        (EMAIL,),
        S17,
        records=(1, 1),
        to="Designated safeguarding lead",
    ),
    Scenario(
        "primary",
        CARE,
        "Team around the family meeting at school: actions for the next six weeks.",
        (IDENTITY, FAMILY, EDUCATION),
        (MEETING,),
        S17,
        to="Designated safeguarding lead",
    ),
    Scenario(
        "primary",
        CARE,
        "Told school who may collect {name} and about the change of address.",
        (IDENTITY, FAMILY),
        (PHONE,),
        S17,
        to="Designated safeguarding lead",
    ),
    Scenario(
        "secondary",
        CARE,
        "Asked for {name}'s attendance and any worries to bring to the review, and shared "
        "the actions agreed.",
        (IDENTITY, SOCIAL, EDUCATION),
        (EMAIL, PHONE),
        S17,
        records=(0, 1),
        to="Attendance officer",
    ),
    Scenario(
        "secondary",
        CARE,
        "Team around the family meeting at school about {name}'s part-time timetable.",
        (IDENTITY, FAMILY, EDUCATION),
        (MEETING,),
        S17,
        to="Head of year",
    ),
    Scenario(
        "voluntary",
        CARE,
        "Referral for parenting sessions for {carer}, with what the family wants help with.",
        (IDENTITY, FAMILY, SOCIAL),
        (EMAIL,),
        S17,
        records=(1, 1),
        to="Parenting group facilitator",
    ),
    Scenario(
        "voluntary",
        CARE,
        "Update so the family support worker can plan the next sessions.",
        (IDENTITY, FAMILY),
        (PHONE,),
        S17,
        to="Family support worker",
    ),
    Scenario(
        "processor",
        CARE,
        "Referral for a family group conference: who is in the family network and the "
        "worries to discuss.",
        (IDENTITY, FAMILY, SOCIAL, THIRD),
        (Method.PORTAL,),
        S17,
        records=(1, 3),
    ),
    Scenario(
        "housing",
        CARE,
        "Letter supporting {name}'s request for a transfer to a larger home on welfare grounds.",
        (IDENTITY, FAMILY, HOUSING),
        (EMAIL,),
        Statute.OTHER,
        "Housing Act 1996, Part 6 (allocation of housing)",
        to="Housing officer",
    ),
    Scenario(
        "housing",
        CARE,
        "Told the tenancy sustainment officer about the support in place for the rent arrears.",
        (IDENTITY, HOUSING),
        (PHONE,),
        Statute.OTHER,
        "Housing Act 1996, Part 6 (allocation of housing)",
        to="Tenancy sustainment officer",
    ),
    Scenario(
        "dwp",
        Purpose.BENEFITS,
        "Confirmation for {name}'s Universal Credit claim that the children live with her.",
        (IDENTITY, FAMILY, FINANCIAL),
        (EMAIL,),
        Statute.WELFARE_REFORM_2012,
        basis=CONSENT,
    ),
)

# For a young person on a youth justice order, with their own consent.
YOUTH_WITH_CONSENT: tuple[Scenario, ...] = (
    Scenario(
        "secondary",
        CARE,
        "Referral order progress, so school can fit the reparation sessions around lessons.",
        (IDENTITY, EDUCATION, CRIMINAL),
        (EMAIL, MEETING),
        Statute.CRIME_AND_DISORDER_1998_S115,
        criminal=Schedule1Condition.CONSENT,
        to="Head of year",
    ),
    Scenario(
        "voluntary",
        CARE,
        "Referral to the mentoring project run with the youth justice service.",
        (IDENTITY, SOCIAL),
        (EMAIL,),
        basis=CONSENT,
        to="Family support worker",
    ),
)

ADULT_WITH_CONSENT: tuple[Scenario, ...] = (
    Scenario(
        "gp",
        CARE,
        "The care and support plan shared with the GP after the review.",
        (IDENTITY, FAMILY, SOCIAL, HEALTH),
        (EMAIL,),
        Statute.OTHER,
        CARE_ACT,
        article9=H,
        records=(1, 2),
        to="GP",
    ),
    Scenario(
        "gp",
        CARE,
        "Asked the GP to review {name}'s pain relief after two falls at night.",
        (IDENTITY, SOCIAL, HEALTH),
        (PHONE,),
        Statute.OTHER,
        CARE_ACT,
        article9=H,
        to="GP",
    ),
    Scenario(
        "gp",
        CARE,
        "Capacity assessment about managing her money shared with the GP.",
        (IDENTITY, SOCIAL, HEALTH, FINANCIAL),
        (EMAIL,),
        Statute.MENTAL_CAPACITY_2005,
        article9=H,
        records=(1, 1),
        to="GP",
    ),
    Scenario(
        "hospital",
        CARE,
        "Falls clinic follow-up: the equipment now at home and who visits.",
        (IDENTITY, FAMILY, SOCIAL, HEALTH),
        (EMAIL, PHONE),
        Statute.OTHER,
        CARE_ACT,
        article9=H,
        to="Falls clinic nurse",
    ),
    Scenario(
        "dwp",
        Purpose.BENEFITS,
        "Evidence for {name}'s Attendance Allowance claim: the help she needs day and night.",
        (IDENTITY, HEALTH, FINANCIAL),
        (EMAIL,),
        Statute.WELFARE_REFORM_2012,
        article9=Article9Condition.SOCIAL_PROTECTION,
        records=(1, 1),
    ),
    Scenario(
        "fire",
        CARE,
        "Referral for a safe and well visit: {name} lives alone and walks with a frame.",
        (IDENTITY, HOUSING, HEALTH),
        (EMAIL,),
        basis=CONSENT,
        article9=Article9Condition.EXPLICIT_CONSENT,
    ),
    Scenario(
        "housing",
        CARE,
        "Occupational therapist's recommendation of a level-access shower, for a disabled "
        "facilities grant.",
        (IDENTITY, HOUSING, HEALTH),
        (EMAIL,),
        Statute.OTHER,
        "Housing Grants, Construction and Regeneration Act 1996 (disabled facilities grants)",
        article9=H,
        records=(1, 1),
    ),
    Scenario(
        "voluntary",
        CARE,
        "Referral for weekly befriending visits.",
        (IDENTITY, FAMILY, SOCIAL),
        (EMAIL, PHONE),
        basis=CONSENT,
    ),
    Scenario(
        "police",
        CRIME,
        "A doorstep trader took £600 for roof repairs that were never done; {name} agreed to "
        "the police being told.",
        (IDENTITY, SOCIAL, FINANCIAL),
        (PHONE, EMAIL),
        Statute.CARE_ACT_2014_S42,
        to="Detective constable, fraud unit",
    ),
    Scenario(
        "processor",
        CARE,
        "Referral of {name} for a carer's assessment and a break from caring.",
        (IDENTITY, FAMILY, SOCIAL),
        (Method.PORTAL,),
        Statute.OTHER,
        "Care Act 2014, section 10 (carer's assessment)",
        records=(0, 1),
    ),
    Scenario(
        "processor",
        CARE,
        "Update after her mother's review, so the carer's support plan can be revised.",
        (IDENTITY, FAMILY, SOCIAL),
        (EMAIL,),
        Statute.OTHER,
        "Care Act 2014, section 10 (carer's assessment)",
    ),
)

# Shared without consent: a manager of the team holding the case authorises it.
WITHOUT_CONSENT: tuple[Scenario, ...] = (
    Scenario(
        "police",
        SAFEGUARDING,
        "Strategy discussion under section 47 after {name} said an adult at home hit them.",
        (IDENTITY, FAMILY, SOCIAL, THIRD),
        (PHONE, MEETING, EMAIL),
        S47,
        reason=NoConsentReason.SAFEGUARDING,
        reason_detail="Telling {carer} before the strategy discussion could put {name} at risk.",
        urgent=True,
        records=(1, 2),
        to="Detective sergeant, child abuse investigation team",
    ),
    Scenario(
        "police",
        SAFEGUARDING,
        "Injury details for a joint visit with the police after a child protection medical.",
        (IDENTITY, FAMILY, SOCIAL, HEALTH),
        (EMAIL,),
        S47,
        article9=SPI,
        schedule1=Schedule1Condition.SAFEGUARDING,
        reason=NoConsentReason.SAFEGUARDING,
        reason_detail="A joint investigation: seeking consent could prejudice it and put "
        "{name} at risk.",
        urgent=True,
        records=(1, 2),
        to="Detective constable, Public Protection Unit",
    ),
    Scenario(
        "police",
        CRIME,
        "The police asked under section 115 about adults visiting the home, for an "
        "investigation into drug supply.",
        (IDENTITY, FAMILY, CRIMINAL, THIRD),
        (EMAIL,),
        Statute.CRIME_AND_DISORDER_1998_S115,
        criminal=Schedule1Condition.UNLAWFUL_ACTS,
        reason=NoConsentReason.SERIOUS_CRIME,
        reason_detail="Telling the family could prejudice the police investigation.",
        with_carer=True,
        to="Detective constable, Public Protection Unit",
    ),
    Scenario(
        "hospital",
        SAFEGUARDING,
        "Child protection medical requested after an unexplained bruise on {name}'s arm.",
        (IDENTITY, FAMILY, SOCIAL, HEALTH),
        (PHONE, EMAIL),
        S47,
        article9=SPI,
        schedule1=Schedule1Condition.SAFEGUARDING,
        reason=NoConsentReason.SAFEGUARDING,
        reason_detail="The medical is needed today; waiting for {carer}'s consent would delay it.",
        urgent=True,
        records=(1, 1),
        to="Consultant paediatrician",
    ),
    Scenario(
        "community",
        SAFEGUARDING,
        "The health visitor joined the core group of the child protection plan.",
        (IDENTITY, FAMILY, SOCIAL, HEALTH),
        (EMAIL, MEETING),
        CA2004,
        article9=H,
        reason=NoConsentReason.SAFEGUARDING,
        reason_detail="{carer} declined; the health visitor must know the plan to keep {name} "
        "safe.",
        refused=True,
        records=(1, 2),
        to="Health visitor",
    ),
    Scenario(
        "primary",
        SAFEGUARDING,
        "The child protection plan shared with the designated safeguarding lead.",
        (IDENTITY, FAMILY, SOCIAL, EDUCATION),
        (EMAIL, MEETING),
        S47,
        reason=NoConsentReason.SAFEGUARDING,
        reason_detail="{carer} refused; school sees {name} every day and must know the "
        "safety plan.",
        refused=True,
        records=(1, 1),
        to="Designated safeguarding lead",
    ),
    Scenario(
        "secondary",
        SAFEGUARDING,
        "Safety plan shared with the head of year after {name} was seen with older men near "
        "the retail park.",
        (IDENTITY, FAMILY, SOCIAL, EDUCATION, THIRD),
        (EMAIL, PHONE),
        S47,
        reason=NoConsentReason.SAFEGUARDING,
        reason_detail="A risk of exploitation: school needs to know who may collect {name}.",
        records=(0, 1),
        to="Head of year",
    ),
    Scenario(
        "court",
        Purpose.COURT_ORDER,
        "Chronology, assessments and plans filed in care proceedings about {name}.",
        (IDENTITY, FAMILY, SOCIAL, HEALTH, THIRD),
        (BUNDLE,),
        Statute.COURT_ORDER,
        "Case management order directing the local authority's evidence",
        basis=LawfulBasis.LEGAL_OBLIGATION,
        article9=Article9Condition.LEGAL_CLAIMS,
        reason=NoConsentReason.COURT_ORDER,
        reason_detail="The court directed the evidence to be filed.",
        with_carer=True,
        records=(3, 6),
    ),
    Scenario(
        "court",
        Purpose.COURT_ORDER,
        "Section 7 welfare report ordered in private law proceedings between {name}'s parents.",
        (IDENTITY, FAMILY, SOCIAL),
        (BUNDLE,),
        Statute.OTHER,
        "Children Act 1989, section 7 (welfare reports)",
        basis=LawfulBasis.LEGAL_OBLIGATION,
        reason=NoConsentReason.COURT_ORDER,
        reason_detail="The court ordered the report.",
        records=(2, 4),
    ),
    Scenario(
        "probation",
        SAFEGUARDING,
        "Risk information about an adult in {name}'s household shared with his probation officer.",
        (IDENTITY, FAMILY, CRIMINAL, THIRD),
        (EMAIL, PHONE),
        Statute.CRIME_AND_DISORDER_1998_S115,
        criminal=Schedule1Condition.SAFEGUARDING,
        reason=NoConsentReason.RISK_TO_OTHERS,
        reason_detail="He is on licence; asking him first would alert him and put the children "
        "at risk.",
        to="Probation officer",
    ),
    Scenario(
        "partnership",
        SAFEGUARDING,
        "Information for a rapid review after a serious incident involving {name}.",
        (IDENTITY, FAMILY, SOCIAL, HEALTH, THIRD),
        (EMAIL,),
        Statute.CHILDREN_AND_SOCIAL_WORK_2017,
        article9=SPI,
        schedule1=Schedule1Condition.SAFEGUARDING,
        reason=NoConsentReason.PUBLIC_INTEREST,
        reason_detail="A statutory review of how agencies worked together.",
        records=(2, 3),
    ),
)

# For a young person on a youth justice order, recorded by their youth justice officer.
YOUTH_WITHOUT_CONSENT = Scenario(
    "police",
    CRIME,
    "Progress on the referral order and the risk of further offending, for the police youth "
    "justice liaison officer.",
    (IDENTITY, SOCIAL, CRIMINAL),
    (EMAIL, MEETING),
    Statute.CRIME_AND_DISORDER_1998_S115,
    criminal=Schedule1Condition.UNLAWFUL_ACTS,
    reason=NoConsentReason.RISK_TO_OTHERS,
    reason_detail="Needed to manage the risk of further offending; {name} was told it would "
    "be shared.",
)

DECLINED = Scenario(
    "housing",
    SAFEGUARDING,
    "Asked to tell the housing officer about the child protection plan, to support a move.",
    (IDENTITY, FAMILY, SOCIAL, HOUSING),
    (EMAIL,),
    S47,
    reason=NoConsentReason.SAFEGUARDING,
    reason_detail="{carer} has not been asked yet.",
    to="Housing officer",
)

AUTHORISED_NOTES = (
    "Agreed: the risk to {name} outweighs the duty of confidence. Share only what is listed.",
    "Authorised: necessary and proportionate for the child protection enquiry.",
    "Agreed on the phone with the worker at the time; recorded now.",
    "Authorised. Tell {carer} once the police agree it is safe to.",
    "Agreed: the court directed it; check the bundle index before it goes.",
    "Authorised: proportionate to the risk, and limited to what the recipient needs.",
)

CONSENT_EVIDENCE = (
    "Signed consent form, scanned to {name}'s documents",
    "Consent form signed at the review meeting; original on the paper file",
    "Email from {given_by} giving consent, saved to the case file",
    "Letter from {given_by}, scanned to {name}'s documents",
)

# How often each kind of partner hears from the worker while consent stands, in days.
GAPS = {
    "gp": 75,
    "community": 60,
    "primary": 50,
    "secondary": 55,
    "voluntary": 60,
    "processor": 300,
    "housing": 110,
    "dwp": 150,
}
ADULT_GAPS = {
    "gp": 35,
    "hospital": 60,
    "dwp": 120,
    "fire": 400,
    "housing": 90,
    "voluntary": 30,
    "police": 400,
    "processor": 60,
}


# --- The builder -----------------------------------------------------------------------------


@dataclass
class Subject:
    """One demo case's subject: who records for them, who may authorise, and when."""

    person: Person
    case: Case
    recorder: User
    start: date
    end: date
    carer: Person | None = None
    siblings: list[Person] = field(default_factory=list)
    authoriser: User | None = None


@dataclass
class Planned:
    """A sharing to record, with what a manager then does about it."""

    at: datetime
    recorder: User
    draft: SharingDraft
    carer_name: str
    authoriser: User | None = None
    hours: float | None = None  # until the manager decides; None leaves it waiting
    decline: str = ""
    live: bool = False  # recorded through the service, as the page would today
    consent: Consent | None = None  # the consent relied on


class SharingDemoBuilder:
    """Builds one council at a time: the register, then consents, then the sharings planned
    against them, written in date order."""

    def __init__(self, *, seed: int) -> None:
        from faker import Faker

        self.rng = random.Random(seed)  # noqa: S311 - invented records, not security
        self.fake: Faker = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.year_ago = self.today - timedelta(days=365)
        self.contacts: dict[tuple[int, str], list[tuple[str, str, str]]] = {}
        self.items: dict[int, dict[int, list[Item]]] = {}  # recorder -> person -> items
        self.agencies: dict[str, PartnerAgency] = {}
        self.specs: dict[str, AgencySpec] = {}
        self.agreements: list[SharingAgreement] = []
        self.consents: list[Consent] = []
        self.planned: list[Planned] = []

    # -- small helpers ----------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def at(self, day: date, start: int = 9, end: int = 17) -> datetime:
        """A moment between the hours on ``day``, and never later than half an hour ago."""
        clock = time(self.rng.randint(start, end - 1), self.rng.choice((0, 10, 20, 30, 40, 50)))
        moment = timezone.make_aware(datetime.combine(day, clock))
        return min(moment, self.now - timedelta(minutes=30))

    def weekday(self, start: date, end: date) -> date:
        """A day between the two, moved back off a weekend where it can be."""
        day = start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))
        while day.weekday() >= 5 and day > start:
            day -= timedelta(days=1)
        return day

    def words(self, text: str, subject: Subject, person: Person | None = None) -> str:
        carer = subject.carer.first_name if subject.carer else "the family"
        return text.format(name=(person or subject.person).first_name, carer=carer)

    def contact(self, scenario: Scenario) -> tuple[str, str, str]:
        """One of the few people at the agency the council deals with, in the role the
        sharing goes to: name, role, address."""
        agency, spec = self.agencies[scenario.agency], self.specs[scenario.agency]
        role = scenario.to or (self.rng.choice(spec.roles) if spec.roles else "")
        people = self.contacts.setdefault((agency.pk, role), [])
        if not people or (len(people) < 2 and self.chance(0.2)):
            first, last = self.fake.first_name(), self.fake.last_name()
            local = re.sub(r"[^a-z.-]", "", f"{first}.{last}".lower())
            people.append((f"{first} {last}", role, f"{local}@{spec.mail_domain or 'example.com'}"))
        return self.rng.choice(people)

    # -- the register -----------------------------------------------------------------------

    def keeper(self, council: Organisation) -> User | None:
        """A records manager or administrator who keeps this council's register, if any."""
        candidates = User.objects.filter(
            pk__in=Membership.objects.current()
            .filter(role__in=list(policies.REGISTER_ROLES))
            .values("user_id")
        ).order_by("username")
        return next((u for u in candidates if policies.can_keep_register(u, council.pk)), None)

    def register(self, council: Organisation) -> None:
        keeper = self.keeper(council)
        self.agencies, self.agreements = {}, []
        self.specs = {spec.key: spec for spec in REGISTERS[council.name]}
        for spec in REGISTERS[council.name]:
            values: dict[str, Any] = {
                "name": spec.name,
                "kind": spec.kind,
                "contact_name": spec.contact_name,
                "contact_email": f"{spec.key.replace('_', '')}@{spec.mail_domain}",
                "contact_phone": f"01632 960{self.rng.randint(0, 999):03d}",
                "address": spec.address,
                "secure_email_domain": spec.secure_email_domain,
                "country": spec.country,
                "is_active": spec.is_active,
            }
            if keeper is not None:
                agency = services.agency_create(actor=keeper, organisation=council, **values)
            else:
                agency = self.import_agency(council, values)
            self.agencies[spec.key] = agency
        for deal in AGREEMENTS[council.name]:
            values = {
                "title": deal.title,
                "reference": deal.reference,
                "purposes": list(deal.purposes),
                "lawful_bases": list(deal.bases),
                "data_categories": list(deal.categories),
                "starts_on": self.today - timedelta(days=deal.started),
                "ends_on": self.today - timedelta(days=deal.ended) if deal.ended else None,
                "review_on": self.today + timedelta(days=deal.review_in),
                "notes": deal.notes,
            }
            agency = self.agencies[deal.agency]
            if keeper is not None:
                agreement = services.agreement_create(actor=keeper, agency=agency, **values)
            else:
                agreement = self.import_agreement(agency, values)
            self.agreements.append(agreement)

    def import_agency(self, council: Organisation, values: dict[str, Any]) -> PartnerAgency:
        agency = PartnerAgency(organisation=council, **values)
        agency.full_clean()
        agency.save()  # write-ok: an imported register (no demo user keeps it)
        event_record(
            actor=None,
            action=Action.CREATE,
            summary=f"Imported partner agency {agency.name}",
            obj=agency,
            changes=created_changes(agency, services.AGENCY_FIELDS),
        )
        return agency

    def import_agreement(self, agency: PartnerAgency, values: dict[str, Any]) -> SharingAgreement:
        creator = User.objects.filter(username="fay").first() or User.objects.earliest("pk")
        agreement = SharingAgreement(
            organisation_id=agency.organisation_id, agency=agency, created_by=creator, **values
        )
        agreement.full_clean()
        agreement.save()  # write-ok: an imported register (no demo user keeps it)
        event_record(
            actor=None,
            action=Action.CREATE,
            summary=f"Imported a sharing agreement with {agency.name}",
            obj=agreement,
            changes=created_changes(agreement, services.AGREEMENT_FIELDS),
        )
        return agreement

    # -- who is shared about ----------------------------------------------------------------

    def subjects(self, council: Organisation) -> list[Subject]:
        """Each demo case's subject whom the case's worker (or, with nobody allocated, the
        team's manager) may share about, with a manager who could authorise, if any."""
        managers: dict[int, list[User]] = {}
        for membership in (
            Membership.objects.current()
            .filter(role=Role.TEAM_MANAGER, team__organisation=council, user__is_active=True)
            .select_related("user")
            .order_by("user__username")
        ):
            managers.setdefault(membership.team_id, []).append(membership.user)
        cases = list(
            Case.objects.filter(organisation=council, person__in=demo_people())
            .select_related("person", "team")
            .order_by("pk")
        )
        subjects_of_cases = {case.person_id for case in cases}
        held_by: dict[int, set[int]] = {}
        for case in cases:
            held_by.setdefault(case.person_id, set()).add(case.team_id)
        workers = {
            a.case_id: a.worker
            for a in Allocation.objects.current()
            .filter(case__in=cases)
            .select_related("worker")
            .order_by("starts_on", "pk")
        }
        participants: dict[int, list[tuple[str, Person]]] = {}
        for row in (
            CaseParticipant.objects.filter(case__in=cases).select_related("person").order_by("pk")
        ):
            participants.setdefault(row.case_id, []).append((row.role, row.person))
        everyone = subjects_of_cases | {p.pk for rows in participants.values() for _, p in rows}
        workable: dict[int, set[int]] = {}
        found: list[Subject] = []
        for case in cases:
            recorder = workers.get(case.pk) or next(iter(managers.get(case.team_id, [])), None)
            if recorder is None:
                continue
            if recorder.pk not in workable:
                workable[recorder.pk] = selectors.workable_person_ids(recorder, everyone)
            mine = workable[recorder.pk]
            start = max(self.year_ago, case.opened_on + timedelta(days=3))
            end = min(self.today, (case.closed_on or self.today) - timedelta(days=1))
            if case.person_id not in mine or end <= start:
                continue
            rows = participants.get(case.pk, [])
            carer = next(
                (
                    p
                    for role, p in rows
                    if role in ("family", "carer")
                    and p.pk not in subjects_of_cases
                    and (p.age_on(self.today) or 18) >= 18
                ),
                None,
            )
            authoriser = next(
                (
                    m
                    for team_id in sorted(held_by[case.person_id])
                    for m in managers.get(team_id, [])
                    if m.pk != recorder.pk
                ),
                None,
            )
            found.append(
                Subject(
                    person=case.person,
                    case=case,
                    recorder=recorder,
                    start=start,
                    end=end,
                    carer=carer if carer is not None and carer.pk in mine else None,
                    siblings=[p for _, p in rows if p.pk in subjects_of_cases and p.pk in mine],
                    authoriser=authoriser,
                )
            )
        return found

    def records_for(
        self, recorder: User, person: Person, before: datetime, count: int
    ) -> list[Item]:
        """``count`` of the person's own records the recorder may see, from the few written
        most recently before the moment."""
        by_person = self.items.get(recorder.pk)
        if by_person is None:
            access = record_policies.record_access(recorder)
            by_person = {}
            for item in (
                Item.objects.filter(record_policies.item_visible_q(access))
                .filter(entered_in_error_at__isnull=True)
                .only(
                    "pk", "public_id", "person_id", "occurred_at", "is_sensitive", "revision_number"
                )
                .order_by("occurred_at", "pk")
            ):
                by_person.setdefault(item.person_id, []).append(item)
            self.items[recorder.pk] = by_person
        recent = [i for i in by_person.get(person.pk, []) if i.occurred_at < before][-8:]
        return self.rng.sample(recent, min(count, len(recent)))

    # -- consents ---------------------------------------------------------------------------

    def given_by(self, subject: Subject, person: Person) -> str:
        age = person.age_on(self.today) or 40
        carer = subject.carer
        if age >= 16 or carer is None or person.pk != subject.person.pk:
            return person.full_name
        if age >= 12:
            return f"{person.full_name}, with {carer.full_name} (mother)"
        return f"{carer.full_name} (mother, with parental responsibility)"

    def consent(
        self,
        subject: Subject,
        agency: PartnerAgency,
        scenarios: Sequence[Scenario],
        *,
        given_on: date,
        person: Person | None = None,
        months: int | None = 12,
        withdrawal: str = "",
    ) -> Consent:
        """A consent covering every scenario with this agency, as ``consent_record`` keeps it
        (with its withdrawal, as ``consent_withdraw`` does, if given)."""
        person = person or subject.person
        given_by = self.given_by(subject, person)
        signer = given_by.split(",")[0].split(" (")[0]
        consent = Consent(
            person=person,
            organisation_id=person.organisation_id,
            agency=agency,
            given_by=given_by,
            purposes=list(dict.fromkeys(s.purpose for s in scenarios)),
            data_categories=list(dict.fromkeys(c for s in scenarios for c in s.categories)),
            evidence=self.rng.choice(CONSENT_EVIDENCE).format(
                name=person.first_name, given_by=signer
            ),
            given_on=given_on,
            expires_on=given_on + timedelta(days=round(months * 30.4)) if months else None,
            recorded_by=subject.recorder,
            recorded_at=self.at(min(given_on + timedelta(days=self.rng.randint(0, 2)), self.today)),
        )
        earliest = max(given_on + timedelta(days=40), self.today - timedelta(days=150))
        latest = min(self.today - timedelta(days=10), consent.expires_on or self.today)
        if withdrawal and earliest <= latest:
            consent.withdrawn_on = self.weekday(earliest, latest)
            consent.withdrawal_note = self.words(withdrawal, subject, person)
            consent.withdrawn_by = subject.recorder
        self.consents.append(consent)
        return consent

    def named_relative(self, subject: Subject, name: str, relationship: str) -> None:
        """Consent for a relative to see the file, recorded through the service."""
        given_on = self.weekday(max(subject.start, self.today - timedelta(days=200)), subject.end)
        consent = services.consent_record(
            actor=subject.recorder,
            person=subject.person,
            named_person=name,
            named_person_relationship=relationship,
            given_by=subject.person.full_name,
            purposes=[CARE],
            data_categories=[IDENTITY, FAMILY, SOCIAL],
            evidence=f"Signed consent form, scanned to {subject.person.first_name}'s documents",
            given_on=given_on,
        )
        consent.recorded_at = self.at(given_on)
        consent.save(update_fields=["recorded_at"])  # write-ok: history

    def write_consents(self) -> None:
        """The consents, with the events ``consent_record`` and ``consent_withdraw`` write."""
        Consent.objects.bulk_create(self.consents)  # write-ok: history, as consent_record
        for consent in self.consents:
            event_record(
                actor=consent.recorded_by,
                action=Action.CREATE,
                summary="Recorded a consent to share",
                obj=consent,
                subjects=[consent.person_id],
                changes=created_changes(consent, services.CONSENT_FIELDS),
            )
            if consent.withdrawn_on is not None:
                event_record(
                    actor=consent.withdrawn_by,
                    action=Action.UPDATE,
                    summary="Recorded the withdrawal of a consent to share",
                    obj=consent,
                    subjects=[consent.person_id],
                    changes={"withdrawn_on": (None, consent.withdrawn_on.isoformat())},
                    personal={"note": consent.withdrawal_note},
                )

    # -- sharings ---------------------------------------------------------------------------

    def agreement_for(
        self, agency: PartnerAgency, scenario: Scenario, day: date, *, open_ended: bool
    ) -> SharingAgreement | None:
        """The agreement in force that covers the sharing, if there is one. A sharing a
        manager authorises later needs one still in force then: an open-ended one."""
        for agreement in self.agreements:
            if (
                agreement.agency_id == agency.pk
                and agreement.in_force_on(day)
                and (agreement.ends_on is None or not open_ended)
                and scenario.purpose in agreement.purposes
                and scenario.basis in agreement.lawful_bases
                and set(scenario.categories) <= set(agreement.data_categories)
            ):
                return agreement
        return None

    def plan(
        self,
        subject: Subject,
        scenario: Scenario,
        day: date,
        *,
        consent: bool,
        at: datetime | None = None,
        people: list[Person] | None = None,
        urgent: bool = False,
    ) -> Planned:
        agency = self.agencies[scenario.agency]
        name, role, email = self.contact(scenario)
        method = self.rng.choice(scenario.methods)
        if method == BUNDLE:
            name, role = agency.name, "Filed by the council's legal services"
        moment = at or self.at(day)
        people = people or [subject.person]
        low, high = (0, 0) if method == PHONE else scenario.records
        items = self.records_for(subject.recorder, people[0], moment, self.rng.randint(low, high))
        if not {HEALTH, CRIMINAL, THIRD} & set(scenario.categories):
            items = [i for i in items if not i.is_sensitive]
        if consent:
            status, reason, reason_detail = "on_file", "", ""
        else:
            status = "refused" if scenario.refused else "not_sought"
            reason = scenario.reason
            reason_detail = self.words(scenario.reason_detail, subject, people[0])
        draft = SharingDraft(
            people=people,
            items=items,
            data_categories=list(scenario.categories),
            agency=agency,
            agreement=self.agreement_for(agency, scenario, day, open_ended=not consent),
            recipient_name=name,
            recipient_role=role,
            recipient_email=email if method == EMAIL else "",
            method=method,
            shared_on=day,
            purpose=scenario.purpose,
            purpose_detail=self.words(scenario.detail, subject, people[0]),
            lawful_basis=scenario.basis,
            article9_condition=scenario.article9,
            schedule1_condition=scenario.schedule1,
            criminal_condition=scenario.criminal,
            statute=scenario.statute,
            statute_detail=scenario.statute_detail,
            consent_status=status,
            no_consent_reason=reason,
            no_consent_detail=reason_detail,
            is_urgent=urgent,
        )
        planned = Planned(
            at=moment,
            recorder=subject.recorder,
            draft=draft,
            carer_name=subject.carer.first_name if subject.carer else "the family",
        )
        self.planned.append(planned)
        return planned

    def with_consent(
        self, subject: Subject, consent: Consent, scenarios: Sequence[Scenario], gap: int
    ) -> None:
        """Sharings relying on the consent, about one every ``gap`` days while it stood."""
        ends = [subject.end, self.today - timedelta(days=1)]
        if consent.expires_on:
            ends.append(consent.expires_on)
        if consent.withdrawn_on:
            ends.append(consent.withdrawn_on - timedelta(days=1))
        start, end = max(consent.given_on, subject.start), min(ends)
        if end < start:
            return
        for _ in range(max(1, round((end - start).days / gap))):
            day = self.weekday(start, end)
            planned = self.plan(
                subject, self.rng.choice(scenarios), day, consent=True, people=[consent.person]
            )
            planned.consent = consent

    def without_consent(self, subject: Subject, scenario: Scenario, day: date) -> None:
        """For a manager to authorise: an urgent one is shared at once (often late in the
        day), the others once authorised, a few hours to a few days later."""
        if subject.authoriser is None:
            return
        urgent = scenario.urgent and self.chance(0.35)
        people = [subject.person]
        if scenario.purpose == SAFEGUARDING and self.chance(0.4):
            people += subject.siblings
        if scenario.with_carer and subject.carer is not None:
            people.append(subject.carer)
        planned = self.plan(
            subject,
            scenario,
            day,
            consent=False,
            at=self.at(day, 16, 20) if urgent else self.at(day),
            people=list({p.pk: p for p in people}.values()),
            urgent=urgent,
        )
        planned.authoriser = subject.authoriser
        hours = (0.5, 1, 2, 3, 15, 17) if urgent else (1.5, 2, 3, 4, 5, 20, 22, 26, 48, 70)
        planned.hours = self.rng.choice(hours)

    # -- children, young people and adults ---------------------------------------------------

    def scenarios(self, key: str, pool: Sequence[Scenario] = WITH_CONSENT) -> list[Scenario]:
        return [s for s in pool if s.agency == key]

    def children(self, subjects: list[Subject]) -> None:
        taken: set[tuple[int, str]] = set()
        youth = [s for s in subjects if s.case.service == "youth_justice"]
        children = [s for s in subjects if s.case.service != "youth_justice"]
        protected = 0
        for n, subject in enumerate(children):
            age = subject.person.age_on(self.today) or 8
            if age < 5:
                keys = ["community", "gp", "voluntary"]
            elif age < 11:
                keys = ["primary", "gp", "community", "voluntary"]
            else:
                keys = ["secondary", "community", "gp"]
            for key in self.rng.sample(keys, 2 if self.chance(0.15) else 1):
                self.child_consent(subject, key, taken, n)
            if subject.case.category == "child_protection":
                protected += 1
                if protected % 2:
                    # A family group conference, run by the council's processor.
                    self.child_consent(subject, "processor", taken, n)
            carer = subject.carer
            if carer is not None and n % 6 == 1:
                key = "housing" if n % 10 == 1 else "dwp"
                if (carer.pk, key) not in taken:
                    taken.add((carer.pk, key))
                    scenarios = self.scenarios(key)
                    consent = self.consent(
                        subject,
                        self.agencies[key],
                        scenarios,
                        person=carer,
                        given_on=self.weekday(subject.start, subject.end),
                    )
                    self.with_consent(subject, consent, scenarios, GAPS[key])
        for subject in youth:
            for key in ("secondary", "voluntary"):
                if (subject.person.pk, key) in taken:
                    continue
                taken.add((subject.person.pk, key))
                scenarios = self.scenarios(key, YOUTH_WITH_CONSENT)
                consent = self.consent(
                    subject,
                    self.agencies[key],
                    scenarios,
                    given_on=self.weekday(subject.start, subject.start + timedelta(days=20)),
                    months=6,
                )
                self.with_consent(subject, consent, scenarios, GAPS[key])
            for _ in range(2):
                day = self.weekday(subject.start, self.today - timedelta(days=5))
                self.without_consent(subject, YOUTH_WITHOUT_CONSENT, day)
        # A teenager lets the aunt who has them at weekends see their file.
        teenager = next((s for s in children if (s.person.age_on(self.today) or 0) >= 14), None)
        if teenager is not None:
            aunt = f"{self.fake.first_name_female()} {teenager.person.last_name}"
            self.named_relative(teenager, aunt, "aunt")
        # Without consent, where a manager can authorise: more often under a protection plan.
        managed = [
            s
            for s in children
            if s.authoriser is not None and s.end >= self.today - timedelta(days=1)
        ]
        everyday = WITHOUT_CONSENT[:7]
        serious = [s for s in WITHOUT_CONSENT if s.agency != "partnership"]
        for subject in managed:
            protection = subject.case.category == "child_protection"
            for _ in range(self.rng.randint(4, 6) if protection else self.rng.randint(1, 3)):
                day = self.weekday(subject.start, self.today - timedelta(days=5))
                self.without_consent(
                    subject, self.rng.choice(serious if protection else everyday), day
                )
        if managed:
            day = self.weekday(self.year_ago, self.today - timedelta(days=60))
            self.without_consent(managed[0], WITHOUT_CONSENT[-1], day)
            self.queue(managed)

    def child_consent(
        self, subject: Subject, key: str, taken: set[tuple[int, str]], n: int
    ) -> None:
        if (subject.person.pk, key) in taken:
            return
        taken.add((subject.person.pk, key))
        agency = self.agencies[key]
        scenarios = self.scenarios(key)[:3]
        if subject.case.opened_on <= self.today - timedelta(days=420) and n % 5 == 0:
            # Given over a year ago and expired; renewed at the review, mostly.
            given = self.today - timedelta(days=self.rng.randint(400, 520))
            old = self.consent(subject, agency, scenarios, given_on=given)
            self.with_consent(subject, old, scenarios, GAPS[key])
            if n % 8 == 0 or old.expires_on is None:
                return
            given = old.expires_on + timedelta(days=self.rng.randint(1, 20))
            if given >= min(self.today, subject.end):
                return
        else:
            given = self.weekday(
                subject.start, min(subject.end, subject.start + timedelta(days=60))
            )
        withdrawal = ""
        if n % 7 == 3:
            withdrawal = {
                "primary": "{carer} withdrew consent at the review: she wants to speak to "
                "school herself.",
                "secondary": "{name} asked us to stop sharing with school.",
                "voluntary": "{carer} stopped going to the sessions and withdrew consent.",
            }.get(key, "{carer} withdrew consent by email.")
        consent = self.consent(
            subject,
            agency,
            scenarios,
            given_on=given,
            months=None if n % 3 == 2 else 12,
            withdrawal=withdrawal,
        )
        self.with_consent(subject, consent, scenarios, GAPS[key])

    def queue(self, managed: list[Subject]) -> None:
        """Today's queue, recorded through the service: two sharings waiting for the
        manager, and an urgent one made yesterday evening and still flagged. And one the
        manager declined earlier in the year."""
        managed = sorted(managed, key=lambda s: s.case.category != "child_protection")
        first, second = managed[0], managed[min(1, len(managed) - 1)]
        yesterday, before = self.today - timedelta(days=1), self.today - timedelta(days=2)
        phase = "secondary" if (first.person.age_on(self.today) or 0) >= 11 else "primary"
        school = next(s for s in WITHOUT_CONSENT if s.agency == phase)
        police = next(s for s in WITHOUT_CONSENT if s.purpose == CRIME)
        waiting = [
            self.plan(first, school, yesterday, at=self.at(yesterday, 14, 16), consent=False),
            self.plan(second, police, before, at=self.at(before, 10, 12), consent=False),
        ]
        urgent = self.plan(
            first,
            WITHOUT_CONSENT[0],
            yesterday,
            at=self.at(yesterday, 17, 19),
            consent=False,
            urgent=True,
        )
        urgent.draft.purpose_detail = (
            f"{first.person.first_name} told a teacher this afternoon that an adult at home hurt "
            "them. The police were told at once for a joint visit this evening."
        )
        for planned in (*waiting, urgent):
            planned.live = True
        day = self.weekday(self.today - timedelta(days=120), self.today - timedelta(days=80))
        declined = self.plan(second, DECLINED, day, consent=False)
        declined.authoriser, declined.hours = second.authoriser, 5
        declined.decline = (
            "Not proportionate: the housing officer needs to know only that the family is "
            f"supported. Ask {declined.carer_name} for consent first."
        )

    def adults(self, subjects: list[Subject]) -> None:
        for subject in subjects:
            if subject.case.service != "adult_social_care":
                continue
            keys = ("gp", "hospital", "dwp", "fire", "housing", "voluntary", "police")
            for n, key in enumerate(keys):
                scenarios = self.scenarios(key, ADULT_WITH_CONSENT)
                if key == "hospital":
                    # Given for a year when she came home from hospital; it has expired.
                    given = max(subject.case.opened_on, self.today - timedelta(days=500))
                    months: int | None = 12
                else:
                    latest = min(subject.end, subject.start + timedelta(days=60 * n))
                    given = self.weekday(subject.start, latest)
                    months = None if key in ("gp", "housing") else 12
                consent = self.consent(
                    subject,
                    self.agencies[key],
                    scenarios,
                    given_on=given,
                    months=months,
                    withdrawal="{name} said she no longer wants the visits."
                    if key == "voluntary"
                    else "",
                )
                self.with_consent(subject, consent, scenarios, ADULT_GAPS[key])
            if subject.carer is not None:
                scenarios = self.scenarios("processor", ADULT_WITH_CONSENT)
                consent = self.consent(
                    subject,
                    self.agencies["processor"],
                    scenarios,
                    person=subject.carer,
                    given_on=self.weekday(subject.start, subject.start + timedelta(days=60)),
                )
                self.with_consent(subject, consent, scenarios, ADULT_GAPS["processor"])
                self.named_relative(subject, subject.carer.full_name, "daughter")

    # -- writing the log --------------------------------------------------------------------

    def write_sharings(self) -> int:
        """The year of history in bulk, each sharing first checked by the service's own
        rules (``draft_errors``, and the consent's own ``valid_on`` and ``covers``), then
        written as ``sharing_record`` and the manager's decision would write it, with their
        audit events; then today's queue through ``sharing_record`` itself."""
        planned = sorted(self.planned, key=lambda p: p.at)
        history = [p for p in planned if not p.live]
        rows: list[tuple[Planned, SharingRecord, dict[int, Consent]]] = []
        for plan in history:
            draft, consent = plan.draft, plan.consent
            # The consent relied on is the one planned for: checked as covering_consents
            # checks it, without asking the database again for each sharing.
            steps = ("recipient", "basis") if consent else ("recipient", "basis", "consent")
            errors, _ = services.draft_errors(actor=plan.recorder, draft=draft, steps=steps)
            if consent is not None and not (
                draft.shared_on
                and consent.valid_on(draft.shared_on)
                and consent.covers(purpose=draft.purpose, data_categories=draft.data_categories)
            ):
                errors["consent_status"] = ["The consent does not cover this sharing."]
            if errors:
                raise ApplicationError(f"A demo sharing breaks the rules: {errors}")
            consents = {consent.person_id: consent} if consent else {}
            rows.append((plan, self.sharing_row(plan), consents))
        created = SharingRecord.objects.bulk_create([r for _, r, _ in rows])  # write-ok: history
        for sharing in created:
            sharing.reference = (
                f"SHR-{timezone.localtime(sharing.recorded_at).year}-{sharing.pk:05d}"
            )
        SharingRecord.objects.bulk_update(created, ["reference"])  # write-ok: history
        SharingSubject.objects.bulk_create(  # write-ok: history
            SharingSubject(sharing=sharing, person=p, consent=consents.get(p.pk))
            for plan, sharing, consents in rows
            for p in plan.draft.people
        )
        SharedItem.objects.bulk_create(  # write-ok: history
            SharedItem(sharing=sharing, item=i, revision_number=i.revision_number)
            for plan, sharing, _ in rows
            for i in plan.draft.items
        )
        for plan, sharing, _ in rows:
            self.sharing_events(plan, sharing)
        for plan in planned:
            if plan.live:
                sharing = services.sharing_record(actor=plan.recorder, draft=plan.draft)
                sharing.recorded_at = plan.at
                sharing.reference = f"SHR-{plan.at.year}-{sharing.pk:05d}"
                sharing.save(update_fields=["recorded_at", "reference"])  # write-ok: history
        return len(planned)

    def sharing_row(self, plan: Planned) -> SharingRecord:
        draft = plan.draft
        agency = draft.agency
        if agency is None or draft.shared_on is None:
            raise ApplicationError("A demo sharing has no agency or day.")
        status, authorisation = SharingStatus.SHARED, Authorisation.NOT_NEEDED
        decided_at = None
        shared_on = draft.shared_on
        note = ""
        if draft.consent_status != ConsentStatus.ON_FILE:
            status, authorisation = SharingStatus.AWAITING_AUTHORISATION, Authorisation.PENDING
            if draft.is_urgent:
                status = SharingStatus.SHARED
        if plan.authoriser is not None and plan.hours is not None:
            decided_at = min(
                plan.at + timedelta(hours=plan.hours), self.now - timedelta(minutes=20)
            )
            names = {"name": draft.people[0].first_name, "carer": plan.carer_name}
            if plan.decline:
                authorisation, note = Authorisation.DECLINED, plan.decline
                if status == SharingStatus.AWAITING_AUTHORISATION:
                    status = SharingStatus.NOT_SHARED
            else:
                authorisation = Authorisation.AUTHORISED
                note = self.rng.choice(AUTHORISED_NOTES).format(**names)
                if status == SharingStatus.AWAITING_AUTHORISATION:
                    # Done once authorised, on the day it was.
                    status = SharingStatus.SHARED
                    shared_on = max(shared_on, timezone.localtime(decided_at).date())
        return SharingRecord(
            reference=f"tmp-{uuid.uuid4().hex[:16]}",
            organisation_id=draft.people[0].organisation_id,
            agency=agency,
            agreement=draft.agreement,
            recipient_name=draft.recipient_name.strip(),
            recipient_role=draft.recipient_role.strip(),
            recipient_email=draft.recipient_email.strip().lower(),
            method=draft.method,
            shared_on=shared_on,
            purpose=draft.purpose,
            purpose_detail=draft.purpose_detail.strip(),
            data_categories=draft.data_categories,
            lawful_basis=draft.lawful_basis,
            article9_condition=draft.article9_condition,
            schedule1_condition=draft.schedule1_condition,
            criminal_condition=draft.criminal_condition,
            statute=draft.statute,
            statute_detail=draft.statute_detail.strip(),
            consent_status=draft.consent_status,
            no_consent_reason=draft.no_consent_reason,
            no_consent_detail=draft.no_consent_detail.strip(),
            is_urgent=draft.is_urgent,
            status=status,
            authorisation=authorisation,
            authorised_by=plan.authoriser if decided_at else None,
            authorised_at=decided_at,
            authorisation_note=note,
            recorded_by=plan.recorder,
            recorded_at=plan.at,
        )

    def sharing_events(self, plan: Planned, sharing: SharingRecord) -> None:
        """The events ``sharing_record`` and ``sharing_authorise`` / ``sharing_decline`` write."""
        draft = plan.draft
        name = sharing.agency.name
        first = (
            SharingStatus.AWAITING_AUTHORISATION
            if sharing.authorisation != Authorisation.NOT_NEEDED and not sharing.is_urgent
            else SharingStatus.SHARED
        )
        if sharing.authorisation == Authorisation.NOT_NEEDED:
            summary = f"Recorded a sharing with {name} (consent on file)"
        elif sharing.is_urgent:
            summary = (
                f"Recorded an urgent safeguarding sharing with {name}, to be authorised by a "
                "manager"
            )
        else:
            summary = f"Recorded a sharing with {name} for a manager to authorise"
        event_record(
            actor=plan.recorder,
            action=Action.CREATE,
            summary=summary,
            obj=sharing,
            subjects=draft.people,
            changes={
                "status": (None, first),
                "lawful_basis": (None, sharing.lawful_basis),
                "purpose": (None, sharing.purpose),
                "items": (None, [str(i.public_id) for i in draft.items]),
            },
            personal={
                "reference": sharing.reference,
                "recipient": sharing.recipient_name,
                "recipient_role": sharing.recipient_role,
                "recipient_email": sharing.recipient_email,
                "purpose_detail": sharing.purpose_detail,
            },
        )
        if sharing.authorised_at is None:
            return
        declined = sharing.authorisation == Authorisation.DECLINED
        event_record(
            actor=plan.authoriser,
            action=Action.UPDATE,
            summary=f"Declined to authorise a sharing with {name}"
            if declined
            else f"Authorised a sharing without consent with {name}",
            obj=sharing,
            subjects=draft.people,
            changes={
                "authorisation": (Authorisation.PENDING, sharing.authorisation),
                "status": (first, sharing.status),
            },
            personal={"reference": sharing.reference, "note": sharing.authorisation_note},
        )

    # -- a council, and the whole demo -------------------------------------------------------

    def council(self, council: Organisation) -> int:
        self.consents, self.planned = [], []
        self.register(council)
        subjects = self.subjects(council)
        if council.name == BRAMBLEY:
            self.adults(subjects)
        else:
            self.children(subjects)
        self.write_consents()
        made = self.write_sharings()
        # The register was set up two years ago, each agreement a fortnight before it began.
        registered = timezone.make_aware(
            datetime.combine(self.today - timedelta(days=730), time(10))
        )
        PartnerAgency.objects.filter(organisation=council).update(  # write-ok: history
            created_at=registered, updated_at=registered
        )
        for agreement in self.agreements:
            agreement.created_at = agreement.updated_at = timezone.make_aware(
                datetime.combine(agreement.starts_on - timedelta(days=14), time(11))
            )
        SharingAgreement.objects.bulk_update(  # write-ok: history
            self.agreements, ["created_at", "updated_at"]
        )
        return made

    def build(self) -> int:
        councils = Organisation.objects.filter(name__in=list(REGISTERS)).order_by("name")
        return sum(self.council(council) for council in councils)


@transaction.atomic
def load_demo_sharing(*, seed: int = SEED) -> int:
    """Load once; returns how many sharings were logged (0 when the register is already
    there)."""
    if settings.PRODUCTION:
        raise ApplicationError("Demo data cannot be loaded in production.")
    if PartnerAgency.objects.exists():
        return 0
    return SharingDemoBuilder(seed=seed).build()
