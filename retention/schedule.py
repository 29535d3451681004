"""When a record falls due under its rule: the trigger date the rule names, read from the
record, plus the rule's period. Pure functions over rows already loaded, so the nightly run
and the forecast compute the same dates the same way.

A trigger the record cannot give (an open case has no closure; a person with no recorded
date of birth has no birthday) is unknown, and the record is left out of disposal with that
reason: nothing is destroyed on a guess."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from access_requests.clock import add_months
from retention.models import Action, Trigger

if TYPE_CHECKING:
    from records.models import Case, Person
    from retention.models import RetentionRule


@dataclass(frozen=True)
class Due:
    """When a record falls due, or why that cannot be said."""

    on: date | None
    trigger_date: date | None
    reason: str = ""  # why ``on`` is None

    @property
    def known(self) -> bool:
        return self.on is not None


def add_period(start: date, *, years: int = 0, months: int = 0, days: int = 0) -> date:
    """``start`` plus the period: calendar years and months (29 February rolls to the 28th in a
    year without one), then days."""
    return add_months(start, years * 12 + months) + timedelta(days=days)


def financial_year_end(day: date) -> date:
    """31 March ending the UK financial year that contains ``day``."""
    return date(day.year if day.month <= 3 else day.year + 1, 3, 31)


def case_trigger(trigger: str, case: Case, person: Person, last_action: date | None) -> Due:
    """The trigger date for a case, or why it is not known. ``last_action``: the date of the
    latest item in the case (the caller loads it with the case)."""
    if trigger == Trigger.DATE_OF_BIRTH:
        if person.date_of_birth is None:
            return Due(None, None, "The date of birth is not recorded.")
        return Due(None, person.date_of_birth)
    if trigger == Trigger.DATE_OF_DEATH:
        if person.date_of_death is None:
            return Due(None, None, "The person is not recorded as having died.")
        return Due(None, person.date_of_death)
    if trigger == Trigger.CLOSURE_OR_DEATH:
        known = [d for d in (case.closed_on, person.date_of_death) if d is not None]
        if not known:
            return Due(None, None, "The case is open and the person is not recorded as dead.")
        return Due(None, min(known))
    if case.closed_on is None:
        return Due(None, None, "The case is still open.")
    if trigger == Trigger.CASE_CLOSURE:
        return Due(None, case.closed_on)
    if trigger == Trigger.ADOPTION_ORDER:
        if case.closure_reason != "adopted":
            return Due(None, None, "No adoption order is recorded (the case closed otherwise).")
        return Due(None, case.closed_on)
    if trigger == Trigger.LAST_ACTION:
        return Due(None, max(d for d in (case.closed_on, last_action) if d is not None))
    if trigger == Trigger.FINANCIAL_YEAR_END:
        return Due(None, financial_year_end(case.closed_on))
    return Due(None, None, "This trigger does not apply to cases.")


def due(rule: RetentionRule, trigger: Due, person: Person | None = None) -> Due:
    """When the record falls due under the rule, from its trigger. A child who died before 18
    is kept the rule's years after death instead, where the rule says so. Records kept
    permanently never fall due."""
    if rule.action == Action.KEEP:
        return Due(None, trigger.trigger_date, "The rule keeps these records permanently.")
    if (
        rule.death_under_18_years is not None
        and person is not None
        and person.date_of_death is not None
        and person.date_of_birth is not None  # age at death unknown: the usual rule applies
        and (person.age_on(person.date_of_death) or 0) < 18
    ):
        return Due(
            add_period(person.date_of_death, years=rule.death_under_18_years),
            person.date_of_death,
        )
    if trigger.trigger_date is None:
        return trigger
    return Due(
        add_period(
            trigger.trigger_date,
            years=rule.period_years,
            months=rule.period_months,
            days=rule.period_days,
        ),
        trigger.trigger_date,
    )
