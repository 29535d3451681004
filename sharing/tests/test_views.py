"""The sharing pages: amy records a sharing step by step, cara authorises it, consents are
recorded and withdrawn, fay keeps the register, managers and the guardian read the reports;
strangers get the missing page and bad input changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from records import services as record_services
from sharing import services
from sharing.models import (
    Authorisation,
    Consent,
    PartnerAgency,
    SharingAgreement,
    SharingRecord,
    SharingStatus,
)
from sharing.tests.conftest import safeguarding_draft

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
MISSING = "5b0c2d4e-0000-4000-8000-000000000001"


def _body(response: Any) -> str:
    return response.content.decode()


def _events(response: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(request_id=response["X-Request-ID"]).order_by("id"))


def _start(client: Any, person: Any) -> str:
    """Start recording a sharing; the URL of its steps, without the step."""
    response = client.get(reverse("sharing:share-start", args=[person.public_id]))
    assert response.status_code == 302
    return response["Location"].removesuffix("items/")


def _answers(register: Any, share_file: Any) -> dict[str, dict[str, Any]]:
    today = timezone.localdate()
    return {
        "items": {
            "items": [str(share_file.visit.public_id)],
            "data_categories": ["identity", "social_care"],
        },
        "agency": {"agency": str(register.police.public_id)},
        "recipient": {
            "agreement": str(register.agreement.public_id),
            "recipient_name": "DC Sam Okafor",
            "recipient_role": "Detective constable",
            "recipient_email": "sam.okafor@northshire.pnn.police.uk",
            "method": "secure_email",
            "shared_on": today.isoformat(),
        },
        "basis": {
            "purpose": "safeguarding",
            "purpose_detail": "Strategy discussion after an unexplained bruise.",
            "lawful_basis": "public_task",
            "statute": "ca1989_s47",
        },
    }


def _walk(client: Any, base: str, answers: dict[str, dict[str, Any]]) -> None:
    for step, data in answers.items():
        response = client.post(f"{base}{step}/", data)
        assert response.status_code == 302, (step, _body(response)[:3000])


def test_amy_records_an_urgent_sharing_step_by_step_and_cara_authorises_it(
    client, practitioner, manager, register, share_file
):
    child = share_file.child
    person_url = reverse("records:person-detail", args=[child.public_id])
    client.force_login(practitioner)
    page = _body(client.get(person_url))
    assert "No sharing recorded." in page
    assert reverse("sharing:share-start", args=[child.public_id]) in page
    assert reverse("sharing:consent-record", args=[child.public_id]) in page

    base = _start(client, child)
    answers = _answers(register, share_file)
    # A later step cannot be opened before the earlier ones are answered.
    assert client.get(f"{base}check/")["Location"] == f"{base}items/"

    items = client.get(f"{base}items/")
    page = _body(items)
    assert "Health update" in page
    assert "Sensitive" in page
    assert "Carys Fennimore" in page  # the mother may be included
    assert "minimum necessary" in page
    assert "0 of 2 records chosen" in page
    read = _events(items)
    assert [e.action for e in read] == [Action.READ]
    assert sorted(read[0].subject_id_list) == sorted([child.pk, share_file.mother.pk])

    # Each step shows its problems and does not move on.
    response = client.post(f"{base}items/", {"items": [str(share_file.health_note.public_id)]})
    assert response.status_code == 200
    page = _body(response)
    assert "govuk-error-summary" in page
    assert "Choose the kinds of information shared." in page
    assert "1 of 2 records chosen" in page
    response = client.post(
        f"{base}items/",
        {"items": [str(share_file.health_note.public_id)], "data_categories": ["identity"]},
    )
    assert "A record chosen is marked sensitive" in _body(response)
    _walk(client, base, {"items": answers["items"]})

    response = client.post(f"{base}agency/", {"agency": str(register.abroad.public_id)})
    assert response.status_code == 200
    assert "holds information outside the UK" in _body(response)
    _walk(client, base, {"agency": answers["agency"]})

    wrong_domain = {**answers["recipient"], "recipient_email": "sam@example.org"}
    response = client.post(f"{base}recipient/", wrong_domain)
    assert "must go to an address at pnn.police.uk" in _body(response)
    tomorrow = {**answers["recipient"], "shared_on": str(timezone.localdate() + timedelta(1))}
    assert "today or in the past" in _body(client.post(f"{base}recipient/", tomorrow))
    _walk(client, base, {"recipient": answers["recipient"]})

    response = client.post(f"{base}basis/", {"purpose": "safeguarding"})
    page = _body(response)
    assert "Say what the recipient needs it for." in page
    assert "Choose the Article 6 lawful basis." in page
    assert "public task is the usual basis" in page.lower()
    # The agreement chosen on an earlier step does not cover research: linked from the summary.
    response = client.post(f"{base}basis/", {**answers["basis"], "purpose": "research"})
    page = _body(response)
    assert "does not cover this purpose" in page
    assert f'href="{base}recipient/?change=1"' in page
    _walk(client, base, {"basis": answers["basis"]})

    consent_page = _body(client.get(f"{base}consent/"))
    assert "No valid consent covers sharing this with Northshire Police" in consent_page
    response = client.post(f"{base}consent/", {"consent_status": "not_sought"})
    page = _body(response)
    assert "Choose why it is shared without consent." in page
    assert "Explain why it is shared without consent." in page
    response = client.post(f"{base}consent/", {"consent_status": "on_file"})
    assert "No consent valid on" in _body(response)
    _walk(
        client,
        base,
        {
            "consent": {
                "consent_status": "not_sought",
                "no_consent_reason": "safeguarding",
                "no_consent_detail": "Telling the family first could put Ruby at risk.",
                "is_urgent": "on",
            }
        },
    )
    assert not SharingRecord.objects.exists()

    check = client.get(f"{base}check/")
    page = _body(check)
    assert check.status_code == 200
    assert "Home visit" in page
    assert "DC Sam Okafor" in page
    assert "Children Act 1989, section 47" in page
    assert f'href="{base}agency/?change=1"' in page
    assert "flagged until a manager authorises it" in page
    # Changing an answer from the check page comes back to it.
    assert "Save and go back to the check" in _body(client.get(f"{base}basis/?change=1"))
    response = client.post(f"{base}basis/?change=1", answers["basis"])
    assert response["Location"] == f"{base}check/"

    response = client.post(f"{base}check/")
    assert response.status_code == 302
    sharing = SharingRecord.objects.get()
    assert response["Location"] == reverse("sharing:sharing-detail", args=[sharing.public_id])
    assert (sharing.status, sharing.authorisation) == (SharingStatus.SHARED, Authorisation.PENDING)
    assert sharing.is_urgent
    assert list(sharing.items.values_list("item_id", flat=True)) == [share_file.visit.pk]
    detail = client.get(response["Location"])
    page = _body(detail)
    assert "recorded as urgent safeguarding" in page
    assert 'data-testid="flagged"' in page
    assert "Shared without authorisation" in page
    # amy recorded it: she sees no decision form, and a decision she sends is refused.
    assert 'data-testid="decision-form"' not in page
    refused = client.post(response["Location"], {"decision": "authorise", "note": "Fine."})
    assert refused.status_code == 403
    assert "You cannot authorise a sharing you recorded yourself" in _body(refused)
    # The draft is gone once recorded.
    assert client.get(f"{base}check/")["Location"].endswith(
        reverse("sharing:share-start", args=[child.public_id])
    )
    page = _body(client.get(person_url))
    assert "Northshire Police" in page
    assert "Shared without authorisation" in page

    client.force_login(manager)
    queue = _body(client.get(reverse("sharing:authorisation-queue")))
    assert sharing.reference in queue
    assert "Urgent: already shared" in queue
    detail_url = reverse("sharing:sharing-detail", args=[sharing.public_id])
    assert 'data-testid="decision-form"' in _body(client.get(detail_url))
    response = client.post(detail_url, {"decision": "authorise", "note": ""})
    assert response.status_code == 200
    assert "Give the reason the sharing is justified without consent." in _body(response)
    response = client.post(
        detail_url, {"decision": "authorise", "note": "Risk of harm; police must know today."}
    )
    assert response.status_code == 302
    sharing.refresh_from_db()
    assert sharing.authorisation == Authorisation.AUTHORISED
    assert sharing.authorised_by == manager
    assert not sharing.is_flagged
    assert "It is no longer flagged." in _body(client.get(detail_url))
    assert "Nothing is waiting" in _body(client.get(reverse("sharing:authorisation-queue")))


def test_consent_recorded_relied_on_and_withdrawn(client, practitioner, register, share_file):
    child = share_file.child
    client.force_login(practitioner)
    url = reverse("sharing:consent-record", args=[child.public_id])
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    bad = client.post(
        url,
        {
            "given_by": "Carys Fennimore (mother)",
            "purposes": ["safeguarding"],
            "data_categories": ["identity"],
            "evidence": "Signed form on file",
            "given_on": str(today + timedelta(days=2)),
        },
    )
    page = _body(bad)
    assert bad.status_code == 200
    assert "Choose the agency, or name the person they consent to." in page
    assert "must be today or in the past" in page
    assert not Consent.objects.exists()
    response = client.post(
        url,
        {
            "agency": str(register.police.public_id),
            "given_by": "Carys Fennimore (mother)",
            "purposes": ["safeguarding"],
            "data_categories": ["identity", "social_care"],
            "evidence": "Signed consent form",
            "given_on": str(today - timedelta(days=5)),
            "evidence_file": SimpleUploadedFile("consent.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    page = _body(client.get(response["Location"]))
    assert "Valid" in page
    evidence_url = reverse("sharing:consent-evidence", args=[consent.public_id])
    assert evidence_url in page

    download = client.get(evidence_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    assert [e.subject_id_list for e in _events(download)] == [[child.pk]]

    # A sharing with consent on file relies on it, and is done at once.
    base = _start(client, child)
    _walk(client, base, _answers(register, share_file))
    page = _body(client.get(f"{base}consent/"))
    assert "Covered: consent given by Carys Fennimore (mother)" in page
    _walk(client, base, {"consent": {"consent_status": "on_file"}})
    response = client.post(f"{base}check/")
    assert response.status_code == 302
    assert "Consent is on file, so it is done." in _body(client.get(response["Location"]))
    subject = SharingRecord.objects.get().subjects.get()
    assert subject.consent == consent

    withdraw = reverse("sharing:consent-withdraw", args=[consent.public_id])
    assert client.get(withdraw).status_code == 200
    response = client.post(withdraw, {"note": "", "withdrawn_on": str(today)})
    assert "Say how the person withdrew their consent." in _body(response)
    early = str(today - timedelta(days=30))
    response = client.post(withdraw, {"note": "Told me at a visit", "withdrawn_on": early})
    assert "cannot be before consent was given" in _body(response)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    response = client.post(withdraw, {"note": "Told me at a visit", "withdrawn_on": str(today)})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == today
    assert "Withdrawn" in _body(client.get(response["Location"]))


def test_strangers_get_the_missing_page(
    client, practitioner, other_practitioner, register, share_file
):
    sharing = services.sharing_record(
        actor=practitioner, draft=safeguarding_draft(register, share_file)
    )
    consent = services.consent_record(
        actor=practitioner,
        person=share_file.child,
        agency=register.police,
        given_by="Carys Fennimore",
        purposes=["safeguarding"],
        data_categories=["identity"],
        evidence="Signed form",
        given_on=timezone.localdate(),
        evidence_file=SimpleUploadedFile("consent.pdf", PDF, "application/pdf"),
    )
    child = share_file.child.public_id
    client.force_login(other_practitioner)
    urls = [
        reverse("sharing:share-start", args=[child]),
        reverse("sharing:share-step", args=[child, MISSING, "items"]),
        reverse("sharing:consent-record", args=[child]),
        reverse("sharing:consent-withdraw", args=[consent.public_id]),
        reverse("sharing:consent-evidence", args=[consent.public_id]),
        reverse("sharing:sharing-detail", args=[sharing.public_id]),
        reverse("sharing:sharing-detail", args=[MISSING]),
        reverse("sharing:authorisation-queue"),
    ]
    answers = {url: client.get(url).status_code for url in urls}
    assert set(answers.values()) == {404}, answers
    response = client.post(
        reverse("sharing:sharing-detail", args=[sharing.public_id]),
        {"decision": "authorise", "note": "No."},
    )
    assert response.status_code == 404
    assert client.get(reverse("records:person-detail", args=[child])).status_code == 404
    sharing.refresh_from_db()
    assert sharing.authorisation == Authorisation.PENDING


def test_the_sharing_page_names_exactly_the_people_each_reader_may_see(
    client, practitioner, other_practitioner, team_north, team_south, register, share_file
):
    """ben works with the mother in her own case, not with the child: he sees the sharing,
    only her in it, and is told of the person and record he cannot see."""
    mother = share_file.mother
    sharing = services.sharing_record(
        actor=practitioner,
        draft=safeguarding_draft(register, share_file, people=[share_file.child, mother]),
    )
    # The mother gets a case of her own; amy refers her to team south, where ben takes it.
    for team in (team_north, team_south):
        case = record_services.case_open(
            actor=practitioner, person=mother, team=team, category="child_in_need"
        )
    record_services.case_allocate(
        actor=other_practitioner, case=case, worker=other_practitioner, starts_on=case.opened_on
    )
    url = reverse("sharing:sharing-detail", args=[sharing.public_id])

    client.force_login(practitioner)
    response = client.get(url)
    assert response.status_code == 200
    (event,) = _events(response)
    assert event.action == Action.READ
    assert event.subject_id_list == sorted([share_file.child.pk, mother.pk])

    client.force_login(other_practitioner)
    response = client.get(url)
    assert response.status_code == 200
    page = _body(response)
    assert "Carys Fennimore" in page
    assert "Ruby Fennimore" not in page
    assert str(share_file.child.public_id) not in page
    assert str(share_file.visit.public_id) not in page
    assert "And 1 other person you cannot see." in page
    assert "And 1 other record you cannot see." in page
    # The sharing's own words may name the child: not shown to him.
    assert "Strategy discussion" not in page
    assert "could put Ruby at risk" not in page
    assert "Not shown: it may name someone you cannot see." in page
    (event,) = _events(response)
    assert event.action == Action.READ
    assert event.subject_id_list == [mother.pk]


def test_fay_keeps_the_register_and_amy_cannot(client, admin_user, practitioner, register):
    client.force_login(practitioner)
    for name in ("sharing:agency-list", "sharing:agency-create", "sharing:agreement-list"):
        assert client.get(reverse(name)).status_code == 404
    edit = reverse("sharing:agency-edit", args=[register.police.public_id])
    assert client.post(edit, {"name": "Taken over"}).status_code == 404

    client.force_login(admin_user)
    page = _body(client.get(reverse("sharing:agency-list")))
    assert "Northshire Police" in page
    assert "Outside the UK" in page
    create = reverse("sharing:agency-create")
    response = client.post(create, {"name": "", "kind": "school", "country": "GB"})
    assert "Enter the agency&#x27;s name." in _body(response)
    response = client.post(
        create, {"name": "Hill Academy", "kind": "school", "country": "GB", "is_active": "on"}
    )
    assert response.status_code == 302
    school = PartnerAgency.objects.get(name="Hill Academy")
    edit = reverse("sharing:agency-edit", args=[school.public_id])
    bad = client.post(
        edit,
        {"name": "Hill Academy", "kind": "school", "country": "GB", "secure_email_domain": "@x"},
    )
    assert "Enter a domain such as pnn.police.uk" in _body(bad)
    response = client.post(edit, {"name": "Hill Academy Trust", "kind": "school", "country": "FR"})
    assert response.status_code == 302
    school.refresh_from_db()
    assert (school.name, school.country, school.is_active) == ("Hill Academy Trust", "FR", False)

    today = timezone.localdate()
    create = reverse("sharing:agreement-create")
    values = {
        "agency": str(register.hospital.public_id),
        "title": "Hospital discharge agreement",
        "purposes": ["direct_care"],
        "lawful_bases": ["public_task"],
        "data_categories": ["identity", "health"],
        "starts_on": str(today - timedelta(days=10)),
        "review_on": str(today + timedelta(days=10)),
    }
    response = client.post(create, {**values, "purposes": []})
    assert "Choose at least one of the purposes it covers." in _body(response)
    response = client.post(create, {**values, "review_on": str(today - timedelta(days=20))})
    assert "The review date must be on or after the start date." in _body(response)
    assert client.post(create, values).status_code == 302
    agreement = SharingAgreement.objects.get(title="Hospital discharge agreement")
    page = _body(client.get(reverse("sharing:agreement-list")))
    assert "Review due in 10 days" in page
    edit = reverse("sharing:agreement-edit", args=[agreement.public_id])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {**values, "title": "Discharge agreement", "purposes": []})
    assert response.status_code == 200
    response = client.post(edit, {**values, "title": "Discharge agreement"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Discharge agreement"


def test_reports_for_managers_and_the_guardian_not_practitioners(
    client, admin_user, practitioner, manager, guardian, register, share_file
):
    urgent = services.sharing_record(
        actor=practitioner, draft=safeguarding_draft(register, share_file, is_urgent=True)
    )
    services.sharing_authorise(actor=manager, sharing=urgent, note="Justified.")
    risky = services.agency_create(
        actor=admin_user,
        organisation=share_file.child.organisation,
        name="=Fire Service",
        kind="fire",
    )
    services.sharing_record(
        actor=practitioner,
        draft=safeguarding_draft(
            register, share_file, agency=risky, agreement=None, method="phone"
        ),
    )
    client.force_login(practitioner)
    assert client.get(reverse("sharing:report")).status_code == 404
    assert client.get(reverse("sharing:report-csv")).status_code == 404

    for user in (manager, guardian):
        client.force_login(user)
        response = client.get(reverse("sharing:report"))
        assert response.status_code == 200
        page = _body(response)
        assert 'role="img"' in page
        assert urgent.reference in page
        assert "Northshire Police" in page
        assert "Ruby" not in page
        assert [e.action for e in _events(response)] == []

    month = timezone.localdate().replace(day=1)
    response = client.get(reverse("sharing:report-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Month", "Breakdown", "Category", "Sharings"]
    assert [f"{month:%Y-%m}", "All", "All", "1"] in rows  # the other waits for a manager
    response = client.get(reverse("sharing:report-csv"), {"table": "without-consent"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert {row[2] for row in rows[1:]} == {"Northshire Police", "'=Fire Service"}

    bad = {"start": "2025-02-30", "end": "2025-01-01"}
    assert "Enter the first day as a real date." in _body(
        client.get(reverse("sharing:report"), bad)
    )
    assert client.get(reverse("sharing:report-csv"), bad).status_code == 400
    far = {"start": "9999-01-01", "end": "9999-12-31"}
    assert "Enter a date between 1990 and 2099." in _body(
        client.get(reverse("sharing:report"), far)
    )
    assert client.get(reverse("sharing:report-csv"), far).status_code == 400
