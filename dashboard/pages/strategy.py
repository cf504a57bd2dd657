"""Strategie bearbeiten (placeholder)."""

import streamlit as st

st.title("Strategie bearbeiten")
st.info("Diese Seite ist in Arbeit.")
