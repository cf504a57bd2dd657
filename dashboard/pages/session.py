"""Sitzungsmodus: the dashboard as slides for the projector, frozen at a Stichtag if set."""

from datetime import date, datetime

import pandas as pd
import streamlit as st

from dashboard import auth, chart_text, charts, components, data
from dashboard.escape import md
from db import asof, figures, session
from db.german import format_month
from db.writes import begin_write
from report import slides as content

PRESENT, SLIDE = "praesentation", "folie"
LINES_MAX = 4  # more services than this are shown as ranked bars, not as lines
STATUS_COLORS = {"planned": "gray", "preparing": "orange", "in_progress": "blue",
                 "done": "green", "deferred": "violet"}  # fmt: skip
# Large type for the projector; in presentation mode also no header bar and little margin.
CSS = """<style>
.stMainBlockContainer {font-size: 1.35rem;}
.stMainBlockContainer p, .stMainBlockContainer li, .stMainBlockContainer td,
.stMainBlockContainer th {font-size: 1.35rem; line-height: 1.45;}
.stMainBlockContainer h1 {font-size: 2.6rem;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p {font-size: 3.2rem;
  line-height: 1.2;}
[data-testid="stMetricLabel"] p {font-size: 1.3rem;}
.pq-meta {font-size: 1.1rem; color: #444;}
</style>"""
PRESENT_CSS = """<style>
header[data-testid="stHeader"], [data-testid="stSidebarCollapsedControl"] {display: none;}
.stMainBlockContainer {padding-top: 1.2rem; padding-bottom: 1rem; max-width: 100%;}
</style>"""


@st.cache_data(show_spinner=False)
def frozen(version: str, cutoff: str | None) -> tuple[pd.DataFrame, ...]:
    """Uptake, month states, measures and links as they stood at the Stichtag (or now)."""
    day = date.fromisoformat(cutoff) if cutoff else None
    with data.engine().connect() as conn:
        uptake = asof.uptake_as_of(conn, day)
        return (
            uptake,
            asof.month_states_as_of(conn, day, uptake),
            asof.measures_as_of(conn, day),
            asof.measure_links(conn),
        )


def stand(cutoff: date | None) -> str:
    if cutoff:
        return f"Datenstand: Stichtag {cutoff:%d.%m.%Y}"
    return f"Datenstand: aktuell ({datetime.now():%d.%m.%Y, %H:%M} Uhr)"


def settings(agenda: session.Agenda) -> None:
    """Admin only: which slides in which order, which services, and the Stichtag."""
    with data.engine().connect() as conn:
        fields = session.field_items(conn)
        services = session.service_names(conn)
    labels = {
        session.OVERVIEW: "Überblick",
        **{k: f"Handlungsfeld: {v}" for k, v in fields.items()},
        session.SERVICES: "Ausgewählte Leistungen",
    }
    order = agenda.items + [k for k in labels if k not in agenda.items]
    table = pd.DataFrame(
        {
            "Anzeigen": [k in agenda.items for k in order],
            "Reihenfolge": [
                agenda.items.index(k) + 1 if k in agenda.items else None for k in order
            ],
            "Folie": [labels[k] for k in order],
        },
        index=order,
    )
    with (
        st.expander("Ablauf und Stichtag festlegen", icon=":material/tune:"),
        st.form("agenda"),
    ):
        edited = st.data_editor(
            table,
            hide_index=True,
            disabled=["Folie"],
            column_config={"Reihenfolge": st.column_config.NumberColumn(min_value=1, step=1)},
            key="agenda_table",
        )
        chosen = st.multiselect(
            "Leistungen auf der Folie „Ausgewählte Leistungen“", services, agenda.services
        )
        freeze = st.checkbox("Zahlen zum Stichtag einfrieren", value=agenda.cutoff is not None)
        cutoff = st.date_input(
            "Stichtag (Datenstand der Sitzungsunterlagen)",
            value=agenda.cutoff or date.today(),
            format="DD.MM.YYYY",
        )
        saved = st.form_submit_button("Speichern", icon=":material/save:")
    if saved:
        auth.require_role("admin")
        shown = edited[edited["Anzeigen"]].copy()
        shown["pos"] = shown["Reihenfolge"].fillna(len(order) + 1)
        items = list(shown.sort_values("pos", kind="stable").index)
        new = session.Agenda(items, chosen, cutoff if freeze else None)
        with begin_write(data.engine()) as conn:
            session.save_agenda(conn, new)
        st.query_params[SLIDE] = "1"
        st.rerun()


def go(number: int) -> None:
    st.query_params[SLIDE] = str(number)


def measure_list(measures: pd.DataFrame, field_id: int) -> None:
    rows = measures[measures["field_id"] == field_id]
    if rows.empty:
        st.info("Zum Stichtag gab es in diesem Handlungsfeld noch keine Maßnahmen.")
    for m in rows.itertuples():
        color = STATUS_COLORS.get(m.status, "gray")
        label = content.STATUS_LABELS.get(m.status, m.status)
        st.markdown(f"**{md(m.measure)}** :{color}-badge[{label}]")
        if isinstance(m.note, str) and m.note:
            st.markdown(md(m.note))


def meta(text: str) -> None:
    """Small grey text under a figure (text without names: numbers, months)."""
    st.markdown(f"<span class='pq-meta'>{text}</span>", unsafe_allow_html=True)


def uptake_block(uptake: pd.DataFrame, month: str | None, services: list[str], title: str) -> None:
    """A chart (lines for a few services, ranked bars for many) and the figures of `month`,
    the latest complete month."""
    if month is None:
        st.info("Zum Stichtag lagen noch keine vollständigen Zahlen vor.")
        return
    name = format_month(month, long=True)
    if len(services) <= LINES_MAX:
        builder, frame = charts.share_lines_chart, content.recent(uptake, services, month)
        chart = builder(frame, big=True, height=320)
        alt_text = f"{title}: Onlinequote der letzten zwölf Monate je Leistung."
    else:
        builder, frame = charts.share_by_service_chart, content.latest(uptake, services, month)
        chart = builder(frame, big=True)
        alt_text = f"{title}: Onlinequote je Leistung im {name}."
    alt_text += " " + chart_text.describe(builder, frame)
    st.altair_chart(chart, width="stretch", theme=None, alt=alt_text)
    table = content.service_rows(uptake, services, month)
    caption = f"{title}: Zahlen für {name}"
    if len(services) <= LINES_MAX:
        st.markdown(f"**Zahlen für {name}**")
        components.show_table(table, caption=caption)
    else:  # the bars already carry each base ("203 von 681"); the table on request
        with st.expander(f"Zahlen für {name} als Tabelle"):
            components.show_table(table, caption=caption)


def overview(head: figures.Headline | None, measures: pd.DataFrame) -> None:
    shown = content.overview_figures(head)
    if shown is None:
        st.warning("Zum Stichtag waren noch keine vollständigen Antragszahlen geladen.")
    else:
        cols = st.columns(4)
        cols[0].metric(f"Onlinequote {shown['month']}", shown["share"])
        with cols[0]:
            meta(shown["base"])
        cols[1].metric("zum Vormonat", shown["delta_month"])
        with cols[1]:
            meta(shown["month_basis"])
        cols[2].metric("zum Vorjahresmonat", shown["delta_year"])
        with cols[2]:
            meta(shown["year_basis"])
        cols[3].metric("Anträge gesamt", shown["total"])
        with cols[3]:
            meta(f"davon online: {shown['online']}")
        for text in shown["provisional"]:
            meta(text)
    table = content.status_table(figures.status_counts(measures))
    if not table.empty:
        st.subheader("Umsetzungsstand der Maßnahmen")
        components.show_table(table, caption="Maßnahmen je Handlungsfeld und Status")


presenting = st.query_params.get(PRESENT) == "1"
if presenting:
    # Started from the page link, the mode is not yet in the address: without this, the
    # first "Weiter" (which writes the slide number into it) would end the presentation.
    st.query_params[PRESENT] = "1"
st.markdown(CSS + (PRESENT_CSS if presenting else ""), unsafe_allow_html=True)
with data.engine().connect() as conn:
    agenda = session.load_agenda(conn)
    slide_list = session.slides(conn, agenda)
if not presenting:
    st.title("Sitzungsmodus")
    st.page_link(
        "dashboard/pages/session.py",
        label="Präsentation starten (ohne Seitenleiste, für den Beamer)",
        icon=":material/slideshow:",
        query_params={PRESENT: "1", SLIDE: "1"},
    )
    if auth.can("admin"):
        settings(agenda)

count = len(slide_list)
try:
    number = min(max(int(st.query_params.get(SLIDE, "1")), 1), count)
except ValueError:
    number = 1
slide = slide_list[number - 1]
uptake, states, measures, links = frozen(
    data.version(), agenda.cutoff.isoformat() if agenda.cutoff else None
)
head = figures.headline(uptake, states)
month = head.month if head else None

with st.container(border=not presenting):
    st.header(md(slide.title), anchor=False)
    st.markdown(f"<span class='pq-meta'>{stand(agenda.cutoff)}</span>", unsafe_allow_html=True)
    if slide.kind == session.OVERVIEW:
        overview(head, measures)
    elif slide.kind == session.SERVICES:
        if agenda.services:
            uptake_block(uptake, month, agenda.services, slide.title)
        else:
            st.info("Für diese Folie sind keine Leistungen ausgewählt.")
    else:
        linked = content.linked_services(measures, links, slide.field_id)
        if len(linked) > LINES_MAX:  # ranked bars need the full width for their labels
            measure_list(measures, slide.field_id)
            st.subheader("Inanspruchnahme der verknüpften Leistungen", anchor=False)
            uptake_block(uptake, month, linked, slide.title)
        elif linked:
            left, right = st.columns([1, 1], gap="large")
            with left:
                measure_list(measures, slide.field_id)
            with right:
                st.subheader("Inanspruchnahme der verknüpften Leistungen", anchor=False)
                uptake_block(uptake, month, linked, slide.title)
        else:
            measure_list(measures, slide.field_id)

back, where, forward = st.columns([1, 2, 1], vertical_alignment="center")
back.button(
    "Zurück", icon=":material/arrow_back:", disabled=number == 1, on_click=go,
    args=(number - 1,), shortcut="Left", key="slide_back",
)  # fmt: skip
where.markdown(
    f"<div style='text-align:center' class='pq-meta'>Folie {number} von {count}</div>",
    unsafe_allow_html=True,
)
forward.button(
    "Weiter", icon=":material/arrow_forward:", icon_position="right", disabled=number == count,
    on_click=go, args=(number + 1,), shortcut="Right", key="slide_next",
)  # fmt: skip
if presenting:
    st.page_link(
        "dashboard/pages/session.py", label="Präsentation beenden", icon=":material/close:"
    )
