"""A practitioner's day in the browser: find a person (with a typo), read the chronology,
record a contact, amend a note. Every page passes axe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import TEST_PASSWORD
from records import services
from records.tests.factories import open_case
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_amy_finds_a_child_reads_the_chronology_records_a_contact_and_amends_a_note(
    page, practitioner, manager, team_north
) -> None:
    from playwright.sync_api import expect

    case = open_case(
        team=team_north,
        worker=practitioner,
        manager=manager,
        first_name="Keira",
        last_name="Whitfield",
    )
    services.note_record(
        actor=practitioner,
        case=case,
        title="School called",
        body="Keira's teacher says she was late three times this week.",
        occurred_at=timezone.now() - timedelta(days=3),
    )

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill("amy")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-user")).to_be_visible()

    page.get_by_role("link", name="Caseload").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    expect(page.get_by_test_id("caseload")).to_contain_text("Keira Whitfield")
    assert_accessible(page)

    page.get_by_role("link", name="Find a person").first.click()
    page.get_by_label("Name or identifier").fill("Kiera Whitfeld")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("Keira Whitfield")
    assert_accessible(page)

    results.get_by_role("link", name="Keira Whitfield").click()
    expect(page.get_by_test_id("person-name")).to_have_text("Keira Whitfield")
    assert_accessible(page)

    page.get_by_role("link", name="Chronology").click()
    chronology = page.get_by_test_id("chronology")
    expect(chronology).to_contain_text("School called")
    assert_accessible(page)

    page.get_by_role("link", name="Record a contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact")
    assert_accessible(page)
    # First, a mistake: submitting without the details shows the error summary.
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Type of contact").select_option("home_visit")
    page.get_by_label("When").fill(
        (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Where").fill("Family home")
    page.get_by_role("group", name="Who took part").get_by_label("Keira Whitfield").check()
    page.get_by_label("What happened").fill(
        "Home visit. Keira showed me her room; <b>no concerns</b> seen."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The contact is recorded"
    )
    expect(page.get_by_test_id("chronology")).to_contain_text("<b>no concerns</b>")

    page.get_by_test_id("chronology").get_by_role("link", name="School called").click()
    expect(page.get_by_test_id("item-title")).to_have_text("School called")
    assert_accessible(page)
    page.get_by_role("link", name="Amend").click()
    page.get_by_label("Text").fill("Keira's teacher says she was late twice this week.")
    page.get_by_label("Reason for the amendment").fill("The school corrected the count")
    assert_accessible(page)
    page.get_by_role("button", name="Save the amendment").click()
    expect(page.get_by_test_id("item-body")).to_contain_text("late twice")
    revisions = page.get_by_test_id("revisions")
    expect(revisions).to_contain_text("late three times")
    expect(revisions).to_contain_text("The school corrected the count")
    expect(page).to_have_title(re.compile("School called"))
    assert_accessible(page)
