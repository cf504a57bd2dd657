"""Small page parts shared by all pages: demo banner, 'Über die Daten' box, empty state."""

import streamlit as st

from dashboard import data
from db.german import format_month


def page_facts() -> dict:
    """The facts of the current data; shows the demo banner where the data is example data."""
    facts = data.facts(data.version())
    if facts["demo"]:
        st.info(
            "**Beispieldaten:** Diese Datenbank enthält Beispieldaten (Leistungen, Zahlen und "
            "Maßnahmen nach dem Sachstandsbericht vom November 2021). Eigene Daten werden mit "
            "`python -m ingest` geladen.",
            icon=":material/info:",
        )
    return facts


def about_data(facts: dict) -> None:
    with st.expander("Über die Daten"):
        last = facts["last_load"]
        loaded = f"{last:%d.%m.%Y, %H:%M} Uhr" if last else "noch nie"
        st.markdown(
            "**Online** zählt ein Antrag, der über das Serviceportal gestellt wurde; alle "
            "anderen Wege (Bürgerbüro, Post, Telefon) zählen als **vor Ort**. Die Zahlen "
            "stammen aus den Monatsmeldungen der Fachbereiche und aus dem Export des "
            "Serviceportals; wo es einen Portal-Export gibt, ist er für die Online-Zahl "
            "maßgeblich. Ein Monat, für den nur einer der beiden Wege gemeldet wurde, gilt als "
            f"unvollständig und hat keine Onlinequote.\n\nZuletzt geladen: {loaded}."
        )


def empty_state(facts: dict) -> bool:
    """Explain what to load when there is nothing to show; True if the page should stop."""
    if facts["latest_month"]:
        return False
    if not facts["services"]:
        st.warning(
            "Es sind noch keine Daten geladen. Bitte zuerst den Leistungskatalog und dann die "
            "Monatsmeldungen laden, z. B.:\n\n"
            "`python -m ingest services leistungskatalog.xlsx`\n\n"
            "`python -m ingest counts monatsmeldung.xlsx`"
        )
    else:
        st.warning(
            f"Der Leistungskatalog ({facts['services']} Leistungen) ist geladen, aber noch "
            "kein vollständiger Monat mit Antragszahlen (gesamt und online). Bitte die "
            "Monatsmeldungen laden: `python -m ingest counts monatsmeldung.xlsx`"
        )
    return True


def month_caption(month: str) -> str:
    return f"Letzter vollständiger Monat: **{format_month(month, long=True)}**"
