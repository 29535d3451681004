"""Disposal really disposes: a person with a rich file is destroyed, and afterwards no personal
value of theirs is anywhere in the database (every text and JSON column of every table) or in
file storage, while the audit seals still verify and the register keeps its stub."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from accounts.models import Team, User
from accounts.roles import Role
from accounts.tests.factories import staff_member
from audit.integrity import audit_verify
from audit.models import AuditEvent
from audit.services import audit_seal
from records import services as record_services
from records.models import Case, Person
from records.tests.factories import TINY_PDF, open_case, synthetic_nhs_number
from retention import services
from retention.models import ItemStatus
from sharing import packages
from sharing import services as sharing_services
from sharing.tests.conftest import Register, ShareFile, register, safeguarding_draft

pytestmark = pytest.mark.django_db

__all__ = ["register"]  # the sharing register fixture, used below

# Values that occur nowhere else: each must be gone from the database and the files.
FIRST, MIDDLE, LAST, PREFERRED = "Zephyrine", "Araminta", "Quillfeather", "Zephie"
ALIAS_LAST = "Bellweather"
BORN = date(1995, 7, 19)
NI_NUMBER = "JT601934B"
UPN = "W801200300457"
DISABILITY = "Uses a Velloworth hearing loop"
STREET, POSTCODE, TOWN = "17 Marrowbone Lane", "ZQ9 7XW", "Frantwich"
PHONE = "07700 900461"
EMAIL = "zeph.q@example.org"
ALERT = "Dog at the property called Biscuitfang"
NOTE_FIRST, NOTE_AMENDED = "The Larkspur Court flat is damp", "The Larkspur Court flat is cold"
STATEMENT = "I never went to Pemberton Lido"
SOURCE = "Dr Hesketh Vantongeren"
DOCUMENT_MARK = b"Corvinglass-document-body"
CONSENT_MARK = b"Sallowmere-consent-scan"
MOTHER_FIRST, MOTHER_BORN = "Philippa", date(1971, 2, 23)
BREAK_GLASS = "Out of hours call about the Quillfeather children"
PLAN_TEXT = "Weekly visits by Obadiah Farthingale"
SECTION_TEXT = "Attends Thistlecombe Academy"


def _text_and_json_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') "
            "ORDER BY table_name, column_name"
        )
        return list(cursor.fetchall())


def _found_in_database(values: list[str]) -> list[str]:
    """Every (table, column, value) where a value occurs, case-insensitively, as text."""
    hits: list[str] = []
    columns: dict[str, list[str]] = {}
    for table, column in _text_and_json_columns():
        columns.setdefault(table, []).append(column)
    with connection.cursor() as cursor:
        for table, names in columns.items():
            for column in names:
                for value in values:
                    cursor.execute(
                        f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',  # noqa: S608
                        [f"%{value}%"],
                    )
                    if cursor.fetchone():
                        hits.append(f"{table}.{column}: {value!r}")
    return hits


def _readable(path: Path) -> bytes:
    """A file's bytes, and for a PDF also its text (PDF streams are compressed)."""
    content = path.read_bytes()
    if content.startswith(b"%PDF"):
        try:
            reader = PdfReader(io.BytesIO(content))
            content += "\n".join(page.extract_text() for page in reader.pages).encode()
        except PdfReadError:
            pass  # a one-line test PDF has no pages to read: its bytes are searched as they are
    return content.lower()


def _found_in_files(values: list[bytes]) -> list[str]:
    root = Path(storages["documents"].location)
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            content = _readable(path)
            hits += [f"{path}: {v!r}" for v in values if v.lower() in content]
    return hits


def _rich_file(
    practitioner: User, manager: User, other_worker: User, team: Any, register: Register
) -> tuple[Case, Person, Person, Case]:
    """A young adult's closed children-in-need case with everything a file can hold: names,
    an alias, identifiers, address, phone, email, an alert, her mother (on no other case) and
    her half-brother (who has his own open case), every kind of item, an amendment, her
    statement of disagreement, a consent with its scan, a sharing with its rendered package,
    a break-glass grant and the audit trail of all of it."""
    case = open_case(
        team=team,
        worker=practitioner,
        manager=manager,
        opened_on=date(2009, 5, 1),
        category="child_in_need",
        first_name=FIRST,
        middle_names=MIDDLE,
        last_name=LAST,
        preferred_name=PREFERRED,
        date_of_birth=BORN,
        nhs_number=synthetic_nhs_number(random.Random(1995)),  # noqa: S311
        ni_number=NI_NUMBER,
        upn=UPN,
        disability=DISABILITY,
    )
    person = case.person
    brother_case = open_case(
        team=team,
        worker=practitioner,
        manager=manager,
        opened_on=date(2020, 1, 6),
        first_name="Tobias",
        last_name="Wrenfield",
        date_of_birth=date(2012, 9, 9),
    )
    record_services.relationship_add(
        actor=practitioner,
        from_person=brother_case.person,
        to_person=person,
        kind="half_sibling",
    )
    record_services.person_name_add(
        actor=practitioner, person=person, kind="alias", first_name=FIRST, last_name=ALIAS_LAST
    )
    record_services.address_add(
        actor=practitioner, person=person, line_1=STREET, town=TOWN, postcode=POSTCODE
    )
    record_services.phone_add(actor=practitioner, person=person, number=PHONE)
    record_services.email_add(actor=practitioner, person=person, email=EMAIL)
    record_services.alert_add(
        actor=practitioner, person=person, kind="risk_to_staff", description=ALERT
    )
    mother, _ = record_services.related_person_create(
        actor=practitioner,
        case=case,
        details={"first_name": MOTHER_FIRST, "last_name": LAST, "date_of_birth": MOTHER_BORN},
        kind="mother",
    )
    earlier = timezone.now() - timedelta(days=30)
    visit = record_services.contact_record(
        actor=practitioner,
        case=case,
        contact_type="home_visit",
        occurred_at=earlier,
        title="Home visit",
        body=f"{PREFERRED} and {MOTHER_FIRST} were at home.",
        mentioned=[mother],
    )
    note = record_services.note_record(
        actor=practitioner, case=case, title="Housing", body=NOTE_FIRST, occurred_at=earlier
    )
    record_services.item_amend(
        actor=practitioner, item=note, changes={"body": NOTE_AMENDED}, reason="Misheard"
    )
    record_services.disagreement_attach(
        actor=practitioner,
        item=note,
        statement=STATEMENT,
        made_by=FIRST,
        received_on=timezone.localdate(),
    )
    record_services.information_received_record(
        actor=practitioner,
        case=case,
        source_organisation="Frantwich Medical Practice",
        source_name=SOURCE,
        method="letter",
        occurred_at=earlier,
        body=f"Letter about {FIRST}'s hearing.",
    )
    record_services.document_upload(
        actor=practitioner,
        case=case,
        file=SimpleUploadedFile("letter.pdf", TINY_PDF + b"% " + DOCUMENT_MARK + b"\n"),
        document_type="letter",
        title="Letter",
    )
    record_services.plan_record(
        actor=practitioner,
        case=case,
        plan_type="child_in_need",
        starts_on=case.opened_on,
        next_review_on=None,
        body=PLAN_TEXT,
    )
    assessment = record_services.assessment_start(
        actor=practitioner,
        case=case,
        assessment_type="child_and_family",
        sections=[{"heading": "Education", "text": SECTION_TEXT}],
    )
    record_services.assessment_submit(actor=practitioner, assessment=assessment)
    sharing_services.consent_record(
        actor=practitioner,
        person=person,
        given_by=f"{FIRST} {LAST}",
        purposes=["safeguarding"],
        data_categories=["identity", "social_care"],
        evidence="Signed form",
        given_on=timezone.localdate() - timedelta(days=10),
        agency=register.police,
        evidence_file=SimpleUploadedFile("consent.pdf", TINY_PDF + b"% " + CONSENT_MARK + b"\n"),
    )
    file = ShareFile(case, person, mother, visit, note)
    sharing = sharing_services.sharing_record(
        actor=practitioner,
        draft=safeguarding_draft(
            register,
            file,
            no_consent_detail=f"Telling {MOTHER_FIRST} first could put {PREFERRED} at risk.",
        ),
    )
    sharing = sharing_services.sharing_authorise(actor=manager, sharing=sharing, note="Agreed")
    package = packages.package_request(actor=practitioner, sharing=sharing)
    assert packages.package_render(package_id=package.pk) is not None
    record_services.break_glass_open(actor=other_worker, person=person, reason=BREAK_GLASS)
    record_services.case_close(
        actor=manager, case=case, closed_on=timezone.localdate(), reason="needs_met"
    )
    return case, person, mother, brother_case


def test_destroying_a_person_leaves_no_personal_value_anywhere_and_the_seals_verify(
    practitioner: User,
    manager: User,
    other_practitioner: User,
    admin_user: User,
    team_north: Any,
    ig_team: Any,
    register: Register,
) -> None:
    case, person, mother, brother_case = _rich_file(
        practitioner, manager, other_practitioner, team_north, register
    )
    text_values = [
        FIRST,
        MIDDLE,
        LAST,
        ALIAS_LAST,
        BORN.isoformat(),
        person.nhs_number,
        NI_NUMBER,
        UPN,
        DISABILITY,
        STREET,
        POSTCODE,
        TOWN,
        PHONE,
        EMAIL,
        ALERT,
        NOTE_FIRST,
        NOTE_AMENDED,
        STATEMENT,
        SOURCE,
        MOTHER_FIRST,
        MOTHER_BORN.isoformat(),
        BREAK_GLASS,
        PLAN_TEXT,
        SECTION_TEXT,
    ]
    file_values = [
        DOCUMENT_MARK,
        CONSENT_MARK,
        FIRST.encode(),
        LAST.encode(),
        PREFERRED.encode(),
        MOTHER_FIRST.encode(),
    ]
    # The search really finds what is there: before disposal, every value is found.
    before = _found_in_database(text_values)
    assert {hit.split(": ")[1] for hit in before} == {repr(v) for v in text_values}
    assert any(DOCUMENT_MARK.decode() in hit for hit in _found_in_files(file_values))
    assert any(CONSENT_MARK.decode() in hit for hit in _found_in_files(file_values))
    assert any(repr(LAST.encode()) in hit for hit in _found_in_files(file_values))  # the package
    audit_seal(now=timezone.now() + timedelta(hours=1))
    events = AuditEvent.objects.count()

    (batch,) = services.disposal_propose()
    assert batch.items.get().status == ItemStatus.INCLUDED
    colleague = staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")
    services.batch_approve(actor=colleague, batch=batch)
    services.batch_approve(actor=admin_user, batch=batch)
    services.batch_run(batch_id=batch.pk)

    assert _found_in_database(text_values) == []
    assert _found_in_files(file_values) == []
    assert not Person.objects.filter(pk__in=[person.pk, mother.pk]).exists()
    # Her half-brother's own case stays, without the relationship to her.
    assert Case.objects.filter(pk=brother_case.pk).exists()
    assert not brother_case.person.relationships_from.exists()
    assert not brother_case.person.relationships_to.exists()
    # The register keeps the stub; the trail keeps every sealed event, and still verifies.
    stub = batch.items.get()
    assert (stub.status, stub.record_reference, stub.case_id) == (
        ItemStatus.DISPOSED,
        case.reference,
        None,
    )
    audit_seal(now=timezone.now() + timedelta(hours=1))
    assert AuditEvent.objects.count() > events
    report = audit_verify()
    assert report.ok, report.problems


def test_a_record_still_referred_to_cannot_be_deleted_and_every_reference_is_checked_at_once(
    team_north: Team, manager: User
) -> None:
    """Every foreign key into people, cases and items is ON DELETE RESTRICT and not deferred
    (migration 0010): one lookup per reference instead of NO ACTION's two at commit. One
    added later by Django would be deferred NO ACTION, and this names it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, c.confdeltype, c.condeferrable
            FROM pg_constraint c
            WHERE c.contype = 'f'
              AND c.confrelid::regclass::text IN ('records_person', 'records_case', 'records_item')
            """
        )
        keys = cursor.fetchall()
    assert len(keys) >= 35  # every table that refers to a record
    loose = [
        f"{table}.{name}" for table, name, action, deferred in keys if action != "r" or deferred
    ]
    assert loose == []

    case = open_case(team=team_north, manager=manager)
    person = case.person
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk)._raw_delete("default")  # noqa: SLF001
    assert Case.objects.filter(pk=case.pk, person=person).exists()
