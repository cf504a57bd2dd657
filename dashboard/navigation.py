"""Which pages exist and which role sees which (pages a role may not use are left out)."""

import streamlit as st

# (file, title, icon, roles allowed); "viewer" pages are public unless login is required.
PAGES = {
    "Dashboard": [
        ("overview.py", "Übersicht", "📊", {"viewer", "department", "admin"}),
        ("services.py", "Leistungen", "📈", {"viewer", "department", "admin"}),
        ("measures.py", "Maßnahmen", "🗺️", {"viewer", "department", "admin"}),
        ("coverage.py", "Datenstand", "🗓️", {"viewer", "department", "admin"}),
        ("targets.py", "Ziele", "🎯", {"viewer", "department", "admin"}),
    ],
    "Präsentation": [
        ("session.py", "Sitzungsmodus", "🖥️", {"viewer", "department", "admin"}),
        ("report.py", "Sachstandsbericht", "📄", {"admin"}),
    ],
    "Verwaltung": [
        ("upload.py", "Daten hochladen", "⬆️", {"department", "admin"}),
        ("loads.py", "Ladeprotokoll", "🧾", {"department", "admin"}),
        ("strategy.py", "Strategie bearbeiten", "✏️", {"admin"}),
        ("users.py", "Benutzer", "👥", {"admin"}),
    ],
}
PAGES_DIR = "dashboard/pages"


def pages_for(role: str) -> dict[str, list[st.Page]]:
    """The navigation for a role; sections without a visible page are dropped."""
    nav: dict[str, list[st.Page]] = {}
    for section, pages in PAGES.items():
        visible = [
            st.Page(f"{PAGES_DIR}/{file}", title=title, icon=icon, default=file == "overview.py")
            for file, title, icon, roles in pages
            if role in roles
        ]
        if visible:
            nav[section] = visible
    return nav
