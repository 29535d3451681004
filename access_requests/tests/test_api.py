"""The rights-request API under /api/v1/access-requests/: the stranger (404, the same body as a
missing id), bad input (400 with field errors, nothing changed), the read audit with the
purpose "access request", and a request taken from logging to a sent bundle."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from access_requests.disclosure import bundle_build
from access_requests.models import AccessRequest, CollectedItem, DisclosureBundle, State
from access_requests.tests.conftest import log_request
from audit.models import Action, AuditEvent, AuditEventSubject, Purpose

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"access-requests-api:{name}", kwargs=kwargs)


def client_for(user: Any) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_login(user)
    return api


def read_events(response: Any) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(request_id=response["X-Request-ID"], action=Action.READ).order_by(
            "id"
        )
    )


def subjects_of(event: AuditEvent) -> set[int]:
    return set(
        AuditEventSubject.objects.filter(event_id=event.pk).values_list("person_id", flat=True)
    )


@pytest.fixture
def request_row(records_officer, council) -> AccessRequest:
    return log_request(records_officer, council)


def test_strangers_get_404_like_a_missing_request(
    request_row, practitioner, guardian, admin_user, records_officer
):
    for user in (practitioner, guardian, admin_user):
        api = client_for(user)
        assert api.get(url("request-list")).status_code == 404
        response = api.get(url("request-detail", request_id=request_row.public_id))
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
        response = api.post(url("request-collect", request_id=request_row.public_id))
        assert response.status_code == 404
    missing = client_for(records_officer).get(url("request-detail", request_id=uuid.uuid4()))
    assert missing.status_code == 404
    assert missing.json() == NOT_FOUND
    assert client_for(None).get(url("request-list")).status_code in (401, 403)


def test_an_officer_of_another_council_sees_nothing(request_row, other_council):
    from accounts.models import Team
    from accounts.roles import Role
    from accounts.tests.factories import staff_member

    team = Team.objects.create(
        name="Brambley records", service="records_access", organisation=other_council
    )
    other = staff_member(role=Role.RECORDS_ACCESS_OFFICER, team=team, username="otto")
    api = client_for(other)
    assert api.get(url("request-detail", request_id=request_row.public_id)).status_code == 404
    assert api.get(url("request-list")).json()["results"] == []


def test_log_bad_input_is_400_with_field_errors_and_changes_nothing(records_officer):
    api = client_for(records_officer)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = api.post(
        url("request-list"),
        {
            "request_type": "access",
            "channel": "letter",
            "received_on": tomorrow.isoformat(),
            "description": "All of it.",
            "requester_name": "Kai Brennan",
            "relationship": "self",
            "subject_name": "Kai Brennan",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "received_on" in response.json()
    response = api.post(url("request-list"), {"request_type": "nonsense"}, format="json")
    assert response.status_code == 400
    assert {"request_type", "channel", "received_on"} <= set(response.json())
    assert not AccessRequest.objects.exists()


def test_log_and_read_a_request_with_its_clock(records_officer):
    api = client_for(records_officer)
    response = api.post(
        url("request-list"),
        {
            "request_type": "access",
            "channel": "email",
            "received_on": "2025-01-31",
            "description": "Everything since 2010.",
            "requester_name": "Kai Brennan",
            "relationship": "self",
            "subject_name": "Kai Brennan",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["due_on"] == "2025-02-28"
    assert body["due"]["urgency"] == "overdue"
    assert body["due_explanation"][0].startswith("Clock started Fri 31 Jan 2025")
    detail = api.get(url("request-detail", request_id=body["id"]))
    assert detail.json()["reference"] == body["reference"]


def test_extension_told_too_late_is_refused(records_officer):
    row = log_request(
        records_officer, records_officer_council(records_officer), received_on=date(2019, 9, 26)
    )
    api = client_for(records_officer)
    response = api.post(
        url("request-extend", request_id=row.public_id),
        {"reason": "Very large file.", "told_on": "2019-11-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "told_on" in response.json()
    row.refresh_from_db()
    assert not row.extended


def records_officer_council(officer: Any) -> Any:
    from access_requests.selectors import organisation_for_officer

    return organisation_for_officer(user=officer)


def test_request_from_letter_to_sent_bundle(
    records_officer, second_officer, council, child_file, django_capture_on_commit_callbacks
):
    api = client_for(records_officer)
    row = log_request(records_officer, council)
    rid = row.public_id
    assert (
        api.post(
            url("request-assign", request_id=rid),
            {"officer": str(records_officer.public_id)},
            format="json",
        ).status_code
        == 200
    )
    found = api.get(url("identity-search", request_id=rid), {"q": "Ellie Marsh"})
    assert found.status_code == 200
    people = found.json()["people"]
    assert [p["id"] for p in people] == [str(child_file.child.public_id)]
    assert set(people[0]) == {"id", "name", "date_of_birth", "other_names", "services", "score"}
    (event,) = read_events(found)
    assert event.purpose == Purpose.ACCESS_REQUEST
    assert subjects_of(event) == {child_file.child.pk}

    linked = api.post(
        url("subject-list", request_id=rid),
        {"person": str(child_file.child.public_id)},
        format="json",
    )
    assert linked.status_code == 200
    assert api.post(url("request-collect", request_id=rid)).status_code == 200
    items = api.get(url("item-list", request_id=rid)).json()["results"]
    assert items
    for summary in items:
        item_url = {"request_id": rid, "item_id": summary["id"]}
        item = api.get(url("item-detail", **item_url)).json()
        decision = "disclose"
        for redaction in item["redactions"]:
            response = api.post(
                url("redaction-decide", redaction_id=redaction["id"], **item_url),
                {"accept": True},
                format="json",
            )
            assert response.status_code == 200
            decision = "redact"
        response = api.post(url("item-review", **item_url), {"decision": decision}, format="json")
        assert response.status_code == 200, response.json()
    assert api.post(url("request-submit", request_id=rid)).status_code == 200
    refused = api.post(url("request-approve", request_id=rid))
    assert refused.status_code == 400
    assert "second officer" in str(refused.json())
    second = client_for(second_officer)
    assert second.post(url("request-approve", request_id=rid)).status_code == 200

    with django_capture_on_commit_callbacks(execute=False):
        queued = api.post(url("bundle-list", request_id=rid))
    assert queued.status_code == 202
    bundle = DisclosureBundle.objects.get(public_id=queued.json()["id"])
    bundle_build(bundle_id=bundle.pk)
    status = api.get(url("bundle-detail", request_id=rid, bundle_id=bundle.public_id)).json()
    assert status["status"] == "ready"
    assert status["percent"] == 100
    download = api.get(url("bundle-download", request_id=rid, bundle_id=bundle.public_id))
    assert download.status_code == 200
    pdf_path = b"".join(download.streaming_content)
    import io

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_path)).pages)
    assert "Dawn Kettering" not in text
    assert "07700 900461" not in text
    assert "S2P3-16" in text
    assert row.reference in text

    exported = api.get(url("request-export", request_id=rid), {"as": "json"})
    assert exported.status_code == 200
    assert "Dawn Kettering" not in exported.content.decode()

    link = api.post(
        url("bundle-link", request_id=rid, bundle_id=bundle.public_id),
        {"recipient_name": "Ellie Marsh", "recipient_email": "ellie@example.org"},
        format="json",
    )
    assert link.status_code == 201
    assert "/requests/download/" in link.json()["url"]

    closed = api.post(
        url("request-close", request_id=rid),
        {
            "outcome": "partly_disclosed",
            "reasons": "Another person's details are removed.",
            "sent_on": timezone.localdate().isoformat(),
            "disclosure_method": "secure_link",
        },
        format="json",
    )
    assert closed.status_code == 200, closed.json()
    assert closed.json()["state"] == State.CLOSED
    assert CollectedItem.objects.filter(request=row, decision="pending").count() == 0


def test_complaint_has_its_own_clock(records_officer, child_file):
    api = client_for(records_officer)
    response = api.post(
        url("complaint-list"),
        {
            "channel": "letter",
            "received_on": "2026-11-02",
            "complainant_name": "Dawn Kettering",
            "description": "My phone number was given to my ex-partner.",
            "person": str(child_file.mother.public_id),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["acknowledge_by"] == "2026-12-02"
    (event,) = read_events(response)
    assert subjects_of(event) == {child_file.mother.pk}
    from access_requests.services import held_person_ids

    assert child_file.mother.pk in held_person_ids()
    bad = api.post(
        url("complaint-respond", complaint_id=body["id"]),
        {"outcome": "upheld", "response": "", "responded_on": "2026-11-20"},
        format="json",
    )
    assert bad.status_code == 400
    assert "response" in bad.json()
    done = api.post(
        url("complaint-respond", complaint_id=body["id"]),
        {"outcome": "upheld", "response": "We are sorry.", "responded_on": "2026-11-20"},
        format="json",
    )
    assert done.json()["state"] == "responded"
    assert child_file.mother.pk not in held_person_ids()


def test_bank_holidays_are_for_the_administrator(admin_user, records_officer):
    assert client_for(records_officer).get(url("bank-holiday-list")).status_code == 404
    api = client_for(admin_user)
    response = api.post(
        url("bank-holiday-list"),
        {"nation": "scotland", "day": "2027-06-07", "name": "Coronation anniversary"},
        format="json",
    )
    assert response.status_code == 201
    duplicate = api.post(
        url("bank-holiday-list"),
        {"nation": "scotland", "day": "2027-06-07", "name": "Again"},
        format="json",
    )
    assert duplicate.status_code == 400
    assert "day" in duplicate.json()


def test_a_correction_request_corrects_a_fact_and_attaches_a_statement(
    records_officer, council, child_file
):
    from records.models import DisagreementStatement, Item

    api = client_for(records_officer)
    row = log_request(records_officer, council, request_type="correction")
    rid = row.public_id
    assigned = api.post(
        url("request-assign", request_id=rid),
        {"officer": str(records_officer.public_id)},
        format="json",
    )
    assert assigned.status_code == 200, assigned.json()
    linked = api.post(
        url("subject-list", request_id=rid),
        {"person": str(child_file.child.public_id)},
        format="json",
    )
    assert linked.status_code == 200, linked.json()
    refused = api.post(
        url("request-correction", request_id=rid),
        {"person": str(child_file.child.public_id), "details": {"gender": "female"}},
        format="json",
    )
    assert refused.status_code == 400
    assert "details" in refused.json()
    done = api.post(
        url("request-correction", request_id=rid),
        {"person": str(child_file.child.public_id), "details": {"date_of_birth": "2014-05-20"}},
        format="json",
    )
    assert done.status_code == 200, done.json()
    child_file.child.refresh_from_db()
    assert child_file.child.date_of_birth == date(2014, 5, 20)
    contact = Item.objects.get(case=child_file.case, title="Home visit")
    attached = api.post(
        url("request-disagreement", request_id=rid),
        {
            "item": str(contact.public_id),
            "statement": "I was upset, not calm.",
            "made_by": "Ellie Marsh",
            "received_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert attached.status_code == 200, attached.json()
    assert DisagreementStatement.objects.get(item=contact).statement == "I was upset, not calm."
