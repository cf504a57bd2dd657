"""Leistungen (placeholder)."""

import streamlit as st

st.title("Leistungen")
st.info("Diese Seite ist in Arbeit.")
