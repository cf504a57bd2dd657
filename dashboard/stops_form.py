"""Page part of Datenstand: services marked as no longer reported, and the admin's form."""

import streamlit as st

from dashboard import auth, components, data, loading
from dashboard.escape import md
from db import stops
from db.german import format_month
from db.writes import begin_write


def _save(action, message: str) -> None:  # noqa: ANN001
    try:
        with begin_write(data.engine()) as conn:
            action(conn)
    except (stops.StopError, PermissionError) as exc:
        st.error(md(exc))
        return
    data.clear_caches()
    loading.flash(md(message))
    st.rerun()


def stops_section(catalog_services: list[str], months: list[str]) -> None:
    """The marks as a table; for the admin a form to set and one to remove a mark."""
    st.subheader("Nicht mehr gemeldete Leistungen")
    marks = data.reporting_stops(data.version())
    st.caption(
        "Eine so markierte Leistung wird ab dem genannten Monat nicht mehr erwartet: Fehlen "
        "ihre Zahlen, gilt der Monat trotzdem als vollständig."
    )
    if marks.empty:
        st.caption("Keine Leistung ist markiert.")
    else:
        components.show_table(
            marks.assign(
                from_month=marks["from_month"].map(format_month),
                set_at=[f"{t:%d.%m.%Y}" for t in marks["set_at"]],
            ).rename(
                columns={
                    "service": "Leistung",
                    "department": "Fachbereich",
                    "from_month": "nicht mehr gemeldet ab",
                    "set_by": "markiert von",
                    "set_at": "am",
                }  # fmt: skip
            ),
            caption="Nicht mehr gemeldete Leistungen",
        )
    account = auth.current_user()
    if account is None or account.role not in stops.STOP_ROLES or not months:
        return
    with st.form("stop_set", border=True):
        st.markdown("**Leistung als nicht mehr gemeldet markieren** (Admin)")
        left, right = st.columns(2)
        service = left.selectbox("Leistung", catalog_services, key="stop_service")
        month = right.selectbox(
            "nicht mehr gemeldet ab", months, index=len(months) - 1,
            format_func=lambda m: format_month(m, long=True), key="stop_month",
        )  # fmt: skip
        if st.form_submit_button("Markieren", icon=":material/event_busy:"):
            _save(
                lambda conn: stops.set_stop(conn, account, service, month),
                f"„{service}“ wird ab {format_month(month)} nicht mehr erwartet.",
            )
    if not marks.empty:
        with st.form("stop_clear", border=True):
            service = st.selectbox("Markierung aufheben für", list(marks["service"]),
                                   key="stop_clear_service")  # fmt: skip
            if st.form_submit_button("Aufheben", icon=":material/undo:"):
                _save(
                    lambda conn: stops.clear_stop(conn, account, service),
                    f"„{service}“ wird wieder in jedem Monat erwartet.",
                )
