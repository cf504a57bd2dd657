"""Streamlit pages and their helpers (the only package that imports streamlit)."""
