"""Ladeprotokoll: who loaded what and when; undo a counts load (own department's or, admin, any)."""

import streamlit as st

from dashboard import admin_tables, auth, data, loading
from dashboard.escape import md
from db import access
from db.writes import UndoError, begin_write

account = auth.require_role("admin", "department")
st.title("Ladeprotokoll")
loading.show_flash()
if account.role != "admin":
    st.caption(
        f"Gezeigt werden Ladevorgänge, die Zahlen von {md(', '.join(account.department_names))} "
        "betreffen, und Ihre eigenen."
    )
with data.engine().connect() as conn:
    rows = access.visible_loads(conn, account)
if not rows:
    st.info("Noch keine Ladevorgänge.")
    st.stop()
st.dataframe(admin_tables.loads_table(rows), hide_index=True, width="stretch")

st.subheader("Ladevorgang rückgängig machen")
undoable = {r.id: r for r in rows if r.can_undo}
if not undoable:
    st.info("Keiner der gezeigten Ladevorgänge kann von Ihnen rückgängig gemacht werden.")
    st.stop()
st.markdown(
    "Stellt die Zahlen wieder her, die der Ladevorgang ersetzt hat; neu hinzugekommene Zahlen "
    "werden entfernt. Geht nicht, wenn ein späterer Ladevorgang dieselben Zahlen geändert hat."
)
choice = st.selectbox(
    "Ladevorgang", list(undoable), format_func=lambda i: admin_tables.load_label(undoable[i])
)
confirmed = st.checkbox("Ja, diesen Ladevorgang rückgängig machen", key=f"undo_ok_{choice}")
if st.button("Rückgängig machen", type="primary", disabled=not confirmed, icon=":material/undo:"):
    try:
        with begin_write(data.engine()) as conn:
            message = access.undo_load_as(conn, account, choice)
    except (UndoError, PermissionError) as exc:
        st.error(md(exc))
    else:
        data.clear_caches()
        loading.flash(md(message))
        st.rerun()
