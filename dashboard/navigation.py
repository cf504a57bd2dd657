"""Which pages exist and which role sees which (pages a role may not use are left out)."""

import streamlit as st

# (file, title, icon, roles allowed); "viewer" pages are public unless login is required.
PAGES = {
    "Dashboard": [
        ("overview.py", "Übersicht", ":material/dashboard:", {"viewer", "department", "admin"}),
        ("services.py", "Leistungen", ":material/monitoring:", {"viewer", "department", "admin"}),
        ("measures.py", "Maßnahmen", ":material/account_tree:", {"viewer", "department", "admin"}),
        (
            "coverage.py",
            "Datenstand",
            ":material/calendar_month:",
            {"viewer", "department", "admin"},
        ),
        ("targets.py", "Ziele", ":material/flag:", {"viewer", "department", "admin"}),
    ],
    "Präsentation": [
        ("session.py", "Sitzungsmodus", ":material/slideshow:", {"viewer", "department", "admin"}),
        ("report.py", "Sachstandsbericht", ":material/description:", {"admin"}),
    ],
    "Verwaltung": [
        ("upload.py", "Daten hochladen", ":material/upload_file:", {"department", "admin"}),
        ("loads.py", "Ladeprotokoll", ":material/history:", {"department", "admin"}),
        ("strategy.py", "Strategie bearbeiten", ":material/edit_note:", {"admin"}),
        ("users.py", "Benutzer", ":material/group:", {"admin"}),
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
