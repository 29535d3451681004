"""The pages a member of the public reaches without signing in: the request and complaint
forms (honeypot, rate limit, CSRF) and the secure download of a disclosure bundle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access_requests import services
from access_requests.models import AccessRequest, Complaint, DisclosureBundle, DownloadLink
from access_requests.tests.test_views import ready_bundle, ready_request
from accounts.tests.factories import OrganisationFactory
from audit.models import Action, AuditEvent, Purpose

pytestmark = pytest.mark.django_db


def _request_form(**overrides: Any) -> dict[str, Any]:
    return {
        "request_type": "access",
        "requester_name": "Ellie Marsh",
        "requester_email": "ellie@example.org",
        "relationship": "self",
        "subject_name": "Ellie Marsh",
        "subject_date_of_birth": "2004-05-02",
        "description": "Everything you hold about me from my time in care.",
        "website": "",
        **overrides,
    }


def _complaint_form(**overrides: Any) -> dict[str, Any]:
    return {
        "complainant_name": "Ellie Marsh",
        "complainant_email": "ellie@example.org",
        "description": "You sent my file to the wrong address.",
        "website": "",
        **overrides,
    }


ASK = "access_requests:public-ask"
COMPLAINT = "access_requests:public-complaint"


# --- The request form ------------------------------------------------------------------------


def test_the_form_opens_without_signing_in_with_a_hidden_honeypot(client, council):
    response = client.get(reverse(ASK))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="carefile-honeypot" aria-hidden="true"' in body
    assert "Leave this field empty" in body
    assert 'tabindex="-1"' in body
    assert 'autocomplete="off"' in body
    assert "style=" not in body
    assert "Which council" not in body  # one council: nothing to choose


def test_a_request_is_created_acknowledged_and_its_reference_shown_once(
    client, council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(ASK), _request_form())
    assert response.status_code == 302
    assert response["Location"] == reverse("access_requests:public-ask-done")
    request = AccessRequest.objects.get()
    assert request.channel == "web_form"
    assert request.organisation == council
    assert request.state == "received"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ellie@example.org"]
    assert request.reference in mail.outbox[0].subject
    body = client.get(response["Location"]).content.decode()
    assert request.reference in body
    # The reference was the visitor's own, and is not shown again.
    assert request.reference not in client.get(response["Location"]).content.decode()
    event = AuditEvent.objects.get(object_id=str(request.public_id))
    assert event.actor_username == "public web form"
    assert event.purpose == Purpose.ACCESS_REQUEST


def test_bad_input_comes_back_with_errors_and_creates_nothing(client, council):
    response = client.post(reverse(ASK), _request_form(requester_email="", subject_name=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Enter an email address or a postal address" in body
    assert not AccessRequest.objects.exists()
    # A parent asking for a child's records must say on what basis (the service's rule).
    child = (timezone.localdate() - timedelta(days=365 * 9)).isoformat()
    response = client.post(
        reverse(ASK), _request_form(relationship="parent", subject_date_of_birth=child)
    )
    assert "the child&#x27;s" in response.content.decode()
    assert not AccessRequest.objects.exists()


def test_a_filled_honeypot_is_thanked_and_ignored(
    client, council, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(ASK), _request_form(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == reverse("access_requests:public-ask-done")
    assert client.get(response["Location"]).status_code == 200
    assert not AccessRequest.objects.exists()
    assert mail.outbox == []


def test_submissions_are_limited_per_address_per_hour(client, council, settings):
    settings.CAREFILE_PUBLIC_FORM_PER_HOUR = 2
    for _ in range(2):
        assert client.post(reverse(ASK), _request_form()).status_code == 302
    response = client.post(reverse(ASK), _request_form())
    assert response.status_code == 429
    assert "Too many forms sent" in response.content.decode()
    # The complaint form shares the limit; another address does not.
    assert client.post(reverse(COMPLAINT), _complaint_form()).status_code == 429
    assert AccessRequest.objects.count() == 2
    assert not Complaint.objects.exists()
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post(reverse(ASK), _request_form()).status_code == 302
    assert AccessRequest.objects.count() == 3


def test_the_form_needs_its_csrf_token(council):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse(ASK), _request_form())
    assert response.status_code == 403
    assert not AccessRequest.objects.exists()
    page = client.get(reverse(ASK))
    token = page.cookies["csrftoken"].value
    response = client.post(reverse(ASK), {**_request_form(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert AccessRequest.objects.count() == 1


def test_with_several_councils_the_visitor_chooses_one(client, council, other_council):
    body = client.get(reverse(ASK)).content.decode()
    assert "Which council holds the records?" in body
    response = client.post(reverse(ASK), _request_form())
    assert "govuk-error-summary" in response.content.decode()
    assert not AccessRequest.objects.exists()
    response = client.post(reverse(ASK), _request_form(organisation=other_council.pk))
    assert response.status_code == 302
    assert AccessRequest.objects.get().organisation == other_council
    # Only councils: not a processor.
    processor = OrganisationFactory(name="Scanning Ltd", kind="processor")
    response = client.post(reverse(ASK), _request_form(organisation=processor.pk))
    assert "govuk-error-summary" in response.content.decode()


# --- The complaint form ----------------------------------------------------------------------


def test_a_complaint_is_created_and_acknowledged(
    client, council, django_capture_on_commit_callbacks
):
    response = client.post(reverse(COMPLAINT), _complaint_form(description=""))
    assert "govuk-error-summary" in response.content.decode()
    response = client.post(reverse(COMPLAINT), _complaint_form(website="spam"))
    assert response.status_code == 302
    assert not Complaint.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(COMPLAINT), _complaint_form())
    assert response["Location"] == reverse("access_requests:public-complaint-done")
    complaint = Complaint.objects.get()
    assert complaint.channel == "web_form"
    assert len(mail.outbox) == 1
    assert complaint.reference in mail.outbox[0].subject
    assert complaint.reference in client.get(response["Location"]).content.decode()


# --- The secure download ---------------------------------------------------------------------


@pytest.fixture
def link_token(records_officer, second_officer, council, child_file) -> tuple[DownloadLink, str]:
    request = ready_request(records_officer, second_officer, council, child_file)
    bundle = ready_bundle(records_officer, request)
    return services.download_link_create(
        actor=records_officer,
        bundle=bundle,
        recipient_name="Ellie Marsh",
        recipient_email="ellie@example.org",
    )


def test_a_valid_link_names_the_request_and_downloads_only_on_post(client, link_token):
    link, token = link_token
    url = reverse("access_requests:public-download", args=[token])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert link.bundle.request.reference in body
    assert "Download</button>" in body
    assert "%PDF" not in body
    assert page["Referrer-Policy"] == "no-referrer"
    assert DownloadLink.objects.get(pk=link.pk).downloads == 0
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert DownloadLink.objects.get(pk=link.pk).downloads == 1
    event = AuditEvent.objects.filter(request_id=response["X-Request-ID"]).get()
    assert event.action == Action.EXPORT
    assert event.purpose == Purpose.ACCESS_REQUEST
    assert event.subject_id_list  # the child the bundle is about


def test_expired_revoked_and_unknown_links_are_not_valid(
    client, link_token, records_officer, time_machine
):
    link, token = link_token
    url = reverse("access_requests:public-download", args=[token])
    for method in ("get", "post"):
        response = getattr(client, method)(
            reverse("access_requests:public-download", args=["not-a-real-token"])
        )
        assert response.status_code == 404
        assert "This link has expired or is not valid" in response.content.decode()
    time_machine.move_to(link.expires_at + timedelta(minutes=1))
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 404
        assert "This link has expired or is not valid" in response.content.decode()
    time_machine.move_to(link.created_at + timedelta(minutes=1))
    assert client.get(url).status_code == 200
    services.download_link_revoke(actor=records_officer, link=link)
    response = client.post(url)
    assert response.status_code == 404
    assert "This link has expired or is not valid" in response.content.decode()
    assert DownloadLink.objects.get(pk=link.pk).downloads == 0


def test_a_rendered_bundle_downloads_through_its_link(
    client, records_officer, second_officer, council, child_file
):
    """The whole way: the bundle rendered by WeasyPrint, then fetched by the requester."""
    from access_requests.disclosure import bundle_build

    request = ready_request(records_officer, second_officer, council, child_file)
    bundle = services.bundle_request(actor=records_officer, request=request)
    built = bundle_build(bundle_id=bundle.pk)
    assert built is not None, DisclosureBundle.objects.get(pk=bundle.pk).error
    assert built.status == DisclosureBundle.Status.READY
    _link, token = services.download_link_create(
        actor=records_officer,
        bundle=built,
        recipient_name="Ellie Marsh",
        recipient_email="ellie@example.org",
    )
    response = client.post(reverse("access_requests:public-download", args=[token]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    assert len(content) == built.size
