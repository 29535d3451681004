"""A safeguarding sharing in the browser: amy records, step by step from the child's page, that
she shared a home visit with the police without consent; she cannot authorise it herself;
cara finds it in her queue and authorises it. Every page passes axe."""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts.tests.factories import TEST_PASSWORD
from sharing.models import Authorisation, SharingRecord, SharingStatus

# The app's fixtures (the police register and Ruby's file), re-exported for this module.
from sharing.tests.conftest import Register, ShareFile
from sharing.tests.conftest import register as register
from sharing.tests.conftest import share_file as share_file
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, username: str) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-user")).to_be_visible()


def _continue(page: Any) -> None:
    page.get_by_role("button", name="Continue").click()


def test_amy_records_a_sharing_without_consent_and_cara_authorises_it(
    page: Any,
    browser: Any,
    live_server: Any,
    register: Register,
    share_file: ShareFile,
    practitioner: Any,
    manager: Any,
) -> None:
    from playwright.sync_api import expect

    _sign_in(page, "amy")
    page.goto(f"/people/{share_file.child.public_id}/")
    expect(page.get_by_test_id("person-name")).to_have_text("Ruby Fennimore")
    page.get_by_role("link", name="Record a sharing").click()

    # Records and kinds of information: nothing chosen is an error, shown accessibly.
    _continue(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the kinds of information")
    assert_accessible(page)
    page.get_by_role("checkbox", name=re.compile("Home visit")).check()
    page.get_by_role("checkbox", name="Identity and contact details").check()
    page.get_by_role("checkbox", name="Social care case records").check()
    _continue(page)

    # The agency.
    assert_accessible(page)
    page.get_by_role("radio", name=re.compile("Northshire Police")).check()
    _continue(page)

    # The agreement and the named recipient.
    assert_accessible(page)
    page.get_by_role("radio", name=re.compile("safeguarding information sharing agreement")).check()
    page.get_by_label("Name of the person it went to").fill("DC Sam Okafor")
    page.get_by_label("Their role").fill("Detective constable")
    page.get_by_label("Their email address").fill("sam.okafor@northshire.pnn.police.uk")
    page.get_by_role("radio", name="Secure email").check()
    _continue(page)

    # Why, and the legal basis, with the guidance beside it.
    expect(page.locator("main")).to_contain_text("Public task is the usual basis for a council")
    assert_accessible(page)
    page.get_by_role("radio", name="Safeguarding", exact=True).check()
    page.get_by_label("What the recipient needs it for").fill(
        "Strategy discussion under section 47 after an unexplained bruise."
    )
    page.get_by_role("radio", name="6(1)(e) Public task").check()
    page.get_by_label("The law the sharing relies on").select_option(
        label="Children Act 1989, section 47 (child protection)"
    )
    _continue(page)

    # Consent: not sought, with the reason a manager will read.
    assert_accessible(page)
    page.get_by_role("radio", name="Consent not sought").check()
    page.get_by_role("radio", name=re.compile("^Safeguarding: seeking consent")).check()
    page.get_by_label("Explain why it is shared without consent").fill(
        "Telling the family first could put Ruby at risk."
    )
    _continue(page)

    # Check everything, then record.
    expect(page.locator("main")).to_contain_text("DC Sam Okafor")
    expect(page.locator("main")).to_contain_text("Children Act 1989, section 47")
    assert_accessible(page)
    page.get_by_role("button", name="Record sharing").click()
    expect(page.locator("main")).to_contain_text("Waiting for a manager")
    assert_accessible(page)
    sharing = SharingRecord.objects.get()
    assert sharing.status == SharingStatus.AWAITING_AUTHORISATION
    assert list(sharing.items.values_list("item_id", flat=True)) == [share_file.visit.pk]
    # amy recorded it: no decision for her.
    expect(page.get_by_test_id("decision-form")).to_have_count(0)

    # cara, in her own browser, finds it in her queue and authorises it.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        cara = context.new_page()
        cara.set_default_timeout(15_000)
        _sign_in(cara, "cara")
        cara.get_by_role("link", name="Sharing to authorise").first.click()
        queue = cara.locator("main")
        expect(queue).to_contain_text(sharing.reference)
        assert_accessible(cara)
        cara.get_by_role("link", name=re.compile(sharing.reference)).click()
        form = cara.get_by_test_id("decision-form")
        expect(form).to_be_visible()
        assert_accessible(cara)
        form.get_by_role("button", name="Authorise").click()
        expect(cara.locator(".govuk-error-summary")).to_contain_text(
            "Give the reason the sharing is justified without consent."
        )
        assert_accessible(cara)
        cara.get_by_label("Your reasons").fill("Section 47 threshold met; the police must know.")
        cara.get_by_role("button", name="Authorise").click()
        expect(cara.get_by_test_id("authorisation")).to_contain_text("Authorised")
        assert_accessible(cara)
    finally:
        context.close()

    sharing.refresh_from_db()
    assert (sharing.status, sharing.authorisation) == (
        SharingStatus.SHARED,
        Authorisation.AUTHORISED,
    )
    assert sharing.authorised_by == manager

    # Back on the child's page, amy sees who it was shared with.
    page.goto(f"/people/{share_file.child.public_id}/")
    expect(page.locator("main")).to_contain_text("Northshire Police")
    assert_accessible(page)
