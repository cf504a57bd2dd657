"""Benutzer (placeholder)."""

import streamlit as st

st.title("Benutzer")
st.info("Diese Seite ist in Arbeit.")
