"""A disposal batch in the browser: fay reviews the night's batch, keeps one record longer and
approves it; she cannot approve it twice; rosa, a second records manager, gives the second
approval; a real worker carries it out, and the certificate of destruction downloads. Every
page passes axe."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import TEST_PASSWORD, staff_member
from records import services as record_services
from records.models import Case
from records.tests.factories import open_case
from retention import services
from retention.models import BatchStatus, DisposalBatch, ItemStatus

# The default schedule, loaded again after another transactional test flushed it.
from retention.tests.conftest import default_schedule as default_schedule
from tests.browser.accessibility import assert_accessible
from tests.test_celery_worker import worker_on_queue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def disposal_worker() -> Iterator[subprocess.Popen[bytes]]:
    """A real worker on a queue of its own: the second approval queues the batch to it."""
    from config.celery import app

    assert not django_settings.CELERY_TASK_ALWAYS_EAGER, "the worker must carry out the batch"
    with worker_on_queue() as (queue, worker):
        previous = app.conf.task_default_queue
        app.conf.task_default_queue = queue
        try:
            yield worker
        finally:
            app.conf.task_default_queue = previous


def _sign_in(page: Any, username: str) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-user")).to_be_visible()


def _closed_case(team: Any, worker: Any, manager: Any, first_name: str, born: date) -> Case:
    case = open_case(
        team=team,
        worker=worker,
        manager=manager,
        opened_on=date(2005, 1, 1),
        category="child_in_need",
        first_name=first_name,
        last_name="Ashcombe",
        date_of_birth=born,
    )
    record_services.note_record(
        actor=worker,
        case=case,
        title="Visit",
        body=f"{first_name} was well.",
        occurred_at=timezone.now() - timedelta(days=7000),
    )
    record_services.case_close(
        actor=manager, case=case, closed_on=date(2008, 1, 1), reason="needs_met"
    )
    return case


def test_two_records_managers_approve_a_batch_and_the_worker_carries_it_out(
    page: Any,
    browser: Any,
    live_server: Any,
    team_north: Any,
    ig_team: Any,
    practitioner: Any,
    manager: Any,
    admin_user: Any,
    default_schedule: None,
    disposal_worker: subprocess.Popen[bytes],
) -> None:
    from playwright.sync_api import expect

    gone = _closed_case(team_north, practitioner, manager, "Linnea", date(1990, 4, 1))
    kept = _closed_case(team_north, practitioner, manager, "Marius", date(1990, 5, 1))
    (batch,) = services.disposal_propose()
    staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")

    _sign_in(page, "fay")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Retention").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.goto("/retention/batches/")
    assert_accessible(page)
    page.get_by_role("link", name=batch.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(batch.reference)
    items = page.get_by_test_id("items")
    expect(items).to_contain_text("Linnea Ashcombe")
    expect(items).to_contain_text("Marius Ashcombe")
    assert_accessible(page)

    # Keep Marius's record longer: the reason and the day are needed.
    page.get_by_role("link", name=re.compile(f"Keep longer.*{kept.reference}")).click()
    page.get_by_role("button", name=re.compile("Keep")).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why is the record kept longer?").fill("His sister's adoption file cites it")
    next_year = timezone.localdate() + timedelta(days=365)
    page.get_by_label("Next review").fill(next_year.isoformat())
    page.get_by_role("button", name=re.compile("Keep")).click()
    expect(page.get_by_test_id("items")).to_contain_text("Kept longer")

    # fay approves; she cannot give the second approval herself.
    page.get_by_role("button", name="Approve the batch").click()
    expect(page.get_by_test_id("approval-state")).to_contain_text("waiting for a second")
    expect(page.get_by_role("button", name="Give the second approval")).to_have_count(0)
    assert_accessible(page)

    # rosa gives the second approval; the worker carries the batch out.
    rosa = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    rosa.set_default_timeout(15_000)
    _sign_in(rosa, "rosa")
    rosa.goto(f"/retention/batches/{batch.public_id}/")
    expect(rosa.get_by_test_id("approvals")).to_contain_text("First:")
    rosa.get_by_role("button", name="Give the second approval").click()
    assert_accessible(rosa)
    for _ in range(60):
        if DisposalBatch.objects.filter(pk=batch.pk, status=BatchStatus.DONE).exists():
            break
        rosa.wait_for_timeout(500)
    rosa.reload()
    expect(rosa.locator(".govuk-panel")).to_contain_text("1 record disposed of")
    assert_accessible(rosa)
    certificate = rosa.request.get(f"/retention/batches/{batch.public_id}/certificate.pdf")
    assert certificate.ok
    assert certificate.body().startswith(b"%PDF")

    assert not Case.objects.filter(pk=gone.pk).exists()
    assert Case.objects.filter(pk=kept.pk).exists()
    statuses = dict(batch.items.values_list("record_reference", "status"))
    assert statuses == {gone.reference: ItemStatus.DISPOSED, kept.reference: ItemStatus.KEPT}

    # The register shows the stub, without the name.
    rosa.goto("/retention/register/")
    expect(rosa.get_by_role("main")).to_contain_text(gone.reference)
    expect(rosa.get_by_role("main")).not_to_contain_text("Linnea")
    assert_accessible(rosa)
    rosa.goto("/retention/forecast/")
    assert_accessible(rosa)
