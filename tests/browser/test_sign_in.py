"""The browser journey every user starts with: sign in, see the start page, sign out."""

from __future__ import annotations

import re

import pytest

from accounts.tests.factories import TEST_PASSWORD
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_amy_signs_in_sees_her_start_page_and_signs_out(page, practitioner) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Sign in"))
    assert_accessible(page)

    page.get_by_label("Username").fill("amy")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("signed-in-user")).to_have_text("Amy Okafor")
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_role("cell", name="Children's Team North")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))


def test_wrong_password_shows_the_error_summary_accessibly(page, practitioner) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill("amy")
    page.get_by_label("Password", exact=True).fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page).to_have_title(re.compile(r"^Sign in \(error\)"))
    assert_accessible(page)


def test_gov_uk_frontend_javascript_runs(page, practitioner) -> None:
    """The CSP nonce lets the js-enabled marker run, and the GOV.UK modules initialise."""
    from playwright.sync_api import expect

    page.goto("/accounts/sign-in/")
    expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))
    # The password input module adds its Show button once initialised.
    expect(page.get_by_role("button", name="Show password")).to_be_visible()
    page.get_by_label("Password", exact=True).fill("secret-value")
    page.get_by_role("button", name="Show password").click()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "text")


def test_unknown_page_and_admin_page_are_accessible(page, admin_user) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill("fay")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)
