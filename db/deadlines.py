"""Reporting deadlines: the n-th working day of the following month, the Land's holidays off."""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

from db import settings
from db.months import add_months

LANDS = {
    "BW": "Baden-Württemberg", "BY": "Bayern", "BE": "Berlin", "BB": "Brandenburg",
    "HB": "Bremen", "HH": "Hamburg", "HE": "Hessen", "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen", "NW": "Nordrhein-Westfalen", "RP": "Rheinland-Pfalz",
    "SL": "Saarland", "SN": "Sachsen", "ST": "Sachsen-Anhalt", "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}  # fmt: skip
# A department's state for one reporting month.
ON_TIME, LATE, OPEN, PENDING, NO_DEADLINE = "on_time", "late", "open", "pending", "none"
STATES = (ON_TIME, LATE, OPEN, PENDING, NO_DEADLINE)


@dataclass(frozen=True)
class Rules:
    """When a month's report is due: `workday`-th working day of the following month in
    `land`; months before `start` (if set) have no deadline."""

    workday: int = settings.DEADLINE_WORKDAY_DEFAULT
    land: str = settings.LAND_DEFAULT
    start: str | None = None

    def __post_init__(self) -> None:
        if self.land not in LANDS:
            raise settings.SettingError(
                f"PORTALQUOTE_LAND={self.land!r} ist kein Bundesland. Erlaubt sind: "
                f"{', '.join(sorted(LANDS))}."
            )
        if not 1 <= self.workday <= 20:
            raise settings.SettingError(
                f"PORTALQUOTE_DEADLINE_WORKDAY={self.workday} liegt nicht zwischen 1 und 20."
            )

    def deadline(self, month: str) -> date:
        """The due date of the report for `month` ('YYYY-MM')."""
        following = add_months(month, 1)
        return nth_working_day(int(following[:4]), int(following[5:]), self.workday, self.land)

    def applies(self, month: str) -> bool:
        return self.start is None or month >= self.start

    def describe(self) -> str:
        """'10. Arbeitstag des Folgemonats, Feiertage in Nordrhein-Westfalen'."""
        return f"{self.workday}. Arbeitstag des Folgemonats, Feiertage in {LANDS[self.land]}"


def rules_from_settings() -> Rules:
    """The Rules of PORTALQUOTE_DEADLINE_WORKDAY, _LAND and _DEADLINES_FROM (SettingError)."""
    return Rules(settings.deadline_workday(), settings.land(), settings.deadlines_from())


@cache
def _holidays(land: str, year: int) -> frozenset[date]:
    return frozenset(holidays.Germany(subdiv=land, years=year))


def is_working_day(day: date, land: str) -> bool:
    """Monday to Friday and no public holiday in the Land."""
    return day.weekday() < 5 and day not in _holidays(land, day.year)


def nth_working_day(year: int, month: int, n: int, land: str) -> date:
    """The n-th working day (1-based) of a calendar month."""
    day, seen = date(year, month, 1), 0
    while True:
        if is_working_day(day, land):
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def last_closed_month(today: date) -> str:
    """The newest month that has ended: the one whose report is due next or overdue."""
    return add_months(month_of(today), -1)


def next_due(today: date, rules: Rules) -> tuple[str, date]:
    """The report due next and its deadline: the month that just ended until its deadline
    has passed, then the current month."""
    month = last_closed_month(today)
    due = rules.deadline(month)
    if today > due:
        month = month_of(today)
        due = rules.deadline(month)
    return month, due


def closed_months(today: date, count: int) -> list[str]:
    """The `count` newest months that have ended, oldest first."""
    last = last_closed_month(today)
    return [add_months(last, -i) for i in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class Mark:
    """A state from STATES and its days: late by (LATE), overdue by (OPEN), left (PENDING)."""

    state: str
    days: int = 0


def mark(deadline: date, arrived: date | None, today: date) -> Mark:
    """On time if complete by the end of the deadline day; late by the days after it; open
    (overdue by n days) or pending (due in n days) while not complete."""
    if arrived is not None:
        late = (arrived - deadline).days
        return Mark(LATE, late) if late > 0 else Mark(ON_TIME)
    overdue = (today - deadline).days
    return Mark(OPEN, overdue) if overdue > 0 else Mark(PENDING, -overdue)
