"""Portalquote: the router of the Streamlit app."""

from pathlib import Path

import streamlit as st

from dashboard import auth
from dashboard.navigation import pages_for

# Sitzungsmodus on the projector (?praesentation=1): no navigation and no sidebar.
presenting = st.query_params.get("praesentation") == "1"
st.set_page_config(
    page_title="Portalquote",
    # A file, not ":material/...": Streamlit fetches those icons from Google's servers, which
    # a town's privacy rules (and the Content-Security-Policy in deploy/) do not allow.
    page_icon=str(Path(__file__).parent / "dashboard" / "icon.png"),
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "auto",
)
# The role decides which pages exist at all; pages that write check it again.
role = auth.current_role()
page = st.navigation(pages_for(role), position="hidden" if presenting else "sidebar")
if not presenting:
    auth.sidebar(role)
page.run()
