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


def _placeholder(file: str, title: str, icon: str, roles: set[str]) -> st.Page:
    """A hidden page at the address of a page this role may not use: it explains (in German)
    and offers the login, instead of Streamlit's "Page not found"; the real script never runs."""
    from dashboard import auth  # auth needs the database; keep importing this module cheap

    return st.Page(
        lambda: auth.restricted_page(title, roles),
        title=title,
        icon=icon,
        url_path=file.removesuffix(".py"),
        visibility="hidden",
    )


def pages_for(role: str | None) -> dict[str, list[st.Page]]:
    """The navigation for a role; sections without a visible page are dropped.

    role None: a login is required and nobody is signed in, so the login page is all there is.
    Pages the role may not use are not in its navigation; their addresses lead to a hidden
    placeholder that asks for a login.
    """
    nav: dict[str, list[st.Page]] = {}
    hidden: list[st.Page] = []
    if role is None:
        file, title, icon = LOGIN_PAGE
        nav[""] = [st.Page(f"{PAGES_DIR}/{file}", title=title, icon=icon, default=True)]
    for section, pages in PAGES.items():
        visible = [
            st.Page(f"{PAGES_DIR}/{file}", title=title, icon=icon, default=file == "overview.py")
            for file, title, icon, roles in pages
            if role in roles
        ]
        hidden += [
            _placeholder(file, title, icon, roles)
            for file, title, icon, roles in pages
            if role not in roles and not (role is None and file == "overview.py")
        ]
        if visible:
            nav[section] = visible
    first = next(iter(nav))
    nav[first] = nav[first] + hidden
    return nav
