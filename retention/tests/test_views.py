"""The retention pages: fay (records manager and system administrator) keeps the schedule,
places and lifts holds, reviews and approves disposal batches with rosa, reads the register
and the forecast; eve (Caldicott guardian) reads the schedule only; amy (practitioner) sees
none of it. Bad input shows field errors and changes nothing; pages that name people write a
read event naming them; the register, its CSV and the certificate name nobody."""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from accounts.roles import Role
from accounts.tests.factories import staff_member
from audit.models import Action, AuditEvent
from retention import services, views
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

MISSING = "5b0c2d4e-0000-4000-8000-000000000001"
LONDON = ZoneInfo("Europe/London")


def _body(response: Any) -> str:
    """The page's text as a reader sees it: a name such as O'Hara is escaped in the HTML."""
    return html.unescape(response.content.decode())


def _events(response: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(request_id=response["X-Request-ID"]).order_by("id"))


@pytest.fixture
def rosa(ig_team: Any) -> User:
    """A second records manager: the other half of the two-person approval."""
    return staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")


@dataclass(frozen=True)
class Due:
    cases: list[Any]  # included in the batch
    held: Any  # left out: its person is held
    batch: DisposalBatch


@pytest.fixture
def due(team_north: Any, practitioner: User, manager: User, admin_user: User, council: Any) -> Due:
    """Three children-in-need cases due for disposal (born 1988-1990, closed 2008), one more
    held by a hold on the person, and the nightly proposal run: one batch."""
    close = partial(closed_case, team_north, practitioner, manager)
    cases = [close(born=date(year, 4, 1)) for year in (1990, 1989, 1988)]
    held = close(born=date(1991, 4, 1))
    services.hold_place(
        actor=admin_user, organisation=council, scope="person", person=held.person, reason="Claim"
    )
    (batch,) = services.disposal_propose()
    return Due(cases=cases, held=held, batch=batch)


def _item(batch: DisposalBatch, case: Any) -> DisposalItem:
    return batch.items.get(case=case)


# --- Who sees what ---------------------------------------------------------------------------


def _pages(batch: DisposalBatch | None = None, hold: Hold | None = None) -> list[str]:
    pages = [
        reverse("retention:schedule"),
        reverse("retention:class-detail", args=["children_in_need"]),
        reverse("retention:hold-list"),
        reverse("retention:hold-create"),
        reverse("retention:batch-list"),
        reverse("retention:register"),
        reverse("retention:register-csv"),
        reverse("retention:forecast"),
    ]
    if batch is not None:
        item = batch.items.filter(status=ItemStatus.INCLUDED).first()
        assert item is not None
        pages += [
            reverse("retention:batch-detail", args=[batch.public_id]),
            reverse("retention:batch-cancel", args=[batch.public_id]),
            reverse("retention:item-keep", args=[batch.public_id, item.public_id]),
        ]
    if hold is not None:
        pages.append(reverse("retention:hold-detail", args=[hold.public_id]))
    return pages


def test_a_practitioner_finds_none_of_the_retention_pages(
    client: Any, due: Due, practitioner: User, manager: User
) -> None:
    hold = Hold.objects.get()
    for someone in (practitioner, manager):
        client.force_login(someone)
        for url in _pages(due.batch, hold):
            assert client.get(url).status_code == 404, url
        approve = reverse("retention:batch-approve", args=[due.batch.public_id])
        assert client.post(approve).status_code == 404
    due.batch.refresh_from_db()
    assert due.batch.first_approver is None


def test_the_guardian_reads_the_schedule_but_not_holds_or_batches(
    client: Any, due: Due, guardian: User
) -> None:
    client.force_login(guardian)
    schedule = client.get(reverse("retention:schedule"))
    assert schedule.status_code == 200
    assert "Children in need cases" in _body(schedule)
    assert 'data-testid="disposal-links"' not in _body(schedule)
    page = client.get(reverse("retention:class-detail", args=["children_in_need"]))
    assert page.status_code == 200
    assert 'data-testid="rule-change"' not in _body(page)
    refused = client.post(
        reverse("retention:class-detail", args=["children_in_need"]),
        {"trigger": "case_closure", "period_years": "1", "period_months": "0"},
    )
    assert refused.status_code == 403
    rules = RetentionRule.objects.filter(record_class__code="children_in_need")
    assert list(rules.values_list("version", flat=True)) == [1]
    for url in _pages(due.batch, Hold.objects.get())[2:]:
        assert client.get(url).status_code == 404, url


def test_a_system_administrator_who_keeps_no_records_may_see_holds_but_not_place_them(
    client: Any, due: Due, ig_team: Any
) -> None:
    sid = staff_member(role=Role.SYSTEM_ADMIN, team=ig_team, username="sid")
    hold = Hold.objects.get()
    client.force_login(sid)
    assert client.get(reverse("retention:hold-list")).status_code == 200
    detail = client.get(reverse("retention:hold-detail", args=[hold.public_id]))
    assert detail.status_code == 200
    assert 'data-testid="lift"' not in _body(detail)
    assert client.get(reverse("retention:hold-create")).status_code == 403
    lift = client.post(
        reverse("retention:hold-detail", args=[hold.public_id]), {"reason": "Settled"}
    )
    assert lift.status_code == 403
    hold.refresh_from_db()
    assert hold.is_active


def test_missing_things_are_the_missing_page(client: Any, admin_user: User) -> None:
    client.force_login(admin_user)
    for url in (
        reverse("retention:class-detail", args=["no_such_class"]),
        reverse("retention:hold-detail", args=[MISSING]),
        reverse("retention:batch-detail", args=[MISSING]),
        reverse("retention:batch-certificate", args=[MISSING]),
        reverse("retention:item-keep", args=[MISSING, MISSING]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_navigation_offers_retention_to_those_who_read_the_schedule(
    client: Any, admin_user: User, guardian: User, practitioner: User
) -> None:
    link = f'href="{reverse("retention:schedule")}"'
    for someone, offered in ((admin_user, True), (guardian, True), (practitioner, False)):
        client.force_login(someone)
        assert (link in _body(client.get(reverse("core:start")))) is offered, someone.username


# --- The schedule ----------------------------------------------------------------------------


def test_the_schedule_lists_every_class_with_its_rule_in_force(
    client: Any, admin_user: User
) -> None:
    client.force_login(admin_user)
    response = client.get(reverse("retention:schedule"))
    assert response.status_code == 200
    body = _body(response)
    for record_class in RecordClass.objects.all():
        assert reverse("retention:class-detail", args=[record_class.code]) in body
    assert "Date of birth" in body
    assert "75 years after the trigger" in body
    assert "15 years after death if the person died before 18" in body
    assert "Review, then destroy" in body
    assert "The Adoption Agencies Regulations 2005, reg. 42" in body
    assert reverse("retention:batch-list") in body


RULE = {
    "trigger": "case_closure",
    "period_years": "40",
    "period_months": "0",
    "period_days": "0",
    "death_under_18_years": "",
    "action": "destroy",
    "then_action": "",
    "legal_authority": "Local retention schedule, revised",
    "reason": "Independent inquiry recommendation",
}


def test_a_records_manager_changes_a_rule_and_the_old_version_is_kept(
    client: Any, admin_user: User
) -> None:
    client.force_login(admin_user)
    url = reverse("retention:class-detail", args=["child_protection"])
    page = client.get(url)
    assert 'data-testid="rule-change"' in _body(page)
    assert 'value="35"' in _body(page)  # the form starts from the rule in force

    response = client.post(url, RULE, follow=True)
    assert response.redirect_chain == [(url, 302)]
    body = _body(response)
    assert "Version 2 of the rule for Child protection cases is in force." in body
    rules = RetentionRule.objects.filter(record_class__code="child_protection")
    assert list(rules.order_by("version").values_list("version", "is_active", "period_years")) == [
        (1, False, 35),
        (2, True, 40),
    ]
    history = body[body.index('data-testid="history"') :]
    assert "Independent inquiry recommendation" in history
    assert admin_user.get_full_name() in history
    assert "The default schedule" in history
    assert AuditEvent.objects.filter(action=Action.SETTING_CHANGE).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"period_years": "ten"}, "period_years", "Enter a whole number."),
        ({"period_years": "-3"}, "period_years", "Enter a number from 0 to 200."),
        ({"period_years": ""}, "period_years", "Enter a number (0 if none)."),
        ({"period_years": "0"}, "period_years", "Enter how long the records are kept."),
        ({"trigger": ""}, "trigger", "Choose what starts the clock."),
        ({"action": ""}, "action", "Choose what happens at the end of the period."),
        ({"legal_authority": "  "}, "legal_authority", "Enter the law or guidance"),
        ({"reason": ""}, "reason", "Say why the rule is changing."),
    ],
)
def test_a_bad_rule_shows_field_errors_and_changes_nothing(
    client: Any, admin_user: User, changes: dict[str, str], field: str, message: str
) -> None:
    client.force_login(admin_user)
    url = reverse("retention:class-detail", args=["child_protection"])
    response = client.post(url, {**RULE, **changes})
    assert response.status_code == 200
    body = _body(response)
    assert "There is a problem" in body
    assert f'href="#id_{field}' in body
    assert f'id="id_{field}-error"' in body
    assert message in body
    rules = RetentionRule.objects.filter(record_class__code="child_protection")
    assert list(rules.values_list("version", "is_active")) == [(1, True)]
    assert not AuditEvent.objects.filter(action=Action.SETTING_CHANGE).exists()


def test_an_empty_rule_form_is_refused_with_every_problem(client: Any, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.post(reverse("retention:class-detail", args=["child_protection"]), {})
    body = _body(response)
    for field in ("trigger", "action", "period_years", "legal_authority", "reason"):
        assert f'id="id_{field}-error"' in body, field
    assert RetentionRule.objects.filter(record_class__code="child_protection").count() == 1


# --- Holds -----------------------------------------------------------------------------------


def test_placing_a_case_hold_then_lifting_it(
    client: Any, admin_user: User, team_north: Any, practitioner: User, manager: User
) -> None:
    case = closed_case(team_north, practitioner, manager, born=date(1990, 4, 1))
    name = case.person.full_name
    client.force_login(admin_user)
    form = client.get(reverse("retention:hold-create"))
    assert form.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in _body(form)

    response = client.post(
        reverse("retention:hold-create"),
        {"scope": "case", "case_reference": case.reference.lower(), "reason": "Claim CL-88"},
    )
    hold = Hold.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("retention:hold-detail", args=[hold.public_id])
    assert (hold.scope, hold.case, hold.person, hold.organisation) == (
        "case",
        case,
        None,
        case.organisation,
    )

    detail = client.get(response["Location"])
    body = _body(detail)
    assert name in body
    assert case.reference in body
    assert "Claim CL-88" in body
    (read,) = _events(detail)
    assert read.action == Action.READ
    assert read.subject_id_list == [case.person_id]

    listed = client.get(reverse("retention:hold-list"))
    assert case.reference in _body(listed)

    # A lift needs a reason; without one nothing changes.
    refused = client.post(response["Location"], {"reason": " "})
    assert refused.status_code == 200
    assert "Say why the hold can be lifted." in _body(refused)
    hold.refresh_from_db()
    assert hold.is_active

    lifted = client.post(response["Location"], {"reason": "Claim settled"}, follow=True)
    assert "The hold is lifted." in _body(lifted)
    hold.refresh_from_db()
    assert (hold.is_active, hold.lift_reason, hold.lifted_by) == (
        False,
        "Claim settled",
        admin_user,
    )
    assert reverse("retention:hold-detail", args=[hold.public_id]) not in _body(
        client.get(reverse("retention:hold-list"))
    )
    assert reverse("retention:hold-detail", args=[hold.public_id]) in _body(
        client.get(reverse("retention:hold-list") + "?show=all")
    )


def test_a_person_hold_holds_the_person_of_the_case_typed_and_the_list_names_them(
    client: Any, admin_user: User, team_north: Any, practitioner: User, manager: User
) -> None:
    case = closed_case(team_north, practitioner, manager, born=date(1990, 4, 1))
    client.force_login(admin_user)
    client.post(
        reverse("retention:hold-create"),
        {"scope": "person", "case_reference": f" {case.reference} ", "reason": "Inquiry"},
    )
    hold = Hold.objects.get()
    assert (hold.scope, hold.person, hold.case) == ("person", case.person, None)
    listed = client.get(reverse("retention:hold-list"))
    assert case.person.full_name in _body(listed)
    (read,) = _events(listed)
    assert read.subject_id_list == [case.person_id]


def test_an_inquiry_hold_on_a_class_and_dates(client: Any, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.post(
        reverse("retention:hold-create"),
        {
            "scope": "class_and_dates",
            "record_class": "looked_after",
            "from_date": "1970-01-01",
            "to_date": "1999-12-31",
            "reason": "Independent inquiry moratorium",
        },
    )
    assert response.status_code == 302
    hold = Hold.objects.get()
    assert hold.record_class == RecordClass.objects.get(code="looked_after")
    assert (hold.from_date, hold.to_date) == (date(1970, 1, 1), date(1999, 12, 31))
    detail = client.get(response["Location"])
    assert "1 January 1970 to 31 December 1999" in _body(detail)
    # Nobody is named, so nobody is read.
    assert _events(detail) == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "scope", "Choose what the hold covers."),
        ({"scope": "case"}, "case_reference", "Enter the reference of the case held"),
        ({"scope": "person", "case_reference": "CSC-9999999"}, "case_reference", "No case has"),
        ({"scope": "record_class"}, "record_class", "Choose the record class that is held."),
        (
            {"scope": "class_and_dates", "record_class": "adoption"},
            "from_date",
            "Enter the first and last days",
        ),
        (
            {
                "scope": "class_and_dates",
                "record_class": "adoption",
                "from_date": "2000-01-01",
                "to_date": "1999-01-01",
            },
            "to_date",
            "The last day must be on or after the first day.",
        ),
        (
            {"scope": "class_and_dates", "record_class": "adoption", "from_date": "31/02/2001"},
            "from_date",
            "Enter a valid date.",
        ),
        ({"scope": "record_class", "record_class": "adoption", "reason": ""}, "reason", "Say why"),
    ],
)
def test_a_bad_hold_shows_field_errors_and_places_nothing(
    client: Any, admin_user: User, data: dict[str, str], field: str, message: str
) -> None:
    client.force_login(admin_user)
    response = client.post(reverse("retention:hold-create"), {"reason": "Claim", **data})
    assert response.status_code == 200
    body = _body(response)
    assert "There is a problem" in body
    assert f'id="id_{field}-error"' in body
    assert message in body
    assert not Hold.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE, object_type="retention.hold")


def test_a_case_of_another_council_is_no_case_at_all(
    client: Any, admin_user: User, other_council: Any
) -> None:
    from accounts.tests.factories import TeamFactory

    elsewhere = TeamFactory(name="Brambley Children", organisation=other_council)
    their_manager = staff_member(role=Role.TEAM_MANAGER, team=elsewhere, username="ola")
    case = closed_case(elsewhere, their_manager, their_manager, born=date(1990, 4, 1))
    client.force_login(admin_user)
    response = client.post(
        reverse("retention:hold-create"),
        {"scope": "case", "case_reference": case.reference, "reason": "Claim"},
    )
    assert views.CASE_NOT_FOUND in _body(response)
    assert case.person.full_name not in _body(response)
    assert not Hold.objects.exists()


# --- Disposal batches ------------------------------------------------------------------------


def test_the_batches_page_groups_batches_by_status(client: Any, due: Due, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.get(reverse("retention:batch-list"))
    assert response.status_code == 200
    body = _body(response)
    proposed = body[body.index('data-testid="batches-proposed"') :]
    assert due.batch.reference in proposed
    assert "Children in need cases" in proposed
    assert "<strong>1</strong> proposed: waiting for review and approval" in body
    assert "<strong>0</strong> done" in body
    # Nobody is named on the list.
    assert _events(response) == []


def test_the_batch_names_the_people_of_records_to_decide_on_and_audits_it(
    client: Any, due: Due, admin_user: User
) -> None:
    client.force_login(admin_user)
    response = client.get(reverse("retention:batch-detail", args=[due.batch.public_id]))
    assert response.status_code == 200
    body = _body(response)
    assert due.batch.reference in body
    assert "Local retention schedule: to the 25th birthday" in body
    for case in due.cases:
        assert case.reference in body
        assert case.person.full_name in body
    # The held record is listed, with why, but its person is not named.
    assert due.held.reference in body
    assert "A hold on the person" in body
    assert due.held.person.full_name not in body
    (read,) = _events(response)
    assert read.action == Action.READ
    assert read.object_id == str(due.batch.public_id)
    assert sorted(read.subject_id_list) == sorted(c.person_id for c in due.cases)


def test_the_batch_pages_its_records_and_filters_them_by_status(
    client: Any, due: Due, admin_user: User, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views, "ITEMS_PER_PAGE", 2)
    client.force_login(admin_user)
    url = reverse("retention:batch-detail", args=[due.batch.public_id])
    first = _body(client.get(url))
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in _body(client.get(url, {"page": 2}))
    held = client.get(url, {"status": "held"})
    body = _body(held)
    assert due.held.reference in body
    assert all(case.reference not in body for case in due.cases)
    # Only held records shown: nobody named, nobody read.
    assert _events(held) == []


def test_keep_longer_takes_a_record_out_and_bad_input_changes_nothing(
    client: Any, due: Due, admin_user: User
) -> None:
    item = _item(due.batch, due.cases[1])
    url = reverse("retention:item-keep", args=[due.batch.public_id, item.public_id])
    client.force_login(admin_user)
    page = client.get(url)
    assert page.status_code == 200
    assert due.cases[1].person.full_name in _body(page)
    assert [e.subject_id_list for e in _events(page)] == [[due.cases[1].person_id]]

    today = timezone.localdate()
    for data, field, message in (
        ({"reason": "", "keep_until": ""}, "reason", "Say why the record is kept longer."),
        ({"reason": "Sibling", "keep_until": today.isoformat()}, "keep_until", "after today"),
        ({"reason": "Sibling", "keep_until": "not a date"}, "keep_until", "Enter a valid date."),
    ):
        refused = client.post(url, data)
        assert refused.status_code == 200
        assert f'id="id_{field}-error"' in _body(refused)
        assert message in _body(refused)
        item.refresh_from_db()
        assert item.status == ItemStatus.INCLUDED

    review = today + timedelta(days=365)
    kept = client.post(url, {"reason": "Sibling's adoption", "keep_until": review.isoformat()})
    assert kept.status_code == 302
    assert kept["Location"] == reverse("retention:batch-detail", args=[due.batch.public_id])
    item.refresh_from_db()
    assert (item.status, item.reason, item.keep_until, item.decided_by) == (
        ItemStatus.KEPT,
        "Sibling's adoption",
        review,
        admin_user,
    )
    detail = _body(client.get(kept["Location"]))
    assert "Kept longer" in detail
    assert f"Until {review:%-d %b %Y}" in detail
    # Only an included record of a batch under review can be kept.
    assert client.get(url).status_code == 404


def test_two_different_people_approve_a_batch(
    client: Any, due: Due, admin_user: User, rosa: User
) -> None:
    batch = due.batch
    detail = reverse("retention:batch-detail", args=[batch.public_id])
    approve = reverse("retention:batch-approve", args=[batch.public_id])
    client.force_login(admin_user)
    assert client.get(approve).status_code == 405
    assert 'data-testid="approve"' in _body(client.get(detail))

    response = client.post(approve, follow=True)
    assert response.redirect_chain == [(detail, 302)]
    assert "A second, different person must approve it" in _body(response)
    assert "It is waiting for a second, different person" in _body(response)
    assert 'data-testid="approve"' not in _body(response)
    batch.refresh_from_db()
    assert (batch.first_approver, batch.status) == (admin_user, BatchStatus.PROPOSED)

    # Approving twice is refused on the page, and changes nothing.
    again = client.post(approve)
    assert again.status_code == 200
    assert "There is a problem" in _body(again)
    assert "You have already approved this batch" in _body(again)
    batch.refresh_from_db()
    assert batch.second_approver is None

    client.force_login(rosa)
    waiting = _body(client.get(detail))
    assert f"Approved by {admin_user.get_full_name()}, waiting for a second, different person" in (
        waiting
    )
    approved = client.post(approve, follow=True)
    assert "is approved by two people" in _body(approved)
    batch.refresh_from_db()
    assert (batch.status, batch.second_approver) == (BatchStatus.APPROVED, rosa)
    assert (
        AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(batch.public_id)).count() == 2
    )


def test_cancelling_a_batch_needs_a_reason(client: Any, due: Due, admin_user: User) -> None:
    batch = due.batch
    url = reverse("retention:batch-cancel", args=[batch.public_id])
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert 'id="id_reason-error"' in _body(refused)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PROPOSED

    done = client.post(url, {"reason": "Proposed under the wrong rule"}, follow=True)
    assert "is cancelled" in _body(done)
    batch.refresh_from_db()
    assert (batch.status, batch.cancel_reason, batch.cancelled_by) == (
        BatchStatus.CANCELLED,
        "Proposed under the wrong rule",
        admin_user,
    )
    assert "Proposed under the wrong rule" in _body(done)
    # A cancelled batch cannot be cancelled again, nor approved.
    assert client.get(url).status_code == 404
    assert "not waiting for approval" in _body(
        client.post(reverse("retention:batch-approve", args=[batch.public_id]))
    )


def _approved(batch: DisposalBatch, first: User, second: User) -> None:
    services.batch_approve(actor=first, batch=batch)
    services.batch_approve(actor=second, batch=batch)


def test_a_running_batch_shows_its_progress(
    client: Any, due: Due, admin_user: User, rosa: User
) -> None:
    _approved(due.batch, admin_user, rosa)
    # A worker has claimed the batch and not yet finished.
    DisposalBatch.objects.filter(pk=due.batch.pk).update(
        status=BatchStatus.RUNNING, started_at=timezone.now()
    )
    client.force_login(admin_user)
    body = _body(client.get(reverse("retention:batch-detail", args=[due.batch.public_id])))
    assert "Disposed of 0 of 3 records" in body
    assert 'max="3" value="0"' in body
    assert 'data-testid="certificate"' not in body


def _done(due: Due, first: User, second: User, admin_user: User) -> DisposalBatch:
    """Approve and carry out the batch, a hold placed on one record meanwhile."""
    services.hold_place(
        actor=admin_user,
        organisation=due.cases[2].organisation,
        scope="case",
        case=due.cases[2],
        reason="Claim received after the proposal",
    )
    _approved(due.batch, first, second)
    done = services.batch_run(batch_id=due.batch.pk)
    assert done is not None
    assert done.status == BatchStatus.DONE
    return done


def test_a_done_batch_offers_its_certificate_which_names_nobody(
    client: Any, due: Due, admin_user: User, rosa: User
) -> None:
    names = [case.person.full_name for case in [*due.cases, due.held]]
    batch = _done(due, rosa, admin_user, admin_user)
    client.force_login(admin_user)
    detail = client.get(reverse("retention:batch-detail", args=[batch.public_id]))
    body = _body(detail)
    url = reverse("retention:batch-certificate", args=[batch.public_id])
    assert url in body
    assert "2 records disposed of; 1 left out when carried out" in body
    assert all(name not in body for name in names)

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert f"certificate-of-destruction-{batch.reference}.pdf" in response["Content-Disposition"]
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.getvalue())).pages
    )
    assert batch.reference in text
    assert "Certificate of destruction" in text
    assert "Local retention schedule: to the 25th birthday" in text
    for case in due.cases[:2]:
        assert case.reference in text
    assert due.cases[2].reference not in text  # held when carried out: not destroyed
    assert rosa.get_full_name() in text
    assert admin_user.get_full_name() in text
    for name in names:
        assert name not in text
    # The first download makes the certificate (no worker ran its task here), then reads it.
    made, read = _events(response)
    assert (made.action, made.summary) == (
        Action.CREATE,
        f"Made the certificate for disposal batch {batch.reference}",
    )
    assert (read.action, read.object_id, read.subject_id_list) == (
        Action.READ,
        str(batch.public_id),
        [],
    )
    assert batch.reference in read.summary


def test_only_a_done_batch_has_a_certificate(
    client: Any, due: Due, admin_user: User, rosa: User
) -> None:
    url = reverse("retention:batch-certificate", args=[due.batch.public_id])
    client.force_login(admin_user)
    assert client.get(url).status_code == 404
    _approved(due.batch, admin_user, rosa)
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.READ, object_id=str(due.batch.public_id))


# --- The register ----------------------------------------------------------------------------


def test_the_register_lists_disposed_records_without_personal_data(
    client: Any, due: Due, admin_user: User, rosa: User
) -> None:
    names = [case.person.full_name for case in due.cases]
    batch = _done(due, rosa, admin_user, admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("retention:register"))
    assert response.status_code == 200
    body = _body(response)
    table = body[body.index('data-testid="register"') :]
    for case in due.cases[:2]:
        assert case.reference in table
    assert due.cases[2].reference not in table
    assert batch.reference in table
    assert rosa.get_full_name() in table
    for name in names:
        assert name not in body
    assert "2 records." in body

    same_class = client.get(
        reverse("retention:register"), {"record_class": "children_in_need", "batch": "db-"}
    )
    assert due.cases[0].reference in _body(same_class)
    other_class = client.get(reverse("retention:register"), {"record_class": "adoption"})
    assert due.cases[0].reference not in _body(other_class)
    assert "No records disposed of match." in _body(other_class)
    bad = client.get(reverse("retention:register"), {"record_class": "nonsense"})
    assert bad.status_code == 200
    assert 'id="id_record_class-error"' in _body(bad)


def test_the_register_pages(
    client: Any, due: Due, admin_user: User, rosa: User, monkeypatch: Any
) -> None:
    _done(due, rosa, admin_user, admin_user)
    monkeypatch.setattr(views, "REGISTER_PER_PAGE", 1)
    client.force_login(admin_user)
    first = _body(client.get(reverse("retention:register"), {"record_class": "children_in_need"}))
    assert "Page 1 of 2" in first
    assert "record_class=children_in_need&page=2" in first


def test_the_register_csv_is_safe_in_a_spreadsheet_and_names_nobody(
    client: Any, due: Due, admin_user: User, ig_team: Any
) -> None:
    schemer = staff_member(
        role=Role.RECORDS_MANAGER,
        team=ig_team,
        username="zed",
        first_name='=HYPERLINK("http://example.invalid")',
        last_name="Smith",
    )
    names = [case.person.full_name for case in due.cases]
    batch = _done(due, schemer, admin_user, admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("retention:register-csv"), {"batch": batch.reference})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == list(views.REGISTER_HEADER)
    assert sorted(row[1] for row in rows[1:]) == sorted(c.reference for c in due.cases[:2])
    for row in rows[1:]:
        assert row[0] == "Children in need cases"
        assert row[4] == batch.reference
        assert row[5].startswith("'=HYPERLINK")
    for name in names:
        assert name not in content
    (read,) = _events(response)
    assert (read.action, read.subject_id_list) == (Action.READ, [])
    refused = client.get(reverse("retention:register-csv"), {"record_class": "nonsense"})
    assert refused.status_code == 400
    assert "Choose a record class" in refused.content.decode()


# --- The forecast ----------------------------------------------------------------------------


@time_machine.travel(datetime(2027, 6, 15, 10, 0, tzinfo=LONDON), tick=False)
def test_the_forecast_counts_what_is_due_now_and_over_the_next_two_years(
    client: Any,
    admin_user: User,
    council: Any,
    team_north: Any,
    practitioner: User,
    manager: User,
) -> None:
    close = partial(closed_case, team_north, practitioner, manager)
    due_now = close(born=date(1990, 4, 1))
    held = close(born=date(1991, 4, 1))
    unknown = close(born=None)
    # Children in need: to the 25th birthday, so due in September 2027 and March 2029.
    soon = close(born=date(2002, 9, 10), opened=date(2008, 1, 1), closed=date(2012, 1, 1))
    later = close(born=date(2004, 3, 2), opened=date(2008, 1, 1), closed=date(2012, 1, 1))
    # Child protection: 35 years after closure, so due in November 2027.
    protection = close(
        born=date(1975, 1, 1),
        opened=date(1985, 1, 1),
        closed=date(1992, 11, 20),
        category="child_protection",
    )
    services.hold_place(
        actor=admin_user, organisation=council, scope="case", case=held, reason="Claim"
    )
    client.force_login(admin_user)
    response = client.get(reverse("retention:forecast"))
    assert response.status_code == 200
    body = _body(response)

    dry_run = body[body.index('data-testid="dry-run"') : body.index('data-testid="forecast-chart"')]
    assert "Children in need cases" in dry_run
    assert "A hold on the case. <strong>(1)</strong>" in dry_run
    assert "The date of birth is not recorded. <strong>(1)</strong>" in dry_run
    totals = body[body.index('data-testid="dry-run-totals"') : body.index('data-testid="dry-run"')]
    assert [int(n) for n in _numbers(totals)] == [1, 1, 1]

    start = body.rindex("<svg", 0, body.index('data-testid="forecast-chart"'))
    chart = body[start : body.index("</svg>", start)]
    assert 'role="img"' in chart
    assert "September 2027, Children in need cases: 1" in chart
    assert "November 2027, Child protection cases: 1" in chart
    assert "March 2029, Children in need cases: 1" in chart
    table = body[body.index('data-testid="forecast-table"') :]
    assert "June 2027" in table
    assert "May 2029" in table
    assert "June 2029" not in table

    for case in (due_now, held, unknown, soon, later, protection):
        assert case.reference not in body
        assert case.person.full_name not in body
    assert _events(response) == []


def _numbers(html: str) -> list[str]:
    return re.findall(r'<strong class="govuk-!-font-size-36">(\d+)</strong>', html)


def test_the_forecast_with_nothing_due(client: Any, admin_user: User) -> None:
    client.force_login(admin_user)
    body = _body(client.get(reverse("retention:forecast")))
    assert 'data-testid="dry-run-empty"' in body
    assert 'data-testid="forecast-empty"' in body


def test_a_restricted_persons_name_is_not_shown_to_the_batchs_reviewers(
    client: Any, admin_user: User, due: Due
) -> None:
    from records.models import Person

    restricted = due.cases[0].person
    Person.objects.filter(pk=restricted.pk).update(  # write-ok: the fixture's restriction
        is_restricted=True, restriction_reason="adoption"
    )
    client.force_login(admin_user)
    response = client.get(reverse("retention:batch-detail", args=[due.batch.public_id]))
    text = _body(response)
    assert due.cases[1].person.full_name in text
    assert restricted.full_name not in text
    (event,) = _events(response)
    assert restricted.pk not in event.subject_id_list
    assert due.cases[1].person_id in event.subject_id_list
