"""Sitzungsmodus: the dashboard as slides for the projector, frozen at a moment if set.

Mode and slide live in the address (?praesentation=1&folie=3b): Weiter/Zurück, the keys, a
reload and the browser's back button all keep them. Slides too long for a 1280×720 screen
are cut into parts (dashboard.slide_plan).
"""

import base64
import html
from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard import auth, chart_text, charts, components, data
from dashboard import slide_plan as plan
from dashboard.escape import md
from db import asof, session
from db.german import format_moment
from db.writes import begin_write

PRESENT, SLIDE = "praesentation", "folie"
KEYS = "pq-keys"  # the container of the buttons that only carry keyboard shortcuts


@st.cache_data(show_spinner=False)
def frozen(version: str, moment: str | None) -> tuple[pd.DataFrame, ...]:
    """Uptake, month states, measures and links as they stood at the moment (or now)."""
    at = datetime.fromisoformat(moment) if moment else None
    with data.engine().connect() as conn:
        uptake = asof.uptake_as_of(conn, at)
        return (
            uptake,
            asof.month_states_as_of(conn, at, uptake),
            asof.measures_as_of(conn, at),
            asof.measure_links(conn),
        )


def stand(frozen_at: datetime | None) -> str:
    if frozen_at:
        return f"Stand: {format_moment(frozen_at)}"
    return f"Stand: {format_moment(datetime.now())} (aktuelle Zahlen, nicht eingefroren)"


# ---------------------------------------------------------------- admin settings


def settings(agenda: session.Agenda) -> None:
    """Admin only: which slides in which order, which services."""
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
    with st.expander("Ablauf festlegen", icon=":material/tune:"), st.form("agenda"):
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
        saved = st.form_submit_button("Speichern", icon=":material/save:")
    if saved:
        auth.require_role("admin")
        shown = edited[edited["Anzeigen"]].copy()
        shown["pos"] = shown["Reihenfolge"].fillna(len(order) + 1)
        items = list(shown.sort_values("pos", kind="stable").index)
        with begin_write(data.engine()) as conn:
            current = session.load_agenda(conn)  # the moment may have changed meanwhile
            session.save_agenda(conn, session.Agenda(items, chosen, current.frozen_at))
        st.query_params[SLIDE] = "1"
        st.rerun()


def freezing(agenda: session.Agenda) -> None:
    """Admin only: freeze the figures at a moment (default: the moment of the click)."""
    st.subheader("Zahlen einfrieren", anchor=False)
    if agenda.frozen_at:
        st.markdown(
            f"Eingefroren: Die Folien zeigen die Zahlen mit "
            f"**Stand {format_moment(agenda.frozen_at)}**. Was danach geladen wird, ändert sie "
            "nicht."
        )
    else:
        st.markdown(
            "Nicht eingefroren: Die Folien zeigen die aktuellen Zahlen. Lädt ein Fachbereich "
            "während der Sitzung neue Zahlen, ändern sie sich mit der nächsten Folie."
        )
    left, right = st.columns(2)
    now = left.button(
        "Jetzt einfrieren" if not agenda.frozen_at else "Neu einfrieren (jetzt)",
        icon=":material/ac_unit:",
        key="freeze_now",
        help="Stand der Folien: dieser Augenblick",
    )
    thaw = agenda.frozen_at and right.button(
        "Einfrieren aufheben", icon=":material/undo:", key="unfreeze"
    )
    with st.expander("Anderen Zeitpunkt wählen"):
        moment = st.datetime_input(
            "Stand der Zahlen (Datum und Uhrzeit)",
            value=agenda.frozen_at or session.moment(),
            max_value=datetime.now(),
            format="DD.MM.YYYY",
            step=60,
            key="freeze_moment",
        )
        chosen = st.button("Zu diesem Zeitpunkt einfrieren", key="freeze_at")
    if not (now or thaw or chosen):
        return
    auth.require_role("admin")
    if chosen and (moment is None or moment > datetime.now()):
        st.error("Bitte einen Zeitpunkt wählen, der nicht in der Zukunft liegt.")
        return
    with begin_write(data.engine()) as conn:
        if thaw:
            session.unfreeze(conn)
        else:
            session.freeze(conn, moment if chosen else None)
    st.rerun()


# ---------------------------------------------------------------- drawing


def draw(block: plan.Block) -> None:
    if block.kind == "figures":
        figures_tiles(block.data)
    elif block.kind == "heading":
        st.subheader(md(block.data), anchor=False)
    elif block.kind == "label":
        st.markdown(f"**{md(block.data)}**")
    elif block.kind == "text":
        st.markdown(md(block.data))
    elif block.kind == "info":
        st.info(block.data)
    elif block.kind == "measure":
        m = block.data
        badge = components.status_badge(m["status"], m["label"])
        note = f"\n\n{md(m['note'])}" if m.get("note") else ""
        st.markdown(f"**{md(m['name'])}** {badge}{note}")
    elif block.kind == "table":
        # The caption is the heading above the table; on slides only screen readers get it.
        frame = block.data["frame"].reset_index(drop=True)
        components.show_table(frame, caption=block.data["caption"])
    elif block.kind == "chart":
        # Drawn on the server: no toolbar, the exact size planned, sharp when zoomed.
        options = dict(block.data["options"])
        if block.data["builder"] == "share_lines_chart":  # the bars' height follows their number
            options["height"] = int(block.height)
        svg = data.chart_svg(block.data["builder"], block.data["frame"], options, plan.WIDTH)
        source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        figures = chart_text.describe(getattr(charts, block.data["builder"]), block.data["frame"])
        alt = html.escape(f"{block.data['alt']}. {figures}")
        st.html(f'<img class="pq-chart" src="{source}" alt="{alt}">')


def figures_tiles(shown: dict) -> None:
    """The headline figures in two rows of two; the share in the largest type."""
    top, bottom = st.columns(2, gap="medium"), st.columns(2, gap="medium")
    with top[0], st.container(key="pq-key-figure"):
        st.metric(f"Onlinequote {shown['month']}", shown["share"])
        meta(shown["base"])
    top[1].metric("Anträge gesamt", shown["total"])
    with top[1]:
        meta(f"davon online: {shown['online']}")
    bottom[0].metric("zum Vormonat", shown["delta_month"])
    with bottom[0]:
        meta(shown["month_basis"])
    bottom[1].metric("zum Vorjahresmonat", shown["delta_year"])
    with bottom[1]:
        meta(shown["year_basis"])


def meta(text: str) -> None:
    """Grey text under a figure (text without names: numbers, months)."""
    st.markdown(f"<p class='pq-meta'>{text}</p>", unsafe_allow_html=True)


def go(label: str) -> None:
    st.query_params[SLIDE] = label
    if presenting:  # every address of the presentation says so: reload and back keep it
        st.query_params[PRESENT] = "1"


def navigation(labels: list[str], index: int) -> None:
    """Zurück and Weiter (the arrow keys, as a presenter's remote sends them), 'Folie 3a von
    7', Vollbild and Beenden; while presenting also PageUp/PageDown, Space/Shift+Space, Home
    and End, on buttons that only carry the shortcut."""
    first, last = index == 0, index == len(labels) - 1
    back = labels[max(index - 1, 0)]
    forward = labels[min(index + 1, len(labels) - 1)]
    count = len({plan.LABEL.match(label).group(1) for label in labels})
    widths = [1, 1, 2.2, 1.1, 2] if presenting else [1, 1, 2]
    with st.container(key="pq-nav"):
        cols = st.columns(widths, vertical_alignment="center")
        cols[0].button(
            "Zurück", icon=":material/arrow_back:", disabled=first, on_click=go, args=(back,),
            shortcut="Left", key="slide_back",
        )  # fmt: skip
        cols[1].button(
            "Weiter", icon=":material/arrow_forward:", icon_position="right", disabled=last,
            on_click=go, args=(forward,), shortcut="Right", key="slide_next",
        )  # fmt: skip
        cols[2].markdown(
            f"<p class='pq-meta pq-where'>Folie {labels[index]} von {count}</p>",
            unsafe_allow_html=True,
        )
        if not presenting:
            return
        # The browser's full screen needs a click handler in the page (dashboard/static).
        cols[3].button("Vollbild", icon=":material/fullscreen:", key="vollbild")
        with cols[4]:
            st.page_link(
                "dashboard/pages/session.py", label="Präsentation beenden", icon=":material/close:"
            )
    with st.container(key=KEYS):
        for shortcut, target, off in (
            ("PageDown", forward, last), ("Space", forward, last), ("PageUp", back, first),
            ("Shift+Space", back, first), ("Home", labels[0], first), ("End", labels[-1], last),
        ):  # fmt: skip
            st.button(shortcut, on_click=go, args=(target,), shortcut=shortcut,
                      disabled=off, key=f"key_{shortcut}")  # fmt: skip


presenting = st.query_params.get(PRESENT) == "1"
if presenting:
    # Started from the page link, the mode is not yet in the address: without this, the
    # first "Weiter" (which writes the slide number into it) would end the presentation.
    st.query_params[PRESENT] = "1"
st.markdown(plan.SLIDE_CSS + (plan.PRESENT_CSS if presenting else ""), unsafe_allow_html=True)
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
        freezing(agenda)

frozen_data = frozen(data.version(), agenda.frozen_at.isoformat() if agenda.frozen_at else None)
parts = plan.plan_agenda(agenda, slide_list, *frozen_data)
labels = [label for label, _slide, _blocks in parts]
index = plan.find(labels, st.query_params.get(SLIDE))
_label, slide, part = parts[index]

with st.container(border=not presenting, key="pq-slide"):
    st.header(md(slide.title), anchor=False)
    st.markdown(f"<p class='pq-meta'>{stand(agenda.frozen_at)}</p>", unsafe_allow_html=True)
    for block in part:
        draw(block)
navigation(labels, index)
