"""Every rights-request API endpoint, walked (test_views.py walks the pages the same way):
each is listed here, anyone but the council's records-access team gets 404 (the same answer
whatever the method), and every response that shows someone's records writes one read event
naming exactly them, for the purpose "access request"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient

from access_requests import services
from access_requests.disclosure import bundle_build
from access_requests.models import CollectedItem, Decision, Redaction
from access_requests.tests.conftest import log_request
from accounts.models import Team
from accounts.roles import Role
from accounts.tests.factories import staff_member
from audit.models import Action, AuditEvent, AuditEventSubject, Purpose
from records.tests.factories import TINY_PDF
from tests.test_read_audit import _route_names

pytestmark = pytest.mark.django_db

NAMESPACES = ("access-requests-api",)
# The system administrator's, not the records team's (tried in test_api.py).
ADMIN_ONLY = {"access-requests-api:bank-holiday-list"}


@dataclass(frozen=True)
class Route:
    name: str
    args: tuple[str, ...] = ()
    # People a GET must name in its read event; None: the route shows nobody's records (or
    # answers GET with 405).
    shows: tuple[str, ...] | None = None
    params: dict[str, str] | None = None


REQUEST = ("request",)
ITEM = ("request", "item")
BUNDLE = ("request", "bundle")

ENDPOINTS = (
    Route("access-requests-api:request-list"),
    Route("access-requests-api:dashboard"),
    Route("access-requests-api:complaint-list", (), ("mother",)),
    Route("access-requests-api:complaint-detail", ("complaint",), ("mother",)),
    Route("access-requests-api:complaint-ack", ("complaint",)),
    Route("access-requests-api:complaint-respond", ("complaint",)),
    Route("access-requests-api:complaint-withdraw", ("complaint",)),
    Route("access-requests-api:complaint-person", ("complaint",)),
    Route("access-requests-api:request-detail", REQUEST, ("child",)),
    Route("access-requests-api:request-assign", REQUEST),
    Route("access-requests-api:request-requirements", REQUEST),
    Route("access-requests-api:request-identity", REQUEST),
    Route("access-requests-api:request-authority", REQUEST),
    Route("access-requests-api:request-fee", REQUEST),
    Route("access-requests-api:request-note", REQUEST),
    Route("access-requests-api:request-pause", REQUEST),
    Route("access-requests-api:request-resume", REQUEST),
    Route("access-requests-api:request-extend", REQUEST),
    Route("access-requests-api:identity-search", REQUEST, ("child",), {"q": "Ellie Marsh"}),
    Route("access-requests-api:subject-list", REQUEST),
    Route("access-requests-api:subject-detail", ("request", "subject")),
    Route("access-requests-api:request-collect", REQUEST),
    Route("access-requests-api:request-submit", REQUEST),
    Route("access-requests-api:request-approve", REQUEST),
    Route("access-requests-api:request-return", REQUEST),
    Route("access-requests-api:request-close", REQUEST),
    Route("access-requests-api:request-correction", REQUEST),
    Route("access-requests-api:request-disagreement", REQUEST),
    Route("access-requests-api:request-export", REQUEST),
    Route("access-requests-api:item-list", REQUEST, ("child",)),
    Route("access-requests-api:item-detail", ITEM, ("child",)),
    Route("access-requests-api:item-review", ITEM),
    Route("access-requests-api:redaction-add", ITEM),
    Route("access-requests-api:redaction-decide", ("request", "item", "redaction")),
    Route("access-requests-api:item-consultation", ITEM),
    Route("access-requests-api:bundle-list", REQUEST),
    Route("access-requests-api:bundle-detail", BUNDLE),
    Route("access-requests-api:bundle-download", BUNDLE, ("child",)),
    Route("access-requests-api:bundle-link", BUNDLE),
)
ROUTES = ENDPOINTS


def test_every_route_is_listed() -> None:
    names = {
        name
        for name in _route_names(get_resolver().url_patterns)
        if name.split(":")[0] in NAMESPACES
    }
    listed = {route.name for route in ROUTES}
    assert len(listed) == len(ROUTES), "a route is listed twice"
    assert names - listed - ADMIN_ONLY == set(), "routes missing from the walk"
    assert listed - names == set(), "listed routes that no longer exist"


@dataclass
class World:
    people: dict[str, Any]
    ids: dict[str, Any]


@pytest.fixture
def world(
    records_officer, second_officer, council, child_file, django_capture_on_commit_callbacks
) -> World:
    officer = records_officer
    request = log_request(officer, council)
    services.access_request_assign(actor=officer, request=request, officer=officer)
    link = services.access_request_subject_link(
        actor=officer, request=request, person=child_file.child
    )
    services.access_request_collect(actor=officer, request=request)
    redaction_row = None
    for item in CollectedItem.objects.filter(request=request):
        proposals = list(item.redactions.filter(status=Redaction.Status.PROPOSED))
        for row in proposals:
            services.redaction_decide(actor=officer, redaction_row=row, accept=True)
            redaction_row = row
        services.collected_item_review(
            actor=officer, item=item, decision=Decision.REDACT if proposals else Decision.DISCLOSE
        )
    contact = CollectedItem.objects.get(request=request, title="Home visit")
    services.access_request_submit_for_approval(actor=officer, request=request)
    services.access_request_approve(actor=second_officer, request=request)
    with django_capture_on_commit_callbacks(execute=False):
        bundle = services.bundle_request(actor=officer, request=request)
    bundle = bundle_build(bundle_id=bundle.pk)
    assert bundle is not None
    download, _token = services.download_link_create(
        actor=officer, bundle=bundle, recipient_name="Ellie Marsh", recipient_email="e@example.com"
    )
    document = services.access_request_document_add(
        actor=officer,
        request=request,
        kind="identity",
        upload=SimpleUploadedFile("passport.pdf", TINY_PDF, content_type="application/pdf"),
    )
    complaint = services.complaint_log(
        actor=officer,
        organisation=council,
        channel="email",
        received_on=request.received_on,
        person=child_file.mother,
        complainant_name="Dawn Kettering",
        description="My number was passed on.",
    )
    assert redaction_row is not None
    return World(
        people={"child": child_file.child, "mother": child_file.mother},
        ids={
            "request": request.public_id,
            "item": contact.public_id,
            "redaction": redaction_row.public_id,
            "bundle": bundle.public_id,
            "link": download.public_id,
            "document": document.public_id,
            "complaint": complaint.public_id,
            "subject": link.public_id,
        },
    )


def _url(world: World, route: Route) -> str:
    return reverse(route.name, args=[world.ids[key] for key in route.args])


def _client(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def strangers(practitioner, manager, guardian, admin_user, other_council) -> dict[str, Any]:
    team = Team.objects.create(
        name="Brambley records", service="records_access", organisation=other_council
    )
    return {
        "practitioner": practitioner,
        "manager": manager,
        "guardian": guardian,
        "admin": admin_user,
        "other council's officer": staff_member(
            role=Role.RECORDS_ACCESS_OFFICER, team=team, username="otto"
        ),
    }


def test_nobody_but_the_records_team_finds_anything(world: World, strangers) -> None:
    wrong = []
    for label, user in strangers.items():
        client = _client(user)
        for route in ROUTES:
            url = _url(world, route)
            answers = {
                method: getattr(client, method)(url).status_code
                for method in ("get", "post", "delete")
            }
            if label == "other council's officer":
                # An officer sees their own council's lists (empty here), and the API tells them
                # which methods an endpoint takes; this council's requests stay missing.
                if not route.args:
                    continue
                if set(answers.values()) - {404, 405} or 404 not in answers.values():
                    wrong.append(f"{label} {route.name}: {answers}")
                continue
            for method, status in answers.items():
                if status != 404:
                    wrong.append(f"{label} {method.upper()} {route.name}: {status}")
    anonymous = _client(None)
    for route in ROUTES:
        status = anonymous.get(_url(world, route)).status_code
        if status not in (401, 403):
            wrong.append(f"anonymous GET {route.name}: {status}")
    assert wrong == [], "\n".join(wrong)


def test_every_read_names_exactly_the_people_shown(world: World, records_officer) -> None:
    client = _client(records_officer)
    wrong = []
    for route in ROUTES:
        response = client.get(_url(world, route), route.params or {})
        if response.status_code not in (200, 405):
            wrong.append(f"{route.name}: {response.status_code}")
            continue
        reads = list(
            AuditEvent.objects.filter(request_id=response["X-Request-ID"], action=Action.READ)
        )
        named = {
            pk
            for event in reads
            for pk in AuditEventSubject.objects.filter(event_id=event.pk).values_list(
                "person_id", flat=True
            )
        }
        expected = {world.people[key].pk for key in route.shows or ()}
        if named != expected:
            wrong.append(f"{route.name}: named {sorted(named)}, expected {sorted(expected)}")
        if any(event.purpose != Purpose.ACCESS_REQUEST for event in reads if named):
            wrong.append(f"{route.name}: a read without the access-request purpose")
    assert wrong == [], "\n".join(wrong)
