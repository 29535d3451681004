"""Disposal batches: the nightly proposal by the rule in force, what it leaves out and why,
review (keeping a record longer) and the two-person approval."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.tests.factories import TeamFactory, staff_member
from core.errors import ApplicationError
from records import services as record_services
from records.tests.factories import open_case
from retention import selectors, services
from retention.models import BatchStatus, DisposalBatch, ItemStatus, RecordClass
from retention.tests.factories import closed_case

pytestmark = pytest.mark.django_db


def test_the_nightly_proposal_batches_what_is_due_and_lists_what_it_leaves_out(
    team_north: Any, practitioner: User, manager: User, admin_user: User, council: Any
) -> None:
    close = partial(closed_case, team_north, practitioner, manager)
    due = close(
        born=date(1990, 4, 1),
        opened=date(2005, 1, 1),
        closed=date(2008, 1, 1),
    )
    young = close(
        born=date(2012, 4, 1),
        opened=date(2020, 1, 1),
        closed=date(2021, 1, 1),
    )
    no_birthday = close(
        born=None,
        opened=date(2005, 1, 1),
        closed=date(2006, 1, 1),
    )
    held = close(
        born=date(1991, 4, 1),
        opened=date(2005, 1, 1),
        closed=date(2009, 1, 1),
    )
    still_open = open_case(
        team=team_north,
        worker=practitioner,
        opened_on=date(2001, 1, 1),
        date_of_birth=date(1980, 1, 1),
    )
    protection = close(
        born=date(1975, 1, 1),
        opened=date(1979, 1, 1),
        closed=date(1980, 6, 1),
        category="child_protection",
    )
    services.hold_place(
        actor=admin_user, organisation=council, scope="person", person=held.person, reason="Claim"
    )

    batches = {b.record_class.code: b for b in services.disposal_propose()}
    assert set(batches) == {"children_in_need", "child_protection"}
    cin = batches["children_in_need"]
    assert cin.reference.startswith(f"DB-{timezone.localdate().year}-")
    assert (cin.action, cin.rule.version, cin.status) == ("destroy", 1, BatchStatus.PROPOSED)
    items = {i.case_id: i for i in cin.items.all()}
    assert items[due.pk].status == ItemStatus.INCLUDED
    assert items[due.pk].due_on == date(2015, 4, 1)
    assert items[due.pk].record_reference == due.reference
    assert items[held.pk].status == ItemStatus.HELD
    assert "hold on the person" in items[held.pk].reason
    assert items[no_birthday.pk].status == ItemStatus.UNKNOWN
    assert "date of birth" in items[no_birthday.pk].reason
    assert young.pk not in items
    assert still_open.pk not in items
    assert batches["child_protection"].items.get().case_id == protection.pk

    # The next night proposes nothing new: those cases are already in open batches.
    assert services.disposal_propose() == []


def test_review_and_two_person_approval(
    team_north: Any, practitioner: User, manager: User, admin_user: User, ig_team: Any
) -> None:
    close = partial(closed_case, team_north, practitioner, manager)
    first = close(
        born=date(1990, 4, 1),
        opened=date(2005, 1, 1),
        closed=date(2008, 1, 1),
    )
    second = close(
        born=date(1989, 4, 1),
        opened=date(2005, 1, 1),
        closed=date(2008, 1, 1),
    )
    (batch,) = services.disposal_propose()
    colleague = staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")
    for someone in (practitioner, manager):
        with pytest.raises(ApplicationError, match="records manager or system administrator"):
            services.batch_approve(actor=someone, batch=batch)

    services.batch_approve(actor=admin_user, batch=batch)
    with pytest.raises(ApplicationError, match="already approved"):
        services.batch_approve(actor=admin_user, batch=batch)
    # Taking a record out changes the batch: the first approval is withdrawn.
    item = batch.items.get(case=second)
    with pytest.raises(ApplicationError) as caught:
        services.batch_item_keep(actor=colleague, item=item, reason="", keep_until=None)
    assert {"reason", "keep_until"} <= set(caught.value.field_errors)
    services.batch_item_keep(
        actor=colleague,
        item=item,
        reason="Sibling's adoption records refer to it",
        keep_until=timezone.localdate() + timedelta(days=365),
    )
    batch.refresh_from_db()
    assert batch.first_approver is None
    services.batch_approve(actor=colleague, batch=batch)
    services.batch_approve(actor=admin_user, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED
    assert {batch.first_approver, batch.second_approver} == {colleague, admin_user}
    with pytest.raises(ApplicationError, match="not waiting for approval"):
        services.batch_approve(actor=colleague, batch=batch)
    assert dict(batch.items.values_list("case_id", "status")) == {
        first.pk: ItemStatus.INCLUDED,
        second.pk: ItemStatus.KEPT,
    }
    # Kept longer, it is not proposed again until its review day.
    assert services.disposal_propose() == []
    assert DisposalBatch.objects.count() == 1
    assert RecordClass.objects.get(code="children_in_need").batches.count() == 1
    # The forecast shows it falling due again on that day, twelve months from now.
    review = timezone.localdate() + timedelta(days=365)
    forecast = selectors.forecast(months=24)
    (counts,) = [c for rc, c in forecast.rows if rc.code == "children_in_need"]
    month = (review.year - forecast.months[0].year) * 12 + review.month - forecast.months[0].month
    assert counts[month] == 1
    assert sum(counts) == 1


def test_beat_proposes_every_night_and_the_task_runs_the_proposal(
    team_north: Any, practitioner: User, manager: User
) -> None:
    from django_celery_beat.models import PeriodicTask

    from retention.tasks import disposal_propose_task

    scheduled = PeriodicTask.objects.get(task="retention.propose_disposals")
    assert (scheduled.enabled, scheduled.crontab.hour, scheduled.crontab.minute) == (
        True,
        "1",
        "30",
    )
    closed_case(
        team_north,
        practitioner,
        manager,
        born=date(1990, 4, 1),
        opened=date(2005, 1, 1),
        closed=date(2008, 1, 1),
    )
    disposal_propose_task.apply()
    disposal_propose_task.apply()
    assert DisposalBatch.objects.count() == 1


def test_an_approved_batch_destroys_each_case_and_keeps_a_stub_in_the_register(
    team_north: Any, practitioner: User, manager: User, admin_user: User, ig_team: Any
) -> None:
    from records.models import Case, Item, Person

    close = partial(closed_case, team_north, practitioner, manager)
    gone = open_case(
        team=team_north,
        worker=practitioner,
        manager=manager,
        opened_on=date(2005, 1, 1),
        category="child_in_need",
        date_of_birth=date(1990, 4, 1),
    )
    record_services.note_record(
        actor=practitioner,
        case=gone,
        occurred_at=timezone.now() - timedelta(days=6000),
        title="Home visit",
        body="Spoke with the family.",
    )
    record_services.case_close(
        actor=manager, case=gone, closed_on=date(2008, 1, 1), reason="needs_met"
    )
    kept = close(born=date(1989, 4, 1), opened=date(2005, 1, 1), closed=date(2008, 1, 1))
    (batch,) = services.disposal_propose()
    colleague = staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")
    services.hold_place(
        actor=admin_user,
        organisation=kept.organisation,
        scope="case",
        case=kept,
        reason="Claim received after the proposal",
    )
    services.batch_approve(actor=colleague, batch=batch)
    services.batch_approve(actor=admin_user, batch=batch)

    done = services.batch_run(batch_id=batch.pk, chunk_size=1)
    assert done is not None
    assert done.status == BatchStatus.DONE
    assert not Case.objects.filter(pk=gone.pk).exists()
    assert not Person.objects.filter(pk=gone.person_id).exists()
    assert not Item.objects.filter(case_id=gone.pk).exists()
    assert Case.objects.filter(pk=kept.pk).exists()
    register = {i.record_reference: i for i in batch.items.all()}
    assert register[gone.reference].status == ItemStatus.DISPOSED
    assert register[gone.reference].case_id is None
    assert register[gone.reference].disposed_at is not None
    assert register[kept.reference].status == ItemStatus.SKIPPED
    assert "hold on the case" in register[kept.reference].reason
    # Running again does nothing more.
    assert services.batch_run(batch_id=batch.pk) == done


def test_anonymising_keeps_the_statistics_and_removes_everything_identifying(
    team_north: Any, practitioner: User, manager: User, admin_user: User, ig_team: Any
) -> None:
    from records.models import Case, Item, Person

    services.rule_change(
        actor=admin_user,
        record_class=RecordClass.objects.get(code="children_in_need"),
        trigger="date_of_birth",
        period_years=25,
        period_months=0,
        period_days=0,
        action="anonymise",
        legal_authority="Local schedule",
        reason="Keep service statistics for planning",
    )
    case = open_case(
        team=team_north,
        worker=practitioner,
        manager=manager,
        opened_on=date(2005, 1, 1),
        category="child_in_need",
        date_of_birth=date(1990, 4, 1),
        first_name="Wilhelmina",
    )
    record_services.note_record(
        actor=practitioner, case=case, title="Visit", body="Wilhelmina was at school."
    )
    record_services.case_close(
        actor=manager, case=case, closed_on=date(2008, 1, 1), reason="needs_met"
    )
    (batch,) = services.disposal_propose()
    assert batch.action == "anonymise"
    colleague = staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")
    services.batch_approve(actor=colleague, batch=batch)
    services.batch_approve(actor=admin_user, batch=batch)
    services.batch_run(batch_id=batch.pk)

    kept = Case.objects.select_related("person").get(pk=case.pk)
    assert (kept.category, kept.service, kept.team_id) == (
        case.category,
        case.service,
        team_north.pk,
    )
    assert (kept.opened_on, kept.closed_on) == (date(2005, 1, 1), date(2008, 1, 1))
    assert kept.person_id != case.person_id
    assert (kept.person.first_name, kept.person.date_of_birth, kept.person.nhs_number) == (
        "Anonymised",
        None,
        "",
    )
    assert not Person.objects.filter(pk=case.person_id).exists()
    assert not Item.objects.filter(case=kept).exists()
    assert not Person.objects.filter(first_name="Wilhelmina").exists()
    stub = batch.items.get()
    assert (stub.status, stub.case_id, stub.person_id) == (ItemStatus.DISPOSED, case.pk, None)
    # Anonymised once: it is not proposed again, nor forecast.
    assert services.disposal_propose() == []
    assert selectors.forecast().unknown == {}


def test_no_route_disposes_of_a_held_record(
    team_north: Any,
    practitioner: User,
    manager: User,
    admin_user: User,
    ig_team: Any,
    client: Any,
) -> None:
    """Not the task, not the admin, not the database: a held record stays, and the register's
    stubs cannot be deleted."""
    from django.contrib import admin
    from django.db import DatabaseError, transaction

    from records.models import Case
    from retention.tasks import disposal_run_task

    case = closed_case(
        team_north,
        practitioner,
        manager,
        born=date(1990, 4, 1),
        opened=date(2005, 1, 1),
        closed=date(2008, 1, 1),
    )
    free = closed_case(
        team_north,
        practitioner,
        manager,
        born=date(1991, 4, 1),
        opened=date(2005, 1, 1),
        closed=date(2008, 1, 1),
    )
    (batch,) = services.disposal_propose()
    colleague = staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")
    services.batch_approve(actor=colleague, batch=batch)
    services.batch_approve(actor=admin_user, batch=batch)
    services.hold_place(
        actor=admin_user,
        organisation=case.organisation,
        scope="person",
        person=case.person,
        reason="Civil claim",
    )
    # The admin offers no record data at all: nothing there can delete a case or a person.
    record_apps = {"records", "retention", "sharing", "access_requests", "audit"}
    assert not {m._meta.app_label for m in admin.site._registry} & record_apps
    client.force_login(admin_user)
    assert client.get(f"/admin/records/case/{case.pk}/delete/").status_code == 404

    disposal_run_task.apply(args=[batch.pk])
    assert Case.objects.filter(pk=case.pk).exists()
    assert not Case.objects.filter(pk=free.pk).exists()
    held = batch.items.get(record_reference=case.reference)
    assert (held.status, held.reason) == (ItemStatus.SKIPPED, "A hold on the person's records.")
    stub = batch.items.get(record_reference=free.reference)
    with pytest.raises(DatabaseError), transaction.atomic():
        stub.delete()


def _approved(batch: DisposalBatch, admin_user: User, ig_team: Any) -> DisposalBatch:
    colleague = staff_member(role=Role.RECORDS_MANAGER, team=ig_team, username="rosa")
    services.batch_approve(actor=colleague, batch=batch)
    return services.batch_approve(actor=admin_user, batch=batch)


def test_a_hold_or_request_on_anyone_in_a_case_holds_it_and_kept_relatives_stay(
    team_north: Any,
    practitioner: User,
    manager: User,
    admin_user: User,
    ig_team: Any,
    council: Any,
) -> None:
    """The mother takes part in two children's cases. A hold on her holds both; lifted,
    the older child's case goes, and she stays, named by the younger child's open case and
    related to him. The older child goes with her own file."""
    from records.models import Case, Person

    older = open_case(
        team=team_north,
        worker=practitioner,
        manager=manager,
        opened_on=date(2005, 1, 1),
        category="child_in_need",
        date_of_birth=date(1990, 4, 1),
    )
    mother, _ = record_services.related_person_create(
        actor=practitioner,
        case=older,
        details={"first_name": "Imelda", "last_name": "Sparrow"},
        kind="mother",
    )
    record_services.case_close(
        actor=manager, case=older, closed_on=date(2008, 1, 1), reason="needs_met"
    )
    younger = open_case(
        team=team_north, worker=practitioner, manager=manager, category="child_in_need"
    )
    record_services.relationship_add(
        actor=practitioner, from_person=mother, to_person=younger.person, kind="mother"
    )
    hold = services.hold_place(
        actor=admin_user, organisation=council, scope="person", person=mother, reason="Claim"
    )
    assert services.disposal_propose() == []  # held through the mother: nothing to approve
    (row,) = selectors.disposal_due()
    assert [(i.status, i.reason) for i in row.items] == [
        (ItemStatus.HELD, "A hold on the records of someone the record is about.")
    ]
    services.hold_lift(actor=admin_user, hold=hold, reason="Claim settled")

    (batch,) = services.disposal_propose()
    services.batch_run(batch_id=_approved(batch, admin_user, ig_team).pk)
    assert not Case.objects.filter(pk=older.pk).exists()
    assert not Person.objects.filter(pk=older.person_id).exists()
    assert Person.objects.filter(pk=mother.pk).exists()
    assert mother.relationships_from.filter(to_person=younger.person).exists()


def test_another_councils_class_hold_does_not_hold_this_council(
    team_north: Any,
    practitioner: User,
    manager: User,
    admin_user: User,
    other_council: Any,
) -> None:
    case = closed_case(
        team_north,
        practitioner,
        manager,
        born=date(1990, 4, 1),
        opened=date(2005, 1, 1),
        closed=date(2008, 1, 1),
    )
    other_keeper = staff_member(
        role=Role.RECORDS_MANAGER,
        team=TeamFactory(organisation=other_council),
        username="otto",
    )
    services.hold_place(
        actor=other_keeper,
        organisation=other_council,
        scope="record_class",
        record_class=RecordClass.objects.get(code="children_in_need"),
        reason="Their own inquiry",
    )
    (batch,) = services.disposal_propose()
    assert batch.items.get().status == ItemStatus.INCLUDED
    assert batch.items.get().case_id == case.pk


def test_the_run_skips_what_is_no_longer_due_and_approval_needs_the_rule_in_force(
    team_north: Any, practitioner: User, manager: User, admin_user: User, ig_team: Any
) -> None:
    from records.models import Case

    close = partial(closed_case, team_north, practitioner, manager)
    corrected = close(born=date(1990, 4, 1), opened=date(2005, 1, 1), closed=date(2008, 1, 1))
    gone = close(born=date(1991, 4, 1), opened=date(2005, 1, 1), closed=date(2008, 1, 1))
    (batch,) = services.disposal_propose()
    batch = _approved(batch, admin_user, ig_team)
    # The date of birth was wrong: the child is younger, and not due yet.
    record_services.person_update(
        actor=practitioner, person=corrected.person, details={"date_of_birth": date(2010, 4, 1)}
    )
    services.batch_run(batch_id=batch.pk)
    assert Case.objects.filter(pk=corrected.pk).exists()
    assert not Case.objects.filter(pk=gone.pk).exists()
    skipped = batch.items.get(record_reference=corrected.reference)
    assert (skipped.status, skipped.reason) == (
        ItemStatus.SKIPPED,
        "Not due any more: the record changed after the proposal.",
    )

    # A batch proposed under a rule since changed cannot be approved.
    later = close(born=date(1992, 4, 1), opened=date(2005, 1, 1), closed=date(2008, 1, 1))
    (batch,) = services.disposal_propose()
    assert batch.items.get().case_id == later.pk
    services.rule_change(
        actor=admin_user,
        record_class=batch.record_class,
        trigger="date_of_birth",
        period_years=30,
        period_months=0,
        period_days=0,
        action="destroy",
        legal_authority="Local schedule",
        reason="Kept longer after the review of children's records",
    )
    with pytest.raises(ApplicationError, match="rule this batch follows has changed"):
        services.batch_approve(actor=admin_user, batch=batch)


def test_a_death_with_no_date_of_birth_is_not_taken_for_a_childs() -> None:
    from records.models import Person
    from retention import schedule

    rule = RecordClass.objects.get(code="looked_after").rules.get(is_active=True)
    person = Person(date_of_birth=None, date_of_death=date(2001, 5, 1))
    found = schedule.due(
        rule, schedule.Due(None, None, "The date of birth is not recorded."), person
    )
    assert (found.on, found.reason) == (None, "The date of birth is not recorded.")
