"""Rights requests through their services: the workflow, the clock's inputs, collection with
proposed redactions, review, approval by a second officer, and every refusal in the issue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from access_requests import services
from access_requests.models import (
    AccessRequest,
    AdditionalBankHoliday,
    CollectedItem,
    Decision,
    Redaction,
    Source,
    State,
)
from access_requests.tests.conftest import log_request
from audit.models import AuditEvent, Purpose
from core.errors import ApplicationError
from records.models import PersonUserObjectPermission
from records.selectors import person_get_for_user

pytestmark = pytest.mark.django_db


def _refused(call, *args, **kwargs) -> str:
    with pytest.raises((ApplicationError, ValidationError)) as caught:
        call(*args, **kwargs)
    error = caught.value
    if isinstance(error, ValidationError):
        return " ".join(m for ms in error.message_dict.values() for m in ms)
    return str(error)


def _unchanged(request: AccessRequest) -> dict:
    row = AccessRequest.objects.values().get(pk=request.pk)
    return {k: v for k, v in row.items()}


# --- Logging ---------------------------------------------------------------------------------


def test_logging_a_request_sets_the_clock_and_reference(records_officer, council):
    request = log_request(records_officer, council, received_on=date(2025, 9, 3))
    assert request.reference == f"RR-2025-{request.pk:05d}"
    assert request.state == State.IN_PROGRESS
    assert request.clock_started_on == date(2025, 9, 3)
    assert request.due_on == date(2025, 10, 3)
    assert request.due_explanation[-1] == "Due Friday 3 October 2025."
    event = AuditEvent.objects.filter(object_id=str(request.public_id)).get()
    assert event.purpose == Purpose.ACCESS_REQUEST
    assert "Ellie" not in event.summary


def test_requester_acting_for_someone_waits_for_authority(records_officer, council):
    request = log_request(
        records_officer,
        council,
        relationship="solicitor",
        requester_name="Harwood & Lane Solicitors",
        identity_required=True,
    )
    assert request.state == State.AWAITING_VERIFICATION
    assert request.authority_required
    assert request.identity_required
    assert request.due_on is None
    assert "proof of identity" in request.due_explanation[0]


def test_clock_starts_on_the_latest_verification(records_officer, council):
    request = log_request(
        records_officer,
        council,
        received_on=date(2025, 1, 10),
        relationship="representative",
        identity_required=True,
    )
    request = services.access_request_identity_verify(
        actor=records_officer,
        request=request,
        received_on=date(2025, 1, 20),
        method="photo_id",
    )
    assert request.state == State.AWAITING_VERIFICATION
    request = services.access_request_authority_verify(
        actor=records_officer,
        request=request,
        received_on=date(2025, 1, 31),
        method="signed_authority",
    )
    assert request.state == State.IN_PROGRESS
    assert request.clock_started_on == date(2025, 1, 31)
    assert request.due_on == date(2025, 2, 28)
    assert request.identity_verified_by == records_officer


def test_a_parents_request_for_a_child_needs_a_basis(records_officer, council):
    message = _refused(
        log_request,
        records_officer,
        council,
        relationship="parent",
        subject_date_of_birth=date(2015, 3, 1),
    )
    assert "child's information is the child's" in message
    assert not AccessRequest.objects.exists()
    request = log_request(
        records_officer,
        council,
        relationship="parent",
        subject_date_of_birth=date(2015, 3, 1),
        child_basis="lacks_understanding",
    )
    assert request.child_basis == "lacks_understanding"


def test_a_start_date_in_the_future_is_refused(records_officer, council):
    tomorrow = timezone.localdate() + timedelta(days=1)
    message = _refused(log_request, records_officer, council, received_on=tomorrow)
    assert "today or in the past" in message
    assert not AccessRequest.objects.exists()
    assert not AuditEvent.objects.filter(summary__startswith="Logged").exists()


def test_only_the_councils_records_team_can_log(practitioner, records_officer, other_council):
    assert "records-access team" in _refused(log_request, practitioner, other_council)
    assert "records-access team" in _refused(log_request, records_officer, other_council)


def test_first_request_is_free_unless_there_is_a_reason(records_officer, council):
    message = _refused(log_request, records_officer, council, fee_required=True, fee_amount="10.00")
    assert "A first request is free" in message
    received = timezone.localdate() - timedelta(days=10)
    request = log_request(
        records_officer,
        council,
        request_type="further_copy",
        received_on=received,
        fee_required=True,
        fee_amount="10.00",
    )
    assert request.state == State.AWAITING_VERIFICATION
    assert request.due_on is None
    request = services.access_request_fee_receive(
        actor=records_officer, request=request, received_on=received + timedelta(days=3)
    )
    assert request.clock_started_on == received + timedelta(days=3)
    assert request.state == State.IN_PROGRESS


def test_public_submission_is_acknowledged(council, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.access_request_submit_public(
            organisation=council,
            request_type="access",
            requester_name="Sam Oyelaran",
            requester_email="sam@example.org",
            relationship="self",
            subject_name="Sam Oyelaran",
            description="My file from when I was in care, please.",
        )
    assert request.channel == "web_form"
    assert request.state == State.RECEIVED
    assert len(mail.outbox) == 1
    assert request.reference in mail.outbox[0].subject
    assert mail.outbox[0].to == ["sam@example.org"]


# --- Pauses, extension, holidays -------------------------------------------------------------


def test_pause_moves_the_due_date_and_a_reversed_pause_is_refused(records_officer, council):
    request = log_request(records_officer, council, received_on=date(2025, 9, 3))
    services.access_request_pause(
        actor=records_officer,
        request=request,
        asked_on=date(2025, 9, 10),
        question="Which years?",
    )
    request.refresh_from_db()
    assert request.state == State.PAUSED
    before = _unchanged(request)
    message = _refused(
        services.access_request_resume,
        actor=records_officer,
        request=request,
        received_on=date(2025, 9, 9),
    )
    assert "cannot end before it starts" in message
    assert _unchanged(request) == before
    request = services.access_request_resume(
        actor=records_officer, request=request, received_on=date(2025, 9, 14)
    )
    # Five days (10th to 14th) do not count: 3 Oct + 5 = Wed 8 Oct 2025.
    assert request.due_on == date(2025, 10, 8)
    assert request.state == State.IN_PROGRESS


def test_extension_needs_a_reason_and_notice_within_the_first_month(records_officer, council):
    request = log_request(records_officer, council, received_on=date(2019, 9, 26))
    before = _unchanged(request)
    assert "reason" in _refused(
        services.access_request_extend,
        actor=records_officer,
        request=request,
        reason="",
        told_on=date(2019, 10, 1),
    )
    message = _refused(
        services.access_request_extend,
        actor=records_officer,
        request=request,
        reason="Forty years of records across four services.",
        told_on=date(2019, 10, 30),
    )
    assert "within the first month, by 28 October 2019" in message
    assert _unchanged(request) == before
    request = services.access_request_extend(
        actor=records_officer,
        request=request,
        reason="Forty years of records across four services.",
        told_on=date(2019, 10, 10),
    )
    assert request.due_on == date(2019, 12, 27)
    assert request.extended


def test_adding_a_bank_holiday_recomputes_open_requests(records_officer, admin_user, council):
    request = log_request(records_officer, council, received_on=date(2025, 9, 3))
    closed = log_request(records_officer, council, received_on=date(2025, 9, 3))
    services.access_request_close(
        actor=records_officer, request=closed, outcome="withdrawn", reasons="By email."
    )
    holiday, moved = services.bank_holiday_add(
        actor=admin_user, nation="england-and-wales", day=date(2025, 10, 3), name="Jubilee"
    )
    assert moved == 1
    request.refresh_from_db()
    closed.refresh_from_db()
    assert request.due_on == date(2025, 10, 6)
    assert any("Jubilee" in step or "Additional" in step for step in request.due_explanation)
    assert closed.due_on == date(2025, 10, 3)
    assert AdditionalBankHoliday.objects.get() == holiday
    assert "administrator" in _refused(
        services.bank_holiday_add,
        actor=records_officer,
        nation="england-and-wales",
        day=date(2025, 10, 6),
        name="x",
    )


# --- Collection, review, approval, close -----------------------------------------------------


def _linked(officer, council, child_file) -> AccessRequest:
    request = log_request(officer, council)
    services.access_request_assign(actor=officer, request=request, officer=officer)
    services.access_request_subject_link(actor=officer, request=request, person=child_file.child)
    return request


def test_collect_gathers_the_file_grants_reads_and_proposes_third_parties(
    records_officer, council, child_file, practitioner
):
    with pytest.raises(Http404):
        person_get_for_user(user=records_officer, person_id=child_file.child.public_id)
    request = _linked(records_officer, council, child_file)
    added = services.access_request_collect(actor=records_officer, request=request)
    items = {i.source: i for i in CollectedItem.objects.filter(request=request)}
    assert added == CollectedItem.objects.filter(request=request).count()
    assert Source.PERSON_DETAILS in items
    assert Source.CASE_ITEM in items
    contact = CollectedItem.objects.get(request=request, title="Home visit")
    assert child_file.note_text in contact.text
    proposals = {contact.text[r.start : r.end] for r in contact.redactions.all()}
    assert "Dawn Kettering" in proposals
    assert "07700 900461" in proposals
    # Neither the subject nor the practitioner is proposed (S2P3-17).
    assert not any("Ellie" in p or practitioner.last_name in p for p in proposals)
    # The officer now reads the child's record, audited as access-request work.
    person_get_for_user(user=records_officer, person_id=child_file.child.public_id)
    assert PersonUserObjectPermission.objects.filter(
        user=records_officer, content_object=child_file.child
    ).exists()
    # Collecting again adds nothing and keeps the reviews.
    assert services.access_request_collect(actor=records_officer, request=request) == 0


def test_collect_adds_consents_and_the_sharing_log_and_the_letter_names_recipients(
    records_officer, council, child_file, practitioner, manager, admin_user
):
    from access_requests.letters import cover_letter
    from sharing import services as sharing_services
    from sharing.services import SharingDraft

    gp = sharing_services.agency_create(
        actor=admin_user, organisation=council, name="Marsh Lane Surgery", kind="gp_practice"
    )
    police = sharing_services.agency_create(
        actor=admin_user, organisation=council, name="Ashdown Police", kind="police"
    )
    today = timezone.localdate()
    consent = sharing_services.consent_record(
        actor=practitioner,
        person=child_file.child,
        agency=gp,
        given_by="Dawn Kettering (mother)",
        purposes=["direct_care"],
        data_categories=["identity", "health"],
        evidence="Signed consent form on the case file",
        given_on=today - timedelta(days=5),
    )
    call = {"people": [child_file.child], "method": "phone", "shared_on": today}
    shared = sharing_services.sharing_record(
        actor=practitioner,
        draft=SharingDraft(
            **call,
            agency=gp,
            recipient_name="Dr Priya Raman",
            data_categories=["identity", "health"],
            purpose="direct_care",
            purpose_detail="Asked the GP to review Ellie's asthma plan.",
            lawful_basis="public_task",
            article9_condition="9_2_h",
            statute="ca1989_s17",
            consent_status="on_file",
        ),
    )
    waiting = sharing_services.sharing_record(
        actor=practitioner,
        draft=SharingDraft(
            **{**call, "people": [child_file.child, child_file.mother]},
            agency=police,
            recipient_name="DC Sam Hale",
            data_categories=["identity"],
            purpose="crime",
            purpose_detail="Police asked whether Dawn Kettering lives at the address.",
            lawful_basis="public_task",
            statute="cda1998_s115",
            consent_status="not_sought",
            no_consent_reason="serious_crime",
            no_consent_detail="Telling the family could prejudice the investigation.",
        ),
    )
    request = _linked(records_officer, council, child_file)
    services.access_request_collect(actor=records_officer, request=request)

    rows = {
        i.source_key: i
        for i in CollectedItem.objects.filter(
            request=request, source__in=[Source.CONSENT, Source.SHARING]
        )
    }
    given = rows[f"consent:{consent.public_id}"]
    done = rows[f"sharing:{shared.public_id}"]
    not_done = rows[f"sharing:{waiting.public_id}"]
    assert len(rows) == 3
    assert given.title == "Consent to share with Marsh Lane Surgery"
    assert "Signed consent form on the case file" in given.text
    assert f"Status on {today:%-d %B %Y}: valid" in given.text
    assert done.title == "Shared with Marsh Lane Surgery"
    for words in ("Dr Priya Raman", "Phone call", "9(2)(h)", "Children Act 1989, section 17"):
        assert words in done.text
    assert "awaiting" in not_done.title
    assert {given.subject_id, done.subject_id, not_done.subject_id} == {child_file.child.pk}
    # The reply names the agencies of the sharing entries reviewed and disclosed: the one it
    # went to, not the one it has not (yet) gone to.
    # Not reviewed yet, so not named yet.
    assert "Marsh Lane Surgery" not in " ".join(cover_letter(request))
    for row in (given, done):
        services.collected_item_review(actor=records_officer, item=row, decision=Decision.DISCLOSE)
    letter = " ".join(cover_letter(request))
    assert "Our sharing log records sharing with: Marsh Lane Surgery." in letter
    assert "Ashdown Police" not in letter
    assert services.access_request_collect(actor=records_officer, request=request) == 0
    # The mother went with the police sharing: her name is proposed for redaction as a third
    # party's.
    proposed = list(not_done.redactions.filter(status=Redaction.Status.PROPOSED))
    assert "Dawn Kettering" in {not_done.text[r.start : r.end] for r in proposed}
    for row in proposed:
        services.redaction_decide(actor=records_officer, redaction_row=row, accept=True)
    # Authorised, the police are a recipient if that entry is disclosed; withheld, they are
    # not named (naming them would disclose what was withheld).
    sharing_services.sharing_authorise(actor=manager, sharing=waiting, note="Section 115 request.")
    services.collected_item_review(actor=records_officer, item=not_done, decision=Decision.REDACT)
    assert "Ashdown Police, Marsh Lane Surgery" in " ".join(cover_letter(request))
    services.collected_item_review(
        actor=records_officer, item=not_done, decision=Decision.WITHHOLD, exemption="S2P1-2"
    )
    letter = " ".join(cover_letter(request))
    assert "Ashdown Police" not in letter
    assert "Marsh Lane Surgery" in letter


def _review_all(officer, request) -> None:
    for item in CollectedItem.objects.filter(request=request):
        for row in item.redactions.filter(status=Redaction.Status.PROPOSED):
            services.redaction_decide(actor=officer, redaction_row=row, accept=True)
        item.refresh_from_db()
        decision = (
            Decision.REDACT
            if item.redactions.filter(status=Redaction.Status.ACCEPTED).exists()
            else Decision.DISCLOSE
        )
        services.collected_item_review(actor=officer, item=item, decision=decision)


def test_review_rules_and_second_officer_approval(
    records_officer, second_officer, council, child_file
):
    request = _linked(records_officer, council, child_file)
    services.access_request_collect(actor=records_officer, request=request)
    contact = CollectedItem.objects.get(request=request, title="Home visit")
    message = _refused(
        services.collected_item_review,
        actor=records_officer,
        item=contact,
        decision=Decision.DISCLOSE,
    )
    assert "proposed redaction" in message
    message = _refused(
        services.redaction_add,
        actor=records_officer,
        item=contact,
        start=5,
        end=len(contact.text) + 3,
        exemption="S2P3-16",
    )
    assert "past the end of the text" in message
    assert "not reviewed" in _refused(
        services.access_request_submit_for_approval, actor=records_officer, request=request
    )
    _review_all(records_officer, request)
    request = services.access_request_submit_for_approval(actor=records_officer, request=request)
    assert request.state == State.APPROVAL
    message = _refused(services.access_request_approve, actor=records_officer, request=request)
    assert "second officer" in message
    request = services.access_request_approve(actor=second_officer, request=request)
    assert request.state == State.READY
    assert request.approved_by == second_officer
    message = _refused(
        services.access_request_close,
        actor=records_officer,
        request=request,
        outcome="partly_disclosed",
        reasons="Third-party details removed.",
        sent_on=timezone.localdate(),
        disclosure_method="secure_link",
    )
    assert "bundle" in message


def test_withholding_needs_an_exemption_and_serious_harm_a_consultation(
    records_officer, council, child_file
):
    request = _linked(records_officer, council, child_file)
    services.access_request_collect(actor=records_officer, request=request)
    item = CollectedItem.objects.get(request=request, source=Source.PERSON_DETAILS)
    assert "exemption" in _refused(
        services.collected_item_review,
        actor=records_officer,
        item=item,
        decision=Decision.WITHHOLD,
    )
    assert "consultation" in _refused(
        services.collected_item_review,
        actor=records_officer,
        item=item,
        decision=Decision.WITHHOLD,
        exemption="S3P3-11",
    )
    services.collected_item_consultation_record(
        actor=records_officer,
        item=item,
        name="Dr R Adeyemi",
        role="Consultant psychiatrist",
        consulted_on=timezone.localdate(),
        opinion="Disclosure would be likely to cause serious harm.",
    )
    item = services.collected_item_review(
        actor=records_officer, item=item, decision=Decision.WITHHOLD, exemption="S3P3-11"
    )
    assert item.decision == Decision.WITHHOLD


def test_closing_needs_a_reply_and_closing_revokes_the_grant(records_officer, council, child_file):
    request = _linked(records_officer, council, child_file)
    services.access_request_collect(actor=records_officer, request=request)
    assert "reasons" in _refused(
        services.access_request_close,
        actor=records_officer,
        request=request,
        outcome="refused",
        sent_on=timezone.localdate(),
    )
    assert "sent" in _refused(
        services.access_request_close,
        actor=records_officer,
        request=request,
        outcome="refused",
        reasons="Manifestly unfounded: the fifth identical request this year.",
    )
    request = services.access_request_close(
        actor=records_officer,
        request=request,
        outcome="refused",
        reasons="Manifestly unfounded: the fifth identical request this year.",
        sent_on=timezone.localdate(),
    )
    assert request.state == State.CLOSED
    assert not PersonUserObjectPermission.objects.filter(user=records_officer).exists()
    assert child_file.child.pk in services.held_person_ids()
    later = timezone.localdate() + timedelta(days=200)
    assert child_file.child.pk not in services.held_person_ids(later)


def test_a_correction_goes_through_the_records_services_and_keeps_the_old_value(
    records_officer, council, child_file
):
    from audit.models import AuditEvent
    from records.models import DisagreementStatement, Item

    request = log_request(records_officer, council, request_type="correction")
    services.access_request_assign(actor=records_officer, request=request, officer=records_officer)
    services.access_request_subject_link(
        actor=records_officer, request=request, person=child_file.child
    )
    old_dob = child_file.child.date_of_birth
    person = services.access_request_correction_apply(
        actor=records_officer,
        request=request,
        person=child_file.child,
        details={"date_of_birth": date(2014, 5, 20)},
    )
    assert person.date_of_birth == date(2014, 5, 20)
    event = AuditEvent.objects.filter(
        summary="Corrected a person's details on a rights request"
    ).get()
    assert event.personal["changes"]["date_of_birth"][0] == old_dob.isoformat()
    contact = Item.objects.get(case=child_file.case, title="Home visit")
    statement = services.access_request_disagreement_attach(
        actor=records_officer,
        request=request,
        item=contact,
        statement="I was not playing calmly; I was upset.",
        made_by="Ellie Marsh",
        received_on=timezone.localdate(),
    )
    assert DisagreementStatement.objects.get() == statement
    contact.refresh_from_db()
    assert "playing calmly" in contact.body


def test_only_a_correction_request_changes_records(records_officer, council, child_file):
    request = _linked(records_officer, council, child_file)
    message = _refused(
        services.access_request_correction_apply,
        actor=records_officer,
        request=request,
        person=child_file.child,
        details={"first_name": "Elle"},
    )
    assert "Only a correction request" in message
    child_file.child.refresh_from_db()
    assert child_file.child.first_name == "Ellie"


def test_asking_for_identity_after_logging_stops_the_clock(records_officer, council):
    request = log_request(records_officer, council)
    assert request.state == State.IN_PROGRESS
    request = services.access_request_requirements_set(
        actor=records_officer, request=request, identity_required=True, authority_required=False
    )
    assert request.state == State.AWAITING_VERIFICATION
    assert request.due_on is None


def test_a_complaint_closed_cannot_be_linked_again(records_officer, council, child_file):
    complaint = services.complaint_log(
        actor=records_officer,
        organisation=council,
        channel="letter",
        received_on=timezone.localdate(),
        complainant_name="Dawn Kettering",
        description="My number was passed on.",
    )
    services.complaint_withdraw(actor=records_officer, complaint=complaint, note="By phone.")
    assert "closed" in _refused(
        services.complaint_person_link,
        actor=records_officer,
        complaint=complaint,
        person=child_file.mother,
    )
