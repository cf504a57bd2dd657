"""Benutzer: accounts, roles and departments (admin only)."""

import streamlit as st

from dashboard import admin_tables, auth, components, data, loading
from dashboard.escape import md
from db import access, addresses, contacts, users
from db.models import ROLES
from db.users import ROLE_LABELS, UserError

EMAIL_LABEL = "E-Mail-Adresse (Erinnerungen an die Fachbereiche, Zusammenfassung an Admins)"

account = auth.require_role("admin")
st.title("Benutzer")
loading.show_flash()
with data.engine().connect() as conn:
    rows = users.list_users(conn)
    departments = users.departments(conn)
st.dataframe(admin_tables.users_table(rows), hide_index=True, width="stretch")
st.caption(
    "Admin: alles. Fachbereich: Zahlen der eigenen Fachbereiche hochladen und Ladevorgänge "
    "von Konten der eigenen Fachbereiche rückgängig machen. Lesezugriff: nur ansehen (ohne "
    "Anmeldung möglich, wenn nicht anders eingestellt)."
)


def save(action, message: str) -> None:  # noqa: ANN001
    """Run a user change in a transaction that checks the admin role first."""
    try:
        with access.write_as(data.engine(), account, "admin") as conn:
            action(conn)
    except (UserError, addresses.AddressError, PermissionError) as exc:
        st.error(md(exc))
        return
    loading.flash(md(message))
    st.rerun()


new_tab, edit_tab, mail_tab = st.tabs(
    ["Neuer Benutzer", "Benutzer bearbeiten", "E-Mail der Fachbereiche"]
)
with new_tab, st.form("new_user", clear_on_submit=False):
    col1, col2 = st.columns(2)
    username = col1.text_input("Benutzername (bei Single Sign-on: E-Mail-Adresse)")
    display_name = col2.text_input("Angezeigter Name")
    role = col1.selectbox("Rolle", ROLES, index=1, format_func=ROLE_LABELS.get)
    deps = col2.multiselect(
        "Fachbereiche (bei Rolle Fachbereich)", list(departments), format_func=departments.get
    )
    email = col1.text_input(EMAIL_LABEL)
    sso_only = col2.checkbox("Kein Passwort: Anmeldung nur über Single Sign-on")
    col1, col2 = st.columns(2)
    pw1 = col1.text_input("Passwort (mindestens 10 Zeichen)", type="password")
    pw2 = col2.text_input("Passwort wiederholen", type="password")
    if st.form_submit_button("Benutzer anlegen", type="primary"):
        if not sso_only and pw1 != pw2:
            st.error("Die beiden Passwörter stimmen nicht überein.")
        else:

            def create(conn) -> None:  # noqa: ANN001
                account = users.create_user(
                    conn, username, None if sso_only else pw1, role, display_name, deps
                )
                contacts.set_user_email(conn, account.username, email)

            save(create, f"Benutzer „{users.normalize_username(username)}“ angelegt.")

with edit_tab:
    if not rows:
        st.info("Noch keine Benutzer.")
    else:
        by_name = {u.username: u for u in rows}
        name = st.selectbox("Benutzer", list(by_name), key="edit_user")
        user = by_name[name]
        dep_ids = [d for d, n in departments.items() if n in user.departments]
        with st.form(f"edit_{name}"):
            col1, col2 = st.columns(2)
            new_display = col1.text_input("Angezeigter Name", value=user.display_name or "")
            new_role = col2.selectbox(
                "Rolle", ROLES, index=ROLES.index(user.role), format_func=ROLE_LABELS.get
            )
            new_deps = st.multiselect(
                "Fachbereiche (bei Rolle Fachbereich)",
                list(departments),
                default=dep_ids,
                format_func=departments.get,
            )
            new_email = st.text_input(EMAIL_LABEL, value=user.email or "")
            if st.form_submit_button("Speichern", type="primary"):

                def change(conn) -> None:  # noqa: ANN001
                    users.set_display_name(conn, name, new_display)
                    users.set_role(conn, name, new_role, new_deps)
                    contacts.set_user_email(conn, name, new_email)

                save(change, f"Benutzer „{name}“ gespeichert.")
        with st.form(f"password_{name}", clear_on_submit=True):
            col1, col2 = st.columns(2)
            pw1 = col1.text_input("Neues Passwort", type="password")
            pw2 = col2.text_input("Neues Passwort wiederholen", type="password")
            if st.form_submit_button("Passwort setzen"):
                if pw1 != pw2:
                    st.error("Die beiden Passwörter stimmen nicht überein.")
                else:
                    save(
                        lambda conn: users.set_password(conn, name, pw1),
                        f"Passwort von „{name}“ neu gesetzt.",
                    )
        if user.active:
            if st.button(f"„{name}“ sperren", icon=":material/block:"):
                save(lambda conn: users.set_active(conn, name, False), f"„{name}“ gesperrt.")
        elif st.button(f"„{name}“ entsperren", icon=":material/check:"):
            save(lambda conn: users.set_active(conn, name, True), f"„{name}“ entsperrt.")

with mail_tab:
    st.markdown(
        "Erinnerungen an überfällige Monatsmeldungen gehen an die Kontaktadressen eines "
        "Fachbereichs und an die Adressen seiner Fachbereichskonten. Kontaktadressen kommen auch "
        "aus der Spalte „E-Mail“ des Leistungskatalogs (ein erneutes Laden mit Adressen ersetzt "
        "sie)."
    )
    with data.engine().connect() as conn:
        stored = contacts.department_contacts(conn)
        from_accounts = contacts.account_addresses(conn)
    if not departments:
        st.info("Noch keine Fachbereiche: zuerst den Leistungskatalog laden.")
    else:
        components.show_table(admin_tables.contacts_table(departments, stored, from_accounts))
        dep_id = st.selectbox(
            "Fachbereich", list(departments), format_func=departments.get, key="mail_department"
        )
        with st.form(f"contacts_{dep_id}"):
            text = st.text_area(
                "Kontaktadressen (eine je Zeile oder mit ; getrennt; leer: keine)",
                value="\n".join(stored.get(dep_id, [])),
            )
            if st.form_submit_button("Adressen speichern", type="primary"):
                save(
                    lambda conn: contacts.set_department_contacts(
                        conn, dep_id, addresses.parse_addresses(text)
                    ),
                    f"Adressen von „{departments[dep_id]}“ gespeichert.",
                )
