"""Leistungen: monthly requests and online share of chosen services, with events and targets."""

import streamlit as st

from dashboard import charts, components, data, tables
from dashboard.escape import md
from db import targets as tg
from db.german import format_month
from db.labels import SOURCE_LABELS

MAX_SERVICES = 8  # one colour and dash pattern each in the comparison chart

st.title("Leistungen")
facts = components.page_facts()
v = data.version()
catalog = data.services(v)
months = data.months(v)
if catalog.empty or not months:
    components.empty_state(facts)
    components.about_data(facts)
    st.stop()

ALL = "Alle Fachbereiche"
catalog = catalog.sort_values("service", key=lambda c: c.str.casefold())
departments = sorted(catalog["department"].unique(), key=str.casefold)

# Services of several departments in one chart: the department narrows the list to choose
# from; services chosen in another department stay chosen (and in the address, by name).
left, right = st.columns([1, 2])
department = left.selectbox(
    "Fachbereich", [ALL, *departments], key="fachbereich", bind="query-params"
)
kept = set(st.session_state.get("leistung", st.query_params.get_all("leistung")))
names = [
    s for s, d in zip(catalog["service"], catalog["department"], strict=True)
    if department in (ALL, d) or s in kept
]  # fmt: skip
chosen = right.multiselect(
    "Leistungen",
    names,
    default=names[:1],
    key="leistung",
    bind="query-params",
    max_selections=MAX_SERVICES,
    placeholder="Leistung wählen",
    help="Erst den Fachbereich wählen, dann seine Leistungen; gewählte Leistungen anderer "
    "Fachbereiche bleiben gewählt. Bis zu acht Leistungen im Vergleich.",
)
start, end = components.month_range_picker(months, end=facts["latest_month"])
if not chosen:
    st.info("Bitte mindestens eine Leistung wählen.")
    components.about_data(facts)
    st.stop()

uptake = data.uptake(v, tuple(chosen), start, end)
events = data.service_events(v, tuple(chosen))
goals = data.targets(v)
period = f"{format_month(start)} bis {format_month(end)}"


def _target(service: str | None) -> tuple[tuple[float, str] | None, str]:
    """The service's own target, else the overall one ('Gesamtziel')."""
    own = goals[goals["service"] == service]
    if own.empty:
        own, name = goals[goals["service"].isna()], "Gesamtziel"
    else:
        name = "Ziel"
    if own.empty:
        return None, name
    return (float(own.iloc[0]["share"]), str(own.iloc[0]["due_month"])), name


if len(chosen) > 1 and not uptake.empty:
    st.subheader("Onlinequote im Vergleich")
    components.chart(
        charts.share_lines_chart,
        uptake,
        f"Liniendiagramm: Onlinequote von {', '.join(chosen)}, {period}. Die Zahlen stehen "
        "in der Tabelle darunter.",
    )
    components.show_table(
        tables.share_matrix(uptake), caption=f"Onlinequote im Vergleich, {period}"
    )
    components.downloads(
        tables.share_matrix_export(uptake), f"Onlinequote im Vergleich {start} bis {end}",
        key="dl_compare",
    )  # fmt: skip


def show(service: str) -> None:
    """One service: requests and share over time, its events, targets and figures."""
    rows = uptake[uptake["service"] == service]
    if rows.empty:
        st.info(f"Für {period} liegen für diese Leistung keine Zahlen vor.")
        return
    since = catalog.loc[catalog["service"] == service, "online_since"].iloc[0]
    markers = tables.service_markers(since, events[events["service"] == service], start, end)
    target, target_name = _target(service)
    # The projection rests on complete months only, like the overall target's.
    known = rows[rows["month"] <= latest] if (latest := facts["latest_month"]) else rows
    evaluation = tg.evaluate(*target, known) if target else None
    components.chart(
        charts.uptake_chart,
        rows,
        f"Säulen: Anträge gesamt und davon online je Monat, Linie: Onlinequote, {service}, "
        f"{period}. Die Zahlen stehen in der Tabelle darunter.",
        key=f"chart_{service}",
        target=target,
        target_name=target_name,
        markers=markers,
    )
    if evaluation is not None:
        components.target_badge(evaluation.status)
        prefix = "" if target_name == "Ziel" else "Gesamtziel, hier auf diese Leistung angewandt: "
        # The time axis ends with the figures: a later due date is said here and in the label.
        later = (
            f" Der Zieltermin {format_month(target[1])} liegt nach dem gezeigten Zeitraum."
            if target[1] > end
            else ""
        )
        st.caption(prefix + evaluation.text + later)
    if not markers.empty:
        st.markdown("**Auf der Zeitachse markiert**")
        components.show_table(
            tables.markers_table(markers), caption=f"Auf der Zeitachse markiert: {service}"
        )
    components.show_table(
        tables.uptake_table(rows),
        caption=f"Anträge und Onlinequote je Monat: {service}, {period}",
        grey=tables.is_small(rows),
        row_header="Monat",
    )
    components.small_note(int(tables.is_small(rows).sum()))
    sources = set(rows["online_source"].dropna())
    st.caption(
        "Quelle der Online-Zahlen: "
        + " und ".join(SOURCE_LABELS[s] for s in sorted(sources, reverse=True))
        + " (je Monat in der Spalte „Quelle online“)."
    )
    components.downloads(
        tables.uptake_export(rows), f"{service} {start} bis {end}", key=f"dl_{service}"
    )


if len(chosen) == 1:
    st.subheader(md(chosen[0]))
    show(chosen[0])
else:
    # One tab per service; only the open one is drawn (and its tab is part of the address).
    labels = [components.label_text(s) for s in chosen]
    tabs = st.tabs(labels, key="detail", bind="query-params")
    for service, tab in zip(chosen, tabs, strict=True):
        with tab:
            if tab.open:
                show(service)
components.about_data(facts)
