"""The records-access team's pages: who may open them (404 for everyone else, whatever the
method), what each shows and records in the read audit, and how bad input comes back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape

from access_requests import services
from access_requests.models import (
    AccessRequest,
    AdditionalBankHoliday,
    CollectedItem,
    Complaint,
    Decision,
    DisclosureBundle,
    DownloadLink,
    Redaction,
    RequestDocument,
    RequestNote,
    RequestSubject,
    Source,
    State,
)
from access_requests.tests.conftest import log_request
from accounts.models import Service, User
from accounts.roles import Role
from accounts.tests.factories import TeamFactory, staff_member
from audit.models import Action, AuditEvent, Purpose

pytestmark = pytest.mark.django_db

TINY_PDF = b"%PDF-1.4\n%%EOF\n"
XSS = "<script>alert(1)</script>"


# --- Building requests through the services --------------------------------------------------


def review_all(officer: User, request: AccessRequest) -> None:
    for item in CollectedItem.objects.filter(request=request):
        for row in item.redactions.filter(status=Redaction.Status.PROPOSED):
            services.redaction_decide(actor=officer, redaction_row=row, accept=True)
        accepted = item.redactions.filter(status=Redaction.Status.ACCEPTED).exists()
        services.collected_item_review(
            actor=officer, item=item, decision=Decision.REDACT if accepted else Decision.DISCLOSE
        )


def collected_request(officer: User, council: Any, child_file: Any) -> AccessRequest:
    request = log_request(officer, council)
    services.access_request_assign(actor=officer, request=request, officer=officer)
    services.access_request_subject_link(actor=officer, request=request, person=child_file.child)
    services.access_request_collect(actor=officer, request=request)
    return request


def ready_request(officer: User, approver: User, council: Any, child_file: Any) -> AccessRequest:
    """Collected, reviewed, and approved by a second officer: ready to send."""
    request = collected_request(officer, council, child_file)
    review_all(officer, request)
    services.access_request_submit_for_approval(actor=officer, request=request)
    return services.access_request_approve(actor=approver, request=request)


def ready_bundle(officer: User, request: AccessRequest) -> DisclosureBundle:
    """A bundle asked for through the service, finished here with a tiny PDF: rendering is
    the bundle tests' business."""
    bundle = services.bundle_request(actor=officer, request=request)
    bundle.file.save(f"{bundle.public_id}.pdf", ContentFile(TINY_PDF), save=False)
    bundle.status = DisclosureBundle.Status.READY
    bundle.pages = 1
    bundle.size = len(TINY_PDF)
    bundle.items_done = bundle.items_total
    bundle.finished_at = timezone.now()
    bundle.save()
    return bundle


# --- People ----------------------------------------------------------------------------------


@pytest.fixture
def other_officer(other_council: Any) -> User:
    """oli: a records-access officer of another council."""
    team = TeamFactory(
        name="Records Access", organisation=other_council, service=Service.RECORDS_ACCESS
    )
    return staff_member(role=Role.RECORDS_ACCESS_OFFICER, team=team, username="oli")


@pytest.fixture(params=["practitioner", "guardian", "other_officer"])
def stranger(request: Any) -> User:
    """Someone who works here but not on this council's rights requests."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def _events(response: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(request_id=response["X-Request-ID"]).order_by("id"))


def _the_read(response: Any) -> AuditEvent:
    events = _events(response)
    assert [e.action for e in events] == [Action.READ], [e.summary for e in events]
    return events[0]


def _has_errors(response: Any) -> bool:
    return response.status_code == 200 and b"govuk-error-summary" in response.content


# --- Every route: strangers, the officer, the read audit -------------------------------------


@dataclass
class World:
    request: AccessRequest
    item: CollectedItem
    redaction: Redaction
    bundle: DisclosureBundle
    link: DownloadLink
    document: RequestDocument
    complaint: Complaint
    subject: RequestSubject

    def ids(self) -> dict[str, Any]:
        return {
            "request": self.request.public_id,
            "item": self.item.public_id,
            "redaction": self.redaction.public_id,
            "bundle": self.bundle.public_id,
            "link": self.link.public_id,
            "document": self.document.public_id,
            "complaint": self.complaint.public_id,
            "subject": self.subject.public_id,
        }


@pytest.fixture
def world(records_officer, second_officer, council, child_file) -> World:
    request = ready_request(records_officer, second_officer, council, child_file)
    item = CollectedItem.objects.get(request=request, title="Home visit")
    bundle = ready_bundle(records_officer, request)
    link, _token = services.download_link_create(
        actor=records_officer,
        bundle=bundle,
        recipient_name="Ellie Marsh",
        recipient_email="ellie@example.org",
    )
    document = services.access_request_document_add(
        actor=records_officer,
        request=request,
        kind="identity",
        upload=SimpleUploadedFile("passport.pdf", TINY_PDF),
    )
    complaint = services.complaint_log(
        actor=records_officer,
        organisation=council,
        channel="letter",
        received_on=timezone.localdate(),
        complainant_name="Ellie Marsh",
        description="My request took too long.",
        person=child_file.child,
    )
    return World(
        request=request,
        item=item,
        redaction=item.redactions.first(),  # type: ignore[arg-type]
        bundle=bundle,
        link=link,
        document=document,
        complaint=complaint,
        subject=request.subjects.get(),
    )


CHILD = ("child",)
NOBODY: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    name: str
    args: tuple[str, ...] = ()
    get: int = 200  # the officer's GET
    shows: tuple[str, ...] | None = CHILD  # the people its read event names; None: no event


ROUTES = (
    Route("access_requests:dashboard", shows=CHILD),
    Route("access_requests:request-log", shows=None),
    Route("access_requests:performance", shows=None),
    Route("access_requests:performance-csv", shows=None),
    Route("access_requests:request-detail", ("request",)),
    Route("access_requests:request-requirements", ("request",)),
    Route("access_requests:request-identity", ("request",)),
    Route("access_requests:request-authority", ("request",)),
    Route("access_requests:request-fee", ("request",)),
    Route("access_requests:request-assign", ("request",)),
    Route("access_requests:request-note", ("request",)),
    Route("access_requests:request-document", ("request",)),
    Route("access_requests:request-document-download", ("request", "document")),
    Route("access_requests:request-pause", ("request",)),
    Route("access_requests:request-resume", ("request",)),
    Route("access_requests:request-extend", ("request",)),
    Route("access_requests:request-return", ("request",)),
    Route("access_requests:request-close", ("request",)),
    Route("access_requests:request-correct", ("request",)),
    Route("access_requests:request-disagreement", ("request",)),
    Route("access_requests:request-collect", ("request",), get=405, shows=None),
    Route("access_requests:request-submit", ("request",), get=405, shows=None),
    Route("access_requests:request-approve", ("request",), get=405, shows=None),
    Route("access_requests:identity-search", ("request",)),
    Route("access_requests:subject-link", ("request",), get=405, shows=None),
    Route("access_requests:subject-unlink", ("request", "subject"), get=405, shows=None),
    Route("access_requests:review-list", ("request",)),
    Route("access_requests:review-item", ("request", "item")),
    Route("access_requests:redaction-add", ("request", "item"), get=405, shows=None),
    Route(
        "access_requests:redaction-decide", ("request", "item", "redaction"), get=405, shows=None
    ),
    Route("access_requests:consultation-record", ("request", "item"), get=405, shows=None),
    Route("access_requests:bundle-request", ("request",), get=405, shows=None),
    Route("access_requests:bundle-detail", ("request", "bundle")),
    Route("access_requests:bundle-status", ("request", "bundle"), shows=None),
    Route("access_requests:bundle-download", ("request", "bundle")),
    Route("access_requests:link-create", ("request", "bundle"), get=405, shows=None),
    Route("access_requests:link-revoke", ("request", "bundle", "link"), get=405, shows=None),
    Route("access_requests:export-json", ("request",), get=405, shows=None),
    Route("access_requests:export-csv", ("request",), get=405, shows=None),
    Route("access_requests:complaint-list"),
    Route("access_requests:complaint-log", shows=None),
    Route("access_requests:complaint-detail", ("complaint",)),
    Route("access_requests:complaint-acknowledge", ("complaint",)),
    Route("access_requests:complaint-respond", ("complaint",)),
    Route("access_requests:complaint-withdraw", ("complaint",)),
    Route("access_requests:complaint-person", ("complaint",)),
)
# Open to the public (tests/test_url_security.py) and tried in test_public.py; the bank
# holidays page is the system administrator's (test_bank_holidays_are_the_administrators).
NOT_WALKED = {
    "access_requests:public-ask",
    "access_requests:public-ask-done",
    "access_requests:public-complaint",
    "access_requests:public-complaint-done",
    "access_requests:public-download",
    "access_requests:bank-holidays",
}


def _route_names(patterns: Any, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _route_names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_route_is_walked() -> None:
    ours = {n for n in _route_names(get_resolver().url_patterns) if n.startswith("access_")}
    walked = {route.name for route in ROUTES}
    assert len(walked) == len(ROUTES)
    assert ours - walked - NOT_WALKED == set(), "routes the walk does not try"
    assert (walked | NOT_WALKED) - ours == set(), "listed routes that no longer exist"


def _url(world: World, route: Route) -> str:
    ids = world.ids()
    return reverse(route.name, args=[ids[key] for key in route.args])


def test_strangers_get_the_missing_page_whatever_the_method(client, world, stranger) -> None:
    client.force_login(stranger)
    is_officer = stranger.username == "oli"
    wrong = []
    for route in ROUTES:
        if is_officer and not route.args:
            continue  # oli's own lists and forms: below
        url = _url(world, route)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 404:
                wrong.append(f"{method.upper()} {route.name}: {response.status_code}")
            elif _events(response):
                wrong.append(f"{method.upper()} {route.name}: wrote an event")
    assert wrong == []
    if is_officer:
        # oli's own lists do not show this council's requests or complaints.
        for name in ("access_requests:dashboard", "access_requests:complaint-list"):
            body = client.get(reverse(name)).content.decode()
            assert world.request.reference not in body
            assert world.complaint.reference not in body
    # Nothing changed.
    world.request.refresh_from_db()
    assert world.request.state == State.READY
    assert DownloadLink.objects.get(pk=world.link.pk).revoked_at is None


def test_the_officer_opens_every_page_and_each_read_names_its_people(
    client, world, records_officer, child_file
) -> None:
    client.force_login(records_officer)
    problems = []
    for route in ROUTES:
        response = client.get(_url(world, route))
        if response.streaming:
            b"".join(response.streaming_content)
        if response.status_code != route.get:
            problems.append(f"{route.name}: {response.status_code}, expected {route.get}")
            continue
        events = [e for e in _events(response) if e.action == Action.READ]
        if route.shows is None:
            if events:
                problems.append(f"{route.name}: wrote a read event")
            continue
        if len(events) != 1:
            problems.append(f"{route.name}: {len(events)} read events")
            continue
        event = events[0]
        expected = sorted({"child": child_file.child.pk}[key] for key in route.shows)
        if event.subject_id_list != expected:
            problems.append(f"{route.name}: named {event.subject_id_list}, expected {expected}")
        if event.purpose != Purpose.ACCESS_REQUEST:
            problems.append(f"{route.name}: purpose {event.purpose}")
        if child_file.child.last_name in event.summary:
            problems.append(f"{route.name}: a name in the sealed summary")
    assert problems == []


# --- Dashboard -------------------------------------------------------------------------------


def test_dashboard_counts_filters_and_escapes(client, records_officer, second_officer, council):
    mine = log_request(records_officer, council, requester_name=XSS, subject_name=XSS)
    services.access_request_assign(actor=records_officer, request=mine, officer=records_officer)
    theirs = log_request(records_officer, council, subject_name="Jordan Pike")
    client.force_login(records_officer)
    response = client.get(reverse("access_requests:dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert escape(XSS) in body
    assert XSS not in body
    assert mine.reference in body
    assert theirs.reference in body
    assert 'data-urgency-count="green">2<' in body
    assert "working days left" in body
    response = client.get(reverse("access_requests:dashboard"), {"assigned": "me"})
    assert mine.reference in response.content.decode()
    assert theirs.reference not in response.content.decode()
    response = client.get(reverse("access_requests:dashboard"), {"assigned": "none"})
    assert theirs.reference in response.content.decode()
    assert mine.reference not in response.content.decode()
    response = client.get(reverse("access_requests:dashboard"), {"q": "Jordan"})
    assert theirs.reference in response.content.decode()
    assert mine.reference not in response.content.decode()
    assert _the_read(response).personal["query"] == "Jordan"
    response = client.get(reverse("access_requests:dashboard"), {"state": "nonsense"})
    assert _has_errors(response)


# --- Logging a request -----------------------------------------------------------------------


def _log_form(**overrides: Any) -> dict[str, Any]:
    return {
        "request_type": "access",
        "channel": "letter",
        "received_on": timezone.localdate().isoformat(),
        "requester_name": XSS,
        "requester_email": "ellie@example.org",
        "relationship": "self",
        "subject_name": "Ellie Marsh",
        "description": "Everything you hold about me.",
        **overrides,
    }


def test_logging_a_request(client, records_officer, second_officer, council):
    client.force_login(records_officer)
    url = reverse("access_requests:request-log")
    assert client.get(url).status_code == 200
    response = client.post(url, {"requester_name": "Someone"})
    assert _has_errors(response)
    assert not AccessRequest.objects.exists()
    response = client.post(url, _log_form(assigned_to=second_officer.pk))
    assert response.status_code == 302
    request = AccessRequest.objects.get()
    assert response["Location"] == reverse(
        "access_requests:request-detail", args=[request.public_id]
    )
    assert request.requester_name == XSS
    assert request.assigned_to == second_officer
    assert request.state == State.IN_PROGRESS
    assert request.due_on
    body = client.get(response["Location"]).content.decode()
    assert escape(XSS) in body
    assert XSS not in body


def test_a_service_refusal_comes_back_beside_its_field(client, records_officer, council):
    client.force_login(records_officer)
    url = reverse("access_requests:request-log")
    child_born = timezone.localdate() - timedelta(days=365 * 8)
    # A parent acting for a child must say on what basis.
    response = client.post(
        url,
        _log_form(relationship="parent", subject_date_of_birth=child_born.isoformat()),
    )
    assert _has_errors(response)
    assert "A child&#x27;s information is the child&#x27;s" in response.content.decode()
    assert 'href="#id_child_basis_0"' in response.content.decode()
    # A fee on a first request needs a reason; a date received in the future is refused.
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url, _log_form(fee_required="on", fee_amount="10"))
    assert "needs a reason" in response.content.decode()
    response = client.post(url, _log_form(received_on=tomorrow.isoformat()))
    assert _has_errors(response)
    assert not AccessRequest.objects.exists()
    # Authority is asked for whenever someone acts for another, unless ticked off... it cannot be.
    response = client.post(
        url,
        _log_form(
            relationship="parent",
            subject_date_of_birth=child_born.isoformat(),
            child_basis="lacks_understanding",
        ),
    )
    assert response.status_code == 302
    request = AccessRequest.objects.get()
    assert request.authority_required
    assert request.state == State.AWAITING_VERIFICATION


# --- The request page ------------------------------------------------------------------------


def test_request_page_shows_the_clock_steps_and_what_to_do(
    client, records_officer, council, child_file
):
    request = log_request(records_officer, council, received_on=date(2026, 1, 31))
    services.access_request_subject_link(
        actor=records_officer, request=request, person=child_file.child
    )
    client.force_login(records_officer)
    response = client.get(reverse("access_requests:request-detail", args=[request.public_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "How this date was worked out" in body
    for step in request.due_explanation:
        assert escape(step) in body
    assert "Monday 2 March 2026" in body
    assert "Collect the records" in body
    assert "Approve" not in body  # not awaiting approval
    assert child_file.child.full_name in body
    event = _the_read(response)
    assert event.subject_id_list == [child_file.child.pk]
    assert event.purpose == Purpose.ACCESS_REQUEST
    assert event.object_id == str(request.public_id)


def test_approve_is_offered_only_to_a_second_officer(
    client, records_officer, second_officer, council, child_file
):
    request = collected_request(records_officer, council, child_file)
    review_all(records_officer, request)
    client.force_login(records_officer)
    url = reverse("access_requests:request-detail", args=[request.public_id])
    response = client.post(reverse("access_requests:request-submit", args=[request.public_id]))
    assert response.status_code == 302
    assert "Waiting for approval by a second officer" in client.get(url).content.decode()
    assert ">Approve</button>" not in client.get(url).content.decode()
    # The service refuses dan too, whatever the page showed.
    response = client.post(
        reverse("access_requests:request-approve", args=[request.public_id]), follow=True
    )
    assert "A second officer must approve" in response.content.decode()
    assert AccessRequest.objects.get(pk=request.pk).state == State.APPROVAL
    client.force_login(second_officer)
    assert ">Approve</button>" in client.get(url).content.decode()
    response = client.post(reverse("access_requests:request-approve", args=[request.public_id]))
    assert response.status_code == 302
    assert AccessRequest.objects.get(pk=request.pk).state == State.READY
    body = client.get(url).content.decode()
    assert "Produce the disclosure bundle" in body
    assert "Cover letter for the bundle" in body


def test_verification_forms(client, records_officer, council):
    request = log_request(
        records_officer, council, relationship="solicitor", identity_required=True
    )
    client.force_login(records_officer)
    url = reverse("access_requests:request-identity", args=[request.public_id])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url, {"received_on": tomorrow.isoformat(), "method": "photo_id"})
    assert _has_errors(response)
    assert "must be today or in the past" in response.content.decode()
    assert AccessRequest.objects.get(pk=request.pk).identity_received_on is None
    assert _the_read(response).purpose == Purpose.ACCESS_REQUEST
    response = client.post(
        url, {"received_on": timezone.localdate().isoformat(), "method": "photo_id"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("access_requests:request-authority", args=[request.public_id]),
        {"received_on": timezone.localdate().isoformat(), "method": "solicitor_letter"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.identity_verified_by == records_officer
    assert request.state == State.IN_PROGRESS
    assert request.due_on is not None
    body = client.get(
        reverse("access_requests:request-detail", args=[request.public_id])
    ).content.decode()
    assert "Solicitor&#x27;s letter" in body


def test_triage_notes_assignment_pause_extend_and_close(
    client, records_officer, second_officer, council
):
    request = services.access_request_submit_public(
        organisation=council,
        request_type="access",
        requester_name="Ellie Marsh",
        relationship="self",
        subject_name="Ellie Marsh",
        description="Everything.",
    )
    assert request.state == State.RECEIVED
    client.force_login(records_officer)
    ids = [request.public_id]
    response = client.post(
        reverse("access_requests:request-requirements", args=ids), {"identity_required": "on"}
    )
    assert response.status_code == 302
    assert AccessRequest.objects.get(pk=request.pk).state == State.AWAITING_VERIFICATION
    assert _has_errors(client.post(reverse("access_requests:request-note", args=ids), {}))
    client.post(reverse("access_requests:request-note", args=ids), {"text": f"Rang {XSS}"})
    assert RequestNote.objects.get(request=request).text == f"Rang {XSS}"
    body = client.get(reverse("access_requests:request-detail", args=ids)).content.decode()
    assert f"Rang {escape(XSS)}" in body
    response = client.post(
        reverse("access_requests:request-assign", args=ids), {"assigned_to": second_officer.pk}
    )
    assert response.status_code == 302
    assert AccessRequest.objects.get(pk=request.pk).assigned_to == second_officer
    # Someone who is not an officer of this council is not a choice.
    response = client.post(reverse("access_requests:request-assign", args=ids), {"assigned_to": 0})
    assert _has_errors(response)
    today = timezone.localdate().isoformat()
    client.post(
        reverse("access_requests:request-identity", args=ids),
        {"received_on": today, "method": "photo_id"},
    )
    response = client.post(
        reverse("access_requests:request-pause", args=ids),
        {"asked_on": today, "question": "Which years?"},
    )
    assert response.status_code == 302
    assert AccessRequest.objects.get(pk=request.pk).state == State.PAUSED
    response = client.post(
        reverse("access_requests:request-resume", args=ids), {"received_on": today}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("access_requests:request-extend", args=ids), {"reason": "", "told_on": today}
    )
    assert _has_errors(response)
    assert not AccessRequest.objects.get(pk=request.pk).extended
    response = client.post(
        reverse("access_requests:request-extend", args=ids),
        {"reason": "Forty years of records.", "told_on": today},
    )
    assert response.status_code == 302
    assert AccessRequest.objects.get(pk=request.pk).extended
    response = client.post(
        reverse("access_requests:request-close", args=ids), {"outcome": "refused"}
    )
    assert _has_errors(response)
    response = client.post(
        reverse("access_requests:request-close", args=ids),
        {"outcome": "refused", "reasons": "Manifestly excessive.", "sent_on": today},
    )
    assert response.status_code == 302
    body = client.get(reverse("access_requests:request-detail", args=ids)).content.decode()
    assert "Refusal letter" in body
    assert "Manifestly excessive." in body


def test_documents_upload_and_download(client, records_officer, council):
    request = log_request(records_officer, council)
    client.force_login(records_officer)
    url = reverse("access_requests:request-document", args=[request.public_id])
    bad = SimpleUploadedFile("id.exe", b"MZ not a pdf")
    assert _has_errors(client.post(url, {"kind": "identity", "file": bad}))
    assert not RequestDocument.objects.exists()
    upload = SimpleUploadedFile("passport.pdf", TINY_PDF)
    assert client.post(url, {"kind": "identity", "file": upload}).status_code == 302
    document = RequestDocument.objects.get()
    response = client.get(
        reverse(
            "access_requests:request-document-download",
            args=[request.public_id, document.public_id],
        )
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == TINY_PDF
    event = _the_read(response)
    assert event.purpose == Purpose.ACCESS_REQUEST
    assert event.object_id == str(document.public_id)


# --- Identity search -------------------------------------------------------------------------


def test_identity_search_shows_names_and_services_only(
    client, records_officer, council, child_file
):
    request = log_request(records_officer, council)
    client.force_login(records_officer)
    url = reverse("access_requests:identity-search", args=[request.public_id])
    response = client.get(url, {"q": "Ellie Marsh", "date_of_birth": "2014-05-02"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ellie Marsh" in body
    assert "2 May 2014" in body
    assert "Children" in body  # the service holding the case
    assert child_file.note_text not in body
    assert "07700 900461" not in body
    event = _the_read(response)
    assert event.summary == "Searched for the person a rights request is about"
    assert event.subject_id_list == [child_file.child.pk]
    assert event.purpose == Purpose.ACCESS_REQUEST
    assert event.personal["query"] == "Ellie Marsh"
    assert event.personal["date_of_birth"] == "2014-05-02"
    # Nobody found: still recorded.
    response = client.get(url, {"q": "Xqzvwy Jjkqq"})
    event = _the_read(response)
    assert event.subject_id_list == []
    assert event.personal["query"] == "Xqzvwy Jjkqq"
    assert _has_errors(client.get(url, {"q": ""}))
    # Link from the results.
    response = client.post(
        reverse("access_requests:subject-link", args=[request.public_id]),
        {"person": child_file.child.public_id},
    )
    assert response.status_code == 302
    assert RequestSubject.objects.get(request=request).person == child_file.child
    response = client.post(
        reverse("access_requests:subject-link", args=[request.public_id]),
        {"person": child_file.child.public_id},
        follow=True,
    )
    assert "already linked" in response.content.decode()
    assert RequestSubject.objects.filter(request=request).count() == 1


def test_a_person_of_another_council_cannot_be_linked(
    client, records_officer, council, other_council
):
    from records.tests.factories import PersonFactory

    request = log_request(records_officer, council)
    elsewhere = PersonFactory(organisation=other_council)
    client.force_login(records_officer)
    response = client.post(
        reverse("access_requests:subject-link", args=[request.public_id]),
        {"person": elsewhere.public_id},
    )
    assert response.status_code == 404
    assert not RequestSubject.objects.exists()


# --- Review ----------------------------------------------------------------------------------


def test_review_list_filters_and_counts(client, records_officer, council, child_file):
    request = collected_request(records_officer, council, child_file)
    client.force_login(records_officer)
    url = reverse("access_requests:review-list", args=[request.public_id])
    response = client.get(url)
    body = response.content.decode()
    total = CollectedItem.objects.filter(request=request).count()
    assert f"0 of {total} items reviewed" in body
    assert "Home visit" in body
    response = client.get(url, {"source": Source.PERSON_DETAILS})
    assert "Home visit" not in response.content.decode()
    assert _the_read(response).subject_id_list == [child_file.child.pk]
    assert _has_errors(client.get(url, {"decision": "maybe"}))


def test_reviewing_an_item(client, records_officer, council, child_file):
    request = collected_request(records_officer, council, child_file)
    item = CollectedItem.objects.get(request=request, title="Home visit")
    client.force_login(records_officer)
    url = reverse("access_requests:review-item", args=[request.public_id, item.public_id])
    response = client.get(url)
    body = response.content.decode()
    assert "carefile-redaction--proposed" in body
    assert "data-redaction-text" in body
    assert "js/redaction.mjs" in body
    event = _the_read(response)
    assert event.summary == "Reviewed an item for a rights request"
    assert event.subject_id_list == [child_file.child.pk]
    assert event.object_id == str(item.public_id)
    # Disclosing with proposals open is refused, and nothing changes.
    response = client.post(url, {"decision": "disclose"})
    assert _has_errors(response)
    assert "proposed redaction" in response.content.decode()
    assert CollectedItem.objects.get(pk=item.pk).decision == Decision.PENDING
    # Accept each proposal, then undo one (keep), then redact it again.
    proposals = list(item.redactions.filter(status=Redaction.Status.PROPOSED))
    for row in proposals:
        decide = reverse(
            "access_requests:redaction-decide",
            args=[request.public_id, item.public_id, row.public_id],
        )
        assert client.post(decide, {"accept": "yes"}).status_code == 302
    first = proposals[0]
    decide = reverse(
        "access_requests:redaction-decide",
        args=[request.public_id, item.public_id, first.public_id],
    )
    client.post(decide, {"accept": "no"})
    assert Redaction.objects.get(pk=first.pk).status == Redaction.Status.REJECTED
    assert "Undo: redact" in client.get(url).content.decode()
    client.post(decide, {"accept": "yes"})
    assert Redaction.objects.get(pk=first.pk).status == Redaction.Status.ACCEPTED
    body = client.get(url).content.decode()
    assert "carefile-redaction--accepted" in body
    assert "S2P3-16" in body
    # Redact by typing the words, and by positions; bad input changes nothing.
    add = reverse("access_requests:redaction-add", args=[request.public_id, item.public_id])
    before = item.redactions.count()
    response = client.post(add, {"text": "not in the text", "exemption": "S2P3-16"})
    assert _has_errors(response)
    assert "not in the item" in response.content.decode()
    response = client.post(add, {"text": "playing", "exemption": "S2P3-17"})
    assert _has_errors(response)
    response = client.post(add, {"start": "5", "end": "99999", "exemption": "S2P3-16"})
    assert _has_errors(response)
    assert "past the end" in response.content.decode()
    assert _has_errors(client.post(add, {"exemption": "S2P3-16"}))
    assert item.redactions.count() == before
    response = client.post(add, {"text": "playing calmly", "exemption": "S2P1-2"})
    assert response.status_code == 302
    added = item.redactions.get(exemption="S2P1-2")
    assert item.text[added.start : added.end] == "playing calmly"
    response = client.post(add, {"start": "0", "end": "4", "exemption": "S2P1-2", "note": "x"})
    assert response.status_code == 302
    assert item.redactions.filter(start=0, end=4).exists()
    # Decide and go on to the next item waiting.
    response = client.post(url, {"decision": "redact", "next": "1"})
    assert response.status_code == 302
    assert CollectedItem.objects.get(pk=item.pk).decision == Decision.REDACT
    following = CollectedItem.objects.get(public_id=response["Location"].rstrip("/").split("/")[-1])
    assert following.decision == Decision.PENDING
    assert following.request == request


def test_the_review_text_keeps_every_character_in_place() -> None:
    """What the browser counts is what the server counts: the pieces join back into the text,
    each knows where it starts, and a carriage return (which the HTML parser would fold into
    the line feed after it) is sent as a character reference."""
    from access_requests.page_helpers import text_pieces

    text = "Seen at home.\r\nMum <Dawn> said 🙂 all fine & well."
    item = CollectedItem(text=text)

    def at(words: str, status: str) -> Redaction:
        start = text.index(words)
        return Redaction(start=start, end=start + len(words), status=status, exemption="S2P3-16")

    rows = [
        at("<Dawn>", Redaction.Status.ACCEPTED),
        at("Mum <Dawn>", Redaction.Status.PROPOSED),
        at("all", Redaction.Status.REJECTED),
        Redaction(start=5, end=500, status=Redaction.Status.PROPOSED),  # stale: ignored
    ]
    pieces = text_pieces(item, rows)
    assert "".join(p.text for p in pieces) == text
    assert all(text[p.start : p.start + len(p.text)] == p.text for p in pieces)
    assert [(p.text, p.status) for p in pieces if p.status] == [
        ("Mum ", "proposed"),
        ("<Dawn>", "accepted"),
        ("all", "rejected"),
    ]
    assert pieces[0].html == "Seen at home.&#13;\n"
    assert "&lt;Dawn&gt;" in "".join(p.html for p in pieces)


def test_serious_harm_consultation(client, records_officer, council, child_file):
    request = collected_request(records_officer, council, child_file)
    item = CollectedItem.objects.get(request=request, source=Source.PERSON_DETAILS)
    client.force_login(records_officer)
    url = reverse("access_requests:review-item", args=[request.public_id, item.public_id])
    response = client.post(url, {"decision": "withhold", "exemption": "S3P3-11"})
    assert _has_errors(response)
    assert "consultation" in response.content.decode()
    consult = reverse(
        "access_requests:consultation-record", args=[request.public_id, item.public_id]
    )
    assert _has_errors(client.post(consult, {"name": "Dr Adeyemi"}))
    response = client.post(
        consult,
        {
            "name": "Dr R Adeyemi",
            "role": "Consultant psychiatrist",
            "consulted_on": timezone.localdate().isoformat(),
            "opinion": "Likely to cause serious harm.",
        },
    )
    assert response.status_code == 302
    response = client.post(url, {"decision": "withhold", "exemption": "S3P3-11"})
    assert response.status_code == 302
    assert CollectedItem.objects.get(pk=item.pk).decision == Decision.WITHHOLD


# --- Bundles, exports and links --------------------------------------------------------------


def test_producing_and_downloading_the_bundle(
    client, records_officer, second_officer, council, child_file
):
    request = ready_request(records_officer, second_officer, council, child_file)
    client.force_login(records_officer)
    response = client.post(reverse("access_requests:bundle-request", args=[request.public_id]))
    bundle = DisclosureBundle.objects.get(request=request)
    detail = reverse("access_requests:bundle-detail", args=[request.public_id, bundle.public_id])
    assert response.status_code == 302
    assert response["Location"] == detail
    body = client.get(detail).content.decode()
    assert "<progress" in body
    assert "Check again" in body
    assert "js/bundle-status.mjs" in body
    assert 'http-equiv="refresh"' not in body
    assert "style=" not in body
    status = client.get(
        reverse("access_requests:bundle-status", args=[request.public_id, bundle.public_id])
    ).json()
    assert status["status"] == "queued"
    assert status["finished"] is False
    # A second bundle while one is being produced is refused.
    response = client.post(
        reverse("access_requests:bundle-request", args=[request.public_id]), follow=True
    )
    assert "already being produced" in response.content.decode()
    # Finished (rendering is the bundle tests' business): download, exports.
    DisclosureBundle.objects.filter(pk=bundle.pk).delete()
    bundle = ready_bundle(records_officer, request)
    detail = reverse("access_requests:bundle-detail", args=[request.public_id, bundle.public_id])
    assert "Download the bundle (PDF, 1 page)" in client.get(detail).content.decode()
    response = client.get(
        reverse("access_requests:bundle-download", args=[request.public_id, bundle.public_id])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == TINY_PDF
    event = _the_read(response)
    assert event.summary == "Downloaded a disclosure bundle"
    assert event.subject_id_list == [child_file.child.pk]
    assert event.purpose == Purpose.ACCESS_REQUEST
    for fmt in ("json", "csv"):
        response = client.post(reverse(f"access_requests:export-{fmt}", args=[request.public_id]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="{request.reference}-records.{fmt}"'
        )
        assert "Home visit" in response.content.decode("utf-8-sig")
        assert "Dawn Kettering" not in response.content.decode("utf-8-sig")


def test_secure_links_are_shown_once_and_can_be_revoked(
    client, records_officer, second_officer, council, child_file
):
    request = ready_request(records_officer, second_officer, council, child_file)
    bundle = ready_bundle(records_officer, request)
    client.force_login(records_officer)
    create = reverse("access_requests:link-create", args=[request.public_id, bundle.public_id])
    response = client.post(create, {"recipient_name": "Ellie Marsh", "recipient_email": "bad"})
    assert _has_errors(response)
    assert not DownloadLink.objects.exists()
    response = client.post(
        create, {"recipient_name": "Ellie Marsh", "recipient_email": "ellie@example.org"}
    )
    assert response.status_code == 200
    link = DownloadLink.objects.get()
    body = response.content.decode()
    assert "http://testserver/requests/download/" in body
    token = body.split("http://testserver/requests/download/")[1].split("/")[0]
    assert services.download_link_find(token) == link
    detail = reverse("access_requests:bundle-detail", args=[request.public_id, bundle.public_id])
    assert token not in client.get(detail).content.decode()
    revoke = reverse(
        "access_requests:link-revoke", args=[request.public_id, bundle.public_id, link.public_id]
    )
    assert client.post(revoke).status_code == 302
    assert services.download_link_find(token) is None
    response = client.post(revoke, follow=True)
    assert "already revoked" in response.content.decode()


# --- Complaints ------------------------------------------------------------------------------


def test_complaints(client, records_officer, council, child_file):
    client.force_login(records_officer)
    url = reverse("access_requests:complaint-log")
    today = timezone.localdate().isoformat()
    assert _has_errors(client.post(url, {"complainant_name": XSS}))
    assert not Complaint.objects.exists()
    response = client.post(
        url,
        {
            "channel": "email",
            "received_on": today,
            "complainant_name": XSS,
            "description": "You shared my address.",
        },
    )
    complaint = Complaint.objects.get()
    detail = reverse("access_requests:complaint-detail", args=[complaint.public_id])
    assert response["Location"] == detail
    body = client.get(detail).content.decode()
    assert escape(XSS) in body
    assert XSS not in body
    assert "30 days left" in body
    listing = client.get(reverse("access_requests:complaint-list")).content.decode()
    assert complaint.reference in listing
    assert escape(XSS) in listing
    # Link the person through the search.
    person_url = reverse("access_requests:complaint-person", args=[complaint.public_id])
    response = client.get(person_url, {"q": "Ellie Marsh"})
    assert "Ellie Marsh" in response.content.decode()
    assert _the_read(response).subject_id_list == [child_file.child.pk]
    response = client.post(person_url, {"person": child_file.child.public_id})
    assert response.status_code == 302
    assert Complaint.objects.get().person == child_file.child
    response = client.get(detail)
    assert _the_read(response).subject_id_list == [child_file.child.pk]
    # Acknowledge (not before it arrived), respond.
    acknowledge = reverse("access_requests:complaint-acknowledge", args=[complaint.public_id])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert _has_errors(client.post(acknowledge, {"acknowledged_on": yesterday}))
    assert client.post(acknowledge, {"acknowledged_on": today}).status_code == 302
    respond = reverse("access_requests:complaint-respond", args=[complaint.public_id])
    assert _has_errors(client.post(respond, {"outcome": "upheld", "responded_on": today}))
    response = client.post(
        respond, {"outcome": "upheld", "response": "We apologise.", "responded_on": today}
    )
    assert response.status_code == 302
    assert Complaint.objects.get().state == "responded"
    response = client.post(
        reverse("access_requests:complaint-withdraw", args=[complaint.public_id]),
        {"note": "Too late"},
    )
    assert _has_errors(response)
    assert "already closed" in response.content.decode()


# --- Performance and bank holidays -----------------------------------------------------------


def test_performance_table_chart_and_csv(client, records_officer, council):
    request = log_request(records_officer, council)
    services.access_request_close(
        actor=records_officer,
        request=request,
        outcome="refused",
        reasons="Excessive.",
        sent_on=timezone.localdate(),
    )
    client.force_login(records_officer)
    response = client.get(reverse("access_requests:performance"))
    body = response.content.decode()
    assert "<svg" in body
    assert "<rect" in body
    assert "style=" not in body
    assert "100%</td>" in body
    response = client.get(reverse("access_requests:performance-csv"))
    assert response["Content-Disposition"].startswith("attachment")
    lines = response.content.decode().splitlines()
    assert lines[0] == "Month,Closed,In time,Late,Extended,Paused,% in time"
    assert lines[-1].endswith(",1,1,0,0,0,100")


def test_bank_holidays_are_the_administrators(client, admin_user, records_officer, council):
    request = log_request(records_officer, council, received_on=date(2026, 1, 2))
    url = reverse("access_requests:bank-holidays")
    client.force_login(records_officer)
    assert client.get(url).status_code == 404
    assert client.post(url, {"nation": "england-and-wales"}).status_code == 404
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"nation": "england-and-wales", "day": "2026-02-02", "name": ""})
    assert _has_errors(response)
    assert not AdditionalBankHoliday.objects.exists()
    response = client.post(
        url, {"nation": "england-and-wales", "day": "2026-02-02", "name": "Jubilee"}, follow=True
    )
    assert "1 open request has a new due date" in response.content.decode()
    assert AccessRequest.objects.get(pk=request.pk).due_on == date(2026, 2, 3)
    response = client.post(
        url, {"nation": "england-and-wales", "day": "2026-02-02", "name": "Jubilee"}
    )
    assert _has_errors(response)
    assert "already" in response.content.decode()


def test_the_officer_corrects_a_date_of_birth_from_the_request_page(
    client, records_officer, council, child_file
):

    from access_requests import services as request_services
    from access_requests.tests.conftest import log_request as log

    row = log(records_officer, council, request_type="correction")
    request_services.access_request_assign(
        actor=records_officer, request=row, officer=records_officer
    )
    request_services.access_request_subject_link(
        actor=records_officer, request=row, person=child_file.child
    )
    client.force_login(records_officer)
    page = reverse("access_requests:request-correct", args=[row.public_id])
    bad = client.post(
        page,
        {"person": str(child_file.child.public_id), "field": "date_of_birth", "value": "soon"},
    )
    assert bad.status_code == 200
    assert "There is a problem" in bad.content.decode()
    child_file.child.refresh_from_db()
    assert child_file.child.date_of_birth == date(2014, 5, 2)
    done = client.post(
        page,
        {
            "person": str(child_file.child.public_id),
            "field": "date_of_birth",
            "value": "2014-05-20",
        },
    )
    assert done.status_code == 302
    child_file.child.refresh_from_db()
    assert child_file.child.date_of_birth == date(2014, 5, 20)
