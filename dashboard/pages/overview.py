"""Übersicht: headline tiles of the latest complete month, shares per service, measures."""

import pandas as pd
import streamlit as st

from dashboard import charts, components, data, tables
from db import targets as tg
from db.german import format_int, format_month, format_percent, format_points

ALL = "Alle Fachbereiche"
CHART_MAX = 40  # more services than this: the chart shows the 20 best and the 20 last

st.title("Übersicht")
facts = components.page_facts()
v = data.version()
if not components.empty_state(facts):
    month = facts["latest_month"]
    # Two years: the month a year earlier, and the twelve months the projection rests on.
    totals = data.monthly_totals(v, start=tables.month_before(month, 23))
    goals = data.targets(v)
    overall = goals[goals["service"].isna()]
    head = tables.headline(totals, month)
    cur, prev, year = head["current"], head["previous"], head["year"]
    st.markdown(components.month_caption(month))

    badge = None
    if not overall.empty:
        goal = overall.iloc[0]
        evaluation = tg.evaluate(float(goal["share"]), goal["due_month"], totals)
        badge = evaluation.status
    cols = st.columns(4)
    with cols[0]:
        components.tile(
            f"Onlinequote {format_month(month)}",
            format_percent(cur["share"]),
            f"{format_int(cur['online'])} von {format_int(cur['total'])} Anträgen online, "
            f"{cur['services']} Leistungen",
            badge=badge,
        )
    for col, label, other in (
        (cols[1], "Vormonat", prev),
        (cols[2], "Vorjahresmonat", year),
    ):
        with col:
            known = other and other["share"] is not None and cur["share"] is not None
            delta = round(cur["share"] - other["share"], 3) if known else None
            components.tile(
                f"zum {label}",
                format_points(delta),
                f"{format_month(other['month'])}: {tables.share_with_base(other)}"
                if other
                else "Für diesen Monat liegen keine vollständigen Zahlen vor.",
            )
    with cols[3]:
        components.tile(
            f"Anträge {format_month(month)}",
            format_int(cur["total"]),
            f"davon online {format_int(cur['online'])}, vor Ort "
            f"{format_int(cur['total'] - cur['online'])}",
        )
    if badge is not None:
        st.caption(evaluation.text)

    st.subheader(f"Onlinequote je Leistung, {format_month(month, long=True)}")
    catalog = data.services(v)
    department = st.selectbox(
        "Fachbereich",
        [ALL, *sorted(catalog["department"].unique())],
        key="fachbereich",
        bind="query-params",
    )
    month_df = data.month_overview(v, month)
    if department != ALL:
        month_df = month_df[month_df["department"] == department]
    ranked = month_df[month_df["online_share"].notna()].sort_values(
        ["online_share", "service"], ascending=[False, True]
    )
    if len(ranked) > CHART_MAX:
        st.caption(
            f"Das Diagramm zeigt die 20 Leistungen mit der höchsten und die 20 mit der "
            f"niedrigsten Quote; alle {len(ranked)} stehen in der Tabelle darunter."
        )
        ranked = pd.concat([ranked.head(CHART_MAX // 2), ranked.tail(CHART_MAX // 2)])
    if ranked.empty:
        st.info("Für diesen Fachbereich liegen in diesem Monat keine vollständigen Zahlen vor.")
    else:
        target = None
        if len(overall):
            target = (float(overall.iloc[0]["share"]), overall.iloc[0]["due_month"])
        components.chart(
            charts.share_by_service_chart,
            ranked,
            f"Balkendiagramm: Onlinequote je Leistung im {format_month(month, long=True)}, "
            "absteigend sortiert. Die Zahlen stehen in der Tabelle darunter.",
            target=target,
            service_targets=goals[goals["service"].notna()][["service", "share"]],
        )
    components.show_table(
        tables.month_table(month_df),
        caption=f"Onlinequote je Leistung, {format_month(month, long=True)}",
        grey=tables.is_small(month_df),
    )
    components.small_note(int(tables.is_small(month_df).sum()))
    components.downloads(tables.month_export(month_df), f"Onlinequote {format_month(month)}")

st.subheader("Maßnahmen nach Status")
measures = data.measures(v)
if measures.empty:
    st.info(
        "Es sind noch keine Maßnahmen der Strategie geladen: "
        "`python -m ingest measures massnahmen.xlsx` oder Seite „Strategie bearbeiten“."
    )
else:
    counts = tables.status_counts(measures)
    components.chart(
        charts.status_chart,
        counts,
        "Gestapelte Balken: Zahl der Maßnahmen je Handlungsfeld und Status. Die Zahlen "
        "stehen in der Tabelle darunter.",
    )
    components.show_table(
        tables.status_table(counts), caption="Maßnahmen je Handlungsfeld und Status"
    )
components.about_data(facts)
