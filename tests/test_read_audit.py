"""Every page and API endpoint that shows people's records writes one read event for the
request, naming exactly the people it shows, or the response is not sent.

The walk requests each route as a permitted user (the allocated worker, or the team manager
where only a manager may open it) and matches the event to the request by its X-Request-ID.
It fails if a records route is neither walked nor on the short list of routes that show no
one's record."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from accounts.models import Team, User
from audit.models import Action, AuditEvent, AuditEventSubject, Purpose
from records import selectors, services
from records.models import Person
from records.tests.factories import (
    PersonFactory,
    document_plan_and_assessment,
    open_case,
    synthetic_nhs_number,
)

pytestmark = pytest.mark.django_db

BREAK_GLASS_REASON = "Police called out of hours about the child's safety."


@dataclass(frozen=True)
class Read:
    """One request that shows people's records, and the people it must name."""

    name: str
    args: tuple[str, ...]  # which objects' ids the URL takes
    subjects: tuple[str, ...]  # which people the event must name, exactly
    user: str = "amy"  # amy is allocated to the cases; cara manages the team
    params: dict[str, str] = field(default_factory=dict)  # "NHS" and "HISTORIC" are filled in


PAGES = (
    # The person page names the relatives it lists and the person of each case they are part of.
    Read("records:person-detail", ("child",), ("child", "mother", "sibling")),
    Read("records:chronology", ("child",), ("child",)),
    Read("records:case-detail", ("case",), ("child", "mother")),
    Read("records:item-detail", ("note",), ("child", "mother")),
    Read("records:document-download", ("document",), ("child",)),
    Read("records:caseload", (), ("child", "sibling")),
    Read("records:team-detail", ("team",), ("child", "sibling")),
    Read("records:person-search", (), ("child",), params={"q": "NHS"}),
    Read("records:historic-search", (), (), user="dan", params={"q": "HISTORIC"}),
    # Forms show the person (caption, initial values, the case's people as choices).
    Read("records:person-edit", ("child",), ("child",)),
    Read("records:person-name-add", ("child",), ("child",)),
    Read("records:address-add", ("child",), ("child",)),
    Read("records:phone-add", ("child",), ("child",)),
    Read("records:email-add", ("child",), ("child",)),
    Read("records:alert-add", ("child",), ("child",)),
    Read("records:related-person-add", ("child",), ("child",)),
    Read("records:relationship-link", ("child",), ("child", "mother", "sibling")),
    Read("records:case-open", ("child",), ("child",)),
    Read("records:person-restrict", ("child",), ("child",), user="cara"),
    Read("records:named-access", ("child",), ("child",), user="cara"),
    Read("records:contact-create", ("case",), ("child", "mother")),
    Read("records:note-create", ("case",), ("child", "mother")),
    Read("records:information-create", ("case",), ("child", "mother")),
    Read("records:assessment-create", ("case",), ("child",)),
    Read("records:plan-create", ("case",), ("child",)),
    Read("records:document-create", ("case",), ("child",)),
    Read("records:case-allocate", ("case",), ("child",), user="cara"),
    Read("records:allocation-end", ("case", "allocation"), ("child",), user="cara"),
    Read("records:case-close", ("case",), ("child",), user="cara"),
    Read("records:case-transfer", ("case",), ("child",), user="cara"),
    Read("records:item-amend", ("note",), ("child",)),
    Read("records:item-entered-in-error", ("note",), ("child",), user="cara"),
    Read("records:disagreement-add", ("note",), ("child",)),
    Read("records:review-create", ("plan",), ("child",)),
    Read("records:assessment-return", ("assessment",), ("child",), user="cara"),
)

ENDPOINTS = (
    Read("records-api:person-list", (), ("child",), params={"q": "NHS"}),
    Read("records-api:person-detail", ("child",), ("child",)),
    Read("records-api:person-relationships", ("child",), ("child", "mother")),
    Read("records-api:person-cases", ("child",), ("child",)),
    Read("records-api:person-chronology", ("child",), ("child",)),
    Read("records-api:case-detail", ("case",), ("child",)),
    Read("records-api:case-allocations", ("case",), ("child",)),
    Read("records-api:item-detail", ("note",), ("child", "mother")),
    Read("records-api:document-download", ("document",), ("child",)),
)

# Reviewed: routes that show no one's record, so write no read event.
SHOW_NO_RECORD = {
    # Blank forms; shown again, they hold only what the user typed. A refused break-glass
    # request is recorded (test_a_refused_break_glass_request_is_recorded).
    "records:person-create",
    "records:break-glass",
    "records:historic-add",
    # Team names only.
    "records:team-list",
    # POST only: they write (the service records its own event) and redirect.
    "records:assessment-submit",
    "records:assessment-authorise",
    # API writes (POST only): the service's event names the people written about.
    "records-api:case-list",
    "records-api:case-contacts",
    "records-api:case-notes",
    "records-api:case-assessments",
    "records-api:case-plans",
    "records-api:case-documents",
    "records-api:case-information-received",
    "records-api:allocation-end",
    "records-api:item-amend",
    "records-api:item-entered-in-error",
    "records-api:item-disagreements",
    "records-api:item-submit",
    "records-api:item-authorise",
    "records-api:item-reviews",
}
WALKED_NAMESPACES = ("records", "records-api")


def _route_names(patterns: Any, namespace: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _route_names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_records_route_is_walked_or_shows_no_record() -> None:
    names = {
        name
        for name in _route_names(get_resolver().url_patterns)
        if name.split(":")[0] in WALKED_NAMESPACES
    }
    walked = {read.name for read in PAGES + ENDPOINTS}
    assert len(walked) == len(PAGES + ENDPOINTS), "a route is walked twice"
    assert not walked & SHOW_NO_RECORD
    assert names - walked - SHOW_NO_RECORD == set(), "routes not walked by the read audit test"
    assert (walked | SHOW_NO_RECORD) - names == set(), "listed routes that no longer exist"


# --- The world -----------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    people: dict[str, Person]
    ids: dict[str, Any]
    nhs_number: str
    historic_name: str


@pytest.fixture
def world(team_north: Team, practitioner: User, manager: User, records_officer: User) -> World:
    nhs_number = synthetic_nhs_number()
    case = open_case(team=team_north, worker=practitioner, manager=manager, nhs_number=nhs_number)
    child = case.person
    made = PersonFactory.build()
    mother, _ = services.related_person_create(
        actor=practitioner,
        case=case,
        details={"first_name": made.first_name, "last_name": made.last_name},
        kind="mother",
    )
    # The child takes part in a sibling's case, so the child's page names the sibling.
    sibling_case = open_case(team=team_north, worker=practitioner, manager=manager)
    services.case_participant_add(actor=practitioner, case=sibling_case, person=child)
    note = services.note_record(
        actor=practitioner, case=case, title="Visit", body="Seen at home.", mentioned=[mother]
    )
    document, plan, assessment = document_plan_and_assessment(
        actor=practitioner, case=case, body="Weekly visits."
    )
    historic = PersonFactory.build()
    services.historic_record_add(
        actor=records_officer,
        first_name=historic.first_name,
        last_name=historic.last_name,
        service="childrens_social_care",
        box_reference="B-0042",
        location="Offsite store",
    )
    return World(
        users={"amy": practitioner, "cara": manager, "dan": records_officer},
        people={"child": child, "mother": mother, "sibling": sibling_case.person},
        ids={
            "child": child.public_id,
            "case": case.public_id,
            "allocation": case.allocations.get().public_id,
            "note": note.public_id,
            "document": document.public_id,
            "plan": plan.public_id,
            "assessment": assessment.public_id,
            "team": team_north.public_id,
        },
        nhs_number=nhs_number,
        historic_name=historic.last_name,
    )


def _events(response: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(request_id=response["X-Request-ID"]).order_by("id"))


def _the_read(response: Any) -> AuditEvent:
    """The request's one event, which must be a read."""
    events = _events(response)
    assert [event.action for event in events] == [Action.READ]
    return events[0]


def _pks(world: World, keys: tuple[str, ...]) -> list[int]:
    return sorted(world.people[key].pk for key in keys)


def _params(world: World, read: Read) -> dict[str, str]:
    fill = {"NHS": world.nhs_number, "HISTORIC": world.historic_name}
    return {key: fill.get(value, value) for key, value in read.params.items()}


def _problems(world: World, read: Read, response: Any, url: str) -> list[str]:
    if response.status_code != 200:
        return [f"{read.name}: answered {response.status_code}"]
    events = _events(response)
    if [event.action for event in events] != [Action.READ]:
        return [f"{read.name}: wrote {[e.action for e in events]}, not one read"]
    event = events[0]
    user = world.users[read.user]
    problems = []
    expected = _pks(world, read.subjects)
    if event.subject_id_list != expected:
        problems.append(f"{read.name}: named {event.subject_id_list}, expected {expected}")
    indexed = sorted(
        AuditEventSubject.objects.filter(event_id=event.pk).values_list("person_id", flat=True)
    )
    if indexed != expected:
        problems.append(f"{read.name}: subject index {indexed}, expected {expected}")
    if event.actor_id != user.pk:
        problems.append(f"{read.name}: actor {event.actor_id}, expected {user.pk}")
    if event.path != url:
        problems.append(f"{read.name}: path {event.path!r}, expected {url!r}")
    if event.purpose != Purpose.NORMAL:
        problems.append(f"{read.name}: purpose {event.purpose}")
    sealed = " ".join([event.summary, event.object_type, event.object_id])
    for person in world.people.values():
        if person.last_name in sealed:
            problems.append(f"{read.name}: a name in the sealed part: {sealed!r}")
    query = _params(world, read).get("q")
    if query is not None and event.personal.get("query") != query:
        problems.append(f"{read.name}: query {event.personal!r}, expected {query!r}")
    return problems


def _read_through(response: Any) -> None:
    """Send a download to the end, as a browser would."""
    if response.streaming:
        b"".join(response.streaming_content)


def _url(world: World, read: Read) -> str:
    return reverse(read.name, args=[world.ids[key] for key in read.args])


def test_every_page_writes_its_read_event_naming_the_people_it_shows(client, world) -> None:
    problems = []
    for read in PAGES:
        client.force_login(world.users[read.user])
        url = _url(world, read)
        response = client.get(url, _params(world, read))
        _read_through(response)
        problems += _problems(world, read, response, url)
    assert problems == []


def test_every_endpoint_writes_its_read_event_naming_the_people_it_shows(world) -> None:
    problems = []
    for read in ENDPOINTS:
        client = APIClient()
        client.force_authenticate(world.users[read.user])
        url = _url(world, read)
        response = client.get(url, _params(world, read))
        _read_through(response)
        problems += _problems(world, read, response, url)
    assert problems == []


# --- Purposes ------------------------------------------------------------------------------


@pytest.fixture
def ben_broke_glass(world: World, other_practitioner: User) -> User:
    services.break_glass_open(
        actor=other_practitioner, person=world.people["child"], reason=BREAK_GLASS_REASON
    )
    return other_practitioner


def test_a_break_glass_read_carries_its_purpose_and_reason(client, world, ben_broke_glass):
    client.force_login(ben_broke_glass)
    url = reverse("records:person-detail", args=[world.ids["child"]])
    response = client.get(url)
    assert response.status_code == 200
    event = _the_read(response)
    assert event.purpose == Purpose.BREAK_GLASS
    assert event.personal["reason"] == BREAK_GLASS_REASON
    assert event.actor_id == ben_broke_glass.pk
    # Everything on a page opened by break-glass is read under it, relatives included.
    assert event.subject_id_list == _pks(world, ("child", "mother"))
    api = APIClient()
    api.force_authenticate(ben_broke_glass)
    response = api.get(reverse("records-api:person-chronology", args=[world.ids["child"]]))
    assert response.status_code == 200
    event = _the_read(response)
    assert event.purpose == Purpose.BREAK_GLASS
    assert event.personal["reason"] == BREAK_GLASS_REASON
    assert event.subject_id_list == _pks(world, ("child",))


def test_a_refused_break_glass_request_is_recorded(client, world, other_practitioner):
    child = world.people["child"]
    client.force_login(other_practitioner)
    response = client.post(
        reverse("records:break-glass"),
        {"nhs_number": world.nhs_number, "reason": "Urgent"},  # too short a reason
    )
    assert response.status_code == 200
    event = _the_read(response)
    assert event.purpose == Purpose.BREAK_GLASS
    assert event.subject_id_list == [child.pk]
    assert event.personal["reason"] == "Urgent"
    assert not selectors.person_list_for_user(user=other_practitioner).filter(pk=child.pk).exists()


# --- Searches ------------------------------------------------------------------------------


@pytest.fixture
def namesakes(world: World, team_north: Team, practitioner: User, manager: User) -> list[Person]:
    """The child and two more people of the same surname on amy's caseload."""
    child = world.people["child"]
    others = [
        open_case(
            team=team_north, worker=practitioner, manager=manager, last_name=child.last_name
        ).person
        for _ in range(2)
    ]
    return [child, *others]


def test_a_search_names_every_person_it_finds(client, world, namesakes):
    amy = world.users["amy"]
    query = namesakes[0].last_name
    found = {r.person.pk for r in selectors.person_search_for_user(user=amy, query=query)}
    assert {p.pk for p in namesakes} <= found
    client.force_login(amy)
    response = client.get(reverse("records:person-search"), {"q": query})
    assert response.status_code == 200
    event = _the_read(response)
    assert event.summary == "Searched for people"
    assert set(event.subject_id_list) == found
    assert event.personal == {"query": query}
    assert query not in event.summary


def test_an_api_search_names_the_people_on_the_page_it_returns(world, namesakes):
    api = APIClient()
    api.force_authenticate(world.users["amy"])
    query = namesakes[0].last_name
    response = api.get(reverse("records-api:person-list"), {"q": query, "page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 3
    on_page = [row["person"]["id"] for row in body["results"]]
    assert len(on_page) == 2
    event = _the_read(response)
    expected = sorted(Person.objects.filter(public_id__in=on_page).values_list("pk", flat=True))
    assert event.subject_id_list == expected
    assert event.personal["query"] == query


def test_a_search_that_finds_nobody_is_still_recorded(client, world):
    client.force_login(world.users["amy"])
    response = client.get(reverse("records:person-search"), {"q": "Xqzvwy Jjkqq"})
    assert response.status_code == 200
    assert "0 results" in response.content.decode()
    event = _the_read(response)
    assert event.subject_id_list == []
    assert event.personal == {"query": "Xqzvwy Jjkqq"}


def test_a_historic_index_search_records_the_entries_it_listed(client, world):
    client.force_login(world.users["dan"])
    response = client.get(reverse("records:historic-search"), {"q": world.historic_name})
    assert response.status_code == 200
    assert escape(world.historic_name) in response.content.decode()
    event = _the_read(response)
    assert event.subject_id_list == []
    assert event.personal["query"] == world.historic_name
    assert len(event.personal["historic_records"]) == 1


# --- Forms ---------------------------------------------------------------------------------


def test_a_form_shown_again_with_errors_is_a_read_and_a_saved_one_is_not(client, world):
    client.force_login(world.users["amy"])
    url = reverse("records:note-create", args=[world.ids["case"]])
    response = client.post(url, {"title": "", "body": ""})
    assert response.status_code == 200
    assert _the_read(response).subject_id_list == _pks(world, ("child", "mother"))
    response = client.post(url, {"title": "Call", "body": "Rang school.", "note_type": "case_note"})
    assert response.status_code == 302
    assert [event.action for event in _events(response)] == [Action.CREATE]


# --- Nothing shown, nothing read -----------------------------------------------------------


def test_a_page_that_is_not_found_writes_no_read_event(client, world, other_practitioner):
    client.force_login(world.users["amy"])
    response = client.get(
        reverse("records:person-detail", args=["5b0c2d4e-0000-4000-8000-000000000001"])
    )
    assert response.status_code == 404
    assert _events(response) == []
    # ben may not see the child: the same 404, and nothing recorded as read.
    client.force_login(other_practitioner)
    response = client.get(reverse("records:person-detail", args=[world.ids["child"]]))
    assert response.status_code == 404
    assert _events(response) == []
    api = APIClient()
    api.force_authenticate(other_practitioner)
    response = api.get(reverse("records-api:item-detail", args=[world.ids["note"]]))
    assert response.status_code == 404
    assert _events(response) == []


# --- If the audit write fails, the response fails --------------------------------------------


@contextlib.contextmanager
def audit_store_refusing_inserts() -> Iterator[None]:
    """Every insert into the audit store fails, as a full disk or a lost connection would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_audit_insert() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse_audit_insert BEFORE INSERT ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_audit_insert()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_refuse_audit_insert ON audit_auditevent")
            cursor.execute("DROP FUNCTION test_refuse_audit_insert()")


def test_if_the_read_event_cannot_be_written_the_page_is_not_sent(client, world):
    child = world.people["child"]
    client.force_login(world.users["amy"])  # signing in is audited too: before the failure
    before = AuditEvent.objects.count()
    with audit_store_refusing_inserts():
        for name in ("records:person-detail", "records:chronology"):
            response = client.get(reverse(name, args=[world.ids["child"]]))
            assert response.status_code == 500
            body = response.content.decode()
            assert escape(child.last_name) not in body
            assert child.last_name not in body
            assert str(world.ids["child"]) not in body
        response = client.get(reverse("records:document-download", args=[world.ids["document"]]))
        assert response.status_code == 500
        assert not response.streaming
        assert b"%PDF" not in response.content
    assert AuditEvent.objects.count() == before


def test_if_the_read_event_cannot_be_written_the_api_answers_500(world):
    child = world.people["child"]
    api = APIClient()
    api.force_authenticate(world.users["amy"])
    with audit_store_refusing_inserts():
        response = api.get(reverse("records-api:person-detail", args=[world.ids["child"]]))
        assert response.status_code == 500
        assert response["Content-Type"].startswith("application/json")
        assert set(json.loads(response.content)) == {"detail"}
        assert child.last_name not in response.content.decode()
        assert str(world.ids["child"]) not in response.content.decode()
        response = api.get(reverse("records-api:document-download", args=[world.ids["document"]]))
        assert response.status_code == 500
        assert b"%PDF" not in response.content
