"""Reporting deadlines: working days, weekends, public holidays per Land, the marks."""

from datetime import date

import pytest

from dashboard.cycle_tables import deadline_sentence
from db import settings
from db.deadlines import (
    LATE,
    ON_TIME,
    OPEN,
    PENDING,
    Mark,
    Rules,
    closed_months,
    mark,
    next_due,
    nth_working_day,
    rules_from_settings,
)

NW = Rules()


def test_the_tenth_working_day_of_the_following_month_is_the_default():
    # November 2026: the 1st (Sunday, Allerheiligen) and the weekends do not count.
    assert NW.deadline("2026-10") == date(2026, 11, 13)
    assert NW.deadline("2026-11") == date(2026, 12, 14)
    assert deadline_sentence(date(2026, 11, 2), NW) == "Meldung Oktober 2026 fällig am 13.11.2026"


def test_a_month_starting_on_a_weekend():
    # 1 August 2026 is a Saturday: the first working day is Monday the 3rd.
    assert Rules(workday=1).deadline("2026-07") == date(2026, 8, 3)
    assert Rules(workday=5).deadline("2026-07") == date(2026, 8, 7)
    assert Rules(workday=6).deadline("2026-07") == date(2026, 8, 10)


def test_new_year_and_christmas():
    # January 2027: New Year (Friday) and the weekend after it.
    assert Rules(workday=1).deadline("2026-12") == date(2027, 1, 4)
    assert NW.deadline("2026-12") == date(2027, 1, 15)
    # December 2026: the 24th is a working day, the 25th and 26th are holidays, then a weekend.
    assert Rules(workday=18).deadline("2026-11") == date(2026, 12, 24)
    assert Rules(workday=19).deadline("2026-11") == date(2026, 12, 28)


def test_easter():
    # April 2026: Good Friday the 3rd and Easter Monday the 6th are not working days.
    assert NW.deadline("2026-03") == date(2026, 4, 16)
    assert nth_working_day(2026, 4, 3, "NW") == date(2026, 4, 7)


@pytest.mark.parametrize(
    ("land", "month", "due"),
    [
        ("NW", "2026-12", date(2027, 1, 15)),
        ("BY", "2026-12", date(2027, 1, 18)),  # Heilige Drei Könige, 6 January
        ("BW", "2026-12", date(2027, 1, 18)),
        ("ST", "2026-12", date(2027, 1, 18)),
        ("NW", "2027-10", date(2027, 11, 15)),  # Allerheiligen, Monday 1 November 2027
        ("NI", "2027-10", date(2027, 11, 12)),  # no holiday in Niedersachsen
        ("BE", "2027-10", date(2027, 11, 12)),
    ],
)
def test_holidays_of_the_land(land, month, due):
    assert Rules(land=land).deadline(month) == due


def test_buss_und_bettag_in_sachsen_only():
    # Wednesday 18 November 2026 is a holiday in Sachsen alone.
    assert Rules(workday=13, land="NW").deadline("2026-10") == date(2026, 11, 18)
    assert Rules(workday=13, land="SN").deadline("2026-10") == date(2026, 11, 19)


def test_marks_around_the_deadline():
    deadline, today = date(2026, 11, 13), date(2026, 12, 1)
    assert mark(deadline, date(2026, 11, 2), today) == Mark(ON_TIME)
    assert mark(deadline, deadline, today) == Mark(ON_TIME)  # the whole day counts
    assert mark(deadline, date(2026, 11, 14), today) == Mark(LATE, 1)
    assert mark(deadline, None, today) == Mark(OPEN, 18)
    assert mark(deadline, None, deadline) == Mark(PENDING, 0)  # due today
    assert mark(deadline, None, date(2026, 11, 10)) == Mark(PENDING, 3)


def test_which_report_is_due_next():
    assert next_due(date(2026, 12, 1), NW) == ("2026-11", date(2026, 12, 14))
    assert next_due(date(2026, 12, 14), NW) == ("2026-11", date(2026, 12, 14))
    assert next_due(date(2026, 12, 15), NW) == ("2026-12", date(2027, 1, 15))
    assert closed_months(date(2026, 1, 20), 3) == ["2025-10", "2025-11", "2025-12"]


def test_rules_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORTALQUOTE_DEADLINE_WORKDAY", "5")
    monkeypatch.setenv("PORTALQUOTE_LAND", "by")
    monkeypatch.setenv("PORTALQUOTE_DEADLINES_FROM", "2026-01")
    assert rules_from_settings() == Rules(5, "BY", "2026-01")
    assert not rules_from_settings().applies("2025-12")
    assert rules_from_settings().describe() == "5. Arbeitstag des Folgemonats, Feiertage in Bayern"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORTALQUOTE_LAND", "XX", "PORTALQUOTE_LAND='XX' ist kein Bundesland"),
        ("PORTALQUOTE_DEADLINE_WORKDAY", "zehn", "ist keine ganze Zahl"),
        ("PORTALQUOTE_DEADLINE_WORKDAY", "0", "liegt nicht zwischen 1 und 20"),
        ("PORTALQUOTE_DEADLINES_FROM", "2026-13", "bitte als JJJJ-MM"),
    ],
)
def test_wrong_settings_are_named_in_german(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingError, match=message):
        rules_from_settings()
