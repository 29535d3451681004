"""The retention schedule and holds: the defaults of DOMAIN.md §5, versioned changes by the
records manager, and holds placed and lifted with reasons. Refusals change nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from audit.models import AuditEvent
from core.errors import ApplicationError
from records.models import CaseCategory
from records.tests.factories import open_case
from retention import services
from retention.models import Hold, RecordClass, RetentionRule

pytestmark = pytest.mark.django_db


def test_the_default_schedule_gives_every_case_category_one_class_and_one_rule() -> None:
    covered: dict[str, str] = {}
    for record_class in RecordClass.objects.all():
        for category in record_class.case_categories:
            assert category not in covered, f"{category} in {covered.get(category)} too"
            covered[category] = record_class.code
        assert record_class.rules.filter(is_active=True).count() == 1, record_class.code
    assert set(covered) == set(CaseCategory.values)
    looked_after = RetentionRule.objects.get(record_class__code="looked_after", is_active=True)
    assert (looked_after.trigger, looked_after.period_years, looked_after.action) == (
        "date_of_birth",
        75,
        "review",
    )
    assert (looked_after.then_action, looked_after.death_under_18_years) == ("destroy", 15)
    surveys = RetentionRule.objects.get(record_class__code="surveys", is_active=True)
    assert surveys.period_display == "6 months"
    assert {c.code for c in RecordClass.objects.exclude(kind="case")} == {
        "complaints",
        "rights_requests",
        "sharing_log",
        "audit_events",
        "surveys",
    }


def _change(actor: User, **overrides: Any) -> RetentionRule:
    values: dict[str, Any] = {
        "record_class": RecordClass.objects.get(code="child_protection"),
        "trigger": "case_closure",
        "period_years": 40,
        "period_months": 0,
        "period_days": 0,
        "action": "destroy",
        "legal_authority": "Local retention schedule, revised",
        "reason": "Independent inquiry recommendation",
    }
    values.update(overrides)
    return services.rule_change(actor=actor, **values)


def test_a_rule_change_is_a_new_version_and_the_old_one_is_kept(admin_user: User) -> None:
    first = RetentionRule.objects.get(record_class__code="child_protection", is_active=True)
    rule = _change(admin_user)
    first.refresh_from_db()
    assert (rule.version, rule.is_active, rule.period_years) == (2, True, 40)
    assert not first.is_active
    assert first.superseded_at is not None
    assert first.period_years == 35
    event = AuditEvent.objects.get(object_id=str(rule.public_id))
    assert event.action == "setting_change"
    assert event.changed_fields == "legal_authority,period_years"
    assert "version 2" in event.summary


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period_years": -3}, "period_years"),
        ({"period_years": ""}, "period_years"),
        ({"period_years": "ten"}, "period_years"),
        ({"period_years": 0}, "period_years"),
        ({"trigger": "whenever"}, "trigger"),
        ({"action": "shred"}, "action"),
        ({"legal_authority": " "}, "legal_authority"),
        ({"reason": ""}, "reason"),
    ],
)
def test_a_bad_rule_is_refused_and_changes_nothing(
    admin_user: User, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        _change(admin_user, **overrides)
    assert field in caught.value.field_errors
    rules = RetentionRule.objects.filter(record_class__code="child_protection")
    assert list(rules.values_list("version", "is_active", "period_years")) == [(1, True, 35)]


def test_keep_permanently_needs_no_period_and_only_records_managers_change_rules(
    admin_user: User, practitioner: User, guardian: User
) -> None:
    for someone in (practitioner, guardian):
        with pytest.raises(ApplicationError, match="Only a records manager"):
            _change(someone)
    rule = _change(admin_user, action="keep", period_years=0)
    assert rule.period_display == "no set period"
    # The database itself refuses a second rule in force for a class.
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionRule.objects.create(
            record_class=rule.record_class,
            version=9,
            trigger="case_closure",
            period_years=1,
            action="destroy",
            legal_authority="x",
            reason="x",
        )


def test_holds_are_placed_and_lifted_with_reasons_by_the_records_manager(
    admin_user: User, practitioner: User, team_north: Any, council: Any
) -> None:
    case = open_case(team=team_north, worker=practitioner)
    with pytest.raises(ApplicationError, match="records manager"):
        services.hold_place(
            actor=practitioner,
            organisation=council,
            scope="person",
            person=case.person,
            reason="Claim",
        )
    for bad, field in (
        ({"scope": "person", "reason": ""}, "reason"),
        ({"scope": "case"}, "case"),
        ({"scope": "class_and_dates"}, "record_class"),
        (
            {"scope": "class_and_dates", "record_class": "x", "from_date": date(2000, 1, 1)},
            "from_date",
        ),
    ):
        values: dict[str, Any] = {"reason": "Inquiry", "person": case.person, **bad}
        if values.get("record_class") == "x":
            values["record_class"] = RecordClass.objects.get(code="child_protection")
        with pytest.raises(ApplicationError) as caught:
            services.hold_place(actor=admin_user, organisation=council, **values)
        assert field in caught.value.field_errors, bad
    assert not Hold.objects.exists()

    hold = services.hold_place(
        actor=admin_user,
        organisation=council,
        scope="person",
        person=case.person,
        reason="Solicitor's letter: a claim is expected",
    )
    inquiry = services.hold_place(
        actor=admin_user,
        organisation=council,
        scope="class_and_dates",
        record_class=RecordClass.objects.get(code="looked_after"),
        from_date=date(1970, 1, 1),
        to_date=date(2000, 12, 31),
        reason="Public inquiry moratorium",
    )
    assert hold.is_active
    assert inquiry.person is None
    event = AuditEvent.objects.get(object_id=str(hold.public_id))
    assert event.subject_id_list == [case.person.pk]
    with pytest.raises(ApplicationError) as caught:
        services.hold_lift(actor=admin_user, hold=hold, reason="")
    assert "reason" in caught.value.field_errors
    with pytest.raises(ApplicationError):
        services.hold_lift(actor=practitioner, hold=hold, reason="Done")
    services.hold_lift(actor=admin_user, hold=hold, reason="Claim settled")
    hold.refresh_from_db()
    assert not hold.is_active
    with pytest.raises(ApplicationError, match="already been lifted"):
        services.hold_lift(actor=admin_user, hold=hold, reason="Again")


def test_holds_in_force_name_why_a_record_is_held(
    admin_user: User,
    practitioner: User,
    records_officer: User,
    team_north: Any,
    council: Any,
) -> None:
    from access_requests import services as request_services
    from access_requests.tests.conftest import log_request
    from retention.selectors import holds_in_force

    held, by_case, requested, free = (
        open_case(team=team_north, worker=practitioner) for _ in range(4)
    )
    looked_after = RecordClass.objects.get(code="looked_after")
    adoption = RecordClass.objects.get(code="adoption")
    services.hold_place(
        actor=admin_user, organisation=council, scope="person", person=held.person, reason="Claim"
    )
    services.hold_place(
        actor=admin_user, organisation=council, scope="case", case=by_case, reason="Review"
    )
    services.hold_place(
        actor=admin_user,
        organisation=council,
        scope="record_class",
        record_class=adoption,
        reason="Adoption records review",
    )
    services.hold_place(
        actor=admin_user,
        organisation=council,
        scope="class_and_dates",
        record_class=looked_after,
        from_date=date(1970, 1, 1),
        to_date=date(1999, 12, 31),
        reason="Inquiry moratorium",
    )
    request = log_request(records_officer, council)
    request_services.access_request_assign(
        actor=records_officer, request=request, officer=records_officer
    )
    request_services.access_request_subject_link(
        actor=records_officer, request=request, person=requested.person
    )
    holds = holds_in_force()
    cin = RecordClass.objects.get(code="children_in_need").pk

    def why(
        case: Any,
        class_id: int = cin,
        dates: tuple[date, date] = (date(2020, 1, 1), date(2021, 1, 1)),
    ) -> str:
        return holds.reason(
            organisation_id=case.organisation_id,
            person_id=case.person_id,
            case_id=case.pk,
            class_id=class_id,
            record_from=dates[0],
            record_to=dates[1],
        )

    assert "the person's records" in why(held)
    assert "the case" in why(by_case)
    assert "rights request" in why(requested)
    assert why(free) == ""
    assert "whole record class" in why(free, adoption.pk)
    assert "inquiry hold" in why(free, looked_after.pk, (date(1995, 1, 1), date(2004, 1, 1)))
    assert why(free, looked_after.pk, (date(2001, 1, 1), date(2004, 1, 1))) == ""
