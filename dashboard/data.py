"""One cached engine per process, and query results cached per data version."""

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from db import database_url, get_engine, queries


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
    with engine().connect() as conn:
        return {
            "demo": queries.is_demo(conn),
            "last_load": queries.last_load_time(conn),
            "services": queries.service_count(conn),
            "latest_month": queries.latest_complete_month(conn),
        }


@st.cache_data(show_spinner=False)
def month_overview(data_version: str, month: str) -> pd.DataFrame:
    with engine().connect() as conn:
        return queries.month_overview(conn, month)


def clear_caches() -> None:
    """After a load in this process: drop every cached result at once."""
    st.cache_data.clear()
