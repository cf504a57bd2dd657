"""Übersicht: each service's figures for the latest complete month."""

import streamlit as st

from dashboard import components, data, tables

st.title("Übersicht")
facts = components.page_facts()
if not components.empty_state(facts):
    month = facts["latest_month"]
    st.markdown(components.month_caption(month))
    df = data.month_overview(data.version(), month)
    st.table(tables.month_table(df).set_index("Leistung"))
components.about_data(facts)
