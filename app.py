"""Portalquote: the router of the Streamlit app."""

from pathlib import Path

import streamlit as st

from dashboard import auth, freshness
from dashboard.navigation import pages_for, sidebar_links

ICON = Path(__file__).resolve().parent / "dashboard" / "static" / "icon.png"

# Sitzungsmodus on the projector (?praesentation=1): no navigation and no sidebar.
presenting = st.query_params.get("praesentation") == "1"
st.set_page_config(
    page_title="Portalquote",
    # A file of our own: a ":material/...:" icon makes every browser fetch it from Google.
    page_icon=str(ICON),
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "auto",
)
# The role decides which pages exist at all; pages that write check it again.
role = auth.current_role()
nav = pages_for(role)
# Streamlit's own navigation is never drawn: the page links in the sidebar replace it.
page = st.navigation(nav, position="hidden")
st.set_page_config(page_title=f"{page.title} – Portalquote")  # each page its own title
if not presenting:
    sidebar_links(nav)
    auth.sidebar(role)
    freshness.watch()  # not on the projector: slides show new figures at the next key
page.run()
