"""The retention API under /api/v1/retention/: the schedule and its history, holds, disposal
batches from proposal through two approvals to the register, the forecast and the dry run.
For each endpoint: the stranger (404, the same body as a missing id), the user who may see but
not change (403), bad input (400 naming the field, nothing written), the success path and its
audit event; and the read event naming exactly the people a batch shows.

Personas (conftest.py): amy, a practitioner, sees none of it; eve, the Caldicott guardian,
reads the schedule and nothing else; fay, records manager and system administrator, keeps it
all; rosa is a second records manager, so that a batch can have two approvers; sid is a system
administrator only, who sees holds but may not place or lift them.

A children in need case is kept to the person's 25th birthday: on 11 June 2025 a person born
in 1990, whose case closed in 2008, is due.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Model
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Organisation, Team, User
from accounts.roles import Role
from accounts.tests.factories import TeamFactory, staff_member
from audit.models import Action, AuditEvent, AuditEventSubject
from records.models import Case
from retention import services
from retention.models import (
    BatchStatus,
    DisposalBatch,
    DisposalItem,
    Hold,
    ItemStatus,
    RecordClass,
    RetentionRule,
)
from retention.tests.factories import closed_case

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}
LONDON = ZoneInfo("Europe/London")
TODAY = date(2025, 6, 11)


@pytest.fixture(autouse=True)
def _an_afternoon_in_june():
    with time_machine.travel(datetime(2025, 6, 11, 14, 30, tzinfo=LONDON), tick=True):
        yield


# --- Helpers ---------------------------------------------------------------------------------


def url(name: str, *args: Any) -> str:
    return reverse(f"retention-api:{name}", args=[str(a) for a in args])


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def get(user: User, path: str, **params: Any) -> Any:
    return client_for(user).get(path, params)


def post(user: User, path: str, body: Any = None) -> Any:
    return client_for(user).post(path, body if body is not None else {}, format="json")


def post_raw(user: User, path: str, content: str) -> Any:
    return client_for(user).post(path, content, content_type="application/json")


def writes(action: str, obj: Model) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.public_id)))


def subjects_of(event: AuditEvent) -> set[int]:
    return set(
        AuditEventSubject.objects.filter(event_id=event.pk).values_list("person_id", flat=True)
    )


def read_events(response: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(request_id=response["X-Request-ID"], action=Action.READ))


def the_one_read(response: Any) -> set[int]:
    (event,) = read_events(response)
    return subjects_of(event)


def events_now() -> int:
    return AuditEvent.objects.exclude(action=Action.SIGN_IN).count()


# --- Personas and records --------------------------------------------------------------------


@pytest.fixture
def rosa(ig_team: Team) -> User:
    return staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")


@pytest.fixture
def sid(ig_team: Team) -> User:
    return staff_member(role=Role.SYSTEM_ADMIN, team=ig_team, username="sid")


@dataclass
class Due:
    """Children in need cases on 11 June 2025: two due, one held, one whose birthday is not
    recorded, and one falling due next January."""

    first: Case
    second: Case
    held: Case
    unknown: Case
    next_year: Case
    hold: Hold


@pytest.fixture
def due(team_north: Team, practitioner: User, manager: User, admin_user: User) -> Due:
    def close(**kwargs: Any) -> Case:
        return closed_case(team_north, practitioner, manager, **kwargs)

    first = close(
        born=date(1990, 4, 1), closed=date(2008, 1, 1), first_name="Orla", last_name="Vantongeren"
    )
    second = close(
        born=date(1989, 4, 1), closed=date(2007, 1, 1), first_name="Pim", last_name="Quarrendon"
    )
    held = close(
        born=date(1991, 4, 1), closed=date(2009, 1, 1), first_name="Tamsin", last_name="Ellerby"
    )
    unknown = close(born=None, closed=date(2006, 1, 1), first_name="Ned", last_name="Ashworthy")
    next_year = close(born=date(2001, 1, 15), closed=date(2019, 1, 1))
    hold = services.hold_place(
        actor=admin_user,
        organisation=held.organisation,
        scope="person",
        person=held.person,
        reason="Claim against the council",
    )
    return Due(first, second, held, unknown, next_year, hold)


@pytest.fixture
def batch(due: Due) -> DisposalBatch:
    (proposed,) = services.disposal_propose()
    return proposed


@pytest.fixture
def elsewhere(other_council: Organisation) -> Case:
    """A children in need case of the other council, due too."""
    team = TeamFactory(name="Brambley Children's Team", organisation=other_council)
    boss = staff_member(role=Role.TEAM_MANAGER, team=team, username="olu")
    return closed_case(team, boss, boss, born=date(1990, 1, 1), closed=date(2008, 1, 1))


def item_for(batch: DisposalBatch, case: Case) -> DisposalItem:
    return batch.items.get(case=case)


# --- The schedule ----------------------------------------------------------------------------


def test_the_schedule_is_read_by_its_readers_and_hidden_from_everyone_else(
    practitioner: User, guardian: User, admin_user: User
) -> None:
    for path in (url("class-list"), url("class-detail", "children_in_need")):
        response = get(practitioner, path)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    response = get(guardian, url("class-list"))
    assert response.status_code == 200
    classes = {row["code"]: row for row in response.json()}
    assert set(classes) == set(RecordClass.objects.values_list("code", flat=True))
    rule = classes["children_in_need"]["rule"]
    assert (rule["trigger"], rule["period_years"], rule["action"], rule["version"]) == (
        "date_of_birth",
        25,
        "destroy",
        1,
    )
    assert rule["period"] == "25 years"
    assert classes["looked_after"]["rule"]["death_under_18_years"] == 15

    response = get(admin_user, url("class-detail", "children_in_need"))
    assert response.status_code == 200
    assert response.json()["kind"] == "case"
    assert response.json()["case_categories"] == ["child_in_need"]
    assert [r["version"] for r in response.json()["history"]] == [1]

    response = get(admin_user, url("class-detail", "no_such_class"))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


RULE = {
    "trigger": "date_of_birth",
    "period_years": 30,
    "action": "destroy",
    "legal_authority": "Local retention schedule: to the 30th birthday",
    "reason": "Aligned with the neighbouring councils",
}


def test_a_rule_change_puts_a_new_version_in_force_and_keeps_the_old(
    practitioner: User, guardian: User, admin_user: User
) -> None:
    path = url("rule-change", "children_in_need")
    assert post(practitioner, path, RULE).json() == NOT_FOUND
    refused = post(guardian, path, RULE)
    assert refused.status_code == 403
    assert "records manager" in refused.json()["detail"]
    assert post(admin_user, url("rule-change", "no_such_class"), RULE).status_code == 404
    assert RetentionRule.objects.filter(record_class__code="children_in_need").count() == 1

    response = post(admin_user, path, RULE)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rule"]["version"] == 2
    assert body["rule"]["period_years"] == 30
    assert body["rule"]["created_by"]["full_name"] == admin_user.get_full_name()
    assert [(r["version"], r["is_active"]) for r in body["history"]] == [(2, True), (1, False)]
    assert body["history"][1]["superseded_at"] is not None
    rule = RetentionRule.objects.get(public_id=body["rule"]["id"])
    (event,) = writes(Action.SETTING_CHANGE, rule)
    assert event.actor == admin_user
    assert "version 2" in event.summary


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**RULE, "trigger": "moon_phase"}, "trigger"),
        ({**RULE, "action": "shred"}, "action"),
        ({**RULE, "then_action": "review"}, "then_action"),
        ({**RULE, "period_years": -1}, "period_years"),
        ({**RULE, "period_months": "six"}, "period_months"),
        ({**RULE, "period_days": 201}, "period_days"),
        ({**RULE, "death_under_18_years": "x"}, "death_under_18_years"),
        ({**RULE, "legal_authority": ""}, "legal_authority"),
        ({**RULE, "legal_authority": "   "}, "legal_authority"),
        ({k: v for k, v in RULE.items() if k != "reason"}, "reason"),
        ({**RULE, "reason": "x" * 501}, "reason"),
        # The services' own rule: only records kept for ever may have no period.
        ({**RULE, "period_years": 0}, "period_years"),
        ([RULE], "non_field_errors"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(admin_user: User, body: Any, field: str) -> None:
    before = events_now()
    response = post(admin_user, url("rule-change", "children_in_need"), body)
    assert response.status_code == 400
    assert field in response.json()
    assert RetentionRule.objects.filter(record_class__code="children_in_need").count() == 1
    assert events_now() == before


def test_a_rule_change_that_is_not_json_is_refused(admin_user: User) -> None:
    response = post_raw(admin_user, url("rule-change", "children_in_need"), "{trigger: birth")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert RetentionRule.objects.filter(record_class__code="children_in_need").count() == 1


# --- Holds -----------------------------------------------------------------------------------


def test_holds_are_hidden_from_the_stranger_and_the_guardian(
    due: Due, practitioner: User, guardian: User
) -> None:
    hold_id = due.hold.public_id
    body = {"scope": "case", "case_reference": due.first.reference, "reason": "Claim"}
    for user in (practitioner, guardian):
        for response in (
            get(user, url("hold-list")),
            get(user, url("hold-detail", hold_id)),
            get(user, url("hold-detail", uuid.uuid4())),
            post(user, url("hold-list"), body),
            post(user, url("hold-lift", hold_id), {"reason": "Settled"}),
        ):
            assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert Hold.objects.count() == 1
    assert Hold.objects.get().lifted_at is None


def test_a_system_administrator_sees_holds_but_may_not_place_or_lift_them(
    due: Due, sid: User
) -> None:
    response = get(sid, url("hold-list"))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(due.hold.public_id)]
    body = {"scope": "case", "case_reference": due.first.reference, "reason": "Claim"}
    for response in (
        post(sid, url("hold-list"), body),
        post(sid, url("hold-lift", due.hold.public_id), {"reason": "Settled"}),
    ):
        assert response.status_code == 403
        assert "records manager" in response.json()["detail"]
    assert Hold.objects.count() == 1
    assert Hold.objects.get().lifted_at is None


def test_a_hold_on_a_person_is_placed_by_a_case_reference_read_and_lifted(
    due: Due, admin_user: User
) -> None:
    person = due.first.person
    response = post(
        admin_user,
        url("hold-list"),
        {"scope": "person", "case_reference": due.first.reference, "reason": "Inquiry letter"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["scope"] == "person"
    assert body["person"] == {"id": str(person.public_id), "full_name": person.full_name}
    assert (body["case"], body["record_class"], body["is_active"]) == (None, None, True)
    assert body["organisation"]["id"] == str(due.first.organisation.public_id)
    assert the_one_read(response) == {person.pk}
    hold = Hold.objects.get(public_id=body["id"])
    assert hold.person == person
    (created,) = writes(Action.CREATE, hold)
    assert created.actor == admin_user
    assert subjects_of(created) == {person.pk}

    # The list names the people held, and its read says so.
    listed = get(admin_user, url("hold-list"))
    assert [row["id"] for row in listed.json()["results"]] == [
        str(hold.public_id),
        str(due.hold.public_id),
    ]
    assert the_one_read(listed) == {person.pk, due.held.person_id}
    detail = get(admin_user, url("hold-detail", hold.public_id))
    assert detail.json()["reason"] == "Inquiry letter"
    assert the_one_read(detail) == {person.pk}

    lifted = post(admin_user, url("hold-lift", hold.public_id), {"reason": "Inquiry closed"})
    assert lifted.status_code == 200, lifted.json()
    assert (lifted.json()["is_active"], lifted.json()["lift_reason"]) == (False, "Inquiry closed")
    assert lifted.json()["lifted_by"]["id"] == str(admin_user.public_id)
    (update,) = writes(Action.UPDATE, hold)
    assert subjects_of(update) == {person.pk}
    in_force = get(admin_user, url("hold-list")).json()["results"]
    assert [row["id"] for row in in_force] == [str(due.hold.public_id)]
    every = get(admin_user, url("hold-list"), lifted="true").json()["results"]
    assert {row["id"] for row in every} == {str(hold.public_id), str(due.hold.public_id)}

    again = post(admin_user, url("hold-lift", hold.public_id), {"reason": "Again"})
    assert again.status_code == 400
    assert "already been lifted" in again.json()["detail"]


def test_holds_on_a_case_a_class_and_an_inquirys_dates(due: Due, admin_user: User) -> None:
    case = post(
        admin_user,
        url("hold-list"),
        {"scope": "case", "case_reference": due.second.reference, "reason": "Complaint"},
    )
    assert case.status_code == 201, case.json()
    assert case.json()["case"] == {
        "id": str(due.second.public_id),
        "reference": due.second.reference,
    }
    assert case.json()["person"] is None
    # A case reference names no one: the answer is not a read of anybody.
    assert read_events(case) == []

    inquiry = post(
        admin_user,
        url("hold-list"),
        {
            "scope": "class_and_dates",
            "record_class": "child_protection",
            "from_date": "1970-01-01",
            "to_date": "1999-12-31",
            "reason": "Public inquiry moratorium",
        },
    )
    assert inquiry.status_code == 201, inquiry.json()
    assert inquiry.json()["record_class"] == {
        "code": "child_protection",
        "name": "Child protection cases",
    }
    assert (inquiry.json()["from_date"], inquiry.json()["to_date"]) == ("1970-01-01", "1999-12-31")
    hold = Hold.objects.get(public_id=inquiry.json()["id"])
    assert writes(Action.CREATE, hold)[0].summary.startswith("Placed a retention hold")

    # The dry run now leaves the second case out, held.
    rows = get(admin_user, url("dry-run")).json()["rows"]
    (cin,) = [row for row in rows if row["record_class"]["code"] == "children_in_need"]
    assert (cin["included"], cin["held"]) == (1, 2)


def test_a_hold_on_another_councils_case_is_a_field_error(
    due: Due, elsewhere: Case, admin_user: User
) -> None:
    response = post(
        admin_user,
        url("hold-list"),
        {"scope": "case", "case_reference": elsewhere.reference, "reason": "Claim"},
    )
    assert response.status_code == 400
    assert "case_reference" in response.json()
    assert Hold.objects.count() == 1


HOLD = {"scope": "record_class", "record_class": "children_in_need", "reason": "Inquiry"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**HOLD, "scope": "everything"}, "scope"),
        ({**HOLD, "reason": ""}, "reason"),
        ({**HOLD, "reason": "  "}, "reason"),
        ({k: v for k, v in HOLD.items() if k != "reason"}, "reason"),
        ({**HOLD, "scope": "case"}, "case_reference"),
        ({**HOLD, "scope": "person", "case_reference": "NO-SUCH-1"}, "case_reference"),
        ({**HOLD, "record_class": ""}, "record_class"),
        ({**HOLD, "record_class": "no_such_class"}, "record_class"),
        ({**HOLD, "record_class": "not a slug!"}, "record_class"),
        ({**HOLD, "scope": "class_and_dates"}, "from_date"),
        (
            {
                **HOLD,
                "scope": "class_and_dates",
                "from_date": "2001-01-01",
                "to_date": "2000-01-01",
            },
            "to_date",
        ),
        ({**HOLD, "scope": "class_and_dates", "from_date": "2001-13-01"}, "from_date"),
        ({**HOLD, "organisation": "not-a-uuid"}, "organisation"),
        ({**HOLD, "organisation": str(uuid.uuid4())}, "organisation"),
        ("just words", "non_field_errors"),
    ],
)
def test_a_bad_hold_is_refused_naming_the_field(
    due: Due, admin_user: User, body: Any, field: str
) -> None:
    before = events_now()
    response = post(admin_user, url("hold-list"), body)
    assert response.status_code == 400
    assert field in response.json()
    assert Hold.objects.count() == 1
    assert events_now() == before


@pytest.mark.parametrize(
    ("params", "field"), [({"lifted": "perhaps"}, "lifted")], ids=["not-a-boolean"]
)
def test_a_bad_hold_filter_is_refused(admin_user: User, params: Any, field: str) -> None:
    response = get(admin_user, url("hold-list"), **params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_hold_lift_needs_a_reason_and_json(due: Due, admin_user: User) -> None:
    path = url("hold-lift", due.hold.public_id)
    for response in (
        post(admin_user, path, {"reason": ""}),
        post(admin_user, path, {}),
        post_raw(admin_user, path, "reason=settled"),
    ):
        assert response.status_code == 400
    assert "reason" in post(admin_user, path, {"reason": "  "}).json()
    assert Hold.objects.get().lifted_at is None
    malformed = client_for(admin_user).post("/api/v1/retention/holds/not-a-uuid/lift/")
    assert malformed.status_code == 404


# --- Disposal batches ------------------------------------------------------------------------


def test_batches_are_hidden_from_the_stranger_the_guardian_and_other_councils(
    batch: DisposalBatch, elsewhere: Case, practitioner: User, guardian: User, admin_user: User
) -> None:
    item = batch.items.filter(status=ItemStatus.INCLUDED).first()
    assert item is not None
    for user in (practitioner, guardian):
        for response in (
            get(user, url("batch-list")),
            get(user, url("batch-detail", batch.public_id)),
            get(user, url("batch-items", batch.public_id)),
            post(user, url("batch-approve", batch.public_id)),
            post(user, url("batch-cancel", batch.public_id), {"reason": "No"}),
            post(
                user,
                url("batch-item-keep", batch.public_id, item.public_id),
                {"reason": "Sibling", "keep_until": "2026-06-01"},
            ),
        ):
            assert (response.status_code, response.json()) == (404, NOT_FOUND)
    batch.refresh_from_db()
    assert (batch.status, batch.first_approver) == (BatchStatus.PROPOSED, None)

    # The other council's batch: another council's records manager sees nothing of it.
    theirs = {b.organisation_id: b for b in services.disposal_propose()}[elsewhere.organisation_id]
    listed = get(admin_user, url("batch-list")).json()["results"]
    assert [row["id"] for row in listed] == [str(batch.public_id)]
    for response in (
        get(admin_user, url("batch-detail", theirs.public_id)),
        get(admin_user, url("batch-items", theirs.public_id)),
        post(admin_user, url("batch-approve", theirs.public_id)),
        get(admin_user, url("batch-detail", uuid.uuid4())),
        get(admin_user, url("batch-items", uuid.uuid4())),
    ):
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    theirs.refresh_from_db()
    assert theirs.first_approver is None


def test_a_batch_lists_its_records_naming_only_those_still_to_be_decided(
    batch: DisposalBatch, due: Due, admin_user: User
) -> None:
    listed = get(admin_user, url("batch-list"))
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert (row["reference"], row["status"], row["action"]) == (
        batch.reference,
        "proposed",
        "destroy",
    )
    assert row["record_class"]["code"] == "children_in_need"
    assert row["counts"] == {
        "included": 2,
        "kept": 0,
        "held": 1,
        "unknown": 1,
        "disposed": 0,
        "skipped": 0,
    }
    assert "items" not in row
    assert read_events(listed) == []

    detail = get(admin_user, url("batch-detail", batch.public_id))
    assert detail.status_code == 200
    assert detail.json()["counts"]["included"] == 2
    assert "items" not in detail.json()
    assert read_events(detail) == []

    response = get(admin_user, url("batch-items", batch.public_id))
    assert response.status_code == 200
    assert response.json()["count"] == 4
    items = {row["reference"]: row for row in response.json()["results"]}
    first = items[due.first.reference]
    assert first["person"] == {
        "id": str(due.first.person.public_id),
        "full_name": "Orla Vantongeren",
    }
    assert (first["status"], first["trigger_date"], first["due_on"]) == (
        "included",
        "1990-04-01",
        "2015-04-01",
    )
    assert items[due.second.reference]["person"]["full_name"] == "Pim Quarrendon"
    assert items[due.held.reference]["status"] == "held"
    assert items[due.held.reference]["person"] is None
    assert "hold on the person" in items[due.held.reference]["reason"]
    assert items[due.unknown.reference]["status"] == "unknown"
    assert items[due.unknown.reference]["person"] is None
    assert "Ellerby" not in response.content.decode()
    assert "Ashworthy" not in response.content.decode()
    assert the_one_read(response) == {due.first.person_id, due.second.person_id}


def test_a_batchs_records_come_a_page_at_a_time_and_filter_by_status(
    batch: DisposalBatch, due: Due, admin_user: User
) -> None:
    """A page names, and its read audit records, only the people on that page."""
    first = get(admin_user, url("batch-items", batch.public_id), page_size=1)
    assert first.status_code == 200
    body = first.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (4, 1, None)
    assert body["next"] is not None
    (row,) = body["results"]
    assert row["reference"] == due.second.reference  # the earliest due first
    assert the_one_read(first) == {due.second.person_id}

    held = get(admin_user, url("batch-items", batch.public_id), status="held")
    assert [r["reference"] for r in held.json()["results"]] == [due.held.reference]
    assert read_events(held) == []  # a held record names no one

    for params in ({"status": "shredded"}, {"status": "included", "page": "9"}):
        response = get(admin_user, url("batch-items", batch.public_id), **params)
        assert response.status_code in (400, 404)
        assert read_events(response) == []
    assert "status" in get(admin_user, url("batch-items", batch.public_id), status="x").json()


@pytest.mark.parametrize(
    ("status", "found"), [("proposed", 1), ("approved", 0), ("done", 0), ("cancelled", 0)]
)
def test_batches_filter_by_status(
    batch: DisposalBatch, admin_user: User, status: str, found: int
) -> None:
    response = get(admin_user, url("batch-list"), status=status)
    assert response.status_code == 200
    assert response.json()["count"] == found


def test_an_unknown_batch_status_is_a_field_error(batch: DisposalBatch, admin_user: User) -> None:
    response = get(admin_user, url("batch-list"), status="shredded")
    assert response.status_code == 400
    assert "status" in response.json()


def test_two_different_people_approve_a_batch_and_it_is_sent_to_be_carried_out(
    batch: DisposalBatch, admin_user: User, rosa: User, django_capture_on_commit_callbacks: Any
) -> None:
    path = url("batch-approve", batch.public_id)
    first = post(admin_user, path)
    assert first.status_code == 200, first.json()
    assert first.json()["first_approver"]["id"] == str(admin_user.public_id)
    assert first.json()["status"] == "proposed"

    twice = post(admin_user, path)
    assert twice.status_code == 400
    assert twice.json()["detail"] == (
        "You have already approved this batch: a second, different person must approve it."
    )
    batch.refresh_from_db()
    assert (batch.status, batch.second_approver) == (BatchStatus.PROPOSED, None)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        second = post(rosa, path)
    assert second.status_code == 200, second.json()
    assert second.json()["status"] == "approved"
    assert second.json()["second_approver"]["id"] == str(rosa.public_id)
    assert len(queued) == 1
    events = writes(Action.UPDATE, batch)
    assert [(e.actor, e.summary.split(" of ")[0]) for e in reversed(events)] == [
        (admin_user, "First approval"),
        (rosa, "Second approval"),
    ]

    late = post(admin_user, path)
    assert late.status_code == 400
    assert "not waiting for approval" in late.json()["detail"]


def test_a_record_kept_longer_leaves_the_batch_and_withdraws_an_approval(
    batch: DisposalBatch, due: Due, admin_user: User, rosa: User
) -> None:
    post(admin_user, url("batch-approve", batch.public_id))
    item = item_for(batch, due.second)
    response = post(
        rosa,
        url("batch-item-keep", batch.public_id, item.public_id),
        {"reason": "Sibling's adoption file refers to it", "keep_until": "2026-06-11"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["status"], body["keep_until"]) == (
        str(item.public_id),
        "kept",
        "2026-06-11",
    )
    assert body["person"]["full_name"] == "Pim Quarrendon"
    assert body["decided_by"]["id"] == str(rosa.public_id)
    assert the_one_read(response) == {due.second.person_id}
    (event,) = [e for e in writes(Action.UPDATE, batch) if e.summary.startswith("Kept")]
    assert (event.actor, subjects_of(event)) == (rosa, {due.second.person_id})
    batch.refresh_from_db()
    assert batch.first_approver is None

    # Taken out, it cannot be kept again; a held record was never in.
    again = post(
        rosa,
        url("batch-item-keep", batch.public_id, item.public_id),
        {"reason": "Again", "keep_until": "2026-06-11"},
    )
    assert again.status_code == 400
    assert "not in the batch" in again.json()["detail"]


KEEP = {"reason": "Sibling's adoption file refers to it", "keep_until": "2026-06-11"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**KEEP, "reason": ""}, "reason"),
        ({**KEEP, "reason": "x" * 501}, "reason"),
        ({k: v for k, v in KEEP.items() if k != "keep_until"}, "keep_until"),
        ({**KEEP, "keep_until": None}, "keep_until"),
        ({**KEEP, "keep_until": "2025-06-11"}, "keep_until"),
        ({**KEEP, "keep_until": "2020-01-01"}, "keep_until"),
        ({**KEEP, "keep_until": "11/06/2026"}, "keep_until"),
        ({**KEEP, "keep_until": "2026-02-30"}, "keep_until"),
        (["reason"], "non_field_errors"),
    ],
)
def test_keeping_a_record_needs_a_reason_and_a_later_day(
    batch: DisposalBatch, due: Due, admin_user: User, body: Any, field: str
) -> None:
    item = item_for(batch, due.first)
    before = events_now()
    response = post(admin_user, url("batch-item-keep", batch.public_id, item.public_id), body)
    assert response.status_code == 400
    assert field in response.json()
    item.refresh_from_db()
    assert item.status == ItemStatus.INCLUDED
    assert events_now() == before


def test_a_record_of_another_batch_is_not_found(
    batch: DisposalBatch, elsewhere: Case, admin_user: User, other_council: Any
) -> None:
    colleague = staff_member(
        role=Role.RECORDS_MANAGER,
        team=TeamFactory(name="Brambley IG", organisation=other_council),
        username="bea",
    )
    theirs = {b.organisation_id: b for b in services.disposal_propose()}[other_council.pk]
    their_item = theirs.items.get()
    for path in (
        url("batch-item-keep", batch.public_id, their_item.public_id),
        url("batch-item-keep", batch.public_id, uuid.uuid4()),
    ):
        response = post(admin_user, path, KEEP)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert get(colleague, url("batch-detail", batch.public_id)).json() == NOT_FOUND
    assert get(colleague, url("batch-items", batch.public_id)).json() == NOT_FOUND
    their_item.refresh_from_db()
    assert their_item.status == ItemStatus.INCLUDED


def test_a_batch_is_cancelled_with_a_reason(batch: DisposalBatch, admin_user: User) -> None:
    path = url("batch-cancel", batch.public_id)
    for body in ({"reason": ""}, {}, {"reason": "x" * 501}):
        response = post(admin_user, path, body)
        assert response.status_code == 400
        assert "reason" in response.json()
    assert post_raw(admin_user, path, "cancel it").status_code == 400
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PROPOSED

    response = post(admin_user, path, {"reason": "Rule under review"})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["cancel_reason"]) == (
        "cancelled",
        "Rule under review",
    )
    assert response.json()["cancelled_by"]["id"] == str(admin_user.public_id)
    (event,) = writes(Action.UPDATE, batch)
    assert event.summary == f"Cancelled disposal batch {batch.reference}"
    again = post(admin_user, path, {"reason": "Twice"})
    assert again.status_code == 400
    assert "not started" in again.json()["detail"]


# --- The register ----------------------------------------------------------------------------


@pytest.fixture
def done(batch: DisposalBatch, admin_user: User, rosa: User) -> DisposalBatch:
    post(admin_user, url("batch-approve", batch.public_id))
    post(rosa, url("batch-approve", batch.public_id))
    finished = services.batch_run(batch_id=batch.pk)
    assert finished is not None
    assert finished.status == BatchStatus.DONE
    return finished


def test_the_register_keeps_a_stub_of_each_record_disposed_of_and_no_name(
    done: DisposalBatch, due: Due, admin_user: User, rosa: User, practitioner: User, guardian: User
) -> None:
    for user in (practitioner, guardian):
        response = get(user, url("register"))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    response = get(admin_user, url("register"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    rows = {row["reference"]: row for row in body["results"]}
    assert set(rows) == {due.first.reference, due.second.reference}
    row = rows[due.first.reference]
    assert row["record_class"] == {"code": "children_in_need", "name": "Children in need cases"}
    assert (row["trigger_date"], row["due_on"], row["action"]) == (
        "1990-04-01",
        "2015-04-01",
        "destroy",
    )
    assert row["rule"]["version"] == 1
    assert row["batch"] == {"id": str(done.public_id), "reference": done.reference}
    assert {row["first_approver"]["id"], row["second_approver"]["id"]} == {
        str(admin_user.public_id),
        str(rosa.public_id),
    }
    assert row["disposed_at"] is not None
    text = response.content.decode()
    for name in ("Orla", "Vantongeren", "Pim", "Quarrendon"):
        assert name not in text
    assert read_events(response) == []

    # The batch itself now names no one: its records are gone.
    detail = get(admin_user, url("batch-detail", done.public_id))
    assert detail.json()["counts"]["disposed"] == 2
    records = get(admin_user, url("batch-items", done.public_id))
    assert len(records.json()["results"]) == 4
    assert all(item["person"] is None for item in records.json()["results"])
    assert read_events(records) == []


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"record_class": "children_in_need"}, 2),
        ({"record_class": "child_protection"}, 0),
        ({"batch": "DONE"}, 2),
        ({"batch": str(uuid.uuid4())}, 0),
        ({"record_class": "children_in_need", "batch": "DONE", "page_size": 1}, 2),
    ],
)
def test_the_register_filters_by_class_and_batch(
    done: DisposalBatch, admin_user: User, params: dict[str, str], count: int
) -> None:
    params = {k: str(done.public_id) if v == "DONE" else v for k, v in params.items()}
    response = get(admin_user, url("register"), **params)
    assert response.status_code == 200
    assert response.json()["count"] == count
    assert len(response.json()["results"]) == min(count, int(params.get("page_size", 25)))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"record_class": "no_such_class"}, "record_class"),
        ({"record_class": "not a slug"}, "record_class"),
        ({"batch": "DB-2025-00001"}, "batch"),
    ],
)
def test_a_bad_register_filter_is_a_field_error(
    admin_user: User, council: Any, params: dict[str, str], field: str
) -> None:
    response = get(admin_user, url("register"), **params)
    assert response.status_code == 400
    assert field in response.json()


# --- Forecast and dry run --------------------------------------------------------------------


def test_the_forecast_counts_what_falls_due_each_month_and_names_no_one(
    due: Due, practitioner: User, guardian: User, admin_user: User
) -> None:
    for user in (practitioner, guardian):
        response = get(user, url("forecast"))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    response = get(admin_user, url("forecast"))
    assert response.status_code == 200
    body = response.json()
    assert len(body["months"]) == 24
    assert body["months"][0] == "2025-06-01"
    assert body["months"][7] == "2026-01-01"
    rows = {row["record_class"]["code"]: row for row in body["rows"]}
    cin = rows["children_in_need"]
    # Born 15 January 2001: due on the 25th birthday, in January 2026.
    assert cin["counts"][7] == 1
    assert cin["total"] == 1
    assert cin["unknown"] == 1
    assert body["totals"][7] == 1
    assert sum(body["totals"]) == 1
    assert "Ashworthy" not in response.content.decode()
    assert read_events(response) == []

    shorter = get(admin_user, url("forecast"), months=6).json()
    assert len(shorter["months"]) == 6
    assert {row["record_class"]["code"]: row["total"] for row in shorter["rows"]}[
        "children_in_need"
    ] == 0


@pytest.mark.parametrize("months", ["0", "61", "two", "-3"])
def test_a_bad_forecast_length_is_a_field_error(admin_user: User, months: str) -> None:
    response = get(admin_user, url("forecast"), months=months)
    assert response.status_code == 400
    assert "months" in response.json()


def test_the_dry_run_counts_what_would_be_proposed_and_writes_nothing(
    due: Due, elsewhere: Case, practitioner: User, guardian: User, admin_user: User
) -> None:
    for user in (practitioner, guardian):
        response = get(user, url("dry-run"))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    before = events_now()
    response = get(admin_user, url("dry-run"))
    assert response.status_code == 200
    body = response.json()
    assert body["on"] == TODAY.isoformat()
    # Only fay's council: the other council's due case is not counted.
    (row,) = body["rows"]
    assert row["record_class"]["code"] == "children_in_need"
    assert row["organisation"]["id"] == str(due.first.organisation.public_id)
    assert (row["rule"]["version"], row["action"]) == (1, "destroy")
    assert (row["included"], row["held"], row["unknown"]) == (2, 1, 1)
    assert row["reasons"] == [
        {"reason": "A hold on the person's records.", "count": 1},
        {"reason": "The date of birth is not recorded.", "count": 1},
    ]
    text = response.content.decode()
    for name in ("Orla", "Vantongeren", "Tamsin", "Ellerby", "Ashworthy"):
        assert name not in text
    assert DisposalBatch.objects.count() == 0
    assert events_now() == before

    # Once proposed, the included records wait in their batch; the held and the unknown are
    # still shown, to be proposed again once free.
    services.disposal_propose()
    (row,) = get(admin_user, url("dry-run")).json()["rows"]
    assert (row["included"], row["held"], row["unknown"]) == (0, 1, 1)


# --- The certificate -------------------------------------------------------------------------


def test_the_certificate_of_a_batch_carried_out_is_a_pdf_of_references_and_is_audited(
    done: DisposalBatch, due: Due, admin_user: User, practitioner: User, guardian: User
) -> None:
    import io

    from pypdf import PdfReader

    path = url("batch-certificate", done.public_id)
    for user in (practitioner, guardian):
        response = get(user, path)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert get(admin_user, url("batch-certificate", uuid.uuid4())).json() == NOT_FOUND

    response = get(admin_user, path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-of-destruction-{done.reference}.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.getvalue())).pages)
    assert done.reference in text
    assert due.first.reference in text
    assert due.second.reference in text
    for name in ("Orla", "Vantongeren", "Pim", "Quarrendon"):
        assert name not in text
    (event,) = read_events(response)
    assert (event.actor, event.object_id) == (admin_user, str(done.public_id))
    assert event.summary == (
        f"Downloaded the certificate of destruction for disposal batch {done.reference}"
    )
    assert subjects_of(event) == set()


def test_there_is_no_certificate_before_a_batch_is_carried_out(
    batch: DisposalBatch, admin_user: User, rosa: User
) -> None:
    path = url("batch-certificate", batch.public_id)
    assert get(admin_user, path).json() == NOT_FOUND
    post(admin_user, url("batch-approve", batch.public_id))
    post(rosa, url("batch-approve", batch.public_id))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED
    response = get(admin_user, path)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert read_events(response) == []
