"""Portalquote: the router of the Streamlit app."""

import streamlit as st

from dashboard import auth
from dashboard.navigation import pages_for

st.set_page_config(page_title="Portalquote", page_icon=":material/dashboard:", layout="wide")
# The role decides which pages exist at all; pages that write check it again.
role = auth.current_role()
page = st.navigation(pages_for(role))
auth.sidebar(role)
page.run()
