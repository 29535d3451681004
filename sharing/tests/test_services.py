"""The rules of DOMAIN.md §4, one by one: each refusal names its field and logs nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import Team, User
from accounts.roles import Role
from accounts.tests.factories import staff_member
from audit.models import AuditEvent, AuditEventSubject
from core.errors import ApplicationError
from records import services as record_services
from records.tests.factories import open_case
from sharing import selectors, services
from sharing.models import Authorisation, Consent, SharingRecord, SharingStatus
from sharing.tests.conftest import Register, ShareFile, safeguarding_draft


def _consent(actor: User, share_file: ShareFile, register: Register, **overrides: Any) -> Consent:
    values: dict[str, Any] = {
        "person": share_file.child,
        "agency": register.police,
        "given_by": "Ruby's mother, Carys Fennimore (parental responsibility)",
        "purposes": ["safeguarding"],
        "data_categories": ["identity", "social_care"],
        "evidence": "Signed consent form, scanned to the case file",
        "given_on": timezone.localdate() - timedelta(days=30),
    }
    values.update(overrides)
    return services.consent_record(actor=actor, **values)


def _on_file(register: Register, share_file: ShareFile, **overrides: Any) -> Any:
    return safeguarding_draft(
        register,
        share_file,
        consent_status="on_file",
        lawful_basis="consent",
        no_consent_reason="",
        no_consent_detail="",
        **overrides,
    )


def _refused(actor: User, draft: Any, field: str) -> str:
    with pytest.raises(ApplicationError) as caught:
        services.sharing_record(actor=actor, draft=draft)
    assert field in caught.value.field_errors, caught.value.field_errors
    assert SharingRecord.objects.count() == 0
    return caught.value.field_errors[field][0]


def test_a_sharing_on_a_valid_consent_is_done_at_once_and_audited(
    register: Register, share_file: ShareFile, practitioner: User
) -> None:
    consent = _consent(practitioner, share_file, register)
    sharing = services.sharing_record(actor=practitioner, draft=_on_file(register, share_file))

    assert sharing.reference.startswith(f"SHR-{timezone.localdate().year}-")
    assert (sharing.status, sharing.authorisation) == (
        SharingStatus.SHARED,
        Authorisation.NOT_NEEDED,
    )
    assert not sharing.is_flagged
    assert sharing.subjects.get().consent == consent
    shared = sharing.items.get()
    assert (shared.item_id, shared.revision_number) == (share_file.visit.pk, 1)
    event = AuditEvent.objects.get(object_id=str(sharing.public_id))
    assert event.action == "create"
    assert "Northshire Police" in event.summary
    assert set(
        AuditEventSubject.objects.filter(event_id=event.pk).values_list("person_id", flat=True)
    ) == {share_file.child.pk}
    personal = json.loads(event.personal_text or "{}")
    assert personal["recipient"] == "DC Sam Okafor"
    assert personal["reference"] == sharing.reference
    assert selectors.recipients_of_sharings(public_ids=[sharing.public_id]) == ["Northshire Police"]


BadDraft = Callable[[Register, ShareFile, User, User], Any]


def _with_consent(**consent: Any) -> BadDraft:
    def build(register: Register, share_file: ShareFile, amy: User, ben: User) -> Any:
        _consent(amy, share_file, register, **consent)
        return _on_file(register, share_file)

    return build


def _withdrawn(register: Register, share_file: ShareFile, amy: User, ben: User) -> Any:
    consent = _consent(amy, share_file, register)
    services.consent_withdraw(actor=amy, consent=consent, note="Told us by phone")
    return _on_file(register, share_file)


def _consent_after(register: Register, share_file: ShareFile, amy: User, ben: User) -> Any:
    _consent(amy, share_file, register, given_on=timezone.localdate())
    return _on_file(register, share_file, shared_on=timezone.localdate() - timedelta(days=5))


def _ben_item(register: Register, share_file: ShareFile, amy: User, ben: User) -> Any:
    elsewhere = open_case(team=ben.memberships.get().team, worker=ben)
    note = record_services.note_record(
        actor=ben, case=elsewhere, title="Visit", body="Seen at home."
    )
    return safeguarding_draft(register, share_file, items=[share_file.visit, note])


def _entered_in_error(register: Register, share_file: ShareFile, amy: User, ben: User) -> Any:
    manager = share_file.case.team.memberships.get(role=Role.TEAM_MANAGER).user
    record_services.item_mark_entered_in_error(
        actor=manager, item=share_file.visit, reason="Wrong child's file"
    )
    return safeguarding_draft(register, share_file)


def _expired_agreement(register: Register, share_file: ShareFile, amy: User, ben: User) -> Any:
    today = timezone.localdate()
    register.agreement.ends_on = today - timedelta(days=1)
    register.agreement.save(update_fields=["ends_on"])
    return safeguarding_draft(register, share_file)


def _draft(**overrides: Any) -> BadDraft:
    def build(register: Register, share_file: ShareFile, amy: User, ben: User) -> Any:
        values = {
            key: (value(register, share_file) if callable(value) else value)
            for key, value in overrides.items()
        }
        return safeguarding_draft(register, share_file, **values)

    return build


BAD_DRAFTS: dict[str, tuple[BadDraft, str, str]] = {
    "consent basis without any consent": (
        _draft(lawful_basis="consent", consent_status="on_file"),
        "consent_status",
        "No consent valid",
    ),
    "consent basis, consent not sought": (
        _draft(lawful_basis="consent"),
        "consent_status",
        "only with a consent on file",
    ),
    "expired consent": (
        _with_consent(expires_on=timezone.localdate() - timedelta(days=1)),
        "consent_status",
        "No consent valid",
    ),
    "withdrawn consent": (_withdrawn, "consent_status", "No consent valid"),
    "consent for another purpose": (
        _with_consent(purposes=["direct_care"]),
        "consent_status",
        "cover the purpose",
    ),
    "consent not covering every category": (
        _with_consent(data_categories=["identity"]),
        "consent_status",
        "every kind of information",
    ),
    "consent given after the day shared": (
        _consent_after,
        "consent_status",
        "No consent valid",
    ),
    "health data without an Article 9 condition": (
        _draft(data_categories=["identity", "health"], items=lambda r, s: [s.health_note]),
        "article9_condition",
        "Article 9",
    ),
    "9(2)(g) without a Part 2 condition": (
        _draft(
            data_categories=["health"],
            article9_condition="9_2_g",
            schedule1_condition="p1_2",
        ),
        "schedule1_condition",
        "Part 2",
    ),
    "criminal data without a condition": (
        _draft(data_categories=["criminal"]),
        "criminal_condition",
        "Article 10",
    ),
    "explicit consent with none on file": (
        _draft(data_categories=["health"], article9_condition="9_2_a"),
        "consent_status",
        "Explicit consent",
    ),
    "agency outside the UK": (
        _draft(agency=lambda r, s: r.abroad, agreement=None),
        "agency",
        "outside the UK",
    ),
    "inactive agency": (
        _draft(agency=lambda r, s: r.closed, agreement=None, method="phone"),
        "agency",
        "no longer an active",
    ),
    "expired agreement": (_expired_agreement, "agreement", "not in force"),
    "agreement with another agency": (
        _draft(agency=lambda r, s: r.hospital, recipient_email="duty@nhs.net"),
        "agreement",
        "not with",
    ),
    "agreement not covering the purpose": (
        _draft(purpose="research"),
        "agreement",
        "does not cover this purpose",
    ),
    "an item the user cannot see": (_ben_item, "items", "not one you can see"),
    "a sensitive item described as ordinary": (
        _draft(items=lambda r, s: [s.health_note]),
        "data_categories",
        "marked sensitive",
    ),
    "legitimate interests": (
        _draft(lawful_basis="legitimate_interests"),
        "lawful_basis",
        "legitimate interests",
    ),
    "secure email outside the agency's domain": (
        _draft(recipient_email="sam.okafor@gmail.com"),
        "recipient_email",
        "pnn.police.uk",
    ),
    "a date in the future": (
        _draft(shared_on=lambda r, s: timezone.localdate() + timedelta(days=1)),
        "shared_on",
        "today or in the past",
    ),
    "urgent but not safeguarding": (
        _draft(purpose="crime", is_urgent=True),
        "is_urgent",
        "Only a safeguarding",
    ),
    "no statute": (_draft(statute=""), "statute", "law"),
    "another statute, unnamed": (_draft(statute="other"), "statute_detail", "Name the law"),
    "no reason for sharing without consent": (
        _draft(no_consent_reason="", no_consent_detail=""),
        "no_consent_reason",
        "without consent",
    ),
    "no kinds of information": (_draft(data_categories=[]), "data_categories", "Choose"),
    "a record from someone else's file, without them": (
        _draft(people=lambda r, s: [s.mother]),
        "people",
        "include them in the sharing",
    ),
    "consent as the Article 10 condition with none on file": (
        _draft(data_categories=["criminal"], criminal_condition="p3_29"),
        "consent_status",
        "Article 10",
    ),
    "a record of something after the day shared": (
        _draft(shared_on=lambda r, s: timezone.localdate() - timedelta(days=5)),
        "shared_on",
        "cannot have been shared that day",
    ),
    "a record entered in error": (_entered_in_error, "items", "not one you can see"),
    "no recipient": (_draft(recipient_name="  "), "recipient_name", "Enter the name"),
}


def test_each_rule_refuses_with_its_field_and_logs_nothing(
    register: Register,
    share_file: ShareFile,
    practitioner: User,
    other_practitioner: User,
    manager: User,
) -> None:
    """One file, every rule: each case runs in a savepoint rolled back afterwards."""
    events = AuditEvent.objects.filter(object_type="sharing.sharingrecord").count()
    for case, (build, field, words) in BAD_DRAFTS.items():
        share_file.visit.refresh_from_db()
        savepoint = transaction.savepoint()
        try:
            draft = build(register, share_file, practitioner, other_practitioner)
            with pytest.raises(ApplicationError) as caught:
                services.sharing_record(actor=practitioner, draft=draft)
            errors = caught.value.field_errors
            assert field in errors, f"{case}: {errors}"
            assert words in errors[field][0], f"{case}: {errors[field]}"
            assert SharingRecord.objects.count() == 0, case
            assert (
                AuditEvent.objects.filter(object_type="sharing.sharingrecord").count() == events
            ), case
        finally:
            transaction.savepoint_rollback(savepoint)
            register.agreement.refresh_from_db()


def test_only_people_on_a_case_the_user_works_on(
    register: Register,
    share_file: ShareFile,
    other_practitioner: User,
    records_officer: User,
    guardian: User,
) -> None:
    for stranger in (other_practitioner, records_officer, guardian):
        message = _refused(stranger, safeguarding_draft(register, share_file, items=[]), "people")
        assert "a case you work on" in message


def test_the_mother_taking_part_in_the_case_can_be_shared_with_the_child(
    register: Register, share_file: ShareFile, practitioner: User
) -> None:
    sharing = services.sharing_record(
        actor=practitioner,
        draft=safeguarding_draft(
            register, share_file, people=[share_file.child, share_file.mother]
        ),
    )
    assert set(sharing.people.all()) == {share_file.child, share_file.mother}


def test_without_consent_it_waits_for_a_manager_who_authorises_it(
    register: Register,
    share_file: ShareFile,
    practitioner: User,
    manager: User,
    other_practitioner: User,
    team_south: Team,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sharing = services.sharing_record(
            actor=practitioner, draft=safeguarding_draft(register, share_file)
        )
    assert sharing.status == SharingStatus.AWAITING_AUTHORISATION
    assert not sharing.is_done
    # Not done, so not a recipient for a subject access reply yet.
    assert selectors.recipients_of_sharings(public_ids=[sharing.public_id]) == []
    assert list(selectors.authorisation_queue_for_user(user=manager)) == [sharing]
    south_manager = staff_member(role=Role.TEAM_MANAGER, team=team_south, username="sol")
    assert list(selectors.authorisation_queue_for_user(user=south_manager)) == []
    assert list(selectors.authorisation_queue_for_user(user=practitioner)) == []

    for someone in (practitioner, south_manager, other_practitioner):
        with pytest.raises(ApplicationError):
            services.sharing_authorise(actor=someone, sharing=sharing, note="Fine.")
    sharing.refresh_from_db()
    assert sharing.authorisation == Authorisation.PENDING

    with pytest.raises(ApplicationError) as caught:
        services.sharing_authorise(actor=manager, sharing=sharing, note=" ")
    assert "note" in caught.value.field_errors

    with time_machine.travel(start + timedelta(days=2), tick=False):
        services.sharing_authorise(
            actor=manager,
            sharing=sharing,
            note="Section 47 threshold met; consent would risk Ruby.",
        )
    sharing.refresh_from_db()
    assert sharing.status == SharingStatus.SHARED
    assert sharing.authorisation == Authorisation.AUTHORISED
    assert sharing.authorised_by == manager
    # It could not go before it was authorised: the day shared moves to the day authorised.
    assert sharing.shared_on == (start + timedelta(days=2)).date()
    assert selectors.recipients_of_sharings(public_ids=[sharing.public_id]) == ["Northshire Police"]
    event = AuditEvent.objects.filter(object_id=str(sharing.public_id)).latest("id")
    assert event.actor == manager
    assert event.summary.startswith("Authorised")
    with pytest.raises(ApplicationError, match="not waiting"):
        services.sharing_authorise(actor=manager, sharing=sharing, note="Again.")


def test_a_manager_cannot_authorise_a_sharing_they_recorded(
    register: Register, share_file: ShareFile, manager: User, team_north: Team
) -> None:
    sharing = services.sharing_record(actor=manager, draft=safeguarding_draft(register, share_file))
    assert list(selectors.authorisation_queue_for_user(user=manager)) == []
    with pytest.raises(ApplicationError, match="you recorded yourself"):
        services.sharing_authorise(actor=manager, sharing=sharing, note="Justified.")
    sharing.refresh_from_db()
    assert sharing.authorisation == Authorisation.PENDING
    deputy = staff_member(role=Role.TEAM_MANAGER, team=team_north, username="dee")
    services.sharing_authorise(actor=deputy, sharing=sharing, note="Justified.")
    sharing.refresh_from_db()
    assert sharing.is_done


def test_an_urgent_safeguarding_sharing_is_done_at_once_and_flagged_until_authorised(
    register: Register,
    share_file: ShareFile,
    practitioner: User,
    manager: User,
    guardian: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    urgent = services.sharing_record(
        actor=practitioner, draft=safeguarding_draft(register, share_file, is_urgent=True)
    )
    assert urgent.is_done
    assert urgent.is_flagged
    assert selectors.recipients_of_sharings(public_ids=[urgent.public_id]) == ["Northshire Police"]
    services.sharing_authorise(actor=manager, sharing=urgent, note="Right call at the time.")
    urgent.refresh_from_db()
    assert not urgent.is_flagged

    second = services.sharing_record(
        actor=practitioner, draft=safeguarding_draft(register, share_file, is_urgent=True)
    )
    with pytest.raises(ApplicationError):
        services.sharing_decline(actor=manager, sharing=second, note="")
    with django_capture_on_commit_callbacks(execute=True):
        services.sharing_decline(actor=manager, sharing=second, note="Threshold not met.")
    second.refresh_from_db()
    # It happened: it stays shared, and stays flagged, and the guardian is told.
    assert second.status == SharingStatus.SHARED
    assert second.authorisation == Authorisation.DECLINED
    assert second.is_flagged
    assert [m.to for m in mailoutbox] == [[guardian.email]]
    assert second.reference in mailoutbox[0].subject


def test_a_declined_sharing_not_yet_made_is_not_shared(
    register: Register, share_file: ShareFile, practitioner: User, manager: User
) -> None:
    sharing = services.sharing_record(
        actor=practitioner, draft=safeguarding_draft(register, share_file)
    )
    services.sharing_decline(actor=manager, sharing=sharing, note="Seek consent first.")
    sharing.refresh_from_db()
    assert sharing.status == SharingStatus.NOT_SHARED
    assert not sharing.is_flagged
    assert selectors.recipients_of_sharings(public_ids=[sharing.public_id]) == []


def test_withdrawing_consent_takes_effect_the_same_day(
    register: Register, share_file: ShareFile, practitioner: User
) -> None:
    consent = _consent(practitioner, share_file, register)
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ApplicationError) as caught:
        services.consent_withdraw(actor=practitioner, consent=consent, note="")
    assert "note" in caught.value.field_errors
    services.consent_withdraw(actor=practitioner, consent=consent, note="Email from Carys today")
    consent.refresh_from_db()
    assert consent.status_on(timezone.localdate()) == "withdrawn"
    assert consent.status_on(yesterday) == "valid"
    _refused(practitioner, _on_file(register, share_file), "consent_status")
    # A sharing made yesterday could still rely on it.
    earlier = services.sharing_record(
        actor=practitioner, draft=_on_file(register, share_file, shared_on=yesterday)
    )
    assert earlier.subjects.get().consent == consent
    with pytest.raises(ApplicationError, match="already been withdrawn"):
        services.consent_withdraw(actor=practitioner, consent=consent, note="Again")


CONSENT_BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"agency": None}, "agency"),
    ({"named_person": "Gwen Fennimore"}, "named_person"),
    ({"purposes": []}, "purposes"),
    ({"purposes": ["not-a-purpose"]}, "purposes"),
    ({"data_categories": []}, "data_categories"),
    ({"evidence": ""}, "evidence"),
    ({"given_by": ""}, "given_by"),
    ({"given_on": timezone.localdate() + timedelta(days=1)}, "given_on"),
    ({"expires_on": timezone.localdate() - timedelta(days=60)}, "expires_on"),
]


def test_consent_bad_input(register: Register, share_file: ShareFile, practitioner: User) -> None:
    for overrides, field in CONSENT_BAD_INPUT:
        with pytest.raises(ApplicationError) as caught:
            _consent(practitioner, share_file, register, **overrides)
        assert field in caught.value.field_errors, overrides
    assert not Consent.objects.exists()


def test_consent_to_a_named_person_and_refusals(
    register: Register,
    share_file: ShareFile,
    practitioner: User,
    other_practitioner: User,
) -> None:
    consent = _consent(
        practitioner,
        share_file,
        register,
        agency=None,
        named_person="Gwen Fennimore",
        named_person_relationship="grandmother",
        purposes=["direct_care"],
    )
    assert consent.recipient_label == "Gwen Fennimore (grandmother)"
    with pytest.raises(ApplicationError, match="a case you work on"):
        _consent(other_practitioner, share_file, register)
    with pytest.raises(ApplicationError, match="no longer an active"):
        _consent(practitioner, share_file, register, agency=register.closed)
    with pytest.raises(ValidationError):
        _consent(
            practitioner,
            share_file,
            register,
            evidence_file=_upload(b"MZ\x90\x00 not a document", "consent.pdf"),
        )
    assert Consent.objects.count() == 1


def _upload(content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_only_register_keepers_change_agencies_and_agreements(
    register: Register, practitioner: User, manager: User, admin_user: User, council: Any
) -> None:
    for someone in (practitioner, manager):
        with pytest.raises(ApplicationError, match="records manager or system administrator"):
            services.agency_create(actor=someone, organisation=council, name="X", kind="police")
        with pytest.raises(ApplicationError):
            services.agency_update(actor=someone, agency=register.police, is_active=False)
    with pytest.raises(ValidationError):
        services.agency_create(
            actor=admin_user,
            organisation=council,
            name="Bad",
            kind="police",
            secure_email_domain="not a domain",
        )
    services.agency_update(actor=admin_user, agency=register.police, is_active=False)
    assert AuditEvent.objects.filter(
        object_id=str(register.police.public_id), action="update"
    ).exists()
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as caught:
        services.agreement_create(
            actor=admin_user,
            agency=register.hospital,
            title="Hospital discharge",
            purposes=["nonsense"],
            lawful_bases=[],
            data_categories=["health"],
            starts_on=today,
            review_on=today - timedelta(days=1),
        )
    assert {"purposes", "lawful_bases", "review_on"} <= set(caught.value.field_errors)
    assert register.hospital.agreements.count() == 0


def test_a_sharing_is_seen_only_by_those_who_see_its_people(
    register: Register,
    share_file: ShareFile,
    practitioner: User,
    manager: User,
    other_practitioner: User,
    records_officer: User,
    guardian: User,
) -> None:
    sharing = services.sharing_record(
        actor=practitioner,
        draft=safeguarding_draft(
            register,
            share_file,
            people=[share_file.child, share_file.mother],
            items=[share_file.visit],
        ),
    )
    view = selectors.sharing_get_for_user(user=manager, sharing_id=sharing.public_id)
    assert {p.pk for p in view.people} == {share_file.child.pk, share_file.mother.pk}
    assert [item.pk for _, item in view.items] == [share_file.visit.pk]
    assert view.can_authorise
    assert not selectors.sharing_get_for_user(
        user=practitioner, sharing_id=sharing.public_id
    ).can_authorise
    for stranger in (other_practitioner, records_officer, guardian):
        with pytest.raises(Http404):
            selectors.sharing_get_for_user(user=stranger, sharing_id=sharing.public_id)
    with pytest.raises(Http404):
        selectors.sharing_get_for_user(user=manager, sharing_id="not-a-uuid")


def test_a_manager_decides_only_a_sharing_they_can_see_all_of(
    register: Register,
    share_file: ShareFile,
    practitioner: User,
    manager: User,
    team_south: Team,
) -> None:
    """The mother has a case of her own in team south: its manager holds a case of someone in
    the sharing, but cannot see the child, so cannot read the whole of it to decide."""
    from records import services as record_services

    own = record_services.case_open(
        actor=practitioner,
        person=share_file.mother,
        team=share_file.case.team,
        category="child_in_need",
    )
    record_services.case_transfer(actor=manager, case=own, team=team_south)
    south_manager = staff_member(role=Role.TEAM_MANAGER, team=team_south, username="sol")
    sharing = services.sharing_record(
        actor=practitioner,
        draft=safeguarding_draft(
            register, share_file, people=[share_file.child, share_file.mother]
        ),
    )
    assert list(selectors.authorisation_queue_for_user(user=south_manager)) == []
    view = selectors.sharing_get_for_user(user=south_manager, sharing_id=sharing.public_id)
    assert view.hidden_people == 1
    assert view.free_text_withheld
    assert not view.can_authorise
    with pytest.raises(ApplicationError, match="see everyone in it"):
        services.sharing_authorise(actor=south_manager, sharing=sharing, note="Fine.")
    sharing.refresh_from_db()
    assert sharing.authorisation == Authorisation.PENDING
    assert list(selectors.authorisation_queue_for_user(user=manager)) == [sharing]


def test_a_sharing_recorded_afterwards_pins_the_words_as_they_were_that_day(
    register: Register, share_file: ShareFile, practitioner: User
) -> None:
    visit = share_file.visit
    yesterday = timezone.localdate() - timedelta(days=1)
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        record_services.item_amend(
            actor=practitioner,
            item=visit,
            changes={"body": "Ruby had a bruise; later seen by the GP."},
            reason="Added the GP visit",
        )
        sharing = services.sharing_record(
            actor=practitioner,
            draft=safeguarding_draft(register, share_file, shared_on=timezone.localdate()),
        )
        earlier = services.sharing_record(
            actor=practitioner,
            draft=safeguarding_draft(register, share_file, shared_on=yesterday + timedelta(days=1)),
        )
    assert sharing.items.get().revision_number == 2
    assert earlier.items.get().revision_number == 1
