"""Erklärung zur Barrierefreiheit (BITV 2.0): conformity, known limitations, feedback."""

import streamlit as st

st.title("Erklärung zur Barrierefreiheit")
