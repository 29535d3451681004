"""Due dates by the rule, worked by hand: no database, the rows as the nightly run loads them."""

from __future__ import annotations

from datetime import date

import pytest

from records.models import Case, Person
from retention.models import RetentionRule
from retention.schedule import Due, add_period, case_trigger, due, financial_year_end


def rule(
    trigger: str, years: int = 0, months: int = 0, action: str = "destroy", **kw
) -> RetentionRule:
    return RetentionRule(
        trigger=trigger, period_years=years, period_months=months, action=action, **kw
    )


def person(born: date | None = date(2008, 2, 29), died: date | None = None) -> Person:
    return Person(first_name="Test", last_name="Person", date_of_birth=born, date_of_death=died)


def case(closed: date | None = None, reason: str = "") -> Case:
    return Case(opened_on=date(2010, 1, 1), closed_on=closed, closure_reason=reason)


def when(r: RetentionRule, c: Case, p: Person, last_action: date | None = None) -> Due:
    return due(r, case_trigger(r.trigger, c, p, last_action), p)


@pytest.mark.parametrize(
    ("start", "years", "months", "expected"),
    [
        (date(2008, 2, 29), 25, 0, date(2033, 2, 28)),
        (date(2008, 2, 29), 28, 0, date(2036, 2, 29)),
        (date(2025, 8, 31), 0, 6, date(2026, 2, 28)),
        (date(2025, 1, 15), 2, 0, date(2027, 1, 15)),
    ],
)
def test_add_period(start: date, years: int, months: int, expected: date) -> None:
    assert add_period(start, years=years, months=months) == expected


def test_financial_year_end() -> None:
    assert financial_year_end(date(2020, 5, 15)) == date(2021, 3, 31)
    assert financial_year_end(date(2020, 3, 31)) == date(2020, 3, 31)
    assert financial_year_end(date(2020, 2, 10)) == date(2020, 3, 31)


def test_each_trigger_read_from_the_record() -> None:
    closed = case(date(2020, 5, 15), "needs_met")
    # Children in need: to the 25th birthday, closed or not.
    assert when(rule("date_of_birth", 25), case(), person()).on == date(2033, 2, 28)
    assert when(rule("case_closure", 35), closed, person()).on == date(2055, 5, 15)
    assert when(rule("financial_year_end", 6), closed, person()).on == date(2027, 3, 31)
    assert when(rule("last_action", 3), closed, person(), date(2020, 6, 1)).on == date(2023, 6, 1)
    assert when(rule("last_action", 3), closed, person(), date(2019, 1, 1)).on == date(2023, 5, 15)
    adopted = case(date(2015, 7, 1), "adopted")
    assert when(rule("adoption_order", 100, action="review"), adopted, person()).on == date(
        2115, 7, 1
    )
    adult = person(date(1950, 1, 1), died=date(2019, 3, 3))
    assert when(rule("closure_or_death", 8), case(), adult).on == date(2027, 3, 3)
    assert when(rule("closure_or_death", 8), closed, adult).on == date(2027, 3, 3)


def test_unknown_triggers_are_left_out_with_a_reason() -> None:
    cases = [
        (rule("date_of_birth", 25), case(), person(born=None), "date of birth"),
        (rule("case_closure", 35), case(), person(), "still open"),
        (rule("adoption_order", 100), case(date(2015, 1, 1), "declined"), person(), "adoption"),
        (rule("date_of_death", 15), case(), person(), "not recorded as having died"),
        (rule("closure_or_death", 8), case(), person(), "open"),
    ]
    for r, c, p, words in cases:
        found = when(r, c, p)
        assert found.on is None
        assert not found.known
        assert words in found.reason


def test_a_looked_after_child_who_died_young_is_kept_15_years_after_death() -> None:
    lac = rule("date_of_birth", 75, action="review", death_under_18_years=15)
    child = person(date(2005, 6, 1), died=date(2015, 9, 9))
    assert when(lac, case(), child).on == date(2030, 9, 9)
    adult = person(date(1960, 6, 1), died=date(2015, 9, 9))
    assert when(lac, case(), adult).on == date(2035, 6, 1)
    assert when(lac, case(), person(date(2005, 6, 1))).on == date(2080, 6, 1)


def test_keep_permanently_never_falls_due() -> None:
    kept = when(rule("case_closure", action="keep"), case(date(2020, 1, 1)), person())
    assert kept.on is None
    assert "permanently" in kept.reason
