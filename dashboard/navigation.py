"""Which pages exist, which role sees which, and the page links in the sidebar."""

import streamlit as st

READERS = frozenset({"viewer", "department", "admin"})  # every role that signs in
# (file, title, icon, roles allowed); "viewer" pages are public unless login is required.
# None: nobody signed in where a login is required (the accessibility statement is public).
PAGES = {
    "Dashboard": [
        ("overview.py", "Übersicht", ":material/dashboard:", READERS),
        ("services.py", "Leistungen", ":material/monitoring:", READERS),
        ("measures.py", "Maßnahmen", ":material/account_tree:", READERS),
        ("coverage.py", "Datenstand", ":material/calendar_month:", READERS),
        ("targets.py", "Ziele", ":material/flag:", READERS),
    ],
    "Präsentation": [
        ("session.py", "Sitzungsmodus", ":material/slideshow:", READERS),
        ("report.py", "Sachstandsbericht", ":material/description:", {"admin"}),
    ],
    "Verwaltung": [
        ("upload.py", "Daten hochladen", ":material/upload_file:", {"department", "admin"}),
        ("loads.py", "Ladeprotokoll", ":material/history:", {"department", "admin"}),
        ("strategy.py", "Strategie bearbeiten", ":material/edit_note:", {"admin"}),
        ("users.py", "Benutzer", ":material/group:", {"admin"}),
    ],
    "Hilfe": [
        ("accessibility.py", "Barrierefreiheit", ":material/accessibility_new:", {None, *READERS}),
    ],
}
PAGES_DIR = "dashboard/pages"


LOGIN_PAGE = ("login.py", "Anmelden", ":material/login:")


def visible_files(role: str | None) -> list[str]:
    """The page files a role may open (None: not signed in where a login is required)."""
    files = [file for pages in PAGES.values() for file, _t, _i, roles in pages if role in roles]
    return [LOGIN_PAGE[0], *files] if role is None else files


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

    role None: a login is required and nobody is signed in: the login page and the public
    accessibility statement.
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


def sidebar_links(nav: dict[str, list[st.Page]]) -> None:
    """The navigation as page links in the sidebar, one group per section.

    Streamlit's own sidebar navigation puts its section headers inside the list of links,
    which screen readers and axe-core reject (rules list, listitem); plain links under a
    caption per section are read in page order and keep the session (no page reload).
    """
    with st.sidebar:
        for section, pages in nav.items():
            shown = [p for p in pages if p.visibility == "visible"]
            if not shown:
                continue
            if section:
                st.caption(section)
            for p in shown:
                st.page_link(p, label=p.title, icon=p.icon, width="stretch")
