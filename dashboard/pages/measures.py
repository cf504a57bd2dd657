"""Maßnahmen (placeholder)."""

import streamlit as st

st.title("Maßnahmen")
st.info("Diese Seite ist in Arbeit.")
