"""Strategie bearbeiten: action fields, measures, dated Sachstand, links, Excel import/export."""

from datetime import date

import streamlit as st

from dashboard import admin_tables, auth, data, loading
from dashboard.escape import md
from db import access, strategy
from db.labels import STATUS_LABELS
from db.strategy import StrategyError
from ingest import load
from ingest.template import measures_workbook
from ingest.values import parse_month

account = auth.require_role("admin")
st.title("Strategie bearbeiten")
loading.show_flash()
with data.engine().connect() as conn:
    fields = {f[0]: f for f in strategy.action_fields(conn)}
    measures = {m.id: m for m in strategy.measures(conn)}
    services = strategy.service_names(conn)
STATUSES = list(STATUS_LABELS)


def save(action, message: str) -> None:  # noqa: ANN001
    """Run an edit in a transaction that checks the admin role first; German errors."""
    try:
        with access.write_as(data.engine(), account, "admin") as conn:
            action(conn)
    except (StrategyError, PermissionError) as exc:
        st.error(md(exc))
        return
    data.clear_caches()
    loading.flash(md(message))
    st.rerun()


def month_input(label: str, value: str | None, key: str) -> str | None:
    """A month typed as 10/2021, Okt. 2021 or 2021-10; None if empty; stops on nonsense."""
    text = st.text_input(label, value=f"{value[5:]}/{value[:4]}" if value else "", key=key)
    if not text.strip():
        return None
    try:
        return parse_month(text)
    except ValueError as exc:
        st.error(md(f"{label}: {exc}. Bitte z. B. „10/2021“ eingeben."))
        return ""


def field_label(field_id: int) -> str:
    _id, name, group = fields[field_id]
    return f"{group} › {name}" if group else name


tab_edit, tab_new, tab_fields, tab_excel = st.tabs(
    ["Maßnahme bearbeiten", "Neue Maßnahme", "Handlungsfelder", "Excel-Import/-Export"]
)

with tab_edit:
    if not measures:
        st.info("Noch keine Maßnahmen: im Reiter „Neue Maßnahme“ anlegen oder per Excel laden.")
    else:
        mid = st.selectbox(
            "Maßnahme",
            list(measures),
            format_func=lambda i: f"{measures[i].field} › {measures[i].name}",
            key="measure",
        )
        m = measures[mid]
        noted = f" (Sachstand vom {admin_tables.day(m.noted_on)})" if m.noted_on else ""
        st.markdown(f"Status: **{STATUS_LABELS[m.status]}**{noted}")
        if m.note:
            st.markdown("\n".join(f"> {md(line)}" for line in m.note.splitlines()))
        st.subheader("Neuer Sachstand")
        with st.form(f"status_{mid}", clear_on_submit=True):
            col1, col2 = st.columns(2)
            status = col1.selectbox(
                "Status", STATUSES, index=STATUSES.index(m.status), format_func=STATUS_LABELS.get
            )
            on = col2.date_input("Stand vom", value=date.today(), max_value=date.today(),
                                 format="DD.MM.YYYY")  # fmt: skip
            note = st.text_area("Sachstand", placeholder="Was ist seit dem letzten Stand passiert?")
            if st.form_submit_button("Sachstand speichern", type="primary"):
                save(
                    lambda conn: strategy.set_status(conn, account, mid, status, note, on),
                    f"Sachstand für „{m.name}“ gespeichert.",
                )
        st.subheader("Angaben zur Maßnahme")
        with st.form(f"measure_{mid}"):
            name = st.text_input("Name", value=m.name)
            col1, col2, col3 = st.columns(3)
            field_id = col1.selectbox(
                "Handlungsfeld", list(fields), index=list(fields).index(m.field_id),
                format_func=field_label,
            )  # fmt: skip
            responsible = col2.text_input("Verantwortlich", value=m.responsible or "")
            with col3:
                start = month_input("Beginn (Monat)", m.start, f"start_{mid}")
                end = month_input("Ende (Monat)", m.end, f"end_{mid}")
            linked = st.multiselect(
                "Verknüpfte Leistungen", list(services), default=list(m.service_ids),
                format_func=services.get,
            )  # fmt: skip
            if st.form_submit_button("Angaben speichern") and "" not in (start, end):

                def change(conn) -> None:  # noqa: ANN001
                    strategy.update_measure(
                        conn, account, mid, field_id, name, responsible, start, end
                    )
                    strategy.link_services(conn, account, mid, linked)

                save(change, f"Angaben zu „{name}“ gespeichert.")
        st.subheader("Verlauf")
        with data.engine().connect() as conn:
            history = strategy.history(conn, mid)
        st.dataframe(admin_tables.history_table(history), hide_index=True, width="stretch")

with tab_new:
    if not fields:
        st.info("Zuerst im Reiter „Handlungsfelder“ ein Handlungsfeld anlegen.")
    else:
        with st.form("new_measure"):
            name = st.text_input("Name der Maßnahme")
            col1, col2, col3 = st.columns(3)
            field_id = col1.selectbox("Handlungsfeld", list(fields), format_func=field_label)
            status = col2.selectbox("Status", STATUSES, format_func=STATUS_LABELS.get)
            responsible = col3.text_input("Verantwortlich")
            col1, col2, col3 = st.columns(3)
            with col1:
                start = month_input("Beginn (Monat)", None, "new_start")
            with col2:
                end = month_input("Ende (Monat)", None, "new_end")
            on = col3.date_input("Stand vom", value=date.today(), max_value=date.today(),
                                 format="DD.MM.YYYY", key="new_on")  # fmt: skip
            note = st.text_area("Sachstand")
            linked = st.multiselect(
                "Verknüpfte Leistungen", list(services), format_func=services.get
            )
            if st.form_submit_button("Maßnahme anlegen", type="primary") and "" not in (
                start,
                end,
            ):
                save(
                    lambda conn: strategy.add_measure(
                        conn,
                        account,
                        field_id,
                        name,
                        status,
                        responsible,
                        start,
                        end,
                        note,
                        on,
                        linked,
                    ),  # fmt: skip
                    f"Maßnahme „{name.strip()}“ angelegt.",
                )

with tab_fields:
    with st.form("new_field", clear_on_submit=True):
        st.markdown("**Neues Handlungsfeld**")
        col1, col2 = st.columns(2)
        new_name = col1.text_input("Name")
        new_group = col2.text_input("Gruppe (optional)")
        if st.form_submit_button("Handlungsfeld anlegen", type="primary"):
            save(
                lambda conn: strategy.add_action_field(conn, account, new_name, new_group),
                f"Handlungsfeld „{new_name.strip()}“ angelegt.",
            )
    if fields:
        fid = st.selectbox("Handlungsfeld bearbeiten", list(fields), format_func=field_label)
        with st.form(f"field_{fid}"):
            col1, col2 = st.columns(2)
            f_name = col1.text_input("Name", value=fields[fid][1])
            f_group = col2.text_input("Gruppe (optional)", value=fields[fid][2] or "")
            if st.form_submit_button("Speichern"):
                save(
                    lambda conn: strategy.update_action_field(conn, account, fid, f_name, f_group),
                    f"Handlungsfeld „{f_name.strip()}“ gespeichert.",
                )

with tab_excel:
    st.markdown(
        "**Export:** alle Maßnahmen als Excel-Datei im Importformat (Handlungsfeld, Gruppe, "
        "Maßnahme, Status, Verantwortlich, Beginn, Ende, Sachstand, Leistungen). Bearbeitet "
        "wieder hochgeladen, wird jeder geänderte Status mit dem heutigen Datum vermerkt."
    )
    with data.engine().connect() as conn:
        workbook = measures_workbook(conn)
    st.download_button(
        "Maßnahmen exportieren",
        workbook,
        file_name=f"Massnahmen_{date.today():%Y-%m-%d}.xlsx",
        mime=loading.XLSX_MIME,
        icon=":material/download:",
    )
    st.markdown("**Import**")
    loading.admin_file_load(
        account, "measures", lambda f, user: load.load_measures(data.engine(), f, user)
    )
