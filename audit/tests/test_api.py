"""The guardian's API under /api/v1/audit/: the shape of events and alerts, filters and their
field errors, keyset pages, reviews and rule changes with their events, the read event each
response writes, and 404 for everybody else on every endpoint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.alerts import alerts_detect
from audit.models import (
    Action,
    AlertOutcome,
    AlertRule,
    AlertRuleCode,
    AuditEvent,
    PrivacyAlert,
    Purpose,
)
from audit.services import event_record, events_scrub_personal
from audit.tests.helpers import read

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found."}
MISSING = "5b0c2d4e-0000-4000-8000-000000000001"


def url(name: str, *args: Any) -> str:
    return reverse(f"audit-api:{name}", args=args)


def client_for(user: Any) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.fixture
def api(guardian) -> APIClient:
    return client_for(guardian)


@pytest.fixture
def alert(rules, other_practitioner, person) -> PrivacyAlert:  # noqa: F811
    read(other_practitioner, [person], purpose=Purpose.BREAK_GLASS, reason="Police call")
    alerts_detect(now=timezone.now() + timedelta(minutes=5))
    return PrivacyAlert.objects.get(rule=AlertRuleCode.BREAK_GLASS, person_id=person.pk)


def last_id() -> int:
    latest = AuditEvent.objects.order_by("-id").first()
    return latest.pk if latest else 0


def review_reads(guardian, since: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            actor=guardian, action=Action.READ, purpose=Purpose.AUDIT_REVIEW, id__gt=since
        ).order_by("id")
    )


# --- Who may call ----------------------------------------------------------------------------


def calls(alert: PrivacyAlert) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("get", url("event-list"), None),
        ("get", url("alert-list"), None),
        ("get", url("alert-detail", alert.public_id), None),
        ("post", url("alert-review", alert.public_id), {"outcome": "appropriate"}),
        ("get", url("rule-list"), None),
        ("get", url("rule-detail", AlertRuleCode.DECEASED), None),
        ("patch", url("rule-detail", AlertRuleCode.DECEASED), {"enabled": False}),
    ]


@pytest.mark.parametrize(
    "persona", ["practitioner", "other_practitioner", "manager", "records_officer", "admin_user"]
)
def test_everybody_else_gets_404_on_every_endpoint(request, persona, alert):
    user = request.getfixturevalue(persona)
    api = client_for(user)
    before = last_id()
    for method, path, body in calls(alert):
        response = getattr(api, method)(path, body, format="json")
        if persona == "admin_user" and "/rules/" in path:
            assert response.status_code == 200, path
            continue
        assert response.status_code == 404, path
        assert response.json() == NOT_FOUND, path
    alert.refresh_from_db()
    assert alert.is_open
    assert not AuditEvent.objects.filter(id__gt=before, actor=user, action=Action.READ).exists()


def test_an_anonymous_caller_is_asked_to_sign_in(alert):
    api = client_for(None)
    for method, path, body in calls(alert):
        assert getattr(api, method)(path, body, format="json").status_code == 401, path


def test_the_endpoints_are_in_the_schema(client, guardian):
    import yaml

    client.force_login(guardian)
    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert {
        "/api/v1/audit/events/",
        "/api/v1/audit/alerts/",
        "/api/v1/audit/alerts/{alert_id}/",
        "/api/v1/audit/alerts/{alert_id}/review/",
        "/api/v1/audit/rules/",
        "/api/v1/audit/rules/{code}/",
    } <= set(schema["paths"])
    names = {p["name"] for p in schema["paths"]["/api/v1/audit/events/"]["get"]["parameters"]}
    assert {"subject", "actor", "action", "purpose", "from", "to", "cursor"} <= names


# --- Events ------------------------------------------------------------------------------------


def test_an_event_as_json(api, guardian, practitioner, person):  # noqa: F811
    event = event_record(
        actor=practitioner,
        action=Action.UPDATE,
        summary="Changed the person's details",
        obj=person,
        subjects=[person],
        changes={"first_name": ("Old", "New")},
    )
    before = last_id()
    response = api.get(url("event-list"), {"subject": str(person.public_id), "action": "update"})
    assert response.status_code == 200
    body = response.json()
    found = next(e for e in body["results"] if e["id"] == event.pk)
    assert found == {
        "id": event.pk,
        "occurred_at": found["occurred_at"],
        "action": "update",
        "purpose": "normal",
        "actor": {"id": str(practitioner.public_id), "username": "amy"},
        "summary": "Changed the person's details",
        "object_type": "records.person",
        "object_id": str(person.public_id),
        "subjects": [str(person.public_id)],
        "other_subjects": 0,
        "changed_fields": ["first_name"],
        "request_id": "",
        "ip_address": "",
        "changes": {"first_name": ["Old", "New"]},
        "reason": None,
        "query": None,
        "scrubbed": False,
        "withheld": False,
    }
    assert body["next"] is None
    events = review_reads(guardian, before)
    assert len(events) == 1
    assert events[0].subject_id_list == [person.pk]


def test_a_scrubbed_event_says_so(api, practitioner, person):  # noqa: F811
    read(practitioner, [person], reason="Looked for the address")
    events_scrub_personal(person_ids=[person.pk])
    body = api.get(url("event-list"), {"subject": str(person.public_id), "action": "read"}).json()
    assert body["results"][0]["scrubbed"] is True
    assert body["results"][0]["reason"] is None


def test_filters_and_pages(api, practitioner, other_practitioner, person, second_person):  # noqa: F811
    mine = [read(practitioner, [person]).pk for _ in range(5)]
    read(other_practitioner, [second_person])
    seen: list[int] = []
    response = api.get(url("event-list"), {"actor": "amy", "action": "read", "page_size": 2})
    while True:
        body = response.json()
        assert len(body["results"]) <= 2
        seen += [e["id"] for e in body["results"]]
        if not body["next"]:
            break
        response = api.get(body["next"])
    assert seen == sorted(mine, reverse=True)
    by_purpose = api.get(url("event-list"), {"purpose": "break_glass"}).json()
    assert by_purpose["results"] == []
    today = timezone.localdate().isoformat()
    in_range = api.get(url("event-list"), {"actor": "amy", "from": today, "to": today}).json()
    assert set(mine) <= {e["id"] for e in in_range["results"]}


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"from": "2026-02-30"}, {"from"}),
        ({"from": "yesterday"}, {"from"}),
        ({"from": "2026-03-02", "to": "2026-03-01"}, {"to"}),
        ({"actor": "nobody-here"}, {"actor"}),
        ({"subject": "not-a-uuid"}, {"subject"}),
        ({"subject": MISSING, "actor": MISSING}, {"subject", "actor"}),
        ({"action": "dance", "purpose": "fun"}, {"action", "purpose"}),
        ({"team": MISSING}, {"team"}),
        ({"cursor": "nonsense"}, {"cursor"}),
        ({"page_size": "0"}, {"page_size"}),
    ],
)
def test_bad_filters_are_400_with_field_errors(api, guardian, params, fields):
    before = last_id()
    response = api.get(url("event-list"), params)
    assert response.status_code == 400
    assert fields <= set(response.json())
    assert not review_reads(guardian, before)


def test_another_councils_guardian_sees_nothing_of_this_council(
    practitioner,
    person,  # noqa: F811
    brambley,  # noqa: F811
    alert,
):
    ours = read(practitioner, [person])
    zoe = client_for(brambley["guardian"])
    body = zoe.get(url("event-list")).json()
    assert ours.pk not in {e["id"] for e in body["results"]}
    assert str(person.public_id) not in str(body)
    assert zoe.get(url("event-list"), {"subject": str(person.public_id)}).status_code == 400
    assert zoe.get(url("event-list"), {"actor": "amy"}).status_code == 400
    # Brambley's own staff may have alerts (out of hours, say); none is about Ashdown.
    theirs = zoe.get(url("alert-list")).json()["results"]
    assert {a["user"]["username"] for a in theirs} <= {"olly"}
    assert all(a["person"] in (None, str(brambley["person"].public_id)) for a in theirs)
    assert zoe.get(url("alert-detail", alert.public_id)).status_code == 404
    review = zoe.post(url("alert-review", alert.public_id), {"outcome": "appropriate"})
    assert review.status_code == 404


# --- Alerts ------------------------------------------------------------------------------------


def test_alert_list_and_detail(api, guardian, alert, person):  # noqa: F811
    before = last_id()
    listing = api.get(url("alert-list"), {"status": "open"}).json()
    row = next(a for a in listing["results"] if a["id"] == str(alert.public_id))
    assert row["rule"] == "break_glass"
    assert row["person"] == str(person.public_id)
    assert row["status"] == "open"
    assert row["user"]["username"] == "ben"
    assert person.pk in review_reads(guardian, before)[0].subject_id_list
    assert api.get(url("alert-list"), {"status": "reviewed"}).json()["count"] == 0
    assert api.get(url("alert-list"), {"rule": "deceased"}).json()["count"] == 0
    assert api.get(url("alert-list"), {"status": "shut"}).status_code == 400
    detail = api.get(url("alert-detail", alert.public_id)).json()
    assert detail["events_total"] == 1
    assert detail["events"][0]["reason"] == "Police call"
    assert detail["events"][0]["purpose"] == "break_glass"
    assert api.get(url("alert-detail", MISSING)).json() == NOT_FOUND


def test_reviewing_an_alert(api, guardian, alert, person):  # noqa: F811
    before = last_id()
    response = api.post(
        url("alert-review", alert.public_id),
        {"outcome": "not_appropriate", "note": "Spoke to the manager."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "reviewed"
    assert response.json()["reviewed_by"]["username"] == guardian.username
    alert.refresh_from_db()
    assert alert.outcome == AlertOutcome.NOT_APPROPRIATE
    written = AuditEvent.objects.get(id__gt=before, action=Action.UPDATE)
    assert written.actor == guardian
    assert written.purpose == Purpose.AUDIT_REVIEW
    assert written.subject_id_list == [person.pk]
    assert written.personal["changes"]["review_note"] == ["", "Spoke to the manager."]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "outcome"),
        ({"outcome": "shrug"}, "outcome"),
        ({"outcome": "needs_explanation", "note": "   "}, "note"),
        ({"outcome": "appropriate", "note": "x" * 5001}, "note"),
    ],
)
def test_a_bad_review_is_400_and_changes_nothing(api, alert, body, field):
    before = last_id()
    response = api.post(url("alert-review", alert.public_id), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    alert.refresh_from_db()
    assert alert.is_open
    assert not AuditEvent.objects.filter(id__gt=before, action=Action.UPDATE).exists()


# --- Rules ---------------------------------------------------------------------------------------


def test_rules_list_and_change(api, guardian, rules):  # noqa: F811
    listing = api.get(url("rule-list")).json()
    assert {r["code"] for r in listing} == set(AlertRuleCode.values)
    volume = next(r for r in listing if r["code"] == "volume")
    assert volume["parameters"]["baseline_days"] == 28
    before = last_id()
    response = api.patch(
        url("rule-detail", "volume"), {"parameters": {"multiplier": 5}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["parameters"]["multiplier"] == 5.0
    assert response.json()["updated_by"]["username"] == guardian.username
    rule = AlertRule.objects.get(code="volume")
    assert rule.parameters["multiplier"] == 5.0
    assert rule.enabled
    written = AuditEvent.objects.get(id__gt=before, action=Action.SETTING_CHANGE)
    assert written.actor == guardian
    assert written.changed_fields == "parameters.multiplier"
    off = api.patch(url("rule-detail", "deceased"), {"enabled": False}, format="json")
    assert off.json()["enabled"] is False
    assert api.get(url("rule-detail", "no_such_rule")).status_code == 404


@pytest.mark.parametrize(
    ("code", "body", "field"),
    [
        ("volume", {"parameters": {"multiplier": 0.5}}, "multiplier"),
        ("volume", {"parameters": {"baseline_days": "many"}}, "baseline_days"),
        ("out_of_hours", {"parameters": {"start_hour": 20, "end_hour": 8}}, "end_hour"),
        ("deceased", {"parameters": {"colour": "red"}}, "colour"),
        ("deceased", {"enabled": "perhaps"}, "enabled"),
        ("deceased", {"parameters": "all"}, "parameters"),
    ],
)
def test_bad_rule_changes_are_400_and_change_nothing(api, rules, code, body, field):  # noqa: F811
    rule = AlertRule.objects.get(code=code)
    original = (rule.enabled, dict(rule.parameters), rule.updated_at)
    before = last_id()
    response = api.patch(url("rule-detail", code), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    rule.refresh_from_db()
    assert (rule.enabled, rule.parameters, rule.updated_at) == original
    assert not AuditEvent.objects.filter(id__gt=before, action=Action.SETTING_CHANGE).exists()


def test_the_administrator_may_change_rules(admin_user, rules):  # noqa: F811
    api = client_for(admin_user)
    response = api.patch(url("rule-detail", "out_of_hours"), {"enabled": False}, format="json")
    assert response.status_code == 200
    assert not AlertRule.objects.get(code="out_of_hours").enabled
