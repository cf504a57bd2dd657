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


LOGIN_PAGE = ("login.py", "Anmelden", ":material/login:")


def visible_files(role: str | None) -> list[str]:
    """The page files a role may open (None: not signed in where a login is required)."""
    if role is None:
        return [LOGIN_PAGE[0]]
    return [file for pages in PAGES.values() for file, _t, _i, roles in pages if role in roles]


def pages_for(role: str | None) -> dict[str, list[st.Page]]:
    """The navigation for a role; sections without a visible page are dropped.

    role None: a login is required and nobody is signed in, so the login page is all there is.
    """
    if role is None:
        file, title, icon = LOGIN_PAGE
        return {"": [st.Page(f"{PAGES_DIR}/{file}", title=title, icon=icon, default=True)]}
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
