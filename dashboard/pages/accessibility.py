"""Erklärung zur Barrierefreiheit (BITV 2.0 § 7): conformity, known limitations, feedback."""

import re
from datetime import date
from urllib.parse import quote

import streamlit as st

from dashboard import auth
from dashboard.escape import md
from db.settings import STATEMENT_DEFAULTS, Setting, statement_settings

DEFAULT_MARK = " *(Voreinstellung)*"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# What is known not to meet BITV 2.0 / WCAG 2.1 AA, and why (keep in step with the tests).
LIMITATIONS = [
    (
        "Texte aus Streamlit",
        "Einige Bedienelemente stammen aus Streamlit, der Software, auf der Portalquote "
        "aufbaut. Ihre Beschriftungen (etwa „Zum Inhalt springen“, das Feld zum "
        "Hochladen, die Auswahllisten und das Datumsfeld) übersetzt Portalquote beim "
        "Ausliefern ins Deutsche. Nach einer neuen Streamlit-Version kann einzelner englischer "
        "Text erscheinen, bis die Übersetzung nachgezogen ist; die Tests von Portalquote "
        "schlagen dann fehl (WCAG 3.1.2).",
    ),
    (
        "Diagramme",
        "Die Diagramme selbst sind für Bildschirmleser nicht zugänglich. Jedes Diagramm hat "
        "eine Textalternative mit seinen wichtigsten Zahlen, und dieselben Angaben stehen "
        "vollständig in der Tabelle darunter.",
    ),
    (
        "Lange Tabellen und Tabellen der Verwaltungsseiten",
        "Tabellen mit mehr als 60 Zeilen sowie die Tabellen der Seiten „Ladeprotokoll“, "
        "„Benutzer“ und der Vorschau beim Hochladen erscheinen in Streamlits Tabellenraster. "
        "Es ist mit der Tastatur (Pfeiltasten) bedienbar, Bildschirmleser erhalten aber nur den "
        "sichtbaren Ausschnitt. Dieselben Daten gibt es als CSV- und Excel-Datei zum "
        "Herunterladen.",
    ),
]


def shown(setting: Setting, *, link: str | None = None) -> str:
    """A setting's value for Markdown (as a link if given), marked where still the default."""
    text = md(setting.value)
    if link:
        text = f"[{text}]({link})"
    return text + (DEFAULT_MARK if setting.default else "")


settings = statement_settings()
body = settings["PORTALQUOTE_A11Y_BODY"]
contact = settings["PORTALQUOTE_A11Y_CONTACT"]
email = settings["PORTALQUOTE_A11Y_EMAIL"]
phone = settings["PORTALQUOTE_A11Y_PHONE"]
arbitration = settings["PORTALQUOTE_A11Y_ARBITRATION"]
arbitration_url = settings["PORTALQUOTE_A11Y_ARBITRATION_URL"]
reviewed = settings["PORTALQUOTE_A11Y_REVIEWED"]
defaults = [name for name, s in settings.items() if s.default and STATEMENT_DEFAULTS[name]]

st.title("Erklärung zur Barrierefreiheit")
if defaults and auth.can("admin"):
    st.warning(
        "Einige Angaben dieser Erklärung sind noch Voreinstellungen von Portalquote und mit "
        "„Voreinstellung“ gekennzeichnet. Bitte in den Einstellungen des Servers "
        f"(Umgebungsvariablen) eintragen: {', '.join(f'`{n}`' for n in defaults)}. Für "
        "Kommunen ist in der Regel nicht die Schlichtungsstelle des Bundes, sondern die "
        "Stelle des Landes zuständig.",
        icon=":material/edit_note:",
    )
st.markdown(
    f"{shown(body)} ist bemüht, Portalquote im Einklang mit der "
    "Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) und dem "
    "Behindertengleichstellungsrecht barrierefrei zugänglich zu machen. Diese Erklärung gilt "
    "für dieses Dashboard, seine Seiten zum Ansehen und seine Verwaltungsseiten."
)

st.header("Stand der Vereinbarkeit mit den Anforderungen", divider="gray")
st.markdown(
    "Portalquote ist mit den Anforderungen der BITV 2.0 (WCAG 2.1, Stufe AA, nach "
    "EN 301 549) **teilweise vereinbar**. Die Unvereinbarkeiten sind unten aufgeführt.\n\n"
    "Geprüft wird jede Seite in jeder Rolle, mit Beispieldaten und mit leerer Datenbank: "
    "automatisch mit axe-core (Regeln der WCAG 2.1, Stufen A und AA), die Bedienung allein "
    "mit der Tastatur (Anmelden, Fachbereich und Leistung wählen, Zeitraum ändern, Tabellen "
    "herunterladen, Dateien hochladen, Präsentation), die Seitensprache, die Vergrößerung "
    "auf 200 % und eine Breite von 320 Pixeln."
)

st.header("Nicht barrierefreie Inhalte", divider="gray")
for title, text in LIMITATIONS:
    st.subheader(title, anchor=False)
    st.markdown(text)

st.header("Erstellung dieser Erklärung", divider="gray")
try:
    day = f"{date.fromisoformat(reviewed.value):%d.%m.%Y}"
except ValueError:
    day = reviewed.value
st.markdown(
    f"Diese Erklärung wurde am {md(day)}{DEFAULT_MARK if reviewed.default else ''} erstellt "
    "beziehungsweise zuletzt überprüft. Sie beruht auf einer Selbstbewertung."
)

st.header("Barrieren melden: Kontakt", divider="gray")
lines = [f"Ansprechpartner: {shown(contact)}"]
if EMAIL.match(email.value):
    lines.append(f"E-Mail: {shown(email, link='mailto:' + quote(email.value, safe='@.'))}")
if phone.value:
    lines.append(f"Telefon: {shown(phone)}")
st.markdown(
    "Sind Ihnen Mängel beim barrierefreien Zugang zu Portalquote aufgefallen, oder brauchen "
    "Sie Inhalte in einer anderen Form (etwa die Zahlen einer Seite als Tabelle oder den "
    "Sachstandsbericht als Word-Datei)? Bitte wenden Sie sich an:\n\n" + "  \n".join(lines)
)

st.header("Schlichtungsverfahren", divider="gray")
url = arbitration_url.value if arbitration_url.value.startswith("https://") else None
st.markdown(
    "Wenn Sie auf Ihre Rückmeldung hin keine zufriedenstellende Antwort erhalten haben, "
    "können Sie sich an die Schlichtungsstelle wenden. Das Verfahren ist kostenlos; Sie "
    "brauchen keinen Rechtsbeistand.\n\n"
    + shown(arbitration)
    + (f"  \nInternet: {shown(arbitration_url, link=url)}" if url else "")
)
