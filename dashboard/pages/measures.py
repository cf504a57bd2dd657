"""Maßnahmen: the strategy as a tree with status, roadmap, Sachstand, history and uptake."""

from datetime import date

import streamlit as st

from dashboard import charts, components, data, tables
from dashboard.escape import md
from db.german import format_month
from db.months import add_months

UPTAKE_MONTHS = 24  # the uptake beside a measure: its linked services' last two years

st.title("Maßnahmen")
facts = components.page_facts()
v = data.version()
measures = data.measures(v)
if measures.empty:
    st.warning(
        "Es sind noch keine Maßnahmen der Strategie geladen. Bitte die Maßnahmen-Tabelle "
        "laden (`python -m ingest measures massnahmen.xlsx`) oder auf der Seite „Strategie "
        "bearbeiten“ anlegen."
    )
    components.about_data(facts)
    st.stop()

history = data.measure_history(v)
links = data.measure_links(v)
present = [s for s in charts.STATUS_ORDER if s in set(measures["status"])]
chosen = st.multiselect(
    "Status",
    present,
    default=present,
    format_func=charts.STATUS_LABELS.get,
    key="status",
    bind="query-params",
)
shown = measures[measures["status"].isin(chosen)]
if shown.empty:
    st.info("Keine Maßnahme hat den gewählten Status.")
    components.about_data(facts)
    st.stop()

st.subheader("Zeitplan (Roadmap)")
today = f"{date.today():%Y-%m}"
labelled = shown.assign(field=tables.field_labels(shown))
components.chart(
    charts.roadmap_chart,
    labelled,
    "Zeitplan: je Maßnahme ein Balken vom geplanten Beginn bis zum geplanten Ende, farbig "
    "nach Status, gruppiert nach Handlungsfeld; die gestrichelte Linie ist heute. Dieselben "
    "Angaben stehen in der Tabelle darunter.",
    today=today,
)
st.caption("Gestrichelte senkrechte Linie: heute.")
undated = shown[shown["start"].isna() | shown["end"].isna()]
if not undated.empty:
    st.caption(f"Ohne Beginn oder Ende nicht im Zeitplan: {md(', '.join(undated['measure']))}.")
with st.expander("Zeitplan als Tabelle"):
    components.show_table(
        tables.measures_table(shown, links), caption="Zeitplan der Maßnahmen", row_header="Maßnahme"
    )
    components.downloads(tables.measures_table(shown, links), "Maßnahmen", key="dl_measures")

st.subheader("Handlungsfelder und Maßnahmen")
last_month = facts["latest_month"]
for group, in_group in shown.groupby(shown["group"].fillna(""), sort=False):
    if group:
        st.header(md(group), divider="gray")
    for field, in_field in in_group.groupby("field", sort=False):
        counts = in_field["status"].map(charts.STATUS_LABELS).value_counts()
        st.markdown(f"#### {md(field)}")
        st.caption(
            f"{len(in_field)} Maßnahme(n): "
            + ", ".join(f"{n} {label}" for label, n in counts.items())
        )
        for m in in_field.itertuples():
            label = charts.STATUS_LABELS[m.status]
            with st.expander(
                f"**{md(m.measure)}** {components.status_badge(m.status, label)}",
                # Open measures are part of the address (?massnahme_4=true), and only
                # they draw their history and uptake.
                key=f"massnahme_{m.measure_id}",
                bind="query-params",
            ) as box:
                period = (
                    f"{format_month(m.start) if isinstance(m.start, str) else 'offen'} bis "
                    f"{format_month(m.end) if isinstance(m.end, str) else 'offen'}"
                )
                responsible = m.responsible if isinstance(m.responsible, str) else "–"
                st.markdown(
                    f"Status: **{label}**  \nVerantwortlich: {md(responsible)}  \n"
                    f"Zeitraum: {period}"
                )
                if not box.open:
                    continue
                text, uptake_col = st.columns([3, 2])
                with text:
                    if isinstance(m.note, str) and m.note:
                        st.markdown(f"**Sachstand vom {m.noted_on:%d.%m.%Y}**")
                        st.markdown(md(m.note))
                    own = history[history["measure_id"] == m.measure_id]
                    st.markdown("**Verlauf**")
                    components.show_table(
                        tables.history_table(own), caption=f"Verlauf: {m.measure}"
                    )
                with uptake_col:
                    services = list(links.loc[links["measure_id"] == m.measure_id, "service"])
                    if not services or not last_month:
                        st.caption("Keine Leistungen mit dieser Maßnahme verknüpft.")
                        continue
                    first = add_months(last_month, -(UPTAKE_MONTHS - 1))
                    uptake = data.uptake(v, tuple(services), first, last_month)
                    st.markdown("**Onlinequote der verknüpften Leistungen**")
                    if uptake["online_share"].notna().any():
                        components.chart(
                            charts.share_lines_chart,
                            uptake,
                            f"Onlinequote von {', '.join(services)} seit "
                            f"{format_month(first)}; die letzte Quote steht darunter.",
                            key=f"uptake_{m.measure_id}",
                            height=220,
                            legend_columns=1,
                        )
                    latest = uptake[uptake["month"] == last_month]
                    st.caption(f"{format_month(last_month, long=True)}:")
                    components.show_table(
                        tables.linked_table(latest),
                        caption=f"Onlinequote der verknüpften Leistungen, "
                        f"{format_month(last_month, long=True)}",
                        grey=tables.is_small(latest),
                    )
components.about_data(facts)
