"""Anmelden: the only page while a login is required and nobody is signed in."""

import streamlit as st

from dashboard import auth

st.title("Portalquote")
st.markdown("Bitte melden Sie sich an, um das Dashboard zu sehen.")
with st.container(width=420):
    auth.login_form()
