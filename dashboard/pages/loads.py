"""Ladeprotokoll (placeholder)."""

import streamlit as st

st.title("Ladeprotokoll")
st.info("Diese Seite ist in Arbeit.")
