"""Übersicht: headline tiles of the latest complete month, shares per service, measures."""

import pandas as pd
import streamlit as st

from dashboard import charts, components, data, tables
from db import figures
from db import targets as tg
from db.german import format_int, format_month, format_percent, format_points
from db.months import add_months
from report import phrases

ALL = "Alle Fachbereiche"
CHART_MAX = 40  # more services than this: the chart shows the 20 best and the 20 last

st.title("Übersicht")
facts = components.page_facts()
v = data.version()
if not components.empty_state(facts):
    head = data.headline(v)
    month, fig = head.month, head.figures
    cur = fig.current
    goals = data.targets(v)
    overall = goals[goals["service"].isna()]
    st.markdown(components.month_caption(month))
    components.provisional_note(head.later)

    badge = None
    if not overall.empty:
        goal = overall.iloc[0]
        # Two years of complete months: the twelve the projection rests on, and more.
        series = data.complete_series(v, add_months(month, -23))
        evaluation = tg.evaluate(float(goal["share"]), goal["due_month"], series)
        badge = evaluation.status
    cols = st.columns(4)
    with cols[0]:
        components.tile(
            f"Onlinequote {format_month(month)}",
            format_percent(cur.share),
            phrases.online_of_total(cur),
            badge=badge,
        )
    changes = (("Vormonat", fig.previous), ("Vorjahresmonat", fig.year))
    for col, (label, change) in zip(cols[1:3], changes, strict=True):
        with col:
            components.tile(
                f"zum {label}",
                format_points(change.points if change else None),
                phrases.change_caption(change, cur),
            )
    with cols[3]:
        components.tile(
            f"Anträge {format_month(month)}",
            format_int(cur.total),
            f"davon online {format_int(cur.online)}, vor Ort {format_int(cur.office)}",
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
    counts = tables.labelled_counts(figures.status_counts(measures))
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
