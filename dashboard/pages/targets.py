"""Ziele (placeholder)."""

import streamlit as st

st.title("Ziele")
st.info("Diese Seite ist in Arbeit.")
