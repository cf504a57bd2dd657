"""Small page parts shared by all pages: demo banner, 'Über die Daten' box, empty state."""

import re
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import chart_text, data, export_buttons, tables
from dashboard.charts import SMALL_BASE
from dashboard.escape import no_autolink
from db.figures import MonthState
from db.german import format_moment, format_month
from db.targets import TargetStatus
from report import phrases

COVERAGE_PAGE = "dashboard/pages/coverage.py"


# Streamlit's badge colour per status (the hues of the charts' STATUS_COLORS).
BADGE_COLORS = {"planned": "gray", "preparing": "orange", "in_progress": "blue",
                "done": "green", "deferred": "violet"}  # fmt: skip


def status_badge(status: str, label: str) -> str:
    """A status as a Markdown badge (':blue-badge[in Umsetzung]')."""
    return f":{BADGE_COLORS.get(status, 'gray')}-badge[{label}]"


def page_facts() -> dict:
    """The facts of the current data; shows the demo banner where the data is example data."""
    facts = data.facts(data.version())
    if facts["demo"]:
        st.info(
            "**Beispieldaten:** Diese Datenbank enthält Beispieldaten (Leistungen, Zahlen und "
            "Maßnahmen nach dem Sachstandsbericht vom November 2021). Eigene Daten werden mit "
            "`python -m ingest` geladen.",
            icon=":material/info:",
        )
    return facts


def about_data(facts: dict) -> None:
    with st.expander("Über die Daten"):
        last = facts["last_load"]
        loaded = format_moment(last) if last else "noch nie"
        st.markdown(
            "**Online** zählt ein Antrag, der über das Serviceportal gestellt wurde; alle "
            "anderen Wege (Bürgerbüro, Post, Telefon) zählen als **vor Ort**. Die Zahlen "
            "stammen aus den Monatsmeldungen der Fachbereiche und aus dem Export des "
            "Serviceportals; wo es einen Portal-Export gibt, ist er für die Online-Zahl "
            "maßgeblich. Ein Monat, für den nur einer der beiden Wege gemeldet wurde, gilt als "
            "unvollständig und hat keine Onlinequote. Eine Quote aus weniger als "
            f"{SMALL_BASE} Anträgen ist grau dargestellt, weil sie stark schwankt. Die "
            "**Prognose** schreibt den linearen Trend der letzten zwölf vollständigen Monate "
            "fort; sie ist eine Rechnung, keine Zusage.\n\n"
            f"**Vollständiger Monat:** {phrases.COMPLETE_DEFINITION}\n\nZuletzt geladen: {loaded}."
        )


def empty_state(facts: dict) -> bool:
    """Explain what to load when there is nothing to show; True if the page should stop."""
    if facts["latest_month"]:
        return False
    if not facts["services"]:
        st.warning(
            "Es sind noch keine Daten geladen. Bitte zuerst den Leistungskatalog und dann die "
            "Monatsmeldungen laden, z. B.:\n\n"
            "`python -m ingest services leistungskatalog.xlsx`\n\n"
            "`python -m ingest counts monatsmeldung.xlsx`"
        )
    else:
        st.warning(
            f"Der Leistungskatalog ({facts['services']} Leistungen) ist geladen, aber noch "
            "kein vollständiger Monat mit Antragszahlen (gesamt und online). Bitte die "
            "Monatsmeldungen laden: `python -m ingest counts monatsmeldung.xlsx`"
        )
        provisional_note(facts["provisional"])
    return True


def month_caption(month: str) -> str:
    return f"Letzter vollständiger Monat: **{format_month(month, long=True)}**"


def provisional_note(later: list[MonthState]) -> None:
    """The months after the latest complete one ('Jan. 2024 vorläufig: 2 von 12 Leistungen
    gemeldet') with a link to the page Datenstand, which shows what is missing."""
    if not later:
        return
    text = phrases.provisional(later[-1])
    if len(later) > 1:
        text += (
            f"; seit {format_month(later[0].month)} sind {len(later)} Monate noch nicht vollständig"
        )
    st.caption(text + ".")
    st.page_link(COVERAGE_PAGE, label="Was fehlt: Datenstand", icon=":material/calendar_month:")


# ---------------------------------------------------------------- shared page parts (issue 3)

# Longer tables go into a scrolling data grid; shorter ones are real HTML tables.
TABLE_MAX_ROWS = 60
GREY = "color: #5F5F5F; font-style: italic"  # still 6:1 contrast on white (WCAG AA)


# Inline Markdown and Streamlit's directives (":red[...]", ":smile:", "$x$", "&amp;"); the
# block-level kinds (headings, lists) Streamlit escapes in labels itself.
_LABEL_SPECIAL = re.compile(r"([\\`*_\[\]()!~$<>:&])")


def label_text(value: str) -> str:
    """A name for a tab label, shown literally (no links, images, emphasis, emoji codes),
    yet readable in the address where the label is bound to a query parameter."""
    return _LABEL_SPECIAL.sub(r"\\\1", no_autolink(value))


def show_table(
    df: pd.DataFrame,
    *,
    caption: str,
    grey: pd.Series | None = None,
    row_header: str | None = None,
    key: str | None = None,
) -> None:
    """A display table (German text cells) with its caption; in rows flagged in `grey` the
    share is greyed; `row_header` names the column whose cell names a row (default: the first).

    Up to TABLE_MAX_ROWS rows as a real HTML table (caption, header cells: screen readers,
    the projector, names shown literally); longer ones in Streamlit's scrolling data grid
    (sortable and searchable, but screen readers get only its visible rows), under the
    caption as a line of text; the downloads under a table have all of it.
    """
    if df.empty:
        st.caption(f"{caption}: keine Einträge.")
        return
    if len(df) <= TABLE_MAX_ROWS:
        st.html(tables.html_table(df, caption=caption, grey=grey, row_header=row_header))
        return
    st.caption(caption)
    shown = df.reset_index(drop=True)
    if grey is not None and grey.any():
        # Only the share and the note are greyed: styling every cell of a long table is slow.
        flags = grey.to_numpy()
        cols = [c for c in shown.columns if c in tables.GREY_COLUMNS]
        shown = shown.style.apply(lambda col: [GREY if f else "" for f in flags], subset=cols)
    st.dataframe(shown, hide_index=True, key=key)


def downloads(export: pd.DataFrame, name: str, *, key: str | None = None) -> None:
    """CSV and Excel of exactly the rows and columns of the table above."""
    export_buttons.table_downloads(export, name, key=key)


# The file name of a chart's PNG and SVG, by its builder.
CHART_NAMES = {
    "share_lines_chart": "Onlinequote",
    "uptake_chart": "Anträge und Onlinequote",
    "share_by_service_chart": "Onlinequote je Leistung",
    "status_chart": "Maßnahmen nach Status",
    "roadmap_chart": "Zeitplan der Maßnahmen",
    "coverage_chart": "Datenstand",
    "deadline_chart": "Meldefristen",
}


def chart(
    builder: Callable[..., alt.TopLevelMixin],
    frame: pd.DataFrame,
    description: str,
    *,
    key: str | None = None,
    name: str | None = None,
    **options: object,
) -> None:
    """A chart from a dashboard.charts builder, drawn as built (no Streamlit theme), with a
    text alternative for screen readers: the description, then the chart's key figures
    (dashboard.chart_text); the table under it is the full alternative. Under it, PNG and SVG
    of the chart (file name: name, else the builder's CHART_NAMES entry).

    The finished Vega-Lite spec is cached by its inputs: building and validating an Altair
    chart costs more than the queries behind it.
    """
    spec = data.chart_spec(builder.__name__, frame, options)
    text = f"{description} {chart_text.describe(builder, frame, **options)}"
    st.vega_lite_chart(spec, theme=None, width="stretch", alt=text, key=key)
    title = name or CHART_NAMES.get(builder.__name__, "Diagramm")
    export_buttons.chart_downloads(spec, title, key=f"chart_{key or builder.__name__}")


def small_note(count: int) -> None:
    if count:
        st.caption(
            f"Grau: {count} Quote(n) aus weniger als {SMALL_BASE} Anträgen – bei so kleinen "
            "Zahlen schwankt die Quote stark und ist wenig aussagekräftig."
        )


def target_badge(status: TargetStatus) -> None:
    st.badge(f"Ziel: {status.label}", icon=status.icon, color=status.color)


def tile(label: str, value: str, caption: str, *, badge: TargetStatus | None = None) -> None:
    """A headline figure in a bordered box, large enough for the projector."""
    with st.container(border=True):
        st.metric(label, value)
        st.caption(caption)
        if badge is not None:
            target_badge(badge)


def month_range_picker(
    months: list[str],
    *,
    key: str = "zeitraum",
    default_months: int = 24,
    end: str | None = None,
):  # noqa: ANN201
    """A month range slider bound to the URL (?zeitraum=2022-01&zeitraum=2023-12); by
    default the `default_months` months up to `end` (the latest complete month), else up to
    the last month."""
    if len(months) == 1:
        return months[0], months[0]
    last = months.index(end) if end in months else len(months) - 1
    default = (months[max(0, last - default_months + 1)], months[last])
    start, end = st.select_slider(
        "Zeitraum",
        options=months,
        value=default,
        format_func=format_month,
        key=key,
        bind="query-params",
    )
    return start, end
