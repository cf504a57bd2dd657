"""Ziele: target online shares with traffic light and projection; admins set them here."""

from datetime import date

import streamlit as st

from dashboard import auth, charts, components, data, tables
from dashboard.escape import md
from db import targets as tg
from db.german import MONTH_FULL, format_int, format_month, format_percent
from db.months import add_months
from db.writes import begin_write

OVERALL = "Alle Leistungen (Gesamtziel)"
MESSAGE = "ziele_meldung"
TREND_SHOWN = 36  # months of the overall trend shown before the projection

st.title("Ziele")
facts = components.page_facts()
v = data.version()
catalog = data.services(v)
goals = data.targets(v)
latest = facts["latest_month"]
first = add_months(latest, -(TREND_SHOWN - 1)) if latest else None
# Complete months only: a month one department has reported ahead must not bend the trend.
totals = data.complete_series(v, first)
if MESSAGE in st.session_state:
    st.success(st.session_state.pop(MESSAGE), icon=":material/check:")

st.subheader("Gesamtziel: alle Leistungen zusammen")
overall = goals[goals["service"].isna()]
target = None
evaluation = None
if overall.empty:
    st.info("Es ist noch kein Gesamtziel festgelegt.")
else:
    target = (float(overall.iloc[0]["share"]), str(overall.iloc[0]["due_month"]))
    evaluation = tg.evaluate(*target, totals)
if totals.empty:
    components.empty_state(facts)
else:
    components.provisional_note(facts["provisional"])
    recent = totals.assign(series="Alle Leistungen")
    projection = tables.projection_frame(evaluation.projection) if evaluation else None
    components.chart(
        charts.share_lines_chart,
        recent,
        "Liniendiagramm: Onlinequote über alle Leistungen je Monat"
        + (", mit Gesamtziel als waagerechter Linie und Prognose gestrichelt" if target else "")
        + ". Die Zahlen stehen in der Tabelle darunter.",
        series="series",
        target=target,
        target_name="Gesamtziel",
        projection=projection,
    )
    if evaluation is not None:
        components.target_badge(evaluation.status)
        st.markdown(evaluation.text)
    components.show_table(
        tables.totals_table(recent.iloc[::-1].head(12)),
        caption="Alle Leistungen zusammen: die letzten zwölf vollständigen Monate",
    )
    st.caption(
        "Die letzten zwölf vollständigen Monate; im Diagramm bis zu drei Jahre. Monate, in "
        "denen nicht alle erwarteten Leistungen gemeldet haben, fehlen hier."
    )
    if evaluation is not None and evaluation.projection is not None:
        st.markdown("**Prognose (linearer Trend der letzten zwölf Monate)**")
        components.show_table(
            tables.projection_table(evaluation.projection.months, evaluation.projection.shares),
            caption="Prognose der Onlinequote aller Leistungen",
        )

st.subheader("Ziele je Leistung")
own = goals[goals["service"].notna()]
if own.empty:
    st.info("Es sind noch keine Ziele für einzelne Leistungen festgelegt.")
else:
    # The projection rests on the last twelve months with figures: two years are plenty.
    since = add_months(latest, -23) if latest else None
    # Up to the latest complete month, like the overall target.
    history = data.uptake(v, tuple(own["service"]), since, latest)
    rows, cols = [], st.columns(3)
    for i, goal in enumerate(own.itertuples()):
        ev = tg.evaluate(
            float(goal.share), goal.due_month, history[history["service"] == goal.service]
        )
        base = (
            f"{format_int(ev.online)} von {format_int(ev.total)}" if ev.total is not None else "–"
        )
        with cols[i % 3]:
            components.tile(
                md(goal.service),
                format_percent(ev.current),
                f"Ziel {format_percent(ev.share, 0)} bis {format_month(ev.due_month)} · "
                + (f"{base} ({format_month(ev.month)})" if ev.month else "noch keine Zahlen"),
                badge=ev.status,
            )
        rows.append(
            {
                "Leistung": goal.service,
                "Ziel": format_percent(ev.share, 0),
                "bis": format_month(ev.due_month),
                "Aktuelle Quote": format_percent(ev.current),
                "Basis": f"{base} ({format_month(ev.month)})" if ev.month else "–",
                "Status": ev.status.label,
                "Prognose": format_month(ev.projection.reach_month)
                if ev.projection and ev.projection.reach_month
                else "nicht absehbar",
            }
        )
    components.show_table(tables.targets_table(rows), caption="Ziele je Leistung")
    components.downloads(tables.targets_table(rows), "Ziele je Leistung", key="dl_targets")

st.subheader("Ziel festlegen")
if not auth.can(*tg.TARGET_ROLES):
    st.caption("Ziele legt die Stabsstelle Digitalisierung fest (Rolle Admin, Anmeldung links).")
else:
    with st.form("ziel", border=True):
        service = st.selectbox("Leistung", [OVERALL, *catalog["service"]])
        share = st.number_input("Zielquote in %", min_value=1, max_value=100, value=50, step=1)
        c_month, c_year = st.columns(2)
        month = c_month.selectbox(
            "Zielmonat", range(1, 13), index=11, format_func=lambda m: MONTH_FULL[m - 1]
        )
        year = c_year.number_input(
            "Jahr", min_value=2000, max_value=2100, value=date.today().year + 1, step=1
        )
        saved = st.form_submit_button("Ziel speichern", icon=":material/flag:")
    if saved:
        due = f"{int(year):04d}-{int(month):02d}"
        try:
            with begin_write(data.engine()) as conn:
                tg.save_target(
                    conn,
                    auth.current_user(),
                    share=share / 100,
                    due_month=due,
                    service=None if service == OVERALL else service,
                )
        except (tg.TargetError, PermissionError) as exc:
            st.error(md(exc))
        else:
            st.session_state[MESSAGE] = (
                f"Ziel gespeichert: {md(service)} {format_percent(share / 100, 0)} bis "
                f"{format_month(due)}."
            )
            st.rerun()
    if not goals.empty:
        labels = {
            int(g.id): f"{g.service if isinstance(g.service, str) else OVERALL}: "
            f"{format_percent(g.share, 0)} bis {format_month(g.due_month)}"
            for g in goals.itertuples()
        }
        with st.form("ziel_loeschen", border=True):
            chosen = st.selectbox("Ziel", list(labels), format_func=labels.get)
            removed = st.form_submit_button("Ziel löschen", icon=":material/delete:")
        if removed:
            try:
                with begin_write(data.engine()) as conn:
                    tg.delete_target(conn, auth.current_user(), chosen)
            except (tg.TargetError, PermissionError) as exc:
                st.error(md(exc))
            else:
                st.session_state[MESSAGE] = f"Ziel gelöscht: {md(labels[chosen])}."
                st.rerun()
components.about_data(facts)
