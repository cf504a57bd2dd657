"""Portalquote: the router of the Streamlit app."""

import streamlit as st

st.set_page_config(page_title="Portalquote", page_icon="📊", layout="wide")
st.navigation(
    {
        "Dashboard": [
            st.Page("dashboard/pages/overview.py", title="Übersicht", icon="📊", default=True)
        ]
    }  # fmt: skip
).run()
