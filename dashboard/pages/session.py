"""Sitzungsmodus (placeholder)."""

import streamlit as st

st.title("Sitzungsmodus")
st.info("Diese Seite ist in Arbeit.")
