"""The case-records API under /api/v1/: for each endpoint the stranger (404, the same body as a
missing id), the reader who may see but not change (403), bad input (400 with field errors and
nothing saved), the anonymous caller (401) and the happy path with the shape of the answer.

Personas (conftest.py): amy works the case in Team North, cara manages Team North, ben works in
Team South and sees nothing of Team North. ``reader`` is ben after opening amy's person under
break-glass: he may read their record but not change it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import staff_member
from records import services
from records.models import (
    Allocation,
    Assessment,
    Case,
    CaseNote,
    Contact,
    Document,
    InformationReceived,
    Item,
    ItemRevision,
    Person,
    Plan,
    Relationship,
    Review,
)
from records.tests.factories import open_case, synthetic_nhs_number

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"records-api:{name}", kwargs=kwargs)


def client_for(user: Any) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_login(user)
    return api


def post(user: Any, path: str, body: Any = None) -> Any:
    return client_for(user).post(path, body or {}, format="json")


def get(user: Any, path: str, **params: Any) -> Any:
    return client_for(user).get(path, params)


def upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _an_afternoon_in_june():
    """Dates in these tests are relative to "now"; pin it away from midnight and 9am."""
    with time_machine.travel(datetime(2025, 6, 11, 14, 30, tzinfo=LONDON), tick=True):
        yield


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents"), "base_url": None},
        },
    }


@pytest.fixture
def person(case_north: Case) -> Person:
    return case_north.person


@pytest.fixture
def reader(other_practitioner, person):
    """ben, who has opened amy's person under break-glass: sees, may not change."""
    services.break_glass_open(
        actor=other_practitioner, person=person, reason="Police called out of hours about them"
    )
    return type(other_practitioner).objects.get(pk=other_practitioner.pk)


@pytest.fixture
def colleague(team_north):
    """Another practitioner in Team North: sees the team's cases, did not write amy's notes."""
    return staff_member(role=Role.PRACTITIONER, team=team_north, username="gus")


@pytest.fixture
def note(case_north, practitioner) -> CaseNote:
    return services.note_record(
        actor=practitioner, case=case_north, title="Home visit follow-up", body="All well."
    )


@pytest.fixture
def assessment(case_north, practitioner) -> Assessment:
    return services.assessment_start(
        actor=practitioner,
        case=case_north,
        assessment_type="child_and_family",
        sections=[{"heading": "Child's needs", "text": "Settled at school."}],
    )


@pytest.fixture
def plan(case_north, practitioner) -> Plan:
    today = timezone.localdate()
    return services.plan_record(
        actor=practitioner,
        case=case_north,
        plan_type="child_in_need",
        starts_on=today - timedelta(days=10),
        next_review_on=today + timedelta(days=80),
        body="Weekly visits; school attendance support.",
    )


@pytest.fixture
def document(case_north, practitioner) -> Document:
    return services.document_upload(
        actor=practitioner,
        case=case_north,
        file=upload("Letter from school.pdf", PDF),
        document_type="letter",
        title="Letter from school",
    )


def one_hour_ago() -> str:
    return (timezone.now() - timedelta(hours=1)).isoformat()


def tomorrow() -> str:
    return (timezone.now() + timedelta(days=1)).isoformat()


# --- Hidden and missing are the same ---------------------------------------------------------


def _id_routes(case, person, note, plan, assessment, document, allocation):
    """Every route that names something, with a body the happy path would accept."""
    return [
        ("get", url("person-detail", person_id=person.public_id), None),
        ("patch", url("person-detail", person_id=person.public_id), {"preferred_name": "Jo"}),
        ("get", url("person-relationships", person_id=person.public_id), None),
        ("post", url("person-relationships", person_id=person.public_id), {"kind": "sibling"}),
        ("get", url("person-cases", person_id=person.public_id), None),
        ("get", url("person-chronology", person_id=person.public_id), None),
        ("get", url("case-detail", case_id=case.public_id), None),
        ("get", url("case-allocations", case_id=case.public_id), None),
        ("post", url("case-allocations", case_id=case.public_id), {"worker": str(uuid.uuid4())}),
        ("post", url("case-contacts", case_id=case.public_id), {"body": "x"}),
        ("post", url("case-notes", case_id=case.public_id), {"body": "x", "title": "x"}),
        ("post", url("case-assessments", case_id=case.public_id), {}),
        ("post", url("case-plans", case_id=case.public_id), {}),
        ("post", url("case-information-received", case_id=case.public_id), {}),
        ("post", url("allocation-end", allocation_id=allocation.public_id), {}),
        ("get", url("item-detail", item_id=note.public_id), None),
        ("post", url("item-amend", item_id=note.public_id), {"reason": "x", "changes": {}}),
        ("post", url("item-entered-in-error", item_id=note.public_id), {"reason": "x"}),
        ("post", url("item-disagreements", item_id=note.public_id), {}),
        ("post", url("item-submit", item_id=assessment.public_id), None),
        ("post", url("item-authorise", item_id=assessment.public_id), None),
        ("post", url("item-reviews", item_id=plan.public_id), {}),
        ("get", url("document-download", item_id=document.public_id), None),
    ]


def _with_random_ids(path: str) -> str:
    """The same route with every id replaced by one that exists nowhere."""
    parts = path.split("/")
    for index, part in enumerate(parts):
        try:
            uuid.UUID(part)
        except ValueError:
            continue
        parts[index] = str(uuid.uuid4())
    return "/".join(parts)


def test_a_stranger_gets_the_same_404_as_for_a_missing_id(
    other_practitioner, case_north, person, note, plan, assessment, document
) -> None:
    allocation = case_north.allocations.get()
    api = client_for(other_practitioner)
    routes = _id_routes(case_north, person, note, plan, assessment, document, allocation)
    for method, path, body in routes:
        hidden = getattr(api, method)(path, body, format="json")
        missing = getattr(api, method)(_with_random_ids(path), body, format="json")
        assert (hidden.status_code, missing.status_code) == (404, 404), (method, path)
        assert hidden.json() == missing.json() == NOT_FOUND, (method, path)
    # Multipart on the upload endpoint, too.
    for path in (
        url("case-documents", case_id=case_north.public_id),
        url("case-documents", case_id=uuid.uuid4()),
    ):
        response = api.post(path, {"file": upload("a.pdf", PDF), "document_type": "letter"})
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert Item.objects.count() == 4  # the fixtures' items, nothing more


def test_anonymous_callers_are_asked_to_sign_in(
    case_north, person, note, plan, assessment, document
) -> None:
    allocation = case_north.allocations.get()
    routes = _id_routes(case_north, person, note, plan, assessment, document, allocation)
    routes += [
        ("get", url("person-list"), None),
        ("post", url("person-list"), {}),
        ("post", url("case-list"), {}),
        ("post", url("case-documents", case_id=case_north.public_id), {}),
    ]
    api = APIClient()
    for method, path, body in routes:
        response = getattr(api, method)(path, body, format="json")
        assert response.status_code == 401, (method, path)
        assert "detail" in response.json()
        assert response["WWW-Authenticate"] == "Bearer"


def test_a_non_uuid_id_is_a_404_not_a_500(practitioner) -> None:
    response = get(practitioner, "/api/v1/people/1/")
    assert response.status_code == 404


# --- People: search --------------------------------------------------------------------------


def test_search_finds_a_misspelt_name_among_the_people_i_may_see(team_north, practitioner):
    case = open_case(team=team_north, worker=practitioner, first_name="Jayden", last_name="Okonkwo")
    response = get(practitioner, url("person-list"), q="Jaden Okonkow")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 1
    first = body["results"][0]
    assert first["person"]["id"] == str(case.person.public_id)
    assert first["person"]["full_name"] == "Jayden Okonkwo"
    assert set(first) == {"person", "matched_name", "score"}
    assert "pk" not in first["person"]


def test_search_by_nhs_number_and_by_date_of_birth(team_north, practitioner):
    nhs = synthetic_nhs_number()
    case = open_case(team=team_north, worker=practitioner, nhs_number=nhs)
    spaced = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
    by_number = get(practitioner, url("person-list"), q=spaced).json()
    assert [r["person"]["id"] for r in by_number["results"]] == [str(case.person.public_id)]
    by_birth = get(
        practitioner, url("person-list"), date_of_birth=case.person.date_of_birth.isoformat()
    ).json()
    assert str(case.person.public_id) in {r["person"]["id"] for r in by_birth["results"]}


def test_search_never_shows_a_stranger_someone_they_may_not_see(person, other_practitioner):
    response = get(other_practitioner, url("person-list"), q=person.full_name)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_search_with_a_bad_date_is_a_field_error(practitioner):
    response = get(practitioner, url("person-list"), date_of_birth="31/02/2020")
    assert response.status_code == 400
    assert "date_of_birth" in response.json()


def test_search_pages_are_capped(practitioner):
    response = get(practitioner, url("person-list"), q="x", page_size=500)
    assert response.status_code == 200
    assert set(response.json()) == {"count", "next", "previous", "results"}


# --- People: create --------------------------------------------------------------------------


def _new_person(owner, **overrides: Any) -> dict[str, Any]:
    return {
        "first_name": "Maya",
        "last_name": "Fenwick",
        "date_of_birth": "2015-03-02",
        "gender": "female",
        "team": str(owner.public_id),
        "category": "child_in_need",
        "referral_reason": "School concerned about attendance",
        **overrides,
    }


def test_create_person_opens_their_first_case_allocated_to_me(practitioner, team_north):
    nhs = synthetic_nhs_number()
    response = post(practitioner, url("person-list"), _new_person(team_north, nhs_number=nhs))
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"person", "case"}
    assert body["person"]["full_name"] == "Maya Fenwick"
    assert body["person"]["nhs_number"] == nhs
    assert body["person"]["names"] == [
        {
            "kind": "current",
            "first_name": "Maya",
            "last_name": "Fenwick",
            "used_from": None,
            "used_to": None,
        }
    ]
    assert body["case"]["team"]["id"] == str(team_north.public_id)
    assert body["case"]["category"] == "child_in_need"
    case = Case.objects.get(public_id=body["case"]["id"])
    assert case.allocations.get().worker == practitioner
    assert (
        get(practitioner, url("person-detail", person_id=body["person"]["id"])).status_code == 200
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nhs_number": "943 476 5918"}, "nhs_number"),  # check digit wrong
        ({"date_of_birth": "2015-03-02", "date_of_death": "2014-01-01"}, "date_of_death"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"ni_number": "QQ123456Z"}, "ni_number"),
        ({"last_name": ""}, "last_name"),
        ({"category": "adult_care"}, "category"),  # not a service Team North provides
        ({"category": "nonsense"}, "category"),
        ({"team": "not-a-uuid"}, "team"),
    ],
)
def test_create_person_with_bad_details_saves_nothing(practitioner, team_north, overrides, field):
    before = Person.objects.count(), Case.objects.count()
    response = post(practitioner, url("person-list"), _new_person(team_north, **overrides))
    assert response.status_code == 400
    assert field in response.json()
    assert (Person.objects.count(), Case.objects.count()) == before


def test_create_person_in_another_teams_name_is_a_field_error(practitioner, team_south):
    response = post(practitioner, url("person-list"), _new_person(team_south))
    assert response.status_code == 400
    assert "team" in response.json()
    assert not Person.objects.filter(last_name="Fenwick").exists()


def test_create_person_takes_json_only(practitioner, team_north):
    response = client_for(practitioner).post(url("person-list"), _new_person(team_north))
    assert response.status_code == 415


# --- People: detail and correction -----------------------------------------------------------


def test_person_detail_shows_names_contacts_alerts_and_identifiers(practitioner, person):
    services.address_add(
        actor=practitioner, person=person, line_1="1 Mill Lane", town="Ashdown", postcode="as1 2bc"
    )
    services.phone_add(actor=practitioner, person=person, number="07700 900123", label="Mobile")
    services.email_add(actor=practitioner, person=person, email="carer@example.invalid")
    services.alert_add(
        actor=practitioner, person=person, kind="risk_to_staff", description="Dog at the house"
    )
    response = get(practitioner, url("person-detail", person_id=person.public_id))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(person.public_id)
    assert body["is_restricted"] is False
    assert {"nhs_number", "ni_number", "upn", "date_of_birth", "age"} <= set(body)
    assert body["addresses"][0]["postcode"] == "AS1 2BC"
    assert body["addresses"][0]["is_current"] is True
    assert body["phones"] == [{"number": "07700 900123", "label": "Mobile"}]
    assert body["emails"][0]["email"] == "carer@example.invalid"
    assert body["alerts"][0]["kind"] == "risk_to_staff"
    assert body["names"][0]["kind"] == "current"


def test_a_reader_sees_the_person_but_may_not_correct_them(reader, person):
    assert get(reader, url("person-detail", person_id=person.public_id)).status_code == 200
    response = client_for(reader).patch(
        url("person-detail", person_id=person.public_id), {"preferred_name": "Jo"}, format="json"
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.preferred_name == ""


def test_correct_a_persons_details(practitioner, person):
    nhs = synthetic_nhs_number()
    response = client_for(practitioner).patch(
        url("person-detail", person_id=person.public_id),
        {"preferred_name": "Jo", "nhs_number": f"{nhs[:3]}-{nhs[3:6]}-{nhs[6:]}"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["preferred_name"] == "Jo"
    assert response.json()["nhs_number"] == nhs
    person.refresh_from_db()
    assert (person.preferred_name, person.nhs_number) == ("Jo", nhs)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nhs_number": "9434765918"}, "nhs_number"),
        ({"date_of_death": "1990-01-01"}, "date_of_death"),
        ({"first_name": ""}, "first_name"),
        ({"gender": "unknown-value"}, "gender"),
    ],
)
def test_correcting_with_bad_details_changes_nothing(practitioner, person, change, field):
    before = Person.objects.values().get(pk=person.pk)
    response = client_for(practitioner).patch(
        url("person-detail", person_id=person.public_id), change, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Person.objects.values().get(pk=person.pk) == before


# --- Relationships ---------------------------------------------------------------------------


def test_relationships_both_ways_naming_only_those_i_may_not_open(
    practitioner, manager, case_north, case_south, person
):
    mother, _ = services.related_person_create(
        actor=practitioner,
        case=case_north,
        details={"first_name": "Lena", "last_name": "Fenwick"},
        kind="mother",
    )
    # Someone amy may not open (ben's case), recorded by whoever could see both.
    Relationship.objects.create(
        from_person=person, to_person=case_south.person, kind="sibling", created_by=manager
    )
    response = get(practitioner, url("person-relationships", person_id=person.public_id))
    assert response.status_code == 200
    rows = {row["other_person_name"]: row for row in response.json()["results"]}
    visible = rows["Lena Fenwick"]
    assert visible["label"] == "Mother"
    assert visible["other_visible"] is True
    assert visible["other_person_id"] == str(mother.public_id)
    hidden = rows[case_south.person.full_name]
    assert hidden["label"] == "Sibling"
    assert hidden["other_visible"] is False
    assert hidden["other_person_id"] is None
    # Seen from the mother's side, the label turns round.
    from_mother = get(practitioner, url("person-relationships", person_id=mother.public_id))
    assert from_mother.json()["results"][0]["label"] == "Child"


def test_record_a_relationship_to_someone_i_may_see(practitioner, team_north, person):
    brother = open_case(team=team_north, worker=practitioner).person
    response = post(
        practitioner,
        url("person-relationships", person_id=person.public_id),
        {"other_person": str(brother.public_id), "kind": "sibling"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["other_person_id"] == str(brother.public_id)
    assert body["label"] == "Sibling"
    assert Relationship.objects.get(public_id=body["id"]).from_person == brother


def test_inverse_relationship_reads_the_other_way(practitioner, team_north, person):
    child = open_case(team=team_north, worker=practitioner).person
    response = post(
        practitioner,
        url("person-relationships", person_id=person.public_id),
        {"other_person": str(child.public_id), "kind": "mother", "inverse": True},
    )
    assert response.status_code == 201
    assert response.json()["label"] == "Child"
    relationship = Relationship.objects.get(public_id=response.json()["id"])
    assert (relationship.from_person, relationship.to_person) == (person, child)


def test_relationship_to_someone_i_may_not_see_is_a_field_error(practitioner, person, case_south):
    response = post(
        practitioner,
        url("person-relationships", person_id=person.public_id),
        {"other_person": str(case_south.person.public_id), "kind": "sibling"},
    )
    assert response.status_code == 400
    assert "other_person" in response.json()
    assert not Relationship.objects.exists()


def test_relationship_bad_input(practitioner, person):
    path = url("person-relationships", person_id=person.public_id)
    assert "kind" in post(practitioner, path, {"other_person": str(person.public_id)}).json()
    itself = post(practitioner, path, {"other_person": str(person.public_id), "kind": "sibling"})
    assert itself.status_code == 400
    assert "other_person" in itself.json()
    assert not Relationship.objects.exists()


def test_a_reader_may_not_record_relationships(practitioner, reader, case_north, person):
    mother, _ = services.related_person_create(
        actor=practitioner,
        case=case_north,
        details={"first_name": "Lena", "last_name": "Fenwick"},
        kind="mother",
    )
    before = Relationship.objects.count()
    response = post(
        reader,
        url("person-relationships", person_id=person.public_id),
        {"other_person": str(mother.public_id), "kind": "aunt_uncle"},
    )
    # Break-glass opened the child only: the mother is not even someone the reader can name.
    assert response.status_code == 400
    assert "other_person" in response.json()
    assert Relationship.objects.count() == before


# --- Cases -----------------------------------------------------------------------------------


def test_a_persons_cases(practitioner, reader, person, case_north):
    response = get(practitioner, url("person-cases", person_id=person.public_id))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    case = body["results"][0]
    assert case["id"] == str(case_north.public_id)
    assert case["reference"] == case_north.reference
    assert case["person"] == {"id": str(person.public_id), "full_name": person.full_name}
    assert case["is_open"] is True
    assert get(reader, url("person-cases", person_id=person.public_id)).json()["count"] == 1


def test_case_detail(practitioner, case_north):
    response = get(practitioner, url("case-detail", case_id=case_north.public_id))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(case_north.public_id)
    assert body["team"]["name"] == "Children's Team North"
    assert body["service"] == "childrens_social_care"
    assert "pk" not in body


def test_open_another_case_for_someone_i_see(practitioner, team_north, person):
    response = post(
        practitioner,
        url("case-list"),
        {
            "person": str(person.public_id),
            "team": str(team_north.public_id),
            "category": "child_protection",
        },
    )
    assert response.status_code == 201
    assert response.json()["category"] == "child_protection"
    assert person.cases.count() == 2


@pytest.mark.parametrize(
    ("actor", "overrides", "field"),
    [
        ("other_practitioner", {}, "person"),  # may not see the person
        ("practitioner", {"team": "team_south"}, "team"),  # not a team amy works in
        ("practitioner", {"opened_on": "2999-01-01"}, "opened_on"),
        ("practitioner", {"category": "adult_care"}, "category"),
    ],
)
def test_open_case_bad_input_saves_nothing(request, person, team_north, actor, overrides, field):
    body = {
        "person": str(person.public_id),
        "team": str(team_north.public_id),
        "category": "child_protection",
        **overrides,
    }
    if body["team"] == "team_south":
        body["team"] = str(request.getfixturevalue("team_south").public_id)
    user = request.getfixturevalue(actor)
    before = Case.objects.count()
    response = post(user, url("case-list"), body)
    assert response.status_code == 400
    assert field in response.json()
    assert Case.objects.count() == before


# --- Allocations -----------------------------------------------------------------------------


def test_list_a_cases_allocations(practitioner, case_north):
    response = get(practitioner, url("case-allocations", case_id=case_north.public_id))
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["worker"] == {
        "id": str(practitioner.public_id),
        "full_name": practitioner.get_full_name(),
    }
    assert row["role"] == "lead"
    assert row["is_current"] is True
    assert row["case"]["id"] == str(case_north.public_id)


def test_a_manager_allocates_a_colleague(manager, colleague, case_north):
    response = post(
        manager,
        url("case-allocations", case_id=case_north.public_id),
        {"worker": str(colleague.public_id), "role": "co_worker"},
    )
    assert response.status_code == 201
    assert response.json()["worker"]["id"] == str(colleague.public_id)
    assert response.json()["allocated_by"]["id"] == str(manager.public_id)
    assert case_north.allocations.filter(worker=colleague, role="co_worker").exists()


def test_a_practitioner_may_not_allocate_someone_else(practitioner, colleague, case_north):
    response = post(
        practitioner,
        url("case-allocations", case_id=case_north.public_id),
        {"worker": str(colleague.public_id)},
    )
    assert response.status_code == 403
    assert not case_north.allocations.filter(worker=colleague).exists()


def test_a_reader_may_not_allocate(reader, case_north):
    response = post(
        reader,
        url("case-allocations", case_id=case_north.public_id),
        {"worker": str(reader.public_id)},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("worker", "extra", "field"),
    [
        ("nobody", {}, "worker"),
        ("guardian", {}, "worker"),  # no case-working role
        ("colleague", {"starts_on": "2999-01-01"}, "starts_on"),
        ("colleague", {"starts_on": "2024-05-02", "ends_on": "2024-05-01"}, "ends_on"),
        ("colleague", {"role": "boss"}, "role"),
        ("practitioner", {}, "worker"),  # already allocated
    ],
)
def test_allocation_bad_input_saves_nothing(request, manager, case_north, worker, extra, field):
    worker_id = (
        str(uuid.uuid4()) if worker == "nobody" else str(request.getfixturevalue(worker).public_id)
    )
    before = Allocation.objects.count()
    response = post(
        manager,
        url("case-allocations", case_id=case_north.public_id),
        {"worker": worker_id, **extra},
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Allocation.objects.count() == before


def test_a_manager_ends_an_allocation(manager, practitioner, case_north):
    allocation = case_north.allocations.get(worker=practitioner)
    today = timezone.localdate()
    response = post(
        manager,
        url("allocation-end", allocation_id=allocation.public_id),
        {"ends_on": today.isoformat()},
    )
    assert response.status_code == 200
    assert response.json()["ends_on"] == today.isoformat()
    allocation.refresh_from_db()
    assert allocation.ends_on == today


def test_a_practitioner_may_not_end_an_allocation(practitioner, case_north):
    allocation = case_north.allocations.get(worker=practitioner)
    response = post(practitioner, url("allocation-end", allocation_id=allocation.public_id))
    assert response.status_code == 403
    allocation.refresh_from_db()
    assert allocation.ends_on is None


def test_ending_an_allocation_before_it_started_is_a_field_error(manager, practitioner, case_north):
    allocation = case_north.allocations.get(worker=practitioner)
    before_start = allocation.starts_on - timedelta(days=1)
    response = post(
        manager,
        url("allocation-end", allocation_id=allocation.public_id),
        {"ends_on": before_start.isoformat()},
    )
    assert response.status_code == 400
    assert "ends_on" in response.json()
    allocation.refresh_from_db()
    assert allocation.ends_on is None


# --- Recording on a case ---------------------------------------------------------------------


def test_record_a_contact_with_the_people_who_took_part(practitioner, case_north, person):
    response = post(
        practitioner,
        url("case-contacts", case_id=case_north.public_id),
        {
            "contact_type": "home_visit",
            "occurred_at": one_hour_ago(),
            "body": "Saw the child alone in their room.",
            "seen_alone": True,
            "participants": [str(person.public_id)],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "contact"
    assert body["title"] == "Home visit"
    assert body["seen_alone"] is True
    assert body["people"] == [
        {
            "person": {"id": str(person.public_id), "full_name": person.full_name},
            "role": "participant",
        }
    ]
    assert body["revisions"][0]["number"] == 1
    assert body["case"] == {"id": str(case_north.public_id), "reference": case_north.reference}
    assert body["author"]["id"] == str(practitioner.public_id)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": "future"}, "occurred_at"),
        ({"occurred_at": "not a date"}, "occurred_at"),
        ({"body": "   "}, "body"),
        ({"contact_type": "seance"}, "contact_type"),
        ({"participants": ["other-case"]}, "participants"),
        ({"mentioned": [str(uuid.UUID(int=1))]}, "mentioned"),
    ],
)
def test_contact_bad_input_saves_nothing(practitioner, team_north, case_north, overrides, field):
    other_person = open_case(team=team_north, worker=practitioner).person
    body = {"contact_type": "phone", "occurred_at": one_hour_ago(), "body": "Called mum."}
    body.update(overrides)
    if body["occurred_at"] == "future":
        body["occurred_at"] = tomorrow()
    if body.get("participants") == ["other-case"]:
        body["participants"] = [str(other_person.public_id)]
    response = post(practitioner, url("case-contacts", case_id=case_north.public_id), body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Contact.objects.exists()


def test_nothing_is_recorded_on_a_closed_case(manager, practitioner, case_north):
    services.case_close(
        actor=manager, case=case_north, closed_on=timezone.localdate(), reason="needs_met"
    )
    response = post(
        manager,
        url("case-notes", case_id=case_north.public_id),
        {"title": "After closure", "body": "Late note."},
    )
    assert response.status_code == 400
    assert "case" in response.json()
    assert not CaseNote.objects.exists()


def test_a_note_comes_back_exactly_as_written(practitioner, case_north):
    text = '<script>alert("x")</script> & <b>bold</b>\n  indented'
    response = post(
        practitioner,
        url("case-notes", case_id=case_north.public_id),
        {"title": "<i>Visit</i>", "body": text},
    )
    assert response.status_code == 201
    item_id = response.json()["id"]
    assert response.json()["body"] == text
    again = get(practitioner, url("item-detail", item_id=item_id)).json()
    assert again["body"] == text
    assert again["title"] == "<i>Visit</i>"
    assert again["note_type"] == "case_note"


def test_an_empty_note_is_refused_and_nothing_saved(practitioner, case_north):
    response = post(
        practitioner, url("case-notes", case_id=case_north.public_id), {"title": "T", "body": ""}
    )
    assert response.status_code == 400
    assert response.json()["body"] == ["Enter the note."]
    assert not CaseNote.objects.exists()
    assert not ItemRevision.objects.exists()


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("case-contacts", {"contact_type": "phone", "occurred_at": "now", "body": "Called."}),
        ("case-notes", {"title": "Note", "body": "Text."}),
        ("case-assessments", {"assessment_type": "child_and_family"}),
        ("case-plans", {"plan_type": "care", "starts_on": "today", "body": "Plan."}),
        (
            "case-information-received",
            {
                "source_organisation": "St Mary's School",
                "method": "email",
                "occurred_at": "now",
                "body": "Attendance record.",
            },
        ),
    ],
)
def test_a_reader_may_not_record_on_the_case(reader, case_north, route, body):
    body = {key: one_hour_ago() if value == "now" else value for key, value in body.items()} | (
        {"starts_on": timezone.localdate().isoformat()} if "starts_on" in body else {}
    )
    before = Item.objects.count()
    response = post(reader, url(route, case_id=case_north.public_id), body)
    assert response.status_code == 403
    assert Item.objects.count() == before


def test_start_an_assessment(practitioner, case_north):
    response = post(
        practitioner,
        url("case-assessments", case_id=case_north.public_id),
        {
            "assessment_type": "child_and_family",
            "sections": [
                {"heading": "Child's developmental needs", "text": "Speech delay noted."},
                {"heading": "Family and environment", "text": ""},
            ],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "assessment"
    assert body["status"] == "draft"
    assert body["sections"][0] == {
        "heading": "Child's developmental needs",
        "text": "Speech delay noted.",
    }
    assert body["authorised_by"] is None


def test_an_assessment_section_without_heading_is_a_field_error(practitioner, case_north):
    response = post(
        practitioner,
        url("case-assessments", case_id=case_north.public_id),
        {"assessment_type": "carers", "sections": [{"text": "No heading"}]},
    )
    assert response.status_code == 400
    assert "sections" in response.json()
    assert not Assessment.objects.exists()


def test_record_a_plan(practitioner, case_north):
    today = timezone.localdate()
    response = post(
        practitioner,
        url("case-plans", case_id=case_north.public_id),
        {
            "plan_type": "child_in_need",
            "starts_on": today.isoformat(),
            "next_review_on": (today + timedelta(days=90)).isoformat(),
            "body": "Weekly visits.",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["plan_type"] == "child_in_need"
    case_north.refresh_from_db()
    assert case_north.next_review_on == today + timedelta(days=90)


def test_a_plan_starting_today_can_be_recorded_before_nine(practitioner, case_north):
    with time_machine.travel(datetime(2025, 6, 11, 7, 30, tzinfo=LONDON), tick=False):
        response = post(
            practitioner,
            url("case-plans", case_id=case_north.public_id),
            {
                "plan_type": "child_in_need",
                "starts_on": timezone.localdate().isoformat(),
                "body": "Weekly visits.",
            },
        )
    assert response.status_code == 201, response.json()


def test_a_plan_reviewed_before_it_starts_is_a_field_error(practitioner, case_north):
    today = timezone.localdate()
    response = post(
        practitioner,
        url("case-plans", case_id=case_north.public_id),
        {
            "plan_type": "child_in_need",
            "starts_on": today.isoformat(),
            "next_review_on": (today - timedelta(days=1)).isoformat(),
            "body": "Weekly visits.",
        },
    )
    assert response.status_code == 400
    assert "next_review_on" in response.json()
    assert not Plan.objects.exists()


def test_record_information_received(practitioner, case_north, person):
    response = post(
        practitioner,
        url("case-information-received", case_id=case_north.public_id),
        {
            "source_organisation": "St Mary's School",
            "source_name": "Head of year",
            "method": "email",
            "occurred_at": one_hour_ago(),
            "body": "Attendance 82% this term.",
            "mentioned": [str(person.public_id)],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "information_received"
    assert body["title"] == "Information from St Mary's School"
    assert body["people"][0]["role"] == "mentioned"


def test_information_received_needs_a_source(practitioner, case_north):
    response = post(
        practitioner,
        url("case-information-received", case_id=case_north.public_id),
        {
            "source_organisation": " ",
            "method": "email",
            "occurred_at": one_hour_ago(),
            "body": "Attendance.",
        },
    )
    assert response.status_code == 400
    assert "source_organisation" in response.json()
    assert not InformationReceived.objects.exists()


# --- Documents -------------------------------------------------------------------------------


def test_upload_and_download_a_document(practitioner, reader, case_north):
    response = client_for(practitioner).post(
        url("case-documents", case_id=case_north.public_id),
        {"file": upload("School report.pdf", PDF), "document_type": "report", "title": "Report"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "document"
    assert body["content_type"] == "application/pdf"
    assert body["original_name"] == "School report.pdf"
    assert body["size"] == len(PDF)
    assert body["download_url"] == url("document-download", item_id=body["id"])
    for user in (practitioner, reader):
        download = client_for(user).get(body["download_url"], HTTP_ACCEPT="application/pdf")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"].startswith("attachment;")
        assert "School report.pdf" in download["Content-Disposition"]
        assert download["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in download["Cache-Control"]


def test_a_program_renamed_pdf_is_refused_and_nothing_stored(
    practitioner, case_north, settings, tmp_path
):
    response = client_for(practitioner).post(
        url("case-documents", case_id=case_north.public_id),
        {"file": upload("letter.pdf", EXE), "document_type": "letter", "title": "Letter"},
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert not Document.objects.exists()
    stored = tmp_path / "documents"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_upload_bad_input(practitioner, reader, case_north):
    path = url("case-documents", case_id=case_north.public_id)
    no_title = client_for(practitioner).post(
        path, {"file": upload("a.pdf", PDF), "document_type": "letter", "title": ""}
    )
    assert no_title.status_code == 400
    assert "title" in no_title.json()
    no_file = client_for(practitioner).post(path, {"document_type": "letter", "title": "T"})
    assert no_file.status_code == 400
    assert "file" in no_file.json()
    as_json = post(practitioner, path, {"document_type": "letter", "title": "T"})
    assert as_json.status_code == 415
    refused = client_for(reader).post(
        path, {"file": upload("a.pdf", PDF), "document_type": "letter", "title": "T"}
    )
    assert refused.status_code == 403
    assert not Document.objects.exists()


def test_download_is_for_documents_only(practitioner, note):
    response = get(practitioner, url("document-download", item_id=note.public_id))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# --- Items -----------------------------------------------------------------------------------


def test_item_detail_with_revisions_and_statements(practitioner, note):
    services.disagreement_attach(
        actor=practitioner,
        item=note,
        statement="I was not there that day.",
        made_by="The subject",
        received_on=timezone.localdate(),
    )
    response = get(practitioner, url("item-detail", item_id=note.public_id))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(note.public_id)
    assert body["kind"] == "note"
    assert body["revisions"][0]["data"]["body"] == "All well."
    assert body["revisions"][0]["author"]["id"] == str(practitioner.public_id)
    assert body["disagreements"][0]["statement"] == "I was not there that day."
    assert body["entered_in_error_at"] is None


def test_amend_keeps_the_original_and_the_reason(practitioner, note):
    response = post(
        practitioner,
        url("item-amend", item_id=note.public_id),
        {"reason": "Wrong family member named", "changes": {"body": "All well with Gran."}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["body"] == "All well with Gran."
    assert body["revision_number"] == 2
    assert [r["data"]["body"] for r in body["revisions"]] == ["All well.", "All well with Gran."]
    assert body["revisions"][1]["reason"] == "Wrong family member named"


def test_amend_a_contact_date_with_typed_values(practitioner, case_north):
    contact = services.contact_record(
        actor=practitioner,
        case=case_north,
        contact_type="phone",
        occurred_at=timezone.now() - timedelta(days=2),
        body="Called.",
    )
    earlier = timezone.now() - timedelta(days=3)
    response = post(
        practitioner,
        url("item-amend", item_id=contact.public_id),
        {
            "reason": "Typed the wrong day",
            "changes": {"occurred_at": earlier.isoformat(), "seen_alone": False},
        },
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.occurred_at == earlier
    assert contact.seen_alone is False


@pytest.mark.parametrize("who", ["colleague", "reader"])
def test_only_the_author_or_a_manager_amends(request, note, who):
    user = request.getfixturevalue(who)
    assert get(user, url("item-detail", item_id=note.public_id)).status_code == 200
    response = post(
        user,
        url("item-amend", item_id=note.public_id),
        {"reason": "Tidying", "changes": {"body": "Changed."}},
    )
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.body == "All well."


def test_a_manager_amends_someone_elses_note(manager, note):
    response = post(
        manager,
        url("item-amend", item_id=note.public_id),
        {"reason": "Management correction", "changes": {"title": "Corrected"}},
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Corrected"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"reason": "", "changes": {"body": "x"}}, ("reason",)),
        ({"reason": "r", "changes": {"kind": "contact"}}, ("changes", "kind")),
        ({"reason": "r", "changes": {"note_type": "diary"}}, ("changes", "note_type")),
        ({"reason": "r", "changes": {"occurred_at": "yesterday-ish"}}, ("changes", "occurred_at")),
        ({"reason": "r", "changes": {"occurred_at": "FUTURE"}}, ("changes", "occurred_at")),
        ({"reason": "r", "changes": {"body": "  "}}, ("changes", "body")),
        ({"reason": "r", "changes": {"body": "All well."}}, ("detail",)),  # nothing changed
        ({"reason": "r", "changes": "body"}, ("changes",)),
    ],
)
def test_amend_bad_input_changes_nothing(practitioner, note, body, error):
    if body["changes"] == {"occurred_at": "FUTURE"}:
        body = {**body, "changes": {"occurred_at": tomorrow()}}
    response = post(practitioner, url("item-amend", item_id=note.public_id), body)
    assert response.status_code == 400
    found = response.json()
    for key in error:
        assert key in found, found
        found = found[key]
    note.refresh_from_db()
    assert (note.body, note.revision_number) == ("All well.", 1)
    assert note.revisions.count() == 1


def test_a_manager_marks_an_item_entered_in_error(manager, practitioner, note):
    response = post(
        manager,
        url("item-entered-in-error", item_id=note.public_id),
        {"reason": "Recorded on the wrong child"},
    )
    assert response.status_code == 200
    assert response.json()["entered_in_error_reason"] == "Recorded on the wrong child"
    assert response.json()["entered_in_error_by"]["id"] == str(manager.public_id)
    # Gone from the practitioner's view, as if it never existed; the manager still sees it.
    hidden = get(practitioner, url("item-detail", item_id=note.public_id))
    assert (hidden.status_code, hidden.json()) == (404, NOT_FOUND)
    assert get(manager, url("item-detail", item_id=note.public_id)).status_code == 200
    again = post(manager, url("item-entered-in-error", item_id=note.public_id), {"reason": "x"})
    assert again.status_code == 400
    amend = post(
        manager,
        url("item-amend", item_id=note.public_id),
        {"reason": "x", "changes": {"body": "y"}},
    )
    assert amend.status_code == 400


def test_entered_in_error_needs_a_manager_and_a_reason(practitioner, manager, note):
    refused = post(
        practitioner, url("item-entered-in-error", item_id=note.public_id), {"reason": "Oops"}
    )
    assert refused.status_code == 403
    no_reason = post(manager, url("item-entered-in-error", item_id=note.public_id), {"reason": ""})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    note.refresh_from_db()
    assert note.entered_in_error_at is None


def test_attach_a_statement_of_disagreement(practitioner, note):
    response = post(
        practitioner,
        url("item-disagreements", item_id=note.public_id),
        {
            "statement": "<b>I</b> disagree with this.",
            "made_by": "Subject's mother",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["statement"] == "<b>I</b> disagree with this."
    assert body["recorded_by"]["id"] == str(practitioner.public_id)
    assert note.disagreements.count() == 1
    note.refresh_from_db()
    assert note.body == "All well."  # attached beside, never merged in


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"statement": " "}, "statement"),
        ({"made_by": ""}, "made_by"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"received_on": "soon"}, "received_on"),
    ],
)
def test_disagreement_bad_input_saves_nothing(practitioner, note, change, field):
    body = {
        "statement": "I disagree.",
        "made_by": "The subject",
        "received_on": timezone.localdate().isoformat(),
        **change,
    }
    response = post(practitioner, url("item-disagreements", item_id=note.public_id), body)
    assert response.status_code == 400
    assert field in response.json()
    assert not note.disagreements.exists()


def test_a_reader_may_not_attach_statements(reader, note):
    response = post(
        reader,
        url("item-disagreements", item_id=note.public_id),
        {"statement": "x", "made_by": "y", "received_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 403
    assert not note.disagreements.exists()


# --- Assessments: submit and authorise -------------------------------------------------------


def test_submit_then_a_manager_authorises(practitioner, manager, assessment):
    submitted = post(practitioner, url("item-submit", item_id=assessment.public_id))
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    authorised = post(manager, url("item-authorise", item_id=assessment.public_id))
    assert authorised.status_code == 200
    body = authorised.json()
    assert body["status"] == "authorised"
    assert body["authorised_by"]["id"] == str(manager.public_id)


def test_a_practitioner_may_not_authorise(practitioner, assessment):
    services.assessment_submit(actor=practitioner, assessment=assessment)
    response = post(practitioner, url("item-authorise", item_id=assessment.public_id))
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == "submitted"


def test_a_manager_may_not_authorise_their_own_assessment(manager, case_north):
    own = services.assessment_start(
        actor=manager,
        case=case_north,
        assessment_type="child_and_family",
        sections=[{"heading": "Needs", "text": "..."}],
    )
    services.assessment_submit(actor=manager, assessment=own)
    response = post(manager, url("item-authorise", item_id=own.public_id))
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.status == "submitted"


def test_authorising_a_draft_is_a_400(manager, assessment):
    response = post(manager, url("item-authorise", item_id=assessment.public_id))
    assert response.status_code == 400
    assert "detail" in response.json()
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_submit_refusals(practitioner, reader, case_north, note, assessment):
    assert post(reader, url("item-submit", item_id=assessment.public_id)).status_code == 403
    not_assessment = post(practitioner, url("item-submit", item_id=note.public_id))
    assert not_assessment.status_code == 400
    empty = services.assessment_start(actor=practitioner, case=case_north, assessment_type="carers")
    nothing_written = post(practitioner, url("item-submit", item_id=empty.public_id))
    assert nothing_written.status_code == 400
    assert "sections" in nothing_written.json()
    assert set(Assessment.objects.values_list("status", flat=True)) == {"draft"}


# --- Plans: reviews --------------------------------------------------------------------------


def test_record_a_review_of_a_plan(practitioner, plan, case_north):
    next_review = timezone.localdate() + timedelta(days=60)
    response = post(
        practitioner,
        url("item-reviews", item_id=plan.public_id),
        {
            "occurred_at": one_hour_ago(),
            "body": "Progress good; continue.",
            "next_review_on": next_review.isoformat(),
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "review"
    assert body["reviewed_plan"] == {"id": str(plan.public_id), "title": plan.title}
    case_north.refresh_from_db()
    assert case_north.next_review_on == next_review


def test_review_refusals(practitioner, reader, plan, note):
    body = {"occurred_at": one_hour_ago(), "body": "Reviewed."}
    assert post(reader, url("item-reviews", item_id=plan.public_id), body).status_code == 403
    assert post(practitioner, url("item-reviews", item_id=note.public_id), body).status_code == 400
    early = post(
        practitioner,
        url("item-reviews", item_id=plan.public_id),
        {**body, "next_review_on": (timezone.localdate() - timedelta(days=5)).isoformat()},
    )
    assert early.status_code == 400
    assert "next_review_on" in early.json()
    empty = post(practitioner, url("item-reviews", item_id=plan.public_id), {**body, "body": ""})
    assert empty.status_code == 400
    assert "body" in empty.json()
    assert not Review.objects.exists()


# --- Chronology ------------------------------------------------------------------------------


def test_chronology_newest_first_filtered_and_paged(practitioner, reader, case_north, person):
    now = timezone.now()
    for days in (3, 2, 1):
        services.contact_record(
            actor=practitioner,
            case=case_north,
            contact_type="phone",
            occurred_at=now - timedelta(days=days),
            body=f"Call {days} days ago",
        )
    services.note_record(
        actor=practitioner, case=case_north, title="Today", body="Note", occurred_at=now
    )
    path = url("person-chronology", person_id=person.public_id)
    everything = get(practitioner, path).json()
    assert everything["count"] == 4
    assert [row["kind"] for row in everything["results"]] == [
        "note",
        "contact",
        "contact",
        "contact",
    ]
    first = everything["results"][0]
    assert set(first) >= {"id", "kind", "title", "occurred_at", "case", "author", "body"}
    assert first["case"]["id"] == str(case_north.public_id)
    contacts = get(practitioner, path, kind="contact").json()
    assert contacts["count"] == 3
    both = client_for(practitioner).get(f"{path}?kind=contact&kind=note").json()
    assert both["count"] == 4
    paged = get(practitioner, path, page_size=2).json()
    assert len(paged["results"]) == 2
    assert paged["previous"] is None
    assert "page=2" in paged["next"]
    second = client_for(practitioner).get(paged["next"]).json()
    assert second["results"][-1]["body"] == "Call 3 days ago"
    assert second["next"] is None
    by_case = get(practitioner, path, case=str(case_north.public_id)).json()
    assert by_case["count"] == 4
    assert get(reader, path).json()["count"] == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "diary"}, "kind"),
        ({"case": "CSC-1"}, "case"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
    ],
)
def test_chronology_bad_filters_are_field_errors(practitioner, person, params, field):
    response = get(practitioner, url("person-chronology", person_id=person.public_id), **params)
    assert response.status_code == 400
    assert field in response.json()


def test_chronology_of_a_case_i_may_not_see_is_a_field_error(
    practitioner, team_north, person, case_south
):
    other_case_of_mine = open_case(team=team_north, worker=practitioner)
    path = url("person-chronology", person_id=person.public_id)
    for case_id in (case_south.public_id, other_case_of_mine.public_id, uuid.uuid4()):
        response = get(practitioner, path, case=str(case_id))
        assert response.status_code == 400
        assert response.json() == {"case": ["Choose one of this person's cases that you can see."]}
