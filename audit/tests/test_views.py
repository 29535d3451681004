"""The guardian's pages under /audit/: what the guardian sees, the 404 everybody else gets, bad
filters as field errors, the audited CSV export, reviews and rule changes, and the read event
each page writes for the purpose "audit review"."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

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
from audit.tests.helpers import read
from tests.pages import same_page

pytestmark = pytest.mark.django_db

MISSING = "5b0c2d4e-0000-4000-8000-000000000001"


@pytest.fixture
def alert(rules, other_practitioner, person) -> PrivacyAlert:  # noqa: F811
    read(other_practitioner, [person], purpose=Purpose.BREAK_GLASS, reason="Police call")
    alerts_detect(now=timezone.now() + timedelta(minutes=5))
    return PrivacyAlert.objects.get(rule=AlertRuleCode.BREAK_GLASS, person_id=person.pk)


@pytest.fixture
def eve(client, guardian):
    client.force_login(guardian)
    return client


def review_reads(guardian, since: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            actor=guardian, action=Action.READ, purpose=Purpose.AUDIT_REVIEW, id__gt=since
        ).order_by("id")
    )


def last_id() -> int:
    latest = AuditEvent.objects.order_by("-id").first()
    return latest.pk if latest else 0


def pages(person, practitioner, alert) -> list[str]:  # noqa: F811
    return [
        reverse("audit:dashboard"),
        reverse("audit:event-search"),
        reverse("audit:event-search") + "?actor=amy",
        reverse("audit:event-export") + "?actor=amy",
        reverse("audit:person-find"),
        reverse("audit:person-report", args=[person.public_id]),
        reverse("audit:user-report", args=[practitioner.public_id]),
        reverse("audit:alert-list"),
        reverse("audit:alert-detail", args=[alert.public_id]),
        reverse("audit:rule-list"),
        reverse("audit:rule-edit", args=[AlertRuleCode.OUT_OF_HOURS]),
    ]


# --- Who may open the pages ---------------------------------------------------------------------


def test_the_guardian_opens_every_page(eve, person, practitioner, alert):  # noqa: F811
    for url in pages(person, practitioner, alert):
        response = eve.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    "persona", ["practitioner", "other_practitioner", "manager", "records_officer", "admin_user"]
)
def test_everybody_else_gets_the_missing_page(
    request,
    client,
    persona,
    person,  # noqa: F811
    practitioner,
    alert,
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    missing = client.get("/audit/no-such-page/")
    assert missing.status_code == 404
    before = last_id()
    for url in pages(person, practitioner, alert):
        if persona == "admin_user" and "/rules/" in url:
            assert client.get(url).status_code == 200, url
            continue
        response = client.get(url)
        assert response.status_code == 404, url
        assert same_page(response.content, missing.content), url
        assert client.post(url).status_code == 404, url
    assert not AuditEvent.objects.filter(id__gt=before, actor=user, action=Action.READ).exists()


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(reverse("audit:dashboard"))
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_the_audit_link_is_in_the_guardians_navigation_only(eve, client, practitioner):
    assert b'href="/audit/"' in eve.get(reverse("core:start")).content
    client.force_login(practitioner)
    assert b'href="/audit/"' not in client.get(reverse("core:start")).content


def test_another_councils_guardian_gets_404_for_this_councils_records(
    client,
    brambley,  # noqa: F811
    person,  # noqa: F811
    practitioner,
    alert,
):
    client.force_login(brambley["guardian"])
    for url in (
        reverse("audit:person-report", args=[person.public_id]),
        reverse("audit:user-report", args=[practitioner.public_id]),
        reverse("audit:alert-detail", args=[alert.public_id]),
    ):
        assert client.get(url).status_code == 404, url
    body = client.get(reverse("audit:event-search"), {"action": "read"}).content.decode()
    assert escape(person.full_name) not in body
    response = client.get(reverse("audit:event-search"), {"actor": "amy"})
    assert "no member of staff with this username" in response.content.decode()
    dashboard = client.get(reverse("audit:dashboard")).content.decode()
    assert escape(person.full_name) not in dashboard


# --- Dashboard ----------------------------------------------------------------------------------


def test_dashboard_shows_the_queue_the_chart_and_the_seals(eve, guardian, alert, person):  # noqa: F811
    before = last_id()
    response = eve.get(reverse("audit:dashboard"))
    body = response.content.decode()
    assert 'data-testid="alert-queue"' in body
    assert "Break-glass access" in body
    assert escape(person.full_name) in body
    assert 'data-testid="reads-chart"' in body
    assert 'role="img"' in body
    assert body.count("<rect ") == 30
    assert 'data-testid="reads-table"' in body
    assert " style=" not in body
    assert 'data-testid="seal-status"' in body
    events = review_reads(guardian, before)
    assert len(events) == 1
    assert person.pk in events[0].subject_id_list


# --- Event search and export --------------------------------------------------------------------


def test_search_shows_matching_events_and_records_the_review(
    eve,
    guardian,
    practitioner,
    other_practitioner,
    person,  # noqa: F811
    second_person,  # noqa: F811
):
    read(practitioner, [person], summary="Opened the person page")
    read(other_practitioner, [second_person], summary="Opened another page")
    before = last_id()
    response = eve.get(reverse("audit:event-search"), {"actor": "amy", "action": "read"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Opened the person page" in body
    assert escape(person.full_name) in body
    assert "Opened another page" not in body
    assert reverse("audit:event-export") + "?actor=amy&amp;action=read" in body
    events = review_reads(guardian, before)
    assert len(events) == 1
    assert person.pk in events[0].subject_id_list
    assert second_person.pk not in events[0].subject_id_list


def test_the_empty_search_form_shows_no_events(eve, guardian, practitioner, person):  # noqa: F811
    read(practitioner, [person], summary="Opened the person page")
    before = last_id()
    body = eve.get(reverse("audit:event-search")).content.decode()
    assert "Opened the person page" not in body
    assert not review_reads(guardian, before)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2026-02-30"}, "from", "Enter a valid date."),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to", "The end date must be the same"),
        ({"actor": "nobody-here"}, "actor", "There is no member of staff with this username"),
        ({"subject": "not-a-uuid"}, "subject", "Enter a valid UUID."),
        ({"subject": MISSING}, "subject", "There is no person with this record id"),
        ({"action": "dance"}, "action", "Select a valid choice."),
        ({"team": MISSING}, "team", "Select a valid choice."),
    ],
)
def test_bad_filters_are_field_errors(eve, guardian, params, field, message):
    before = last_id()
    response = eve.get(reverse("audit:event-search"), params)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert f'id="id_{field}-error"' in body
    assert escape(message) in body
    assert not review_reads(guardian, before)
    export = eve.get(reverse("audit:event-export"), params)
    assert export["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(id__gt=before, action=Action.EXPORT).exists()


def test_a_broken_page_link_is_a_message_not_a_failure(eve, practitioner):
    response = eve.get(reverse("audit:event-search"), {"actor": "amy", "cursor": "x"})
    assert response.status_code == 200
    assert "This page link is not valid" in response.content.decode()


def test_older_events_follow_on_the_next_page(eve, practitioner, person):  # noqa: F811
    made = [read(practitioner, [person], summary=f"Read number {n:02}").pk for n in range(60)]
    first = eve.get(reverse("audit:event-search"), {"actor": "amy", "action": "read"})
    body = first.content.decode()
    assert "Read number 59" in body
    assert "Read number 00" not in body
    cursor = body.split("cursor=")[1].split('"')[0].split("#")[0]
    second = eve.get(
        reverse("audit:event-search"), {"actor": "amy", "action": "read", "cursor": cursor}
    )
    assert "Read number 00" in second.content.decode()
    assert "Read number 59" not in second.content.decode()
    assert len(made) == 60


def test_csv_export_is_recorded_and_safe_to_open(
    eve,
    guardian,
    practitioner,
    person,  # noqa: F811
):
    read(practitioner, [person], summary="Searched for people", query='=HYPERLINK("x")')
    started = timezone.now()
    before = last_id()
    response = eve.get(reverse("audit:event-export"), {"subject": str(person.public_id)})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, data = rows[0], rows[1:]
    assert header[:4] == ["Event", "When", "Action", "Purpose"]
    searched = next(r for r in data if r[header.index("Summary")] == "Searched for people")
    assert searched[header.index("Member of staff")] == "amy"
    assert searched[header.index("Person ids")] == str(person.public_id)
    assert searched[header.index("People")] == person.full_name
    details = searched[header.index("Personal details")]
    assert json.loads(details) == {"query": '=HYPERLINK("x")'}
    for row in data:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    exported = AuditEvent.objects.get(id__gt=before, action=Action.EXPORT)
    assert exported.actor == guardian
    assert exported.purpose == Purpose.AUDIT_REVIEW
    assert exported.subject_id_list == [person.pk]
    assert exported.personal == {"filters": {"subject": str(person.public_id)}}
    assert exported.occurred_at >= started
    assert not review_reads(guardian, before)


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    from core.csvsafe import csv_cell

    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("+44 20") == "'+44 20"
    assert csv_cell("-2") == "'-2"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("Amy") == "Amy"
    assert csv_cell(None) == ""


# --- Person and user reports --------------------------------------------------------------------


def test_find_a_person_by_nhs_number_opens_their_report(eve, guardian, person):  # noqa: F811
    person.nhs_number = "9434765919"
    person.save()
    response = eve.get(reverse("audit:person-find"), {"nhs_number": "943 476 5919"})
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:person-report", args=[person.public_id])


def test_find_a_person_by_name_and_date_of_birth(eve, person, second_person):  # noqa: F811
    second_person.first_name, second_person.last_name = person.first_name, person.last_name
    second_person.date_of_birth = person.date_of_birth
    second_person.save()
    response = eve.get(
        reverse("audit:person-find"),
        {
            "first_name": person.first_name.upper(),
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth.isoformat(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert str(person.public_id) in body
    assert str(second_person.public_id) in body


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"nhs_number": "123"}, "nhs_number"),
        ({"first_name": "Amy"}, "last_name"),
        (
            {"first_name": "Amy", "last_name": "Smith", "date_of_birth": "1990-13-01"},
            "date_of_birth",
        ),
    ],
)
def test_finding_a_person_needs_enough_to_go_on(eve, params, field):
    response = eve.get(reverse("audit:person-find"), params)
    assert response.status_code == 200
    assert f'id="id_{field}-error"' in response.content.decode()


def test_another_councils_person_is_not_found(eve, brambley):  # noqa: F811
    child = brambley["person"]
    response = eve.get(
        reverse("audit:person-find"),
        {
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": child.date_of_birth.isoformat(),
        },
    )
    assert "No record matches" in response.content.decode()


def test_who_has_accessed_a_persons_record(
    eve,
    guardian,
    practitioner,
    other_practitioner,
    person,  # noqa: F811
):
    read(practitioner, [person])
    read(other_practitioner, [person], purpose=Purpose.BREAK_GLASS, reason="Out of hours call")
    before = last_id()
    response = eve.get(reverse("audit:person-report", args=[person.public_id]))
    body = response.content.decode()
    assert escape(person.full_name) in body
    assert 'data-testid="accessors"' in body
    assert reverse("audit:user-report", args=[practitioner.public_id]) in body
    assert "Break-glass" in body
    assert "Out of hours call" in body
    events = review_reads(guardian, before)
    assert len(events) == 1
    assert events[0].subject_id_list == [person.pk]
    assert events[0].object_id == str(person.public_id)


def test_what_a_member_of_staff_has_looked_at(
    eve,
    guardian,
    practitioner,
    person,  # noqa: F811
    second_person,  # noqa: F811
):
    read(practitioner, [person])
    read(practitioner, [second_person])
    before = last_id()
    response = eve.get(reverse("audit:user-report", args=[practitioner.public_id]))
    body = response.content.decode()
    assert 'data-testid="people-touched"' in body
    assert escape(person.full_name) in body
    assert escape(second_person.full_name) in body
    events = review_reads(guardian, before)
    assert len(events) == 1
    assert {person.pk, second_person.pk} <= set(events[0].subject_id_list)
    bad = eve.get(
        reverse("audit:user-report", args=[practitioner.public_id]),
        {"from": "2026-05-02", "to": "2026-05-01"},
    )
    assert 'id="id_to-error"' in bad.content.decode()


# --- Alerts -------------------------------------------------------------------------------------


def test_alert_list_and_filters(eve, guardian, alert, person):  # noqa: F811
    before = last_id()
    body = eve.get(reverse("audit:alert-list")).content.decode()
    assert reverse("audit:alert-detail", args=[alert.public_id]) in body
    assert escape(person.full_name) in body
    assert person.pk in review_reads(guardian, before)[0].subject_id_list
    reviewed = eve.get(reverse("audit:alert-list"), {"status": "reviewed"}).content.decode()
    assert reverse("audit:alert-detail", args=[alert.public_id]) not in reviewed
    other_rule = eve.get(reverse("audit:alert-list"), {"rule": AlertRuleCode.DECEASED})
    assert reverse("audit:alert-detail", args=[alert.public_id]) not in other_rule.content.decode()


def test_alert_detail_shows_its_events(eve, guardian, alert, person):  # noqa: F811
    before = last_id()
    body = eve.get(reverse("audit:alert-detail", args=[alert.public_id])).content.decode()
    assert "Police call" in body
    assert escape(person.full_name) in body
    events = review_reads(guardian, before)
    assert events[0].subject_id_list == [person.pk]
    assert events[0].object_id == str(alert.public_id)


def test_reviewing_an_alert(eve, guardian, alert, person):  # noqa: F811
    url = reverse("audit:alert-detail", args=[alert.public_id])
    before = last_id()
    response = eve.post(url, {"outcome": AlertOutcome.APPROPRIATE, "note": ""})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.outcome == AlertOutcome.APPROPRIATE
    assert alert.reviewed_by == guardian
    written = AuditEvent.objects.get(id__gt=before, action=Action.UPDATE)
    assert written.purpose == Purpose.AUDIT_REVIEW
    assert written.subject_id_list == [person.pk]
    assert "outcome" in written.changed_fields
    assert "Appropriate" in eve.get(url).content.decode()


def test_a_review_that_is_not_plainly_appropriate_needs_a_note(eve, alert):
    url = reverse("audit:alert-detail", args=[alert.public_id])
    before = last_id()
    response = eve.post(url, {"outcome": AlertOutcome.NEEDS_EXPLANATION, "note": "  "})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_note-error"' in body
    missing = eve.post(url, {"note": "Looked fine"})
    assert 'href="#id_outcome_0"' in missing.content.decode()
    assert "There is a problem" in missing.content.decode()
    alert.refresh_from_db()
    assert alert.is_open
    assert not AuditEvent.objects.filter(id__gt=before, action=Action.UPDATE).exists()


# --- Rules --------------------------------------------------------------------------------------


def test_changing_a_rule_is_recorded(eve, guardian, rules):  # noqa: F811
    url = reverse("audit:rule-edit", args=[AlertRuleCode.OUT_OF_HOURS])
    before = last_id()
    response = eve.post(url, {"enabled": "on", "start_hour": "8", "end_hour": "18"})
    assert response.status_code == 302
    rule = AlertRule.objects.get(code=AlertRuleCode.OUT_OF_HOURS)
    assert rule.parameters == {"start_hour": 8, "end_hour": 18, "weekends": False}
    assert rule.updated_by == guardian
    written = AuditEvent.objects.get(id__gt=before, action=Action.SETTING_CHANGE)
    assert written.actor == guardian
    assert "parameters.start_hour" in written.changed_fields
    listing = eve.get(reverse("audit:rule-list")).content.decode()
    assert "Working day starts at (hour): 8" in listing


def test_switching_a_rule_off(eve, rules):  # noqa: F811
    url = reverse("audit:rule-edit", args=[AlertRuleCode.SAME_SURNAME])
    assert eve.post(url, {}).status_code == 302
    assert not AlertRule.objects.get(code=AlertRuleCode.SAME_SURNAME).enabled


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"enabled": "on", "start_hour": "18", "end_hour": "8"}, "end_hour"),
        ({"enabled": "on", "start_hour": "30", "end_hour": "18"}, "start_hour"),
        ({"enabled": "on", "start_hour": "seven", "end_hour": "18"}, "start_hour"),
    ],
)
def test_bad_rule_settings_are_field_errors(eve, rules, data, field):  # noqa: F811
    rule = AlertRule.objects.get(code=AlertRuleCode.OUT_OF_HOURS)
    original = (rule.enabled, dict(rule.parameters), rule.updated_at)
    before = last_id()
    response = eve.post(reverse("audit:rule-edit", args=[rule.code]), data)
    assert response.status_code == 200
    assert f'id="id_{field}-error"' in response.content.decode()
    rule.refresh_from_db()
    assert (rule.enabled, rule.parameters, rule.updated_at) == original
    assert not AuditEvent.objects.filter(id__gt=before, action=Action.SETTING_CHANGE).exists()


def test_the_administrator_may_tune_rules_and_nothing_else(client, admin_user, rules):  # noqa: F811
    client.force_login(admin_user)
    body = client.get(reverse("audit:rule-list")).content.decode()
    assert reverse("audit:rule-edit", args=[AlertRuleCode.VOLUME]) in body
    assert reverse("audit:dashboard") + '"' not in body
    response = client.post(
        reverse("audit:rule-edit", args=[AlertRuleCode.VOLUME]),
        {"enabled": "on", "multiplier": "4.5", "minimum_events": "60", "baseline_days": "28"},
    )
    assert response.status_code == 302
    assert AlertRule.objects.get(code=AlertRuleCode.VOLUME).parameters["multiplier"] == 4.5
