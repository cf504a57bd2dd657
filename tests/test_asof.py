"""Figures and measures as they stood at a cut-off date, rebuilt from the change log."""

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from conftest import write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from db import asof, figures, get_engine, queries
from db.models import (
    CountChange,
    Load,
    Measure,
    MeasureUpdate,
    MonthlyCount,
    Service,
    monthly_uptake,
)
from db.queries import UPTAKE_COLUMNS
from db.writes import LoadInfo, UndoError, apply_counts, begin_write, undo_load
from ingest import load_counts, undo
from ingest.demo import load_demo

HEADER = ["Leistung", "Monat", "Anträge gesamt", "davon online"]


@pytest.fixture(scope="module")
def demo_engine(make_session_db_url):  # noqa: ANN001, ANN201
    engine = get_engine(make_session_db_url("asof_demo"))
    load_demo(engine)
    yield engine
    engine.dispose()


def _load(engine, tmp_path, name: str, rows: list[list], when: datetime) -> int:  # noqa: ANN001
    path = write_xlsx(tmp_path / name, {"Meldung": [HEADER, *rows]})
    (result,) = load_counts(engine, [path], "test")
    with begin_write(engine) as conn:  # the load happened on that day
        conn.execute(update(Load).where(Load.id == result.load_id).values(loaded_at=when))
    return result.load_id


def _figures(engine, cutoff: date | None) -> dict:  # noqa: ANN001
    with engine.connect() as conn:
        df = asof.uptake_as_of(conn, cutoff)
    return {(r.service, r.month): (r.total, r.online) for r in df.itertuples()}


@pytest.fixture
def history(catalog_engine, tmp_path):  # noqa: ANN001, ANN201
    """October loaded on 10 Nov. 2021, corrected and November added on 5 Dec. 2021."""
    first = _load(
        catalog_engine,
        tmp_path,
        "okt.xlsx",
        [
            ["Personenstandsurkunde", "2021-10", 681, 203],
            ["Meldebescheinigung", "2021-10", 251, 47],
        ],
        datetime(2021, 11, 10, 9, 30),
    )
    second = _load(
        catalog_engine,
        tmp_path,
        "korrektur.xlsx",
        [
            ["Personenstandsurkunde", "2021-10", 700, 210],
            ["Personenstandsurkunde", "2021-11", 650, 220],
        ],
        datetime(2021, 12, 5, 14, 0),
    )
    return catalog_engine, first, second


def test_counts_as_they_stood_at_the_end_of_the_cutoff_day(history):  # noqa: ANN001
    engine, _first, _second = history
    assert _figures(engine, date(2021, 11, 9)) == {}
    before = _figures(engine, date(2021, 11, 15))
    assert before[("Personenstandsurkunde", "2021-10")] == (681, 203)
    assert before[("Meldebescheinigung", "2021-10")] == (251, 47)
    assert ("Personenstandsurkunde", "2021-11") not in before
    # The correction was loaded in the afternoon of 5 Dec.: it counts for that cut-off day.
    after = _figures(engine, date(2021, 12, 5))
    assert after[("Personenstandsurkunde", "2021-10")] == (700, 210)
    assert after[("Personenstandsurkunde", "2021-11")] == (650, 220)
    assert after == _figures(engine, None)


def test_an_undo_counts_from_the_day_it_was_done(history):  # noqa: ANN001
    engine, _first, second = history
    undo(engine, second, "test")
    with begin_write(engine) as conn:
        conn.execute(update(Load).where(Load.id == second).values(undone_at=datetime(2022, 1, 3)))
    assert _figures(engine, None)[("Personenstandsurkunde", "2021-10")] == (681, 203)
    assert ("Personenstandsurkunde", "2021-11") not in _figures(engine, None)
    # Before the undo the correction was in force; after it, the old figures again.
    assert _figures(engine, date(2021, 12, 31))[("Personenstandsurkunde", "2021-10")] == (700, 210)
    assert _figures(engine, date(2022, 1, 3))[("Personenstandsurkunde", "2021-10")] == (681, 203)
    assert _figures(engine, date(2021, 11, 15))[("Personenstandsurkunde", "2021-10")] == (681, 203)


def test_counts_at_a_moment_leave_out_what_came_after_it(history):  # noqa: ANN001
    engine, _first, second = history
    # The correction came at 14:00 on 5 Dec.: at 13:59 the slides still show October's first
    # figures, from 14:00 on the corrected ones (a load at the very moment is after it).
    at = datetime(2021, 12, 5, 14, 0)
    assert _figures(engine, at - timedelta(minutes=1))[("Personenstandsurkunde", "2021-10")] == (
        681, 203,
    )  # fmt: skip
    assert ("Personenstandsurkunde", "2021-11") not in _figures(engine, at)
    assert _figures(engine, at + timedelta(seconds=1)) == _figures(engine, date(2021, 12, 5))
    undo(engine, second, "test")
    with begin_write(engine) as conn:
        conn.execute(
            update(Load).where(Load.id == second).values(undone_at=datetime(2022, 1, 3, 8, 15))
        )
    moment = _figures(engine, datetime(2022, 1, 3, 8, 14))
    assert moment[("Personenstandsurkunde", "2021-10")] == (700, 210)
    assert _figures(engine, datetime(2022, 1, 3, 8, 16)) == _figures(engine, None)


def test_measures_at_a_moment_leave_out_updates_recorded_after_it(demo_engine):  # noqa: ANN001
    """A Sachstand written at 17:05 and dated the day before does not reach slides frozen at
    17:02; the report's Stichtag (a day) goes by the date the update carries."""
    engine = demo_engine
    with engine.connect() as conn:
        dms = conn.scalar(
            select(Measure.id).where(Measure.name == "Dokumentenmanagementsystem (DMS)")
        )
        before = asof.measures_as_of(conn, None).set_index("measure_id").loc[dms, "status"]
    frozen = datetime.now().replace(second=0, microsecond=0) - timedelta(minutes=3)
    with begin_write(engine) as conn:
        update_id = conn.scalar(
            MeasureUpdate.__table__.insert()
            .values(measure_id=dms, changed_on=frozen.date() - timedelta(days=1), status="done",
                    previous_status=before, note="nachgetragen", changed_by="test")
            .returning(MeasureUpdate.id)
        )  # fmt: skip
    try:
        with engine.connect() as conn:
            recorded = conn.scalar(
                select(MeasureUpdate.recorded_at).where(MeasureUpdate.id == update_id)
            )
            at_moment = asof.measures_as_of(conn, frozen).set_index("measure_id")
            after = asof.measures_as_of(conn, datetime.now() + timedelta(seconds=1))
            by_day = asof.measures_as_of(conn, frozen.date() - timedelta(days=1))
        assert recorded > frozen
        assert at_moment.loc[dms, "status"] == before
        assert after.set_index("measure_id").loc[dms, "status"] == "done"
        assert by_day.set_index("measure_id").loc[dms, "status"] == "done"
    finally:
        with begin_write(engine) as conn:
            conn.execute(delete(MeasureUpdate).where(MeasureUpdate.id == update_id))


def test_bound_of_a_day_and_of_a_moment():
    assert asof.bound(None) is None
    assert asof.bound(date(2026, 12, 1)) == datetime(2026, 12, 2)
    assert asof.bound(datetime(2026, 12, 1, 17, 2)) == datetime(2026, 12, 1, 17, 2)


def _rows(df: pd.DataFrame) -> list[tuple]:
    return [
        tuple(None if pd.isna(x) else round(x, 12) if isinstance(x, float) else x for x in row)
        for row in df[UPTAKE_COLUMNS].astype(object).itertuples(index=False)
    ]


def test_uptake_as_of_now_is_the_view_and_the_live_query(history):  # noqa: ANN001
    engine, *_ = history
    with engine.connect() as conn:
        now = asof.uptake_as_of(conn, None)
        later = asof.uptake_as_of(conn, date(2030, 1, 1))
        live = queries.uptake(conn)
        v = monthly_uptake.c
        view = pd.DataFrame(
            conn.execute(select(*v).order_by(v.service, v.month)).all(), columns=UPTAKE_COLUMNS
        )
        states = asof.month_states_as_of(conn, None, now)
        states_then = asof.month_states_as_of(conn, date(2021, 11, 15))
    assert _rows(now) == _rows(later) == _rows(live) == _rows(view)
    # November has only one of the two services October had: not complete.
    assert figures.latest_complete_month(states) == "2021-10"
    assert figures.latest_complete_month(states_then) == "2021-10"
    assert figures.state_of(states, "2021-11") == figures.MonthState("2021-11", 2, 1, 0, 1, False)


def test_measures_as_of_use_the_dated_status_history(demo_engine):  # noqa: ANN001
    with demo_engine.connect() as conn:
        assert asof.measures_as_of(conn, date(2021, 5, 1)).empty
        may = asof.measures_as_of(conn, date(2021, 6, 1)).set_index("measure")
        nov = asof.measures_as_of(conn, date(2021, 11, 15)).set_index("measure")
        changes = asof.status_changes(conn, date(2021, 5, 31), date(2021, 11, 30))
    assert may.loc["Dokumentenmanagementsystem (DMS)", "status"] == "planned"
    assert may.loc["Dokumentenmanagementsystem (DMS)", "note"] == "Die Maßnahme wird vorbereitet."
    assert nov.loc["Dokumentenmanagementsystem (DMS)", "status"] == "preparing"
    assert nov.loc["Offene Sprechstunden", "status"] == "done"
    assert nov.loc["Offene Sprechstunden", "status_since"] == date(2021, 11, 15)
    assert list(nov["field"].unique())[:2] == [
        "Digitale Schriftgutverwaltung",
        "Digitaler Bürgerservice",
    ]
    # Eight of the eleven measures changed status between May and November 2021.
    assert len(changes) == 8
    row = changes.set_index("measure").loc["E-Payment"]
    assert (row["previous_status"], row["status"]) == ("preparing", "in_progress")


# ---------------------------------------------------------------- replayed history

KEYS = [(m, c, src) for m in ("2021-01", "2021-02") for c, src in
        (("office", "report"), ("online", "report"), ("online", "portal"))]  # fmt: skip
STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("load"),
            st.integers(0, 2),  # days after the step before
            st.dictionaries(
                st.tuples(st.integers(0, 1), st.sampled_from(KEYS)), st.integers(0, 50),
                min_size=1, max_size=6,
            ),
        ),
        st.tuples(st.just("undo"), st.integers(0, 2), st.integers(0, 7)),
    ),
    min_size=1,
    max_size=8,
)  # fmt: skip


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_figures_as_of_any_day_are_the_figures_that_day(catalog_engine, steps):
    """Loads and undos on random days: the Stichtag figures of each day are exactly what
    the live queries showed at the end of that day, and the figures at the moment of each
    step exactly what they showed just before it."""
    engine = catalog_engine
    with begin_write(engine) as conn:  # a fresh history for each example
        for table in (CountChange, MonthlyCount):
            conn.execute(delete(table))
        conn.execute(delete(Load).where(Load.kind == "counts"))
        ids = list(conn.scalars(select(Service.id).order_by(Service.id)))
    day, loads, seen, just_before = date(2022, 3, 1), [], {}, {}
    for step, (kind, gap, what) in enumerate(steps):
        day += timedelta(days=gap)
        at = datetime.combine(day, datetime.min.time()) + timedelta(hours=9, minutes=step)
        with engine.connect() as conn:
            just_before[at] = _rows(queries.uptake(conn))
        try:
            with begin_write(engine) as conn:
                if kind == "load":
                    records = {(ids[i], *key): v for (i, key), v in what.items()}
                    info = LoadInfo("x.xlsx", "x", "test", len(records), loaded_at=at)
                    loads.append(apply_counts(conn, records, info).load_id)
                elif loads:
                    load_id = loads[what % len(loads)]
                    undo_load(conn, load_id, "test")
                    conn.execute(update(Load).where(Load.id == load_id).values(undone_at=at))
        except UndoError:
            pass
        with engine.connect() as conn:
            seen[day] = _rows(queries.uptake(conn))
    with engine.connect() as conn:
        assert _rows(asof.uptake_as_of(conn, date(2022, 2, 28))) == []
        for cutoff, rows in seen.items():
            assert _rows(asof.uptake_as_of(conn, cutoff)) == rows, cutoff
        for moment, rows in just_before.items():
            assert _rows(asof.uptake_as_of(conn, moment)) == rows, moment
