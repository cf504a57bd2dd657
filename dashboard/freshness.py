"""On an open page, a notice once newer figures were loaded ("Neue Zahlen verfügbar – neu
laden"): a small fragment compares the data version the page shows with the current one."""

import streamlit as st

from dashboard import data
from db.settings import FRESHNESS_SECONDS

NOTICE = "Neue Zahlen verfügbar – neu laden"


def watch() -> None:
    """Call before the page runs: the page shows the figures of this data version."""
    _notice(data.version())


@st.fragment(run_every=FRESHNESS_SECONDS)
def _notice(shown: str) -> None:
    # Re-run on its own every FRESHNESS_SECONDS with the version of the last full run.
    if data.version() == shown:
        return
    if st.button(NOTICE, icon=":material/refresh:", key="pq_fresh", type="tertiary"):
        st.rerun()  # the whole page, with the new figures
