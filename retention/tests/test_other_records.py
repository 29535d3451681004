"""Disposal of the records that are not cases: rights request files, data protection
complaints, the sharing log and the audit trail. Each is proposed when due under its rule,
listed as held where a hold stands, never proposed while still open, and, once two people
approve, destroyed with everything under it (the audit trail: its personal part erased while
its seals still verify). Carefile holds no survey responses, so that class proposes nothing.

Each test starts on 1 March 2027 and moves the clock on itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from access_requests import reminders
from access_requests import services as request_services
from access_requests.disclosure import bundle_build
from access_requests.models import (
    AccessRequest,
    CollectedItem,
    Complaint,
    Decision,
    DisclosureBundle,
    DownloadLink,
    Pause,
    Redaction,
    ReminderSent,
    RequestDocument,
    RequestNote,
    RequestSubject,
)
from access_requests.tests.conftest import log_request
from accounts.models import Organisation, Team, User
from accounts.roles import Role
from accounts.tests.factories import TeamFactory, staff_member
from audit.integrity import audit_verify
from audit.models import Action, AuditEvent, AuditEventSubject
from audit.services import audit_seal
from records import services as record_services
from records.models import Case, Item, Person
from records.tests.factories import TINY_PDF, PersonFactory, open_case
from retention import destruction, other_records, selectors, services
from retention.models import (
    BatchStatus,
    ClassKind,
    DisposalBatch,
    ItemStatus,
    RecordClass,
    RetentionRule,
)
from sharing import packages
from sharing import services as sharing_services
from sharing.models import PackageLink, SharedItem, SharingPackage, SharingRecord, SharingSubject
from sharing.tests.conftest import Register, ShareFile, register, safeguarding_draft, share_file

pytestmark = pytest.mark.django_db

__all__ = ["register", "share_file"]  # the sharing fixtures, used below

LONDON = ZoneInfo("Europe/London")
START = datetime(2027, 3, 1, 10, 0, tzinfo=LONDON)
TODAY = START.date()


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def colleague(ig_team: Team) -> User:
    """rosa: the second records manager, who approves with fay."""
    return staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")


@pytest.fixture
def second_officer(records_team: Team) -> User:
    """rex: the records-access officer who approves dan's disclosures."""
    return staff_member(role=Role.RECORDS_ACCESS_OFFICER, team=records_team, username="rex")


def _at(clock: Any, day: date) -> None:
    clock.move_to(datetime.combine(day, time(10, 0), tzinfo=LONDON))


def _proposed(code: str) -> DisposalBatch:
    """The one batch of the class (by code) that tonight's proposal makes."""
    (batch,) = [b for b in services.disposal_propose() if b.record_class.code == code]
    return batch


def _due(code: str, **kwargs: Any) -> list[selectors.DueRecords]:
    return [d for d in selectors.disposal_due(**kwargs) if d.rule.record_class.code == code]


def _carry_out(batch: DisposalBatch, first: User, second: User) -> DisposalBatch:
    services.batch_approve(actor=first, batch=batch)
    services.batch_approve(actor=second, batch=batch)
    done = services.batch_run(batch_id=batch.pk)
    assert done is not None
    assert done.status == BatchStatus.DONE
    return done


def _found_in_database(values: list[str]) -> set[str]:
    """Which of the values occur anywhere in the database: every text and JSON column of
    every table, case-insensitively."""
    found: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT "{column}"::text FROM "{table}" '  # noqa: S608 (names from the catalogue)
                f'WHERE "{column}"::text ILIKE ANY(%s)',
                [[f"%{value}%" for value in values]],
            )
            texts = " ".join(row[0] for row in cursor.fetchall()).lower()
            found.update(value for value in values if value.lower() in texts)
    return found


def _stored(file: Any) -> Path:
    """Where a stored file is (the test run's own media folder)."""
    return Path(file.storage.path(file.name))


def _closed_request(
    officer: User, council: Organisation, *, person: Person | None = None, **fields: Any
) -> AccessRequest:
    request = log_request(officer, council, **fields)
    request_services.access_request_assign(actor=officer, request=request, officer=officer)
    if person is not None:
        request_services.access_request_subject_link(actor=officer, request=request, person=person)
    return request_services.access_request_close(
        actor=officer,
        request=request,
        outcome="refused",
        reasons="Manifestly unfounded: the same request as last month.",
        sent_on=timezone.localdate(),
    )


# --- Rights request case files ---------------------------------------------------------------


def test_rights_request_files_fall_due_two_years_after_closing_unless_held_open_or_kept(
    clock: Any,
    records_officer: User,
    council: Organisation,
    team_north: Team,
    practitioner: User,
    admin_user: User,
) -> None:
    due = _closed_request(records_officer, council)
    held_case = open_case(team=team_north, worker=practitioner)
    held = _closed_request(records_officer, council, person=held_case.person)
    still_open = log_request(records_officer, council, received_on=TODAY - timedelta(days=900))
    _at(clock, date(2028, 3, 1))
    later = _closed_request(records_officer, council)

    # The forecast: the first falls due in March 2029, the one closed today in March 2030.
    forecast = selectors.forecast(months=24)
    (counts,) = [c for rc, c in forecast.rows if rc.code == "rights_requests"]
    assert counts[12] == 2  # March 2029: the first, and the held one
    assert sum(counts) == 2

    _at(clock, date(2029, 3, 2))
    services.hold_place(
        actor=admin_user,
        organisation=council,
        scope="person",
        person=held_case.person,
        reason="Claim against the council",
    )
    (found,) = _due("rights_requests")
    assert found.organisation_id == council.pk
    items = {i.object_pk: i for i in found.items}
    assert set(items) == {due.pk, held.pk}
    assert still_open.pk not in items
    assert later.pk not in items
    first = items[due.pk]
    assert (first.status, first.trigger_date, first.due_on) == (
        ItemStatus.INCLUDED,
        TODAY,
        date(2029, 3, 1),
    )
    assert (first.record_reference, first.person_id) == (due.reference, None)
    assert items[held.pk].status == ItemStatus.HELD
    assert items[held.pk].person_id == held_case.person_id
    assert "hold on the person" in items[held.pk].reason
    assert found.included == 1

    # Proposed, the record to dispose of waits in its batch; the held one is listed again
    # each night, to be proposed once free.
    batch = _proposed("rights_requests")
    assert {i.object_pk: i.status for i in batch.items.all()} == {
        due.pk: ItemStatus.INCLUDED,
        held.pk: ItemStatus.HELD,
    }
    (again,) = _due("rights_requests")
    assert [(i.object_pk, i.status) for i in again.items] == [(held.pk, ItemStatus.HELD)]
    assert again.included == 0
    # Kept longer at review, a record waits until its next review day, batch or no batch.
    services.batch_item_keep(
        actor=admin_user,
        item=batch.items.get(object_pk=due.pk),
        reason="A claim is expected",
        keep_until=date(2029, 9, 1),
    )
    services.batch_cancel(actor=admin_user, batch=batch, reason="Reviewed: nothing to do yet")
    assert [i.object_pk for d in _due("rights_requests") for i in d.items] == [held.pk]
    # Forecast from today (March 2029): it falls due again in September, six months on.
    (counts,) = [c for rc, c in selectors.forecast(months=12).rows if rc.code == "rights_requests"]
    assert counts[6] == 1
    _at(clock, date(2029, 9, 2))
    assert {i.object_pk for d in _due("rights_requests") for i in d.items} == {due.pk, held.pk}


REQUESTER = "Orlaith Quenby-Varnish"
ASKED_FOR = "every note from the Wexcombe years"
QUESTION = "Which of the Tallowfield placements do you mean?"
NOTE = "Requester phoned from the Brindlecote library"
DOCUMENT_MARK = b"Pellucidore-passport-scan"
LINK_NAME, LINK_EMAIL = "Ysolde Harrowgate", "ysolde.harrowgate@example.org"
REASONS = "Details of the Kestrelmoor family were removed."
CHILD_FIRST, FAMILY = "Marisolde", "Penhallow-Strake"
MOTHER_FIRST = "Thessaly"
CONTACT = "showed the Quillbarrow drawings"
COMPLAINANT = "Ambrose Fettiplace"


def _review_all(officer: User, request: AccessRequest) -> None:
    for item in CollectedItem.objects.filter(request=request):
        proposals = list(item.redactions.filter(status=Redaction.Status.PROPOSED))
        for row in proposals:
            request_services.redaction_decide(actor=officer, redaction_row=row, accept=True)
        request_services.collected_item_review(
            actor=officer, item=item, decision=Decision.REDACT if proposals else Decision.DISCLOSE
        )


def test_a_rights_request_file_is_destroyed_with_everything_under_it_and_the_people_it_named(
    clock: Any,
    records_officer: User,
    second_officer: User,
    council: Organisation,
    team_north: Team,
    practitioner: User,
    manager: User,
    admin_user: User,
    colleague: User,
) -> None:
    # A young woman's children-in-need case, closed long ago and due for destruction, with a
    # contact naming her mother.
    case = open_case(
        team=team_north,
        worker=practitioner,
        manager=manager,
        opened_on=date(2005, 1, 1),
        first_name=CHILD_FIRST,
        last_name=FAMILY,
        date_of_birth=date(1990, 4, 1),
    )
    child = case.person
    mother, _ = record_services.related_person_create(
        actor=practitioner,
        case=case,
        details={
            "first_name": MOTHER_FIRST,
            "last_name": FAMILY,
            "date_of_birth": date(1968, 2, 2),
        },
        kind="mother",
    )
    record_services.contact_record(
        actor=practitioner,
        case=case,
        contact_type="home_visit",
        occurred_at=datetime(2006, 5, 1, 10, 0, tzinfo=LONDON),
        title="Home visit",
        body=f"{CHILD_FIRST} {CONTACT}; her mother {MOTHER_FIRST} {FAMILY} was there.",
        mentioned=[mother],
    )
    record_services.case_close(
        actor=manager, case=case, closed_on=date(2008, 1, 1), reason="needs_met"
    )

    # Her subject access request, worked through to a partly disclosed reply.
    request = log_request(
        records_officer,
        council,
        received_on=TODAY - timedelta(days=27),
        requester_name=REQUESTER,
        subject_name=f"{CHILD_FIRST} {FAMILY}",
        description=f"Please send me {ASKED_FOR}.",
    )
    officer = records_officer
    request_services.access_request_assign(actor=officer, request=request, officer=officer)
    request_services.access_request_subject_link(actor=officer, request=request, person=child)
    request_services.access_request_note_add(actor=officer, request=request, text=NOTE)
    request_services.access_request_document_add(
        actor=officer,
        request=request,
        kind="identity",
        upload=SimpleUploadedFile(
            "passport.pdf", TINY_PDF + b"% " + DOCUMENT_MARK + b"\n", "application/pdf"
        ),
    )
    assert reminders.reminders_send(today=TODAY) >= 1
    request_services.access_request_pause(
        actor=officer, request=request, asked_on=TODAY, question=QUESTION
    )
    request_services.access_request_resume(actor=officer, request=request, received_on=TODAY)
    request_services.access_request_collect(actor=officer, request=request)
    _review_all(officer, request)
    request_services.access_request_submit_for_approval(actor=officer, request=request)
    request_services.access_request_approve(actor=second_officer, request=request)
    bundle = bundle_build(
        bundle_id=request_services.bundle_request(actor=officer, request=request).pk
    )
    assert bundle is not None
    request_services.download_link_create(
        actor=officer, bundle=bundle, recipient_name=LINK_NAME, recipient_email=LINK_EMAIL
    )
    complaint = request_services.complaint_log(
        actor=officer,
        organisation=council,
        channel="letter",
        received_on=TODAY,
        access_request=request,
        complainant_name=COMPLAINANT,
        description="The reply took too long.",
    )
    request_services.access_request_close(
        actor=officer,
        request=request,
        outcome="partly_disclosed",
        reasons=REASONS,
        sent_on=TODAY,
        disclosure_method="secure_link",
    )
    # Answered, the complaint no longer holds the request's people.
    request_services.complaint_respond(
        actor=officer,
        complaint=complaint,
        outcome="not_upheld",
        response="The reply was sent within the month.",
        responded_on=TODAY,
    )

    under = {
        RequestSubject: RequestSubject.objects.filter(request=request),
        Pause: Pause.objects.filter(request=request),
        RequestNote: RequestNote.objects.filter(request=request),
        RequestDocument: RequestDocument.objects.filter(request=request),
        CollectedItem: CollectedItem.objects.filter(request=request),
        Redaction: Redaction.objects.filter(collected_item__request=request),
        DisclosureBundle: DisclosureBundle.objects.filter(request=request),
        DownloadLink: DownloadLink.objects.filter(bundle__request=request),
        ReminderSent: ReminderSent.objects.filter(request=request),
    }
    rows = {model: set(rows.values_list("pk", flat=True)) for model, rows in under.items()}
    assert all(rows.values()), rows  # something of every kind to destroy
    object_ids = [str(request.public_id)] + [
        str(u)
        for model, pks in rows.items()
        if model is not ReminderSent
        for u in model.objects.filter(pk__in=pks).values_list("public_id", flat=True)
    ]
    about_it = AuditEvent.objects.filter(object_id__in=object_ids, personal_text__isnull=False)
    assert about_it.exists()
    files = [_stored(RequestDocument.objects.get(request=request).file), _stored(bundle.file)]
    assert all(path.exists() for path in files)
    values = [REQUESTER, ASKED_FOR, QUESTION, NOTE, LINK_NAME, LINK_EMAIL, REASONS, CONTACT]
    values += [CHILD_FIRST, FAMILY, MOTHER_FIRST]
    assert _found_in_database(values) == set(values)

    # Seven months on, her case is destroyed; she is kept, as her request file names her.
    _at(clock, date(2027, 10, 1))
    cases = _proposed("children_in_need")
    assert [i.case_id for i in cases.items.filter(status=ItemStatus.INCLUDED)] == [case.pk]
    assert _due("rights_requests") == []
    _carry_out(cases, admin_user, colleague)
    assert not Case.objects.filter(pk=case.pk).exists()
    assert Person.objects.filter(pk=child.pk).exists()
    assert CollectedItem.objects.filter(request=request, subject=child).exists()

    # Two years after closing, the file goes, and she with it.
    _at(clock, date(2029, 3, 2))
    batch = _proposed("rights_requests")
    item = batch.items.get()
    assert (item.object_pk, item.person_id, item.status) == (
        request.pk,
        child.pk,
        ItemStatus.INCLUDED,
    )
    audit_seal(now=timezone.now() + timedelta(hours=1))
    done = _carry_out(batch, admin_user, colleague)

    assert not AccessRequest.objects.filter(pk=request.pk).exists()
    for model, pks in rows.items():
        assert not model.objects.filter(pk__in=pks).exists(), model.__name__
    assert not any(path.exists() for path in files)
    assert not Person.objects.filter(pk=child.pk).exists()
    assert not about_it.exists()
    # The complaint about the reply is its own record, kept under its own rule.
    complaint.refresh_from_db()
    assert complaint.access_request_id is None
    assert _found_in_database([*values, COMPLAINANT]) == {COMPLAINANT}
    stub = done.items.get()
    assert (stub.status, stub.record_reference, stub.trigger_date, stub.due_on) == (
        ItemStatus.DISPOSED,
        request.reference,
        TODAY,
        date(2029, 3, 1),
    )
    assert (stub.object_pk, stub.person_id) == (None, None)
    assert stub in selectors.register_list_for_user(user=admin_user)
    audit_seal(now=timezone.now() + timedelta(hours=1))
    report = audit_verify()
    assert report.ok, report.problems


def test_a_rule_that_anonymises_keeps_the_request_without_anything_personal(
    clock: Any,
    records_officer: User,
    council: Organisation,
    admin_user: User,
    colleague: User,
) -> None:
    request = _closed_request(records_officer, council, requester_name=REQUESTER)
    request_services.access_request_note_add(actor=records_officer, request=request, text=NOTE)
    services.rule_change(
        actor=admin_user,
        record_class=RecordClass.objects.get(code="rights_requests"),
        trigger="request_closure",
        period_years=2,
        period_months=0,
        period_days=0,
        action="anonymise",
        legal_authority="Local retention schedule",
        reason="Keep request statistics",
    )
    _at(clock, date(2029, 3, 2))
    batch = _proposed("rights_requests")
    assert batch.action == "anonymise"
    _carry_out(batch, admin_user, colleague)

    kept = AccessRequest.objects.get(pk=request.pk)
    assert (kept.reference, kept.request_type, kept.outcome, kept.closed_on) == (
        request.reference,
        "access",
        "refused",
        TODAY,
    )
    assert kept.requester_name == other_records.ANONYMISED
    assert (kept.description, kept.outcome_reasons) == ("", "")
    assert not RequestNote.objects.filter(request=request).exists()
    assert _found_in_database([REQUESTER, NOTE]) == set()
    # Anonymised, it is not offered again.
    _at(clock, date(2029, 3, 3))
    assert _due("rights_requests") == []


# --- Data protection complaints --------------------------------------------------------------


def test_complaints_are_destroyed_six_years_after_the_answer(
    clock: Any,
    records_officer: User,
    council: Organisation,
    admin_user: User,
    colleague: User,
) -> None:
    def logged(name: str, person: Person | None = None, days_ago: int = 0) -> Complaint:
        return request_services.complaint_log(
            actor=records_officer,
            organisation=council,
            channel="email",
            received_on=TODAY - timedelta(days=days_ago),
            person=person,
            complainant_name=name,
            description=f"{name} says her address was given out.",
        )

    def answered(complaint: Complaint) -> Complaint:
        return request_services.complaint_respond(
            actor=records_officer,
            complaint=complaint,
            outcome="not_upheld",
            response="We found the address was shared lawfully.",
            responded_on=timezone.localdate(),
        )

    # A person in no other record: the complaint is all that names her.
    only_here = PersonFactory(organisation=council, first_name="Lysandra", last_name="Quenby")
    due = logged(COMPLAINANT, person=only_here, days_ago=25)
    assert reminders.reminders_send(today=TODAY) == 1  # its acknowledgement is due
    answered(due)
    held_person = PersonFactory(organisation=council, first_name="Odile", last_name="Farrant")
    held = answered(logged("Clementine Ashgrove", person=held_person))
    withdrawn = logged("Peregrine Voss")
    request_services.complaint_withdraw(
        actor=records_officer, complaint=withdrawn, note="Withdrawn by phone"
    )
    still_open = logged("Hyacinth Morrow")
    _at(clock, date(2028, 3, 1))
    later = answered(logged("Barnaby Quell"))

    _at(clock, date(2033, 3, 2))
    services.hold_place(
        actor=admin_user, organisation=council, scope="person", person=held_person, reason="Claim"
    )
    batch = _proposed("complaints")
    items = {i.object_pk: i for i in batch.items.all()}
    assert set(items) == {due.pk, held.pk, withdrawn.pk}
    assert still_open.pk not in items
    assert later.pk not in items
    assert (items[due.pk].status, items[due.pk].due_on, items[due.pk].person_id) == (
        ItemStatus.INCLUDED,
        date(2033, 3, 1),
        only_here.pk,
    )
    assert items[held.pk].status == ItemStatus.HELD
    assert items[withdrawn.pk].status == ItemStatus.UNKNOWN
    assert items[withdrawn.pk].reason == other_records.WITHDRAWN_UNDATED
    reminder = ReminderSent.objects.get(complaint=due)
    about_it = AuditEvent.objects.filter(object_id=str(due.public_id), personal_text__isnull=False)
    assert about_it.exists()

    done = _carry_out(batch, admin_user, colleague)
    assert not Complaint.objects.filter(pk=due.pk).exists()
    assert not ReminderSent.objects.filter(pk=reminder.pk).exists()
    assert not Person.objects.filter(pk=only_here.pk).exists()
    assert not about_it.exists()
    assert set(Complaint.objects.values_list("pk", flat=True)) == {
        held.pk,
        withdrawn.pk,
        still_open.pk,
        later.pk,
    }
    assert Person.objects.filter(pk=held_person.pk).exists()
    assert _found_in_database([COMPLAINANT, "Lysandra", "Quenby"]) == set()
    stub = done.items.get(status=ItemStatus.DISPOSED)
    assert (stub.record_reference, stub.object_pk, stub.person_id) == (due.reference, None, None)


# --- The sharing log -------------------------------------------------------------------------

RECIPIENT = "DC Lorcan Ashdown-Pike"
LINK_RECIPIENT, LINK_ADDRESS = "Sgt Wren Halloway", "wren.halloway@northshire.pnn.police.uk"
WHY = "Strategy discussion about the Gorsebrook Road incident"


def _shared(
    register: Register, share_file: ShareFile, manager: User, actor: User, **overrides: Any
) -> SharingRecord:
    sharing = sharing_services.sharing_record(
        actor=actor, draft=safeguarding_draft(register, share_file, **overrides)
    )
    return sharing_services.sharing_authorise(actor=manager, sharing=sharing, note="Justified")


def test_sharing_log_entries_are_destroyed_six_years_after_the_last_action(
    clock: Any,
    register: Register,
    share_file: ShareFile,
    practitioner: User,
    manager: User,
    admin_user: User,
    colleague: User,
    council: Organisation,
) -> None:
    due = _shared(
        register, share_file, manager, practitioner, recipient_name=RECIPIENT, purpose_detail=WHY
    )
    package = packages.package_request(actor=practitioner, sharing=due)
    package = packages.package_render(package_id=package.pk)
    assert package is not None
    link, _ = packages.package_link_create(
        actor=practitioner,
        package=package,
        recipient_name=LINK_RECIPIENT,
        recipient_email=LINK_ADDRESS,
    )
    # About the child and her mother: a hold on the mother holds the whole entry.
    held = _shared(
        register, share_file, manager, practitioner, people=[share_file.child, share_file.mother]
    )
    waiting = sharing_services.sharing_record(
        actor=practitioner, draft=safeguarding_draft(register, share_file)
    )
    _at(clock, date(2028, 3, 1))
    later = _shared(register, share_file, manager, practitioner)

    _at(clock, date(2033, 3, 2))
    services.hold_place(
        actor=admin_user,
        organisation=council,
        scope="person",
        person=share_file.mother,
        reason="Family court proceedings",
    )
    batch = _proposed("sharing_log")
    items = {i.object_pk: i for i in batch.items.all()}
    assert set(items) == {due.pk, held.pk}
    assert waiting.pk not in items  # a manager has still to decide on it
    assert later.pk not in items
    assert (items[due.pk].status, items[due.pk].trigger_date, items[due.pk].person_id) == (
        ItemStatus.INCLUDED,
        TODAY,
        share_file.child.pk,
    )
    assert items[held.pk].status == ItemStatus.HELD
    assert "hold on the person" in items[held.pk].reason
    file = _stored(package.file)
    assert file.exists()
    object_ids = [str(due.public_id), str(package.public_id), str(link.public_id)]
    about_it = AuditEvent.objects.filter(object_id__in=object_ids, personal_text__isnull=False)
    assert about_it.exists()

    _carry_out(batch, admin_user, colleague)
    assert not SharingRecord.objects.filter(pk=due.pk).exists()
    assert not SharingSubject.objects.filter(sharing_id=due.pk).exists()
    assert not SharedItem.objects.filter(sharing_id=due.pk).exists()
    assert not SharingPackage.objects.filter(pk=package.pk).exists()
    assert not PackageLink.objects.filter(pk=link.pk).exists()
    assert not file.exists()
    assert not about_it.exists()
    assert _found_in_database([RECIPIENT, WHY, LINK_RECIPIENT, LINK_ADDRESS]) == set()
    # The child's case, its items and the other entries stay.
    assert Person.objects.filter(pk=share_file.child.pk).exists()
    assert Item.objects.filter(pk=share_file.visit.pk).exists()
    assert set(SharingRecord.objects.values_list("pk", flat=True)) == {
        held.pk,
        waiting.pk,
        later.pk,
    }


def test_a_hold_on_the_sharing_log_keeps_the_entries_it_covers_whole(
    clock: Any,
    register: Register,
    share_file: ShareFile,
    practitioner: User,
    manager: User,
    admin_user: User,
    colleague: User,
    council: Organisation,
) -> None:
    """Ruby's case falls due at her 25th birthday. An inquiry's hold on the sharing log,
    placed after the batch was approved, covers an entry listing her home visit: the run
    leaves the case whole, and the entry with its items and people; the next proposal lists
    the case as held. A person the entry names stays while the hold stands."""
    sharing = _shared(register, share_file, manager, practitioner, recipient_name=RECIPIENT)
    record_services.case_close(
        actor=manager, case=share_file.case, closed_on=TODAY, reason="needs_met"
    )
    sharing_log = RecordClass.objects.get(code="sharing_log")
    inquiry = partial(
        services.hold_place,
        actor=admin_user,
        organisation=council,
        scope="class_and_dates",
        record_class=sharing_log,
        reason="Inquiry into information sharing with the police",
    )
    inquiry(from_date=date(2025, 1, 1), to_date=date(2026, 12, 31))
    assert not SharingRecord.objects.filter(selectors.sharings_held()).exists()

    _at(clock, date(2040, 3, 15))
    batch = _proposed("children_in_need")
    (item,) = batch.items.filter(status=ItemStatus.INCLUDED)
    assert item.case_id == share_file.case.pk
    services.batch_approve(actor=admin_user, batch=batch)
    services.batch_approve(actor=colleague, batch=batch)
    covering = inquiry(from_date=date(2027, 2, 1), to_date=date(2027, 3, 31))
    assert list(SharingRecord.objects.filter(selectors.sharings_held())) == [sharing]
    services.batch_run(batch_id=batch.pk)

    item.refresh_from_db()
    assert (item.status, item.reason) == (ItemStatus.SKIPPED, selectors.SHARING_HELD)
    assert Case.objects.filter(pk=share_file.case.pk).exists()
    assert SharedItem.objects.filter(sharing=sharing, item=share_file.visit).exists()
    assert SharingSubject.objects.filter(sharing=sharing, person=share_file.child).exists()
    (again,) = [d for d in _due("children_in_need") if d.organisation_id == council.pk]
    assert [(i.case_id, i.status, i.reason) for i in again.items] == [
        (share_file.case.pk, ItemStatus.HELD, selectors.SHARING_HELD)
    ]

    # Someone the entry names, and nothing else: kept while the hold stands, not after.
    named_only = PersonFactory(organisation=council)
    SharingSubject.objects.create(sharing=sharing, person=named_only)  # write-ok: setup
    assert destruction._still_named({named_only.pk}) == {named_only.pk}  # noqa: SLF001
    services.hold_lift(actor=admin_user, hold=covering, reason="Inquiry reported")
    assert destruction._still_named({named_only.pk}) == set()  # noqa: SLF001


# --- The audit trail -------------------------------------------------------------------------


def _personal_parts(person: Person, before: datetime | None = None) -> list[str | None]:
    """The personal part of each event about the person that had one (before a time)."""
    events = AuditEvent.objects.filter(
        pk__in=AuditEventSubject.objects.filter(person_id=person.pk).values("event_id")
    ).exclude(personal_digest="")
    if before is not None:
        events = events.filter(occurred_at__lt=before)
    return list(events.order_by("pk").values_list("personal_text", flat=True))


def _personal_ids(case: Case) -> Any:
    """The events about the case's person that still have their personal part."""
    return AuditEvent.objects.filter(
        pk__in=AuditEventSubject.objects.filter(person_id=case.person_id).values("event_id"),
        personal_text__isnull=False,
    ).values("pk")


def _in_trail(words: str) -> bool:
    return AuditEvent.objects.filter(personal_text__icontains=words).exists()


def test_audit_events_lose_their_personal_part_after_six_years_and_the_seals_still_verify(
    clock: Any,
    team_north: Team,
    practitioner: User,
    manager: User,
    admin_user: User,
    colleague: User,
    council: Organisation,
    other_council: Organisation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = open_case(team=team_north, worker=practitioner, manager=manager)
    record_services.note_record(
        actor=practitioner, case=case, title="Visit", body="Saw the Yarrowdale allotment."
    )
    held_case = open_case(team=team_north, worker=practitioner, manager=manager)
    other_team = TeamFactory(organisation=other_council)
    stranger = staff_member(role=Role.PRACTITIONER, team=other_team, username="otto")
    elsewhere = open_case(team=other_team, worker=stranger)
    late_case = open_case(team=team_north, worker=practitioner, manager=manager)
    # A change naming nobody, made by the council's records manager, with a personal reason.
    services.rule_change(
        actor=admin_user,
        record_class=RecordClass.objects.get(code="surveys"),
        trigger="study_end",
        period_years=0,
        period_months=3,
        period_days=0,
        action="destroy",
        legal_authority="Research ethics approval",
        reason="Asked for by Dr Tamsin Orrery",
    )
    setting = AuditEvent.objects.filter(object_type="retention.retentionrule").latest("pk")
    assert setting.subject_ids == ""
    assert setting.personal_text is not None
    audit_seal(now=timezone.now() + timedelta(hours=1))
    assert _in_trail("Yarrowdale")
    assert _in_trail("Tamsin Orrery")
    old = _personal_parts(case.person)
    assert old
    assert all(text is not None for text in old)

    _at(clock, date(2030, 3, 1))
    record_services.note_record(
        actor=practitioner, case=case, title="Review", body="Moved to the Corbel flats."
    )
    newer = datetime.combine(date(2030, 3, 1), time.min, tzinfo=LONDON)

    _at(clock, date(2033, 4, 1))
    services.hold_place(
        actor=admin_user,
        organisation=council,
        scope="person",
        person=held_case.person,
        reason="Claim",
    )
    rule = RetentionRule.objects.get(record_class__code="audit_events", is_active=True)
    assert other_records.latest_due_trigger(rule, date(2033, 4, 1)) == date(2027, 4, 1)
    (found,) = _due("audit_events", organisation_ids=frozenset({council.pk}))
    (item,) = found.items
    assert (item.status, item.trigger_date, item.record_reference) == (
        ItemStatus.INCLUDED,
        date(2027, 4, 1),
        "Audit events to 1 Apr 2027",
    )
    # The newest event it covers is the council's last of March 2027, not one written since.
    assert item.object_pk == setting.pk
    batches = {
        b.organisation_id: b
        for b in services.disposal_propose()
        if b.record_class.code == "audit_events"
    }
    assert set(batches) == {council.pk, other_council.pk}
    assert batches[council.pk].action == "anonymise"

    # Window by window, as a county's trail would go. The first window ends just before the
    # events about the last case opened; then a hold is placed on its person: what is done is
    # done, their events keep their personal part, and everyone else's go on being erased.
    late = AuditEvent.objects.filter(
        pk__in=AuditEventSubject.objects.filter(person_id=late_case.person_id).values("event_id"),
        personal_text__isnull=False,
    )
    first_late = min(late.values_list("pk", flat=True))
    batch = batches[council.pk]
    services.batch_approve(actor=admin_user, batch=batch)
    services.batch_approve(actor=colleague, batch=batch)
    DisposalBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING)  # write-ok
    monkeypatch.setattr(other_records, "AUDIT_WINDOW", first_late - 1)
    assert services._run_chunk(batch, 200)  # noqa: SLF001
    (row,) = batch.items.all()
    assert (row.status, row.progress) == (ItemStatus.INCLUDED, first_late - 1)
    assert not AuditEvent.objects.filter(pk__lt=first_late, pk__in=_personal_ids(case)).exists()
    services.hold_place(
        actor=admin_user,
        organisation=council,
        scope="person",
        person=late_case.person,
        reason="Claim",
    )
    monkeypatch.setattr(other_records, "AUDIT_WINDOW", 3)
    done = services.batch_run(batch_id=batch.pk)
    assert done is not None
    assert done.status == BatchStatus.DONE
    kept = _personal_parts(late_case.person, before=newer)
    assert kept
    assert all(text is not None for text in kept)
    windows = AuditEvent.objects.filter(object_id=str(batch.public_id), action=Action.DELETE)
    assert windows.count() > 2  # noqa: PLR2004
    assert all(text is None for text in _personal_parts(case.person, before=newer))
    assert all(text is not None for text in _personal_parts(case.person)[len(old) :])
    assert len(_personal_parts(case.person)) > len(old)
    # Held, and of the other council (until its own batch is approved): untouched.
    assert all(text is not None for text in _personal_parts(held_case.person, before=newer))
    assert all(text is not None for text in _personal_parts(elsewhere.person, before=newer))
    setting.refresh_from_db()
    assert (setting.personal_text, setting.personal_salt) == (None, "")
    assert setting.scrubbed_at is not None
    assert not _in_trail("Yarrowdale")
    assert not _in_trail("Tamsin Orrery")
    assert _in_trail("Corbel flats")
    stub = batches[council.pk].items.get()
    assert (stub.status, stub.object_pk) == (ItemStatus.DISPOSED, None)

    audit_seal(now=timezone.now() + timedelta(hours=1))
    report = audit_verify()
    assert report.ok, report.problems
    # What is left of the council's old trail is held: the next night proposes nothing for it.
    _at(clock, date(2033, 4, 2))
    assert _due("audit_events", organisation_ids=frozenset({council.pk})) == []


# --- Survey responses ------------------------------------------------------------------------


def test_survey_responses_have_no_records_in_carefile_so_nothing_is_proposed(
    clock: Any, records_officer: User, council: Organisation
) -> None:
    record_class = RecordClass.objects.get(code="surveys")
    assert record_class.kind == ClassKind.SURVEY
    # No model holds them: nothing in any app is a survey or research response.
    names = [model.__name__.lower() for model in apps.get_models()]
    assert not [name for name in names if "survey" in name or "research" in name]
    _closed_request(records_officer, council)
    _at(clock, date(2040, 1, 1))
    assert _due("surveys") == []
    assert _due("rights_requests")  # the dry run does find what there is
    (counts,) = [c for rc, c in selectors.forecast().rows if rc.code == "surveys"]
    assert counts == [0] * 24
    with pytest.raises(ValueError, match="holds none"):
        destruction.records_destroy(ClassKind.SURVEY, [1])


def test_an_inquiry_hold_placed_after_the_proposal_holds_a_request_by_its_whole_span(
    clock: Any, records_officer: User, council: Organisation, admin_user: User, colleague: User
) -> None:
    """Received on 1 February, closed on 1 March: a hold on records from January to mid
    February covers it, though its trigger (the closure) is outside the range."""
    request = log_request(records_officer, council, received_on=date(2027, 2, 1))
    request_services.access_request_assign(
        actor=records_officer, request=request, officer=records_officer
    )
    request_services.access_request_close(
        actor=records_officer,
        request=request,
        outcome="refused",
        reasons="Manifestly unfounded: the same request as last month.",
        sent_on=TODAY,
    )
    _at(clock, date(2029, 3, 2))
    batch = _proposed("rights_requests")
    (item,) = batch.items.all()
    assert (item.record_from, item.record_to) == (date(2027, 2, 1), TODAY)
    services.batch_approve(actor=admin_user, batch=batch)
    services.batch_approve(actor=colleague, batch=batch)
    services.hold_place(
        actor=admin_user,
        organisation=council,
        scope="class_and_dates",
        record_class=batch.record_class,
        from_date=date(2027, 1, 1),
        to_date=date(2027, 2, 15),
        reason="Public inquiry into early 2027 requests",
    )
    services.batch_run(batch_id=batch.pk)
    item.refresh_from_db()
    assert item.status == ItemStatus.SKIPPED
    assert item.reason.startswith("An inquiry hold on records from 1 January 2027")
    assert AccessRequest.objects.filter(pk=request.pk).exists()
