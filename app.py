"""Portalquote: the router of the Streamlit app."""

import streamlit as st

from dashboard.navigation import pages_for

st.set_page_config(page_title="Portalquote", page_icon=":material/dashboard:", layout="wide")
# Until logins exist (issue 4) everyone is treated as admin in this local setup.
st.navigation(pages_for("admin")).run()
