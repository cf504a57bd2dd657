"""Datenstand: which department reported which months and when, reminders, the load log."""

from datetime import date

import streamlit as st

from dashboard import auth, charts, components, cycle, data, loading, stops_form, tables
from dashboard.escape import md
from db.german import format_month
from db.months import add_months, months_between

ALL = "Alle Fachbereiche"
LOG_ROWS = 20  # the full history is on the page "Ladeprotokoll"
LEGEND = (
    "✓ vollständig · ½ unvollständig (nur ein Antragsweg gemeldet) · – fehlt · / entfällt "
    "(als nicht mehr gemeldet markiert)"
)

st.title("Datenstand")
loading.show_flash()
facts = components.page_facts()
today, rules = date.today(), cycle.rules()
if rules is not None:
    cycle.deadline_notice(rules, today)
v = data.version()
catalog = data.services(v)
months = data.months(v)
department = ALL
if catalog.empty or not months:
    components.empty_state(facts)
else:
    # Twelve months up to the newest one with any figures: what is missing shows here.
    start, end = components.month_range_picker(months, default_months=12)
    shown_months = months_between(start, end)
    service_months = data.service_months(v)
    st.subheader("Monate")
    latest = facts["latest_month"]
    st.markdown(
        f"Letzter vollständiger Monat: **{format_month(latest, long=True)}**"
        if latest
        else "Noch kein Monat ist vollständig."
    )
    components.show_table(
        tables.months_table(data.month_states(v), service_months, shown_months[::-1], latest)
    )
    st.caption(
        "Vollständig: jede erwartete Leistung hat beide Antragswege gemeldet. Erwartet werden "
        "die Leistungen, die schon einmal beide gemeldet haben, außer sie sind unten als nicht "
        "mehr gemeldet markiert."
    )
    department = st.selectbox(
        "Fachbereich",
        [ALL, *sorted(catalog["department"].unique())],
        key="fachbereich",
        bind="query-params",
    )
    period = f"{format_month(start)} bis {format_month(end)}"
    marks = data.reporting_stops(v)
    stops = dict(zip(marks["service"], marks["from_month"], strict=True))
    if department == ALL:
        st.subheader("Gemeldete Monate je Fachbereich")
        grid = tables.department_grid(service_months, catalog, stops, shown_months)
        row, row_title = "department", "Fachbereich"
        st.caption(
            "Vollständig: alle erwarteten Leistungen des Fachbereichs mit Zahlen für beide "
            "Antragswege; einen Fachbereich wählen, um die einzelnen Leistungen zu sehen."
        )
    else:
        st.subheader(f"Gemeldete Monate: {md(department)}")
        own = catalog[catalog["department"] == department]
        grid = tables.coverage_grid(service_months, own, stops, shown_months)
        row, row_title = "service", "Leistung"
    components.chart(
        charts.coverage_chart,
        grid,
        f"Raster {row_title} × Monat, {period}: grün vollständig, orange unvollständig, "
        "hellgrau fehlt. Dieselben Angaben stehen in der Tabelle darunter.",
        row=row,
        row_title=row_title,
    )
    counts = grid["state"].value_counts()
    shown_states = [s for s in charts.COVERAGE_STATES if s != "entfällt" or counts.get(s, 0)]
    st.markdown(
        " · ".join(f"**{counts.get(s, 0)}** {s}" for s in shown_states) + f" ({row_title} × Monat)"
    )
    st.caption(LEGEND)
    table = tables.grid_table(grid, row, row_title)
    components.show_table(table)
    components.downloads(table, f"Datenstand {start} bis {end}", key="dl_grid")

    st.subheader("Zuletzt geladen je Fachbereich")
    components.show_table(tables.department_loads_table(data.department_loads(v)))
    stops_form.stops_section(list(catalog["service"]), [*months, add_months(months[-1], 1)])

if rules is not None and not catalog.empty:
    cycle.deadline_section(rules, today, None if department == ALL else department)
account = auth.current_user()
if rules is not None and account is not None and account.role == "admin":
    cycle.reminder_panel(account, rules, today)
cycle.reminder_log_section(signed_in=account is not None)

st.subheader("Ladeprotokoll")
log = data.load_log(v, LOG_ROWS)
if log.empty:
    st.caption("Noch nichts geladen.")
else:
    # Who loaded a file is shown to signed-in users only.
    components.show_table(tables.load_log_table(log, with_user=account is not None))
    st.caption(f"Die letzten {len(log)} Ladevorgänge, der neueste zuerst.")
components.about_data(facts)
