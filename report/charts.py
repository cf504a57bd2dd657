"""Uptake charts for the report and the session slides (DataFrame -> alt.Chart), and images."""

import altair as alt
import pandas as pd
import vl_convert

from db.figures import monthly_sums, small_base
from db.german import MONTH_ABBR, MONTH_FULL, format_month

# Okabe-Ito, colour-blind safe; lines are told apart by stroke dash as well.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [10, 2], [1, 3], [12, 4]]
ONLINE_COLOR, OFFICE_COLOR = "#0072B2", "#BBBBBB"
# German number and time formats inside the chart itself, so the browser's locale and
# vl-convert render the same labels ("30 %", "Okt. 2021").
NUMBER_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " €"],
                 "percent": "\u00a0%"}  # fmt: skip
TIME_LOCALE = {
    "dateTime": "%A, %e. %B %Y, %X",
    "date": "%d.%m.%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
    "months": MONTH_FULL,
    "shortMonths": MONTH_ABBR,
}
MONTH_AXIS = alt.Axis(format="%b %Y", title=None, labelAngle=0, labelOverlap=True, grid=False)


def _dated(uptake: pd.DataFrame) -> pd.DataFrame:
    df = uptake.copy()
    df["date"] = df["month"].astype(str) + "-01"
    df["small"] = small_base(df)  # shown lighter
    for c in ("total", "online"):
        df[c] = df[c].astype(float)
    return df


def german(chart: alt.TopLevelMixin, *, big: bool = False) -> alt.TopLevelMixin:
    """German locale and readable fonts (larger on the projector); apply last."""
    size = 18 if big else 11
    return (
        chart.configure(
            locale=alt.Locale(number=NUMBER_LOCALE, time=TIME_LOCALE),
            font="DejaVu Sans, Arial, sans-serif",
        )
        .configure_axis(labelFontSize=size, titleFontSize=size)
        .configure_legend(
            labelFontSize=size, titleFontSize=size, labelLimit=400, orient="bottom", columns=2
        )
        .configure_title(fontSize=size + 3, anchor="start")
        .configure_header(labelFontSize=size, titleFontSize=size)
        .configure_view(stroke=None)
    )


def _x(title: str | None = None) -> alt.X:
    return alt.X("date:T", timeUnit="utcyearmonth", axis=MONTH_AXIS, title=title)


def _tooltip() -> list:
    return [
        alt.Tooltip("service:N", title="Leistung"),
        alt.Tooltip("date:T", timeUnit="utcyearmonth", format="%B %Y", title="Monat"),
        alt.Tooltip("total:Q", format=",d", title="Anträge gesamt"),
        alt.Tooltip("online:Q", format=",d", title="davon online"),
        alt.Tooltip("online_share:Q", format=".1%", title="Onlinequote"),
    ]


def share_lines(
    uptake: pd.DataFrame,
    *,
    title: str | None = None,
    width: int = 640,
    height: int = 260,
    big: bool = False,
) -> alt.TopLevelMixin:
    """Online share per month, one line per service (best with up to eight services)."""
    df = _dated(uptake[uptake["online_share"].notna()])
    names = list(dict.fromkeys(df["service"]))
    color = alt.Color(
        "service:N",
        title="Leistung",
        scale=alt.Scale(domain=names, range=PALETTE),
        legend=alt.Legend(symbolStrokeWidth=3, symbolType="stroke"),
    )
    dash = alt.StrokeDash("service:N", scale=alt.Scale(domain=names, range=DASHES), legend=None)
    y = alt.Y(
        "online_share:Q",
        title="Onlinequote",
        axis=alt.Axis(format=".0%"),
        scale=alt.Scale(domain=[0, max(0.1, float(df["online_share"].max() or 0))], nice=True),
    )
    base = alt.Chart(df).encode(x=_x(), y=y, color=color)
    lines = base.mark_line(strokeWidth=4 if big else 2.5).encode(strokeDash=dash)
    points = base.mark_point(filled=True, size=60 if big else 25).encode(
        opacity=alt.condition("datum.small", alt.value(0.35), alt.value(1)), tooltip=_tooltip()
    )
    props = {"width": width, "height": height}
    if title:
        props["title"] = title
    return german((lines + points).properties(**props), big=big)


def facet_top(uptake: pd.DataFrame) -> float:
    """The top of the small multiples' shared scale: the highest share, up to the next 10 %."""
    top = float(uptake["online_share"].max() or 0) if uptake["online_share"].notna().any() else 0
    return min(1.0, max(0.1, -(-round(top * 100, 6) // 10) / 10))


def share_facets(
    uptake: pd.DataFrame, *, columns: int = 3, width: int = 170, height: int = 90
) -> alt.TopLevelMixin:
    """Small multiples: the online share of each service in its own panel, all panels on
    one scale (0 to facet_top), so that 10 % never looks as tall as 30 %."""
    df = _dated(uptake[uptake["online_share"].notna()])
    top = facet_top(df)
    chart = (
        alt.Chart(df)
        .mark_area(line={"color": ONLINE_COLOR}, color=ONLINE_COLOR, opacity=0.25)
        .encode(
            x=alt.X(
                "date:T",
                timeUnit="utcyearmonth",
                title=None,
                axis=alt.Axis(format="%b %y", labelAngle=0, tickCount=3, grid=False),
            ),
            y=alt.Y(
                "online_share:Q",
                title=None,
                axis=alt.Axis(format=".0%", tickCount=3),
                scale=alt.Scale(domain=[0, top], nice=False),
            ),
            tooltip=_tooltip(),
        )
        .properties(width=width, height=height)
        .facet(
            facet=alt.Facet("service:N", title=None, header=alt.Header(labelFontWeight="bold")),
            columns=columns,
        )
        .resolve_scale(y="shared")
        .resolve_axis(x="independent", y="independent")
    )
    return german(chart)


def volume_bars(
    uptake: pd.DataFrame,
    *,
    title: str | None = None,
    width: int = 640,
    height: int = 220,
    big: bool = False,
) -> alt.TopLevelMixin:
    """Requests per month over the given services, stacked: online and other channels."""
    sums = monthly_sums(uptake)
    sums["office"] = sums["total"] - sums["online"]
    long = sums.melt(id_vars="month", value_vars=["online", "office"], var_name="channel")
    long["channel"] = long["channel"].map({"online": "online", "office": "vor Ort / andere Wege"})
    long["order"] = (long["channel"] != "online").astype(int)
    long["value"] = long["value"].astype(float)
    # Ordinal months: a bar then stands over its own month's label, not between two.
    months = sorted(sums["month"])
    labels = [format_month(m) for m in months]
    long["label"] = long["month"].map(dict(zip(months, labels, strict=True)))
    step = max(1, len(months) // 8)
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(
                "label:O",
                sort=labels,
                title=None,
                axis=alt.Axis(labelAngle=0, values=labels[::-1][::step][::-1]),
            ),
            y=alt.Y("value:Q", title="Anträge", stack="zero", axis=alt.Axis(format=",d")),
            color=alt.Color(
                "channel:N",
                title="Antragsweg",
                scale=alt.Scale(
                    domain=["online", "vor Ort / andere Wege"], range=[ONLINE_COLOR, OFFICE_COLOR]
                ),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("label:N", title="Monat"),
                alt.Tooltip("channel:N", title="Antragsweg"),
                alt.Tooltip("value:Q", format=",d", title="Anträge"),
            ],
        )
    )
    props = {"width": width, "height": height}
    if title:
        props["title"] = title
    return german(chart.properties(**props), big=big)


def to_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """PNG through vl-convert (no browser); the German locale is part of the chart."""
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=scale)
