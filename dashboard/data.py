"""One cached engine per process, and query results cached per data version."""

from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard import charts
from db import database_url, figures, get_engine, queries, reminders, reporting
from db.deadlines import Rules
from db.stops import stop_rows


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return get_engine(url)


def engine() -> Engine:
    """The engine for the configured database (keyed by URL, so tests can switch)."""
    return _engine(database_url())


def version() -> str:
    """Read on every run (cheap): a load in any process changes it and so the cache keys."""
    with engine().connect() as conn:
        return queries.data_version(conn)


@st.cache_data(show_spinner=False)
def facts(data_version: str) -> dict:
    states = month_states(data_version)
    latest = figures.latest_complete_month(states)
    with engine().connect() as conn:
        return {
            "demo": queries.is_demo(conn),
            "last_load": queries.last_load_time(conn),
            "services": queries.service_count(conn),
            "latest_month": latest,  # the latest complete month (db.figures)
            "provisional": figures.later_months(states, latest),  # the months after it
        }


@st.cache_data(show_spinner=False)
def service_months(data_version: str) -> pd.DataFrame:
    """Per service and month: reported, complete, expected (db.figures.service_months)."""
    with engine().connect() as conn:
        return queries.service_months(conn)


@st.cache_data(show_spinner=False)
def month_states(data_version: str) -> pd.DataFrame:
    return figures.month_states(service_months(data_version))


@st.cache_data(show_spinner=False)
def headline(data_version: str) -> figures.Headline | None:
    """The latest complete month's figures and changes (db.figures.headline)."""
    with engine().connect() as conn:
        return queries.headline(conn, month_states(data_version))


@st.cache_data(show_spinner=False)
def complete_series(data_version: str, start: str | None = None) -> pd.DataFrame:
    """Monthly sums of the complete months from start on (charts and projections)."""
    with engine().connect() as conn:
        return queries.complete_series(conn, start, month_states(data_version))


@st.cache_data(show_spinner=False)
def reporting_stops(data_version: str) -> pd.DataFrame:
    """Services marked as no longer reported from a month on."""
    with engine().connect() as conn:
        return stop_rows(conn)


@st.cache_data(show_spinner=False)
def month_overview(data_version: str, month: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.month_overview(conn, month)


def clear_caches() -> None:
    """After a load in this process: drop every cached result at once."""
    st.cache_data.clear()


# Page queries (issue 3), each cached per data version and arguments. Lists come in as
# tuples so that they can be part of the cache key.


@st.cache_data(show_spinner=False)
def services(data_version: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.services(conn)


@st.cache_data(show_spinner=False)
def uptake(
    data_version: str,
    service_names: tuple[str, ...] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    names = list(service_names) if service_names is not None else None
    with engine().connect() as conn:
        return queries.uptake(conn, names, start, end)


@st.cache_data(show_spinner=False)
def months(data_version: str) -> list[str]:
    """Every month from the first to the last with any count (for date range pickers)."""
    with engine().connect() as conn:
        return queries.month_range(conn)


@st.cache_data(show_spinner=False)
def measures(data_version: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.measures(conn)


@st.cache_data(show_spinner=False)
def measure_history(data_version: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.measure_history(conn)


@st.cache_data(show_spinner=False)
def measure_links(data_version: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.measure_links(conn)


@st.cache_data(show_spinner=False)
def service_events(data_version: str, service_names: tuple[str, ...]) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.service_events(conn, list(service_names))


@st.cache_data(show_spinner=False)
def coverage(
    data_version: str, department: str | None, start: str | None, end: str | None
) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.coverage(conn, department, start, end)


@st.cache_data(show_spinner=False)
def department_loads(data_version: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.department_loads(conn)


@st.cache_data(show_spinner=False)
def load_log(data_version: str, limit: int = 50) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.load_log(conn, limit)


@st.cache_data(show_spinner=False)
def targets(data_version: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.targets(conn)


@st.cache_data(show_spinner=False, max_entries=500)
def chart_spec(builder: str, frame: pd.DataFrame, options: dict) -> dict:
    """The Vega-Lite spec of dashboard.charts.<builder>(frame, **options), memoized by input."""
    return getattr(charts, builder)(frame, **options).to_dict()


# The monthly cycle (issue 13): marks depend on the day as well as on the data.


@st.cache_data(show_spinner=False)
def department_status(
    data_version: str, today: date, workday: int, land: str, start: str | None
) -> pd.DataFrame:
    with engine().connect() as conn:
        return reporting.department_status(conn, today, Rules(workday, land, start))


def reminder_log(limit: int = 20) -> pd.DataFrame:
    """Not cached: a reminder run changes no data version, and the query is small."""
    with engine().connect() as conn:
        return reminders.reminder_log(conn, limit)
