"""Sachstandsbericht (placeholder)."""

import streamlit as st

st.title("Sachstandsbericht")
st.info("Diese Seite ist in Arbeit.")
