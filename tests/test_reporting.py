"""Each department's months against the deadlines, on a real database: on time, late, open."""

from datetime import date, datetime

import pytest
from cycle_data import build_cycle, load_catalog_with_mail, on, report

from db.deadlines import LATE, NO_DEADLINE, ON_TIME, OPEN, PENDING, Rules
from db.reporting import Missing, department_status, first_month, overdue, record
from ingest import undo

TODAY = date(2026, 12, 1)
NW = Rules()


@pytest.fixture
def cycle_engine(engine, tmp_path):  # noqa: ANN001, ANN201
    load_catalog_with_mail(engine, tmp_path)
    build_cycle(engine, TODAY)
    return engine


def status_of(engine, today: date = TODAY, rules: Rules = NW):  # noqa: ANN001, ANN201
    with engine.connect() as conn:
        frame = department_status(conn, today, rules)
    return frame.set_index(["department", "month"])


def test_on_time_late_open_and_pending(cycle_engine):
    st = status_of(cycle_engine)
    # September: everything in three days before the deadline (14.10.2026).
    sep = st.xs("2026-09", level="month")
    assert set(sep["state"]) == {ON_TIME}
    assert sep.loc["FB 3 Bürgerbüro", "arrived"] == date(2026, 10, 11)
    # October (due 13.11.2026): Standesamt 7 days late, the others still open after 18 days.
    octo = st.xs("2026-10", level="month")
    assert (octo.loc["FB 3 Standesamt", "state"], octo.loc["FB 3 Standesamt", "days"]) == (LATE, 7)
    assert octo.loc["FB 3 Standesamt", "arrived"] == date(2026, 11, 20)
    assert (octo.loc["FB 3 Bürgerbüro", "state"], octo.loc["FB 3 Bürgerbüro", "days"]) == (OPEN, 18)
    assert octo.loc["FB 3 Bürgerbüro", "missing"] == [Missing("Melderegisterauskunft")]
    assert (octo.loc["FB 3 Bürgerbüro", "expected"], octo.loc["FB 3 Bürgerbüro", "complete"]) == (
        2,
        1,
    )
    assert octo.loc["FB 3 Straßenverkehr", "state"] == OPEN
    # November: due on 14.12.2026, in 13 days.
    nov = st.xs("2026-11", level="month")
    assert set(nov["state"]) == {PENDING} and set(nov["days"]) == {13}
    # Before the first month with any count nobody could have reported: no deadline.
    assert set(st.xs("2026-08", level="month")["state"]) == {NO_DEADLINE}
    assert len(st) == 3 * 12


def test_the_record_of_the_last_twelve_months(cycle_engine):
    with cycle_engine.connect() as conn:
        rec = record(department_status(conn, TODAY, NW)).set_index("department")
    assert rec.loc["FB 3 Standesamt", ["on_time", "late", "open", "pending"]].tolist() == [
        1,
        1,
        0,
        1,
    ]
    assert rec.loc["FB 3 Standesamt", "late_days"] == 7
    assert rec.loc["FB 3 Bürgerbüro", ["on_time", "late", "open", "pending"]].tolist() == [
        1,
        0,
        1,
        1,
    ]
    assert rec["late_days"].isna().tolist() == [True, False, True]  # by name: Bürgerbüro first
    with cycle_engine.connect() as conn:
        late = overdue(department_status(conn, TODAY, NW))
    assert sorted(late["department"]) == ["FB 3 Bürgerbüro", "FB 3 Straßenverkehr"]


def test_a_correction_later_does_not_make_a_month_late(cycle_engine):
    report(cycle_engine, "2026-09", on(date(2026, 11, 25)), ["Personenstandsurkunde"], value=99)
    st = status_of(cycle_engine)
    assert st.loc[("FB 3 Standesamt", "2026-09"), "state"] == ON_TIME


def test_an_undone_load_does_not_count_as_reported(cycle_engine):
    load_id = report(cycle_engine, "2026-10", on(date(2026, 11, 12)), ["Bewohnerparkausweis"])
    assert status_of(cycle_engine).loc[("FB 3 Straßenverkehr", "2026-10"), "state"] == ON_TIME
    undo(cycle_engine, load_id, "t")
    assert status_of(cycle_engine).loc[("FB 3 Straßenverkehr", "2026-10"), "state"] == OPEN
    report(cycle_engine, "2026-10", on(date(2026, 11, 16)), ["Bewohnerparkausweis"])
    row = status_of(cycle_engine).loc[("FB 3 Straßenverkehr", "2026-10")]
    assert (row["state"], row["days"]) == (LATE, 3)


def test_one_channel_is_not_a_report(cycle_engine):
    report(cycle_engine, "2026-10", on(date(2026, 11, 5)), ["Bewohnerparkausweis"], ["online"])
    row = status_of(cycle_engine).loc[("FB 3 Straßenverkehr", "2026-10")]
    assert row["state"] == OPEN and row["missing"] == [Missing("Bewohnerparkausweis", ("office",))]
    # Complete when the second channel comes, two days after the deadline.
    report(cycle_engine, "2026-10", on(date(2026, 11, 15)), ["Bewohnerparkausweis"], ["office"])
    row = status_of(cycle_engine).loc[("FB 3 Straßenverkehr", "2026-10")]
    assert (row["state"], row["days"]) == (LATE, 2)


def test_a_configured_first_month(cycle_engine):
    st = status_of(cycle_engine, rules=Rules(start="2026-10"))
    assert set(st.xs("2026-09", level="month")["state"]) == {NO_DEADLINE}
    assert st.loc[("FB 3 Standesamt", "2026-10"), "state"] == LATE


def test_empty_database_and_catalog_only(engine, tmp_path):
    with engine.connect() as conn:
        assert department_status(conn, TODAY, NW).empty
        assert record(department_status(conn, TODAY, NW)).empty
        assert first_month(conn) is None
    load_catalog_with_mail(engine, tmp_path)
    today = date.today()
    with engine.connect() as conn:
        frame = department_status(conn, today, NW)
    # Catalog loaded today: the month that just ended is the first one with a deadline.
    last = frame[frame["month"] == frame["month"].max()]
    assert set(last["state"]) <= {OPEN, PENDING} and len(last) == 3
    assert set(frame[frame["month"] < frame["month"].max()]["state"]) == {NO_DEADLINE}
    assert sorted(last["expected"]) == [1, 1, 2]


def test_arrival_is_compared_by_day(cycle_engine):
    # Late in the evening of the deadline day is still on time.
    report(cycle_engine, "2026-10", datetime(2026, 11, 13, 23, 59), ["Bewohnerparkausweis"])
    assert status_of(cycle_engine).loc[("FB 3 Straßenverkehr", "2026-10"), "state"] == ON_TIME


def test_a_service_no_longer_reported_is_not_expected_from_its_month(cycle_engine):
    """The admin's mark on Datenstand (db.stops) also ends the reporting duty: October is
    complete for the Bürgerbüro once its missing service is marked from October on."""
    from accounts import make_accounts

    from db.stops import set_stop
    from db.writes import begin_write

    admin = make_accounts(cycle_engine)["admin"].account
    with begin_write(cycle_engine) as conn:
        set_stop(conn, admin, "Melderegisterauskunft", "2026-10")
    octo = status_of(cycle_engine).xs("2026-10", level="month").loc["FB 3 Bürgerbüro"]
    assert (octo["state"], octo["expected"], octo["missing"]) == (ON_TIME, 1, [])
    sep = status_of(cycle_engine).xs("2026-09", level="month").loc["FB 3 Bürgerbüro"]
    assert sep["expected"] == 2  # before the mark's month it is still owed
