"""Datenstand (placeholder)."""

import streamlit as st

st.title("Datenstand")
st.info("Diese Seite ist in Arbeit.")
