"""Daten hochladen: counts with preview and confirmation, templates, catalog and measures."""

from datetime import date

import streamlit as st

from dashboard import auth, cycle, data, loading
from ingest import load

account = auth.require_role("admin", "department")
st.title("Daten hochladen")
loading.show_flash()
if (rules := cycle.rules()) is not None:
    cycle.deadline_notice(rules, date.today())
    cycle.own_open_months(account, rules, date.today())
names = ["Antragszahlen", "Vorlage herunterladen"]
if account.role == "admin":
    names += ["Leistungskatalog", "Maßnahmen"]
tabs = dict(zip(names, st.tabs(names), strict=True))

with tabs["Antragszahlen"]:
    st.markdown(
        "Monatsmeldungen, Tabellen im Langformat und Exporte des Serviceportals. Vor dem "
        "Speichern zeigt eine Vorschau je Leistung und Monat, was neu ist und was sich ändert."
    )
    loading.counts_upload(account)
with tabs["Vorlage herunterladen"]:
    st.markdown(
        "Eine Excel-Vorlage mit den Leistungen eines Fachbereichs für einen Monat. Nur die "
        "gelben Zellen sind auszufüllen; die ausgefüllte Datei hier wieder hochladen."
    )
    loading.template_download(account)
if account.role == "admin":
    with tabs["Leistungskatalog"]:
        st.markdown(
            "Leistung, Fachbereich, optional Leistungs-ID, Aliase und „online seit“. Vorhandene "
            "Leistungen werden aktualisiert, keine wird gelöscht."
        )
        loading.admin_file_load(
            account, "services", lambda f, user: load.load_services(data.engine(), f, user)
        )
    with tabs["Maßnahmen"]:
        st.markdown(
            "Die Maßnahmen der Strategie. Ein neuer Status wird mit dem heutigen Datum in der "
            "Historie vermerkt. Einzeln bearbeiten und exportieren: Seite „Strategie bearbeiten“."
        )
        loading.admin_file_load(
            account, "measures", lambda f, user: load.load_measures(data.engine(), f, user)
        )
