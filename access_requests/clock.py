"""The statutory clock for rights requests (DOMAIN.md §3), as pure functions.

``due_date`` is what everything else calls; ``explain`` returns the same date with the steps
that produced it, for the request page ("how was this date worked out?").
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

REGIMES = ("uk-gdpr", "calendar-days-30", "dpa-1998")
NATIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}


@dataclass(frozen=True)
class DueDate:
    due: date
    steps: list[str] = field(default_factory=list)
    holidays_skipped: list[tuple[date, str]] = field(default_factory=list)


def add_months(start: date, months: int) -> date:
    """The same calendar date ``months`` later; the month's last day where there is none."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("GB", subdiv=NATIONS[nation], years=year).items())


def bank_holiday(day: date, nation: str, extra: Collection[date] = ()) -> str:
    """The holiday's name if ``day`` is a bank holiday in the nation (or an added one)."""
    if day in extra:
        return "Additional bank holiday"
    return _bank_holidays(nation, day.year).get(day, "")


def paused_days(pauses: Sequence[tuple[date, date]]) -> int:
    """Days that do not count: each pause from the day clarification was asked for to the day
    it arrived, both included; days covered by two pauses count once."""
    days: set[date] = set()
    for asked, received in pauses:
        if received < asked:
            raise ValueError("A pause cannot end before it starts.")
        days.update(asked + timedelta(days=n) for n in range((received - asked).days + 1))
    return len(days)


def _check(regime: str, nation: str, extended: bool) -> None:
    if regime not in REGIMES:
        raise ValueError(f"Unknown regime {regime!r}; choose from {', '.join(REGIMES)}.")
    if nation not in NATIONS:
        raise ValueError(f"Unknown nation {nation!r}; choose from {', '.join(NATIONS)}.")
    if extended and regime != "uk-gdpr":
        raise ValueError("Only a UK GDPR request can be extended.")


def explain(
    start: date,
    *,
    regime: str = "uk-gdpr",
    extended: bool = False,
    pauses: Sequence[tuple[date, date]] = (),
    nation: str = "england-and-wales",
    extra_holidays: Collection[date] = (),
) -> DueDate:
    """The due date and how it was worked out."""
    _check(regime, nation, extended)
    steps = [f"Clock started {start:%a %-d %b %Y} (day 1)."]
    if regime == "calendar-days-30":
        due = start + timedelta(days=30)
        steps.append("Local policy: 30 calendar days, not moved off weekends or holidays.")
    elif regime == "dpa-1998":
        due = start + timedelta(days=40)
        steps.append("Data Protection Act 1998: 40 calendar days, not moved.")
    else:
        months = 3 if extended else 1
        due = add_months(start, months)
        if extended:
            steps.append("Extended: three months from the start.")
        wording = "the same date" if due.day == start.day else "the last day of that month"
        steps.append(
            f"{months} month{'s' if months > 1 else ''} later: {wording}, {due:%-d %b %Y}."
        )
    paused = paused_days(pauses)
    if paused:
        due += timedelta(days=paused)
        steps.append(f"Paused for clarification: {paused} day{'s' if paused > 1 else ''} added.")
    skipped: list[tuple[date, str]] = []
    if regime == "uk-gdpr":
        while due.weekday() >= 5 or bank_holiday(due, nation, extra_holidays):
            skipped.append((due, bank_holiday(due, nation, extra_holidays) or due.strftime("%A")))
            due += timedelta(days=1)
        if skipped:
            names = ", ".join(f"{day:%a %-d %b} ({why})" for day, why in skipped)
            steps.append(f"Moved to the next working day past {names}.")
    steps.append(f"Due {due:%A %-d %B %Y}.")
    return DueDate(due=due, steps=steps, holidays_skipped=skipped)


def due_date(
    start: date,
    *,
    regime: str = "uk-gdpr",
    extended: bool = False,
    pauses: Sequence[tuple[date, date]] = (),
    nation: str = "england-and-wales",
    extra_holidays: Collection[date] = (),
) -> date:
    """The day a reply is due (DOMAIN.md §3)."""
    return explain(
        start,
        regime=regime,
        extended=extended,
        pauses=pauses,
        nation=nation,
        extra_holidays=extra_holidays,
    ).due


def extension_notice_by(
    start: date,
    *,
    pauses: Sequence[tuple[date, date]] = (),
    nation: str = "england-and-wales",
    extra_holidays: Collection[date] = (),
) -> date:
    """The last day to tell the requester of an extension: within the first month, which a
    pause moves just as it moves the due date."""
    return due_date(start, pauses=pauses, nation=nation, extra_holidays=extra_holidays)


def is_working_day(day: date, nation: str, extra: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and not bank_holiday(day, nation, extra)


def working_days_left(
    today: date, due: date, *, nation: str = "england-and-wales", extra: Collection[date] = ()
) -> int:
    """Working days after today up to and including the due day: 0 on the due day itself,
    negative (calendar days late, as a manager counts them) once it has passed."""
    if due < today:
        return -(today - due).days
    return sum(
        1
        for n in range(1, (due - today).days + 1)
        if is_working_day(today + timedelta(days=n), nation, extra)
    )


def urgency(days_left: int) -> str:
    """The colour a due date is shown in: green with 10 or more working days, amber under 10,
    red under 5, and overdue once the day has passed."""
    if days_left < 0:
        return "overdue"
    if days_left < 5:
        return "red"
    if days_left < 10:
        return "amber"
    return "green"
