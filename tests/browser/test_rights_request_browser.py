"""A subject access request in the browser, from the letter to the downloaded bundle: dan logs
it, finds the child, collects and reviews her records (accepting Carefile's proposed
redactions of her mother), rex approves, a real Celery worker renders the bundle, and the
downloaded PDF is read back. Every page passes axe."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from pypdf import PdfReader

from access_requests.models import DisclosureBundle

# The app's fixtures (rex, and Ellie's file naming her mother), re-exported for this module.
from access_requests.tests.conftest import ChildFile
from access_requests.tests.conftest import child_file as child_file
from access_requests.tests.conftest import second_officer as second_officer
from accounts.tests.factories import TEST_PASSWORD
from tests.browser.accessibility import assert_accessible
from tests.test_celery_worker import worker_on_queue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THIRD_PARTY = ("Dawn Kettering", "Kettering", "07700 900461")
BUNDLE_TIMEOUT_MS = 90_000
BUNDLE_STATUS = re.compile(r"/bundles/[0-9a-f-]+/status/$")


@pytest.fixture
def media_root(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The live server and the worker keep documents in the same folder of the test's own.
    A FileField calls its storage callable once, when the model is imported, so the bundle
    field's storage is moved as well as the setting."""
    root = tmp_path / "media"
    location = str(root / "documents")
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    field = DisclosureBundle._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=location, base_url=None))
    return root


@pytest.fixture
def bundle_worker(media_root: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real worker on a queue of its own; tasks the live server queues go to it. Started
    before the journey so it is listening by the time the bundle is asked for."""
    from config.celery import app

    assert not django_settings.CELERY_TASK_ALWAYS_EAGER, "the worker must render the bundle"
    with worker_on_queue({"CAREFILE_MEDIA_ROOT": str(media_root)}) as (queue, worker):
        previous = app.conf.task_default_queue
        app.conf.task_default_queue = queue
        try:
            yield worker
        finally:
            app.conf.task_default_queue = previous


def sign_in(page: Any, username: str) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-user")).to_be_visible()


def review_item_page(page: Any) -> None:
    """On an item's page: accept every proposed redaction, then decide."""
    from playwright.sync_api import expect

    accept = page.get_by_role("button", name=re.compile(r"^Accept "))
    proposals = accept.count()
    for left in range(proposals - 1, -1, -1):
        accept.first.click()
        expect(accept).to_have_count(left)
    if proposals:
        proposed = page.get_by_test_id("item-text").locator("mark.carefile-redaction--proposed")
        expect(proposed).to_have_count(0)
        page.get_by_label("Disclose with redactions").check()
    else:
        page.get_by_label("Disclose", exact=True).check()


def test_dan_takes_a_subject_access_request_from_the_letter_to_the_downloaded_bundle(
    page: Any,
    browser: Any,
    live_server: Any,
    records_officer: Any,
    second_officer: Any,
    child_file: ChildFile,
    bundle_worker: subprocess.Popen[bytes],
) -> None:
    from playwright.sync_api import expect

    today = timezone.localdate()
    sign_in(page, "dan")

    # The dashboard, from the main navigation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rights requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rights requests")
    assert_accessible(page)

    # The log form: empty first, then the letter.
    page.get_by_role("link", name="Log a request").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a request")
    assert_accessible(page)
    page.get_by_role("button", name="Log the request").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"\(error\)"))
    assert_accessible(page)

    page.get_by_label("Type of request").select_option(label="Subject access (Article 15)")
    page.get_by_label("How it arrived").select_option(label="Letter")
    page.get_by_label("Date received").fill(today.isoformat())
    page.locator("#id_requester_name").fill("Ellie Marsh")
    page.get_by_label("Postal address").fill("4 Mill Lane\nAshdown\nAS1 2BC")
    page.get_by_label("The person themselves").check()
    page.locator("#id_subject_name").fill("Ellie Marsh")
    page.get_by_label("What was asked for").fill("Please send me everything you hold about me.")
    page.get_by_role("button", name="Log the request").click()
    expect(page.get_by_role("alert")).to_contain_text("is logged")
    reference = page.get_by_role("heading", level=1).inner_text().split()[0]
    assert re.fullmatch(r"[A-Z0-9-]+", reference), reference
    expect(page.get_by_test_id("request-summary")).to_contain_text("by letter")
    assert_accessible(page)
    request_url = page.url

    # Assigned to himself.
    summary = page.get_by_test_id("request-summary")
    expect(summary).to_contain_text("Unassigned")
    page.get_by_label("Officer").select_option(label=records_officer.get_full_name())
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("The request is assigned.")
    expect(summary).to_contain_text(records_officer.get_full_name())

    # The identity search shows names, dates of birth and services, never the records.
    page.get_by_role("link", name="Find the person", exact=True).click()
    page.get_by_label("Name, NHS number or National Insurance number").fill("Ellie Marsh")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_test_id("people-results")
    expect(results).to_contain_text("Ellie Marsh")
    expect(results).to_contain_text("2 May 2014")
    expect(results.get_by_role("columnheader")).to_have_text(
        ["Name", "Other names", "Date of birth", "Services holding records", "Actions"]
    )
    expect(results).not_to_contain_text("Home visit")
    expect(results).not_to_contain_text("07700 900461")
    assert_accessible(page)
    results.get_by_role("row").filter(has_text="Ellie Marsh").get_by_role(
        "button", name=re.compile(r"^Link to this request")
    ).click()
    expect(page.get_by_role("alert")).to_contain_text("The record is linked to the request.")
    expect(page.get_by_test_id("subjects")).to_contain_text("Ellie Marsh")

    # Collect, then review: the home visit first.
    page.get_by_role("button", name="Collect the records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review the collected items")
    expect(page.get_by_test_id("review-summary")).to_contain_text("proposed redaction")
    assert_accessible(page)
    review_url = page.url

    page.get_by_test_id("items").get_by_role("link", name="Home visit").click()
    text = page.get_by_test_id("item-text")
    proposed = text.locator("mark.carefile-redaction--proposed")
    expect(proposed.filter(has_text="Dawn")).not_to_have_count(0)
    expect(proposed.filter(has_text="Kettering")).not_to_have_count(0)
    expect(proposed.filter(has_text="07700 900461")).to_have_count(1)
    expect(page.get_by_test_id("redactions")).to_contain_text("S2P3-16")
    assert_accessible(page)
    review_item_page(page)
    expect(
        text.locator("mark.carefile-redaction--accepted").filter(has_text="Kettering")
    ).not_to_have_count(0)
    expect(page.get_by_label("Disclose with redactions")).to_be_checked()

    # Every other item, with "Save and go to the next item", until nothing is pending.
    reviewed = 0
    while True:
        reviewed += 1
        assert reviewed <= 20, "the review did not end"
        current = page.url
        page.get_by_role("button", name="Save and go to the next item").click()
        expect(page).not_to_have_url(current)
        page.wait_for_load_state()
        if page.url.split("?")[0] == review_url:
            break
        expect(page.get_by_role("button", name="Save and go to the next item")).to_be_visible()
        review_item_page(page)
    expect(page.get_by_role("region", name="Important")).to_contain_text("Every item is reviewed.")
    expect(page.get_by_test_id("review-summary")).to_have_text(
        re.compile(r"^(\d+) of \1 items reviewed\.$")
    )
    expect(
        page.get_by_test_id("items").get_by_role("row").filter(has_text="Home visit")
    ).to_contain_text("Disclose with redactions")
    assert_accessible(page)

    # Sent for approval: dan cannot approve his own work.
    page.goto(request_url)
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_test_id("state")).to_have_text("Awaiting approval")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_text("Waiting for approval by a second officer")).to_be_visible()
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    refused = page.request.post(f"{request_url}approve/", form={"csrfmiddlewaretoken": token})
    assert refused.ok
    assert "A second officer must approve" in refused.text()
    page.reload()
    expect(page.get_by_test_id("state")).to_have_text("Awaiting approval")
    assert_accessible(page)

    # rex approves, in a browser of his own.
    rex_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        rex = rex_context.new_page()
        rex.set_default_timeout(15_000)
        sign_in(rex, "rex")
        rex.goto(request_url)
        assert_accessible(rex)
        rex.get_by_role("button", name="Approve").click()
        expect(rex.get_by_role("alert")).to_contain_text("The disclosure is approved.")
        expect(rex.get_by_test_id("state")).to_have_text("Ready to send")
    finally:
        rex_context.close()

    # dan produces the bundle; the worker renders it while the page shows its progress. The
    # page's progress checks are held back until axe has read the page, so it cannot reload
    # underneath axe.
    page.reload()
    page.route(BUNDLE_STATUS, lambda route: route.abort())
    page.get_by_role("button", name="Produce the disclosure bundle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disclosure bundle")
    progress = page.get_by_label("Progress")
    if progress.count():  # the worker may already have finished
        expect(page.get_by_test_id("bundle-status")).to_contain_text("This page checks again")
        assert_accessible(page)
    page.unroute(BUNDLE_STATUS)
    download_button = page.get_by_test_id("bundle-download")
    failed = page.get_by_text("The bundle could not be produced")
    try:
        expect(download_button.or_(failed)).to_be_visible(timeout=BUNDLE_TIMEOUT_MS)
    except AssertionError:
        bundle_worker.terminate()
        output = bundle_worker.communicate(timeout=20)[0].decode()
        pytest.fail(f"the worker did not render the bundle:\n{output}")
    expect(failed).to_have_count(0)
    expect(page.get_by_test_id("bundle-status")).to_contain_text("Ready")
    assert_accessible(page)

    with page.expect_download() as info:
        download_button.click()
    download = info.value
    assert download.suggested_filename == f"{reference}-disclosure.pdf"
    reader = PdfReader(download.path())
    pages = [p.extract_text() or "" for p in reader.pages]
    assert pages
    for number, page_text in enumerate(pages, start=1):
        assert reference in page_text, f"page {number} lacks the reference"
    everything = "\n".join(pages)
    assert "S2P3-16" in everything
    assert "Ellie" in everything
    for words in THIRD_PARTY:
        assert words not in everything, f"{words!r} is in the disclosed bundle"

    # Closed as partly disclosed, sent today by secure link.
    page.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Close with an outcome").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the request")
    assert_accessible(page)
    page.get_by_label("Partly disclosed").check()
    page.get_by_label("Reasons", exact=True).fill(
        "Information about a third party was withheld (S2P3-16)."
    )
    page.get_by_label("Date the reply was sent").fill(today.isoformat())
    page.get_by_label("How the records were given").select_option(label="Secure download link")
    page.get_by_role("button", name="Close the request").click()
    expect(page.get_by_role("alert")).to_contain_text("The request is closed.")
    expect(page.get_by_test_id("state")).to_have_text("Closed")
    expect(page.get_by_test_id("outcome")).to_contain_text("Partly disclosed")
    assert_accessible(page)
