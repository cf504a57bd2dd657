"""Daten hochladen (placeholder)."""

import streamlit as st

st.title("Daten hochladen")
st.info("Diese Seite ist in Arbeit.")
