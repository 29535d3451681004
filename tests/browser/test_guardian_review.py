"""The Caldicott guardian in the browser: the dashboard with its chart, an alert reviewed, who
has accessed a child's record, an event search. Every page passes axe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import TEST_PASSWORD
from audit.alerts import alerts_detect
from audit.models import Action, Purpose
from audit.services import alert_rules_ensure, event_record
from records.tests.factories import open_case
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_eve_reviews_a_break_glass_alert_and_who_has_accessed_the_record(
    page, guardian, practitioner, other_practitioner, manager, team_north
) -> None:
    from playwright.sync_api import expect

    alert_rules_ensure()
    person = open_case(
        team=team_north,
        worker=practitioner,
        manager=manager,
        first_name="Keira",
        last_name="Whitfield",
    ).person
    event_record(
        actor=practitioner, action=Action.READ, summary="Opened the person page", subjects=[person]
    )
    event_record(
        actor=other_practitioner,
        action=Action.READ,
        summary="Opened the person page",
        subjects=[person],
        purpose=Purpose.BREAK_GLASS,
        personal={"reason": "Police called about the child out of hours."},
    )
    alerts_detect(now=timezone.now() + timedelta(minutes=5))

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill("eve")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-user")).to_be_visible()

    page.get_by_role("link", name="Audit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit and privacy")
    expect(page.get_by_test_id("reads-chart")).to_be_visible()
    expect(page.get_by_test_id("alert-queue")).to_contain_text("Break-glass access")
    assert_accessible(page)

    page.get_by_test_id("audit-alerts").get_by_role("link", name="Break-glass access").click()
    expect(page.get_by_test_id("audit-events")).to_contain_text("Police called")
    assert_accessible(page)
    page.get_by_label("Needs explanation").check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_accessible(page)
    page.get_by_label("Note").fill("Asked the worker's manager for the call log.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_test_id("alert-status")).to_contain_text("Needs explanation")

    page.get_by_role("link", name="Back to the alerts").click()
    page.get_by_role("link", name="Who has accessed a record").click()
    page.get_by_label("First name").fill("keira")
    page.get_by_label("Last name").fill("Whitfield")
    page.get_by_label("Date of birth").fill(person.date_of_birth.isoformat())
    page.get_by_role("button", name="Find the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Keira Whitfield")
    expect(page.get_by_test_id("accessors")).to_contain_text("Break-glass")
    assert_accessible(page)

    page.get_by_role("link", name="Search events").click()
    page.get_by_label("Member of staff").fill("amy")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("audit-events")).to_contain_text("Opened the person page")
    assert_accessible(page)
    page.get_by_label("From").fill("2026-03-02")
    page.get_by_label("To", exact=True).fill("2026-03-01")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("The end date must be")
    assert_accessible(page)
