"""Dashboard chart builders: pure functions DataFrame -> finished alt.Chart (no Streamlit).

Every builder returns a chart already configured with the German locale (numbers "1.234",
"30 %", months "Okt. 2021"), so it can be shown with st.altair_chart or rendered with
vl-convert as it is; compose charts from the private layer helpers, not from the results.
Months come in as text "YYYY-MM"; colours are Okabe-Ito, lines also differ by stroke dash.
"""

import json

import altair as alt
import pandas as pd

from db import figures
from db.german import format_base, format_int, format_month, format_percent
from db.labels import DEADLINE_LABELS, STATUS_LABELS
from db.models import STATUSES
from db.months import months_apart, months_between
from report.charts import NUMBER_LOCALE, TIME_LOCALE

# Okabe-Ito (colour-blind safe), in the order series get them.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]
DASHES = [[1, 0], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [14, 4], [1, 4], [6, 2, 2, 2]]
TOTAL_COLOR, ONLINE_COLOR, SHARE_COLOR = "#56B4E9", "#0072B2", "#D55E00"
TARGET_COLOR, MARKER_COLOR, SMALL_COLOR = "#000000", "#009E73", "#8C8C8C"
# A share based on fewer requests than this is shown greyed, with a note.
SMALL_BASE = figures.SMALL_BASE
SMALL_LABEL = f"Quote aus weniger als {SMALL_BASE} Anträgen"
INCOMPLETE_LABEL = "nur ein Antragsweg gemeldet"
INCOMPLETE_COLOR = "#D4D4D4"
STATUS_ORDER = list(STATUSES)
STATUS_COLORS = {
    "planned": "#999999",
    "preparing": "#E69F00",
    "in_progress": "#0072B2",
    "done": "#009E73",
    "deferred": "#CC79A7",
}
# "entfällt": marked as no longer reported (page Datenstand) and nothing came.
COVERAGE_STATES = ["vollständig", "unvollständig", "fehlt", "entfällt"]
COVERAGE_COLORS = ["#009E73", "#E69F00", "#D9D9D9", "#F4F4F4"]
MONTH_AXIS = alt.Axis(format="%b %Y", title=None, labelAngle=0, labelOverlap=True, grid=False)
FONT = "Source Sans Pro, DejaVu Sans, Arial, sans-serif"
TEXT, BIG_TEXT = 14, 21  # label sizes on a page and on a projector (big=True: the slides)
BAR_STEP, BIG_BAR_STEP = 28, 34  # the height of a ranked bar, with its gap


def _config(big: bool) -> alt.Config:
    """German number and time locale, and type large enough for a projector."""
    size = BIG_TEXT if big else TEXT
    return alt.Config(
        locale=alt.Locale(number=NUMBER_LOCALE, time=TIME_LOCALE),
        # Marks, axes and legends are hidden from screen readers: Vega would read out raw
        # field names and values (and axe-core rejects empty mark groups); the chart's
        # German text alternative (st.vega_lite_chart alt=) speaks for the whole chart.
        aria=False,
        mark=alt.MarkConfig(aria=False),
        font=FONT,
        axis=alt.AxisConfig(labelFontSize=size, titleFontSize=size, labelColor="#222222"),
        legend=alt.LegendConfig(
            labelFontSize=size, titleFontSize=size, orient="bottom", labelLimit=0
        ),
        header=alt.HeaderConfig(labelFontSize=size, titleFontSize=size, labelColor="#222222"),
        title=alt.TitleConfig(fontSize=size + 3, anchor="start"),
        text=alt.MarkConfig(fontSize=size - 1),
        view=alt.ViewConfig(stroke=None),
    )


def localize(chart: alt.TopLevelMixin, *, big: bool = False) -> alt.TopLevelMixin:
    """The German configuration on a finished chart; apply last."""
    return chart.properties(config=_config(big))


def _layered(
    layers: list, *, big: bool, title: str | None = None, **props: object
) -> alt.LayerChart:
    """The top-level layer chart built in one go: every Altair method call on a finished
    chart deep-copies all of it (resolve, properties and configure would each do)."""
    if title:
        props["title"] = title
    return alt.LayerChart(layer=layers, config=_config(big), **props)


def _date(month: pd.Series) -> pd.Series:
    return month.astype(str) + "-01"


def _x(
    title: str | None = None,
    domain: list[str] | None = None,
    *,
    middle: bool = False,
    months: list[str] | None = None,
) -> alt.X:
    """The month axis; middle=True puts points in the middle of their month's bar; months:
    tick only these (the bars' axis would else label the end of the last bar, a month past
    the figures)."""
    scale = alt.Scale(domain=domain) if domain else alt.Undefined
    axis = MONTH_AXIS
    if months:
        ticks = [alt.DateTime(year=int(m[:4]), month=int(m[5:7]), date=1, utc=True) for m in months]
        axis = alt.Axis(**{**MONTH_AXIS.to_dict(), "values": ticks})
    return alt.X(
        "date:T",
        timeUnit="utcyearmonth",
        axis=axis,
        title=title,
        scale=scale,
        bandPosition=0.5 if middle else alt.Undefined,
    )


def _count_text(value: object) -> str:
    return "–" if value is None or pd.isna(value) else format_int(int(value))


def _share_text(value: object) -> str:
    return "–" if value is None or pd.isna(value) else format_percent(float(value))


def _share_domain(*values: object) -> list[float]:
    top = max([0.1, *(float(v) for v in values if v is not None and not pd.isna(v))])
    return [0.0, min(1.0, top * 1.12)]


def _prepared(uptake: pd.DataFrame) -> pd.DataFrame:
    """Month as date, float counts, German texts for tooltips, the small-base flag."""
    df = uptake.copy()
    df["date"] = _date(df["month"])
    df["monat"] = df["month"].map(format_month)
    df["gesamt"] = df["total"].map(_count_text)
    df["online_text"] = df["online"].map(_count_text)
    df["quote"] = df["online_share"].map(_share_text)
    df["small"] = figures.small_base(df)
    for c in ("total", "online", "online_share"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    return df


def _tooltip(*extra: alt.Tooltip) -> list[alt.Tooltip]:
    return [
        *extra,
        alt.Tooltip("monat:N", title="Monat"),
        alt.Tooltip("gesamt:N", title="Anträge gesamt"),
        alt.Tooltip("online_text:N", title="davon online"),
        alt.Tooltip("quote:N", title="Onlinequote"),
    ]


def _projection_frame(projection: pd.DataFrame | None) -> pd.DataFrame:
    if projection is None or projection.empty:
        return pd.DataFrame(columns=["month", "online_share", "date", "label"])
    df = projection[["month", "share"]].rename(columns={"share": "online_share"})
    df["date"] = _date(df["month"])
    df["label"] = ""
    df.loc[df.index[-1], "label"] = "Prognose"
    return df


def _target_layers(
    target: tuple[float, str] | None, y: alt.Y, label_date: str, name: str = "Ziel"
) -> list[alt.Chart]:
    """A horizontal rule at the target share, labelled 'Ziel 50 % bis Dez. 2025' at the
    month label_date (the first month shown)."""
    if target is None:
        return []
    share, due = target
    df = pd.DataFrame(
        {
            "online_share": [share],
            "date": [label_date],
            "label": [f"{name} {format_percent(share, 0)} bis {format_month(due)}"],
        }
    )
    rule = (
        alt.Chart(df)
        .mark_rule(color=TARGET_COLOR, strokeDash=[6, 4], strokeWidth=2)
        .encode(y=y, tooltip=[alt.Tooltip("label:N", title="Ziel")])
    )
    # Labelled above the rule at the left end, where the share is usually still far below
    # (placed in pixels: the label takes no part in the month axis).
    label = alt.Chart(df).encode(x=alt.value(0), y=y, text="label:N")
    halo = label.mark_text(
        align="left", dx=4, dy=-10, color="white", stroke="white", strokeWidth=4, fontWeight="bold"
    )
    text = label.mark_text(align="left", dx=4, dy=-10, color=TARGET_COLOR, fontWeight="bold")
    return [rule, halo, text]


def _projection_layers(projection: pd.DataFrame | None, y: alt.Y) -> list[alt.Chart]:
    """The trend continued as a dashed line, labelled 'Prognose' at its end."""
    df = _projection_frame(projection)
    if df.empty:
        return []
    df["monat"] = df["month"].map(format_month)
    df["quote"] = df["online_share"].map(_share_text)
    base = alt.Chart(df).encode(x=_x(middle=True), y=y)
    line = base.mark_line(color=SHARE_COLOR, strokeDash=[3, 3], strokeWidth=2.5).encode(
        tooltip=[
            alt.Tooltip("monat:N", title="Prognose für"),
            alt.Tooltip("quote:N", title="Onlinequote (Prognose)"),
        ]
    )
    text = base.mark_text(
        align="right", dy=-14, color=SHARE_COLOR, fontStyle="italic", fontWeight="bold"
    ).encode(text="label:N")
    return [line, text]


# Marks on the time axis are numbered above the plot (the numbers explained in the table
# under the chart): nothing to stack on the bars, the target's label or the axis labels.
MARKER_ROW = 18  # px from one row of numbers to the next
MARKER_GAP = 10  # px between the plot's top and the lowest row (the axis labels end at 7)
MIN_PLOT_WIDTH = 440  # the narrowest plot the rows are laid out for (narrower spreads less)


def marker_rows(months: list[str], labels: list[str], first: str, last: str,
                size: int = TEXT) -> list[int]:  # fmt: skip
    """A row for each label (months in order) so that no two labels of a row touch, even on
    the narrowest plot: the lowest row where the label before ends far enough to its left."""
    per_month = MIN_PLOT_WIDTH / (months_apart(last, first) + 1)
    ends: list[float] = []  # per row: where its last label ends (px)
    rows = []
    for month, label in zip(months, labels, strict=True):
        middle = (months_apart(month, first) + 0.5) * per_month
        half = (len(label) * 0.62 * size + 8) / 2
        row = next((r for r, end in enumerate(ends) if middle - half >= end), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = middle + half
        rows.append(row)
    return rows


def _marker_layers(
    markers: pd.DataFrame | None, first: str, last: str, size: int
) -> tuple[list, list]:
    """Vertical rules at marked months (markers: month, nr) and their numbers above the plot
    (drawn last: nothing covers them); the marks of one month share a rule and a label."""
    if markers is None or markers.empty:
        return [], []
    shown = markers[(markers["month"] >= first) & (markers["month"] <= last)]
    if shown.empty:
        return [], []
    df = (
        shown.sort_values(["month", "nr"])
        .groupby("month", sort=True)["nr"]
        .agg(lambda nrs: ", ".join(str(n) for n in nrs))
        .rename("label")
        .reset_index()
    )
    df["date"] = _date(df["month"])
    df["monat"] = df["month"].map(format_month)
    df["row"] = marker_rows(list(df["month"]), list(df["label"]), first, last, size)
    df["y"] = [-(MARKER_GAP + MARKER_ROW * r) for r in df["row"]]
    tip = [alt.Tooltip("monat:N", title="Monat"), alt.Tooltip("label:N", title="Markierung Nr.")]
    base = alt.Chart(df).encode(x=_x(middle=True, months=months_between(first, last)), tooltip=tip)
    rules = base.mark_rule(color=MARKER_COLOR, strokeDash=[2, 2], strokeWidth=2)
    numbers = base.mark_text(
        baseline="bottom", color="#00563F", fontWeight="bold", fontSize=size
    ).encode(y=alt.Y("y:Q", scale=None), text="label:N")
    return [rules], [numbers]


def uptake_chart(
    uptake: pd.DataFrame,
    *,
    target: tuple[float, str] | None = None,
    markers: pd.DataFrame | None = None,
    target_name: str = "Ziel",
    title: str | None = None,
    height: int = 340,
    big: bool = False,
) -> alt.TopLevelMixin:
    """One service (or a sum): requests per month as bars (total behind, online in front),
    the online share as a line on the right axis; optional target rule (share, due month)
    and numbered markers (month, nr) on the time axis. The time axis spans the months of
    `uptake` only: a later due date is in the target's label. A month with only one channel
    is shaded and named in the legend instead of showing a lone bar that looks like a drop.
    """
    df = _prepared(uptake)
    first, last = str(df["month"].min()), str(df["month"].max())
    incomplete = df[df["total"].isna()]
    kinds = ["Anträge gesamt", "davon online", "Onlinequote"]
    colors = [TOTAL_COLOR, ONLINE_COLOR, SHARE_COLOR]
    if df["small"].any():
        kinds.append(SMALL_LABEL)
        colors.append(SMALL_COLOR)
    if len(incomplete):
        kinds.append(INCOMPLETE_LABEL)
        colors.append(INCOMPLETE_COLOR)
    color = alt.Color(
        "kind:N", scale=alt.Scale(domain=kinds, range=colors), legend=alt.Legend(title=None)
    )

    def kind(chart: alt.Chart, label: str) -> alt.Chart:
        # A constant series name per layer gives one legend for bars, line and grey points.
        return chart.transform_calculate(kind=json.dumps(label)).encode(color=color)

    shown = months_between(first, last)
    x = _x(months=shown)
    counts_y = alt.Y("total:Q", title="Anträge", axis=alt.Axis(format=",d", titleColor="#222"))
    complete = df[df["total"].notna()]
    count_layers = [
        kind(
            alt.Chart(complete)
            .mark_bar(stroke=ONLINE_COLOR, strokeWidth=0.5)
            .encode(x=x, y=counts_y, tooltip=_tooltip()),
            "Anträge gesamt",
        ),
        kind(
            alt.Chart(complete).mark_bar().encode(x=x, y=alt.Y("online:Q"), tooltip=_tooltip()),
            "davon online",
        ),
    ]
    if len(incomplete):
        count_layers.insert(
            0,
            kind(
                alt.Chart(incomplete)
                .mark_rect()
                .encode(x=x, y=alt.value(0), y2=alt.value(alt.expr("height")), tooltip=_tooltip()),
                INCOMPLETE_LABEL,
            ),
        )
    share_max = [df["online_share"].max()]
    if target:
        share_max.append(target[0])
    share_y = alt.Y(
        "online_share:Q",
        title="Onlinequote",
        axis=alt.Axis(format=".0%", orient="right", titleColor=SHARE_COLOR),
        scale=alt.Scale(domain=_share_domain(*share_max)),
    )
    share_df = df[df["online_share"].notna()]
    mid = _x(middle=True, months=shown)
    line = kind(
        alt.Chart(share_df).mark_line(strokeWidth=3).encode(x=mid, y=share_y, tooltip=_tooltip()),
        "Onlinequote",
    )
    points = kind(
        alt.Chart(share_df[~share_df["small"]])
        .mark_point(filled=True, size=55)
        .encode(x=mid, y=share_y, tooltip=_tooltip()),
        "Onlinequote",
    )
    share_layers = [line, points]
    if df["small"].any():
        share_layers.append(
            kind(
                alt.Chart(share_df[share_df["small"]])
                .mark_point(filled=False, size=90, strokeWidth=2)
                .encode(x=mid, y=share_y, tooltip=_tooltip()),
                SMALL_LABEL,
            )
        )
    share_layers += _target_layers(target, share_y, f"{first}-01", target_name)
    # The rules run under the line and the target's label; their numbers sit above the plot.
    rules, numbers = _marker_layers(markers, first, last, BIG_TEXT if big else TEXT)
    return _layered(
        [alt.layer(*count_layers, *rules), alt.layer(*share_layers), *numbers],
        big=big,
        title=title,
        height=height,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")),
    )


def share_lines_chart(
    uptake: pd.DataFrame,
    *,
    series: str = "service",
    target: tuple[float, str] | None = None,
    projection: pd.DataFrame | None = None,
    target_name: str = "Ziel",
    title: str | None = None,
    height: int = 320,
    legend_columns: int = 3,
    big: bool = False,
) -> alt.TopLevelMixin:
    """Online share per month, one line per value of `series` (colour and stroke dash);
    points from fewer than 20 requests hollow and grey; optional target and projection."""
    df = _prepared(uptake[uptake["online_share"].notna()])
    df["series"] = df[series].astype(str)
    names = list(dict.fromkeys(df["series"]))
    proj = _projection_frame(projection)
    last = str(df["month"].max()) if len(df) else None
    end = max([last, *proj["month"]]) if last and len(proj) else last
    x = _x(domain=[f"{df['month'].min()}-01", f"{end}-01"] if end != last else None)
    maxima = [df["online_share"].max(), proj["online_share"].max() if len(proj) else None]
    if target:
        maxima.append(target[0])
    domain = _share_domain(*maxima)
    y = alt.Y("online_share:Q", title="Onlinequote", axis=alt.Axis(format=".0%"))
    y = y.scale(domain=domain)
    color = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=names, range=PALETTE[: max(1, len(names))]),
        legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=3, columns=legend_columns),
    )
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=names, range=DASHES[: max(1, len(names))]), legend=None
    )
    tip = _tooltip(alt.Tooltip("series:N", title="Leistung"))
    base = alt.Chart(df).encode(x=x, y=y)
    layers = [
        base.mark_line(strokeWidth=3).encode(color=color, strokeDash=dash, tooltip=tip),
        base.transform_filter("!datum.small")
        .mark_point(filled=True, size=45)
        .encode(color=color, tooltip=tip),
        base.transform_filter("datum.small")
        .mark_point(filled=False, size=80, strokeWidth=2, color=SMALL_COLOR)
        .encode(tooltip=tip),
    ]
    if end:
        layers += _target_layers(target, y, f"{df['month'].min()}-01", target_name)
    layers += _projection_layers(projection, y)
    return _layered(layers, big=big, title=title, height=height)


def ranked(month: pd.DataFrame) -> pd.DataFrame:
    """The services of one month that have a share, highest first (then by name): the order
    of the ranked bars, their text alternative and the slides' charts."""
    df = month[month["online_share"].notna()]
    return df.sort_values(["online_share", "service"], ascending=[False, True]).copy()


def share_by_service_chart(
    month: pd.DataFrame,
    *,
    target: tuple[float, str] | None = None,
    service_targets: pd.DataFrame | None = None,
    title: str | None = None,
    big: bool = False,
) -> alt.TopLevelMixin:
    """Online share of each service in one month as ranked bars, each labelled with its
    base ('29,8 % · 203 von 681'); shares from fewer than 20 requests greyed; the overall
    target as a vertical rule, per-service targets (service, share) as black ticks."""
    df = ranked(month)
    df["small"] = figures.small_base(df)
    df["label"] = [
        f"{format_percent(s)} · {format_base(int(o), int(t))}"
        for s, o, t in zip(df["online_share"], df["online"], df["total"], strict=True)
    ]
    df["basis"] = df["small"].map({True: SMALL_LABEL, False: "Onlinequote"})
    df["online_share"] = df["online_share"].astype(float)
    order = list(df["service"])
    y = alt.Y("service:N", sort=order, title=None, axis=alt.Axis(labelLimit=360))
    x = alt.X(
        "online_share:Q",
        title="Onlinequote",
        axis=alt.Axis(format=".0%"),
        scale=alt.Scale(domain=[0, 1.0]),
    )
    base = alt.Chart(df).encode(y=y)
    tip = [
        alt.Tooltip("service:N", title="Leistung"),
        alt.Tooltip("label:N", title="Onlinequote"),
    ]
    bars = base.mark_bar().encode(
        x=x,
        color=alt.Color(
            "basis:N",
            title=None,
            scale=alt.Scale(
                domain=["Onlinequote", SMALL_LABEL] if df["small"].any() else ["Onlinequote"],
                range=[ONLINE_COLOR, SMALL_COLOR],
            ),
        ),
        tooltip=tip,
    )
    labels = base.mark_text(align="left", dx=5, color="#222222").encode(
        x=x, text="label:N", tooltip=tip
    )
    layers = [bars, labels]
    if service_targets is not None and not service_targets.empty:
        ticks = service_targets[service_targets["service"].isin(order)].copy()
        ticks["ziel"] = ticks["share"].map(lambda s: format_percent(s, 0))
        layers.append(
            alt.Chart(ticks)
            .mark_tick(color=TARGET_COLOR, thickness=3, size=24)
            .encode(
                x=alt.X("share:Q"),
                y=alt.Y("service:N", sort=order),
                tooltip=[
                    alt.Tooltip("service:N", title="Leistung"),
                    alt.Tooltip("ziel:N", title="Ziel"),
                ],
            )
        )
    if target is not None:
        rule_df = pd.DataFrame(
            {
                "share": [target[0]],
                "label": [f"Ziel {format_percent(target[0], 0)} bis {format_month(target[1])}"],
            }
        )
        rule = alt.Chart(rule_df).encode(
            x="share:Q", tooltip=[alt.Tooltip("label:N", title="Ziel")]
        )
        layers.append(rule.mark_rule(color=TARGET_COLOR, strokeDash=[6, 4], strokeWidth=2))
        layers.append(
            rule.mark_text(
                align="left", baseline="bottom", dx=4, dy=-4, color=TARGET_COLOR,
                fontWeight="bold",
            ).encode(y=alt.value(0), text="label:N")
        )  # fmt: skip
    return _layered(
        layers, big=big, title=title, height=alt.Step(BIG_BAR_STEP if big else BAR_STEP)
    )


def _status_color(present: list[str]) -> alt.Color:
    """Status colours and labels, in status order, for the statuses present in a chart."""
    labels = [STATUS_LABELS[s] for s in present]
    return alt.Color(
        "status_label:N",
        title="Status",
        sort=labels,
        scale=alt.Scale(domain=labels, range=[STATUS_COLORS[s] for s in present]),
    )


def status_chart(counts: pd.DataFrame, *, big: bool = False) -> alt.TopLevelMixin:
    """Measures per status per action field (field, status, count) as stacked bars, in the
    order of the fields as given."""
    df = counts[counts["count"] > 0].copy()
    fields = list(dict.fromkeys(counts["field"]))
    df["status_label"] = df["status"].map(STATUS_LABELS)
    df["order"] = df["status"].map(STATUS_ORDER.index)
    present = [s for s in STATUS_ORDER if s in set(df["status"])]
    color = _status_color(present)
    y = alt.Y("field:N", sort=fields, title=None, axis=alt.Axis(labelLimit=380))
    x = alt.X("count:Q", title="Maßnahmen", stack="zero", axis=alt.Axis(format="d", tickMinStep=1))
    tip = [
        alt.Tooltip("field:N", title="Handlungsfeld"),
        alt.Tooltip("status_label:N", title="Status"),
        alt.Tooltip("count:Q", title="Maßnahmen"),
    ]
    base = alt.Chart(df).encode(y=y, x=x, order=alt.Order("order:Q"))
    bars = base.mark_bar(stroke="white", strokeWidth=1).encode(color=color, tooltip=tip)
    text = base.mark_text(dx=-10, color="white", fontWeight="bold").encode(
        x=alt.X("count:Q", stack="zero", bandPosition=1),
        text="count:Q",
        tooltip=tip,
    )
    # The count sits at the right end of each segment; dark text on the light colours.
    text = text.encode(
        color=alt.condition(
            "datum.status == 'planned' || datum.status == 'preparing'",
            alt.value("#000000"),
            alt.value("#FFFFFF"),
        )
    )
    return _layered([bars, text], big=big, height=alt.Step(36 if big else 30))


def roadmap_chart(
    measures: pd.DataFrame,
    *,
    today: str | None = None,
    width: int = 560,
    big: bool = False,
) -> alt.TopLevelMixin:
    """Planned start to end of each measure (field, measure, status, start, end) as bars,
    one panel per action field in the given order; 'heute' as a vertical rule."""
    cols = ["field", "measure", "status", "start", "end", "responsible"]
    df = measures.dropna(subset=["start", "end"])[cols].copy()
    df["responsible"] = df["responsible"].fillna("–")
    df = df[df["start"].astype(str) <= df["end"].astype(str)]
    fields = list(dict.fromkeys(measures["field"]))
    df["von"] = _date(df["start"])
    # A bar runs to the end of its end month.
    end = pd.to_datetime(df["end"].astype(str) + "-01") + pd.offsets.MonthBegin(1)
    df["bis"] = end.dt.strftime("%Y-%m-%d")
    df["status_label"] = df["status"].map(STATUS_LABELS)
    df["zeitraum"] = [
        f"{format_month(a)} bis {format_month(b)}"
        for a, b in zip(df["start"], df["end"], strict=True)
    ]
    present = [s for s in STATUS_ORDER if s in set(df["status"])]
    order = list(df["measure"])
    bars = (
        alt.Chart()
        .mark_bar(cornerRadius=3, height=alt.RelativeBandSize(0.7))
        .encode(
            x=alt.X(
                "von:T",
                title=None,
                axis=alt.Axis(
                    format="%Y", labelAngle=0, grid=True, tickCount={"interval": "year", "step": 1}
                ),
            ),
            x2="bis:T",
            y=alt.Y("measure:N", sort=order, title=None, axis=alt.Axis(labelLimit=340)),
            color=_status_color(present),
            tooltip=[
                alt.Tooltip("measure:N", title="Maßnahme"),
                alt.Tooltip("status_label:N", title="Status"),
                alt.Tooltip("zeitraum:N", title="Zeitraum"),
                alt.Tooltip("responsible:N", title="Verantwortlich"),
            ],
        )
    )
    layers = [bars]
    if today:
        layers.append(
            alt.Chart()
            .mark_rule(color=TARGET_COLOR, strokeDash=[4, 3], strokeWidth=2)
            .encode(x=alt.datum(alt.DateTime(year=int(today[:4]), month=int(today[5:7]), date=15)))
        )
    chart = (
        alt.layer(*layers, data=df)
        .properties(width=width, height=alt.Step(34 if big else 28))
        .facet(
            row=alt.Row(
                "field:N",
                sort=fields,
                title=None,
                header=alt.Header(
                    labelAngle=0,
                    labelAlign="left",
                    labelAnchor="start",
                    labelOrient="top",
                    labelFontWeight="bold",
                    labelLimit=0,
                ),
            ),
            spacing=10,
        )
        .resolve_scale(y="independent")
    )
    return localize(chart, big=big)


def _grid_x() -> alt.X:
    """The month axis of a row x month grid (Datenstand): one column per month."""
    return alt.X(
        "date:O",
        timeUnit="utcyearmonth",
        title=None,
        axis=alt.Axis(format="%b %y", labelAngle=-45, labelOverlap=True),
    )


def coverage_chart(
    grid: pd.DataFrame, *, row: str = "service", row_title: str | None = None
) -> alt.TopLevelMixin:
    """A row x month grid (row, month, state in vollständig/unvollständig/fehlt)."""
    df = grid.copy()
    df["date"] = _date(df["month"])
    df["monat"] = df["month"].map(format_month)
    rows = list(dict.fromkeys(df[row]))
    tip = [
        alt.Tooltip(f"{row}:N", title=row_title or "Leistung"),
        alt.Tooltip("monat:N", title="Monat"),
        alt.Tooltip("state:N", title="Stand"),
    ]
    if "detail" in df.columns:
        tip.append(alt.Tooltip("detail:N", title="Leistungen"))
    chart = (
        alt.Chart(df)
        .mark_rect(stroke="white", strokeWidth=1.5)
        .encode(
            x=_grid_x(),
            y=alt.Y(f"{row}:N", sort=rows, title=None, axis=alt.Axis(labelLimit=340)),
            color=alt.Color(
                "state:N",
                title="Monat gemeldet",
                scale=alt.Scale(domain=COVERAGE_STATES, range=COVERAGE_COLORS),
            ),
            tooltip=tip,
        )
        .properties(height=alt.Step(26), width="container")
    )
    return localize(chart)


# Okabe-Ito, in db.deadlines.STATES order: on time, late, overdue, pending, no deadline.
DEADLINE_COLORS = ["#009E73", "#E69F00", "#D55E00", "#56B4E9", "#D9D9D9"]


def deadline_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    """Department x month, coloured by the deadline mark (frame: department, month, state
    as a label of db.labels.DEADLINE_LABELS, detail)."""
    df = frame.assign(date=_date(frame["month"]), monat=frame["month"].map(format_month))
    chart = (
        alt.Chart(df)
        .mark_rect(stroke="white", strokeWidth=1.5)
        .encode(
            x=_grid_x(),
            y=alt.Y(
                "department:N",
                sort=list(dict.fromkeys(df["department"])),
                title=None,
                axis=alt.Axis(labelLimit=340),
            ),
            color=alt.Color(
                "state:N",
                title="Meldefrist",
                scale=alt.Scale(domain=list(DEADLINE_LABELS.values()), range=DEADLINE_COLORS),
            ),
            tooltip=[
                alt.Tooltip("department:N", title="Fachbereich"),
                alt.Tooltip("monat:N", title="Monat"),
                alt.Tooltip("detail:N", title="Stand"),
            ],
        )
        .properties(height=alt.Step(26), width="container")
    )
    return localize(chart)
