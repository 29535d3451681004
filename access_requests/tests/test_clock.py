"""The statutory clock: DOMAIN.md's worked examples, more of our own, and properties that hold
for every start date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from access_requests.clock import (
    add_months,
    bank_holiday,
    due_date,
    explain,
    extension_notice_by,
    paused_days,
)

NATIONS = ("england-and-wales", "scotland", "northern-ireland")
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # DOMAIN.md §3 worked examples (England and Wales).
        (date(2025, 9, 3), date(2025, 10, 3)),
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2026, 1, 31), date(2026, 3, 2)),  # 28 Feb 2026 is a Saturday
        # Our own: month ends, weekends and bank holidays.
        (date(2025, 3, 31), date(2025, 4, 30)),
        (date(2025, 12, 31), date(2026, 1, 31) + timedelta(days=2)),  # Sat 31 Jan → Mon 2 Feb
        (date(2025, 11, 25), date(2025, 12, 29)),  # 25, 26 Dec holidays, 27-28 weekend
        (date(2026, 3, 3), date(2026, 4, 7)),  # Good Friday 3 Apr, weekend, Easter Monday 6 Apr
        (date(2026, 4, 25), date(2026, 5, 26)),  # Mon 25 May: Spring Bank Holiday
        (date(2024, 2, 29), date(2024, 3, 29) + timedelta(days=4)),  # Good Friday 29 Mar 2024
        (date(2023, 4, 8), date(2023, 5, 9)),  # Mon 8 May 2023: the Coronation bank holiday
    ],
)
def test_uk_gdpr_due_dates(start: date, due: date) -> None:
    assert due_date(start) == due


def test_extended_request_worked_example() -> None:
    # Three months from 26 Sep 2019 is Thu 26 Dec, Boxing Day: due Fri 27 Dec 2019.
    assert due_date(date(2019, 9, 26), extended=True) == date(2019, 12, 27)


def test_extension_is_three_months_from_the_start_not_from_the_first_due_date() -> None:
    # 31 Oct → first due 30 Nov; the start + 3 months is 31 Jan, the first due date + 2
    # months would be 30 Jan.
    assert due_date(date(2024, 10, 31), extended=True) == date(2025, 1, 31)


def test_nations_have_their_own_bank_holidays() -> None:
    # 1 Dec 2025 → 1 Jan 2026 everywhere; 2 Jan is a holiday in Scotland only.
    start = date(2025, 12, 1)
    assert due_date(start, nation="england-and-wales") == date(2026, 1, 2)
    assert due_date(start, nation="scotland") == date(2026, 1, 5)
    # St Patrick's Day, Tue 17 Mar 2026, in Northern Ireland only.
    start = date(2026, 2, 17)
    assert due_date(start, nation="england-and-wales") == date(2026, 3, 17)
    assert due_date(start, nation="northern-ireland") == date(2026, 3, 18)
    # St Andrew's Day, Mon 30 Nov 2026, in Scotland only.
    assert due_date(date(2026, 10, 30), nation="scotland") == date(2026, 12, 1)
    assert due_date(date(2026, 10, 30), nation="england-and-wales") == date(2026, 11, 30)


def test_a_newly_declared_holiday_moves_the_date() -> None:
    start = date(2027, 5, 12)
    assert due_date(start) == date(2027, 6, 14)  # Sat 12 Jun → Mon 14 Jun
    assert due_date(start, extra_holidays={date(2027, 6, 14)}) == date(2027, 6, 15)


def test_pause_adds_its_days_both_ends_included_then_rolls() -> None:
    # Due 3 Oct 2025 (Fri) unpaused. Clarification asked Mon 8 Sep, answered Wed 10 Sep:
    # three days do not count → Mon 6 Oct.
    start = date(2025, 9, 3)
    assert due_date(start, pauses=[(date(2025, 9, 8), date(2025, 9, 10))]) == date(2025, 10, 6)
    # Asked and answered the same day still stops the clock for that day: Sat 4 → Mon 6 Oct.
    assert due_date(start, pauses=[(date(2025, 9, 8), date(2025, 9, 8))]) == date(2025, 10, 6)


def test_pause_is_added_to_the_unrolled_date() -> None:
    # 31 Jan 2026 → 28 Feb (a Saturday, not yet rolled) + 2 paused days = Mon 2 Mar.
    paused = [(date(2026, 2, 2), date(2026, 2, 3))]
    assert due_date(date(2026, 1, 31), pauses=paused) == date(2026, 3, 2)


def test_overlapping_pauses_count_each_day_once() -> None:
    pauses = [(date(2025, 9, 8), date(2025, 9, 10)), (date(2025, 9, 10), date(2025, 9, 11))]
    assert paused_days(pauses) == 4


def test_a_pause_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot end before"):
        due_date(date(2025, 9, 3), pauses=[(date(2025, 9, 10), date(2025, 9, 8))])


def test_a_pause_moves_the_last_day_to_tell_of_an_extension() -> None:
    start = date(2025, 9, 3)
    assert extension_notice_by(start) == date(2025, 10, 3)
    paused = [(date(2025, 9, 8), date(2025, 9, 10))]
    assert extension_notice_by(start, pauses=paused) == date(2025, 10, 6)


def test_other_regimes_count_calendar_days_without_rolling() -> None:
    assert due_date(date(2026, 1, 31), regime="calendar-days-30") == date(2026, 3, 2)
    assert due_date(date(2025, 11, 26), regime="calendar-days-30") == date(2025, 12, 26)
    assert due_date(date(1999, 11, 16), regime="dpa-1998") == date(1999, 12, 26)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"regime": "six-weeks"}, "Unknown regime"),
        ({"nation": "wales"}, "Unknown nation"),
        ({"regime": "dpa-1998", "extended": True}, "Only a UK GDPR request"),
    ],
)
def test_nonsense_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        due_date(date(2025, 9, 3), **kwargs)  # type: ignore[arg-type]


def test_the_explanation_says_how_the_date_was_worked_out() -> None:
    pauses = [(date(2019, 10, 1), date(2019, 10, 2))]
    worked = explain(date(2019, 9, 26), extended=True, pauses=pauses)
    assert worked.due == date(2019, 12, 30)  # 26 Dec + 2 days = Sat 28 Dec → Mon 30 Dec
    text = " ".join(worked.steps)
    assert "Clock started Thu 26 Sep 2019" in text
    assert "Extended" in text
    assert "2 days added" in text
    assert [why for _, why in worked.holidays_skipped] == ["Saturday", "Sunday"]
    assert "Due Monday 30 December 2019." in text


# --- Properties -------------------------------------------------------------------------------


@given(starts, st.sampled_from(NATIONS))
def test_due_is_a_working_day_within_four_days_of_the_same_date_next_month(
    start: date, nation: str
) -> None:
    due = due_date(start, nation=nation)
    unrolled = add_months(start, 1)
    assert due.weekday() < 5
    assert not bank_holiday(due, nation)
    assert unrolled <= due <= unrolled + timedelta(days=5)  # 4-day Christmas/Easter runs
    assert due > start


@given(starts, st.sampled_from(NATIONS))
def test_every_skipped_day_was_a_weekend_or_holiday(start: date, nation: str) -> None:
    worked = explain(start, nation=nation)
    for day, _why in worked.holidays_skipped:
        assert day.weekday() >= 5 or bank_holiday(day, nation)
    assert worked.due == add_months(start, 1) + timedelta(days=len(worked.holidays_skipped))


@given(starts)
def test_extended_is_never_earlier_and_is_about_three_months(start: date) -> None:
    normal = due_date(start)
    extended = due_date(start, extended=True)
    assert extended > normal
    assert add_months(start, 3) <= extended <= add_months(start, 3) + timedelta(days=5)


@given(starts, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=20))
def test_a_pause_never_brings_the_date_forward(start: date, offset: int, length: int) -> None:
    asked = start + timedelta(days=offset)
    paused = due_date(start, pauses=[(asked, asked + timedelta(days=length))])
    assert paused >= due_date(start) + timedelta(days=length + 1) - timedelta(days=5)
    assert paused >= due_date(start)


@given(starts, starts)
def test_later_requests_are_never_due_earlier(first: date, second: date) -> None:
    early, late = sorted((first, second))
    assert due_date(early) <= due_date(late)
