"""Chart builders: assertions on the Vega-Lite spec (no Streamlit, no browser)."""

import json

import altair as alt
import pandas as pd
import pytest
import vl_convert

from dashboard import charts

UPTAKE = pd.DataFrame(
    {
        "service": ["Personenstandsurkunde"] * 4,
        "month": ["2021-09", "2021-10", "2021-11", "2021-12"],
        "total": pd.array([640, 681, 15, None], dtype="Int64"),
        "online": pd.array([180, 203, 6, 70], dtype="Int64"),
        "online_share": [180 / 640, 203 / 681, 6 / 15, None],
        "online_source": ["report", "report", "report", "portal"],
    }
)


def units(spec: dict) -> list[dict]:
    """Every single-mark view of a (layered, faceted) spec."""
    found = []
    if "mark" in spec:
        found.append(spec)
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in spec.get(key, []):
            found += units(child)
    if "spec" in spec:
        found += units(spec["spec"])
    return found


def rows(spec: dict, unit: dict) -> list[dict]:
    name = (unit.get("data") or {}).get("name")
    return spec["datasets"][name] if name else []


def mark(unit: dict) -> str:
    m = unit["mark"]
    return m if isinstance(m, str) else m["type"]


def texts(spec: dict) -> set[str]:
    """Every text a text mark shows."""
    out = set()
    for u in units(spec):
        if mark(u) == "text":
            field = u["encoding"]["text"]["field"]
            out |= {r[field] for r in rows(spec, u) if r.get(field)}
    return out


def assert_german(spec: dict) -> None:
    locale = spec["config"]["locale"]
    assert locale["number"]["decimal"] == "," and locale["number"]["thousands"] == "."
    assert "Okt." in locale["time"]["shortMonths"]


def compiles(chart) -> dict:  # noqa: ANN001
    """The chart compiles to Vega (what the browser and vl-convert run)."""
    vega = vl_convert.vegalite_to_vega(chart.to_dict())
    return json.loads(vega) if isinstance(vega, str) else vega


def test_uptake_chart_bars_line_target_markers():
    markers = pd.DataFrame({"nr": [1, 2, 3], "month": ["2020-01", "2021-10", "2021-10"],
                            "event": ["vor dem Zeitraum", "E-Payment", "DMS"]})  # fmt: skip
    chart = charts.uptake_chart(UPTAKE, target=(0.5, "2027-06"), markers=markers)
    spec = chart.to_dict()
    assert_german(spec)
    marks = [mark(u) for u in units(spec)]
    assert marks.count("bar") == 2 and "line" in marks and "rule" in marks
    shown = texts(spec)
    assert "Ziel 50 % bis Juni 2027" in shown  # a later due date, in the label
    # Markers are numbered; the marks of one month share a rule and a label; outside the
    # months shown there is none.
    assert "2, 3" in shown and "1" not in shown
    # The share axis is on the right and in percent; counts on the left with German grouping.
    axes = [u["encoding"]["y"].get("axis") for u in units(spec) if "y" in u["encoding"]]
    assert any(a and a.get("orient") == "right" and a["format"] == ".0%" for a in axes)
    assert any(a and a.get("format") == ",d" for a in axes)
    # One legend for bars, line, the grey small-number points (15 requests in Nov.) and the
    # month with one channel only (Dec.: online only).
    scale = next(u["encoding"]["color"]["scale"] for u in units(spec) if mark(u) == "bar")
    assert scale["domain"] == ["Anträge gesamt", "davon online", "Onlinequote",
                               charts.SMALL_LABEL, charts.INCOMPLETE_LABEL]  # fmt: skip
    assert scale["range"][:3] == [charts.TOTAL_COLOR, charts.ONLINE_COLOR, charts.SHARE_COLOR]
    # Dec. has no bar (70 online of an unknown total would look like a drop), but a shade.
    for bar in (u for u in units(spec) if mark(u) == "bar"):
        assert "2021-12" not in {r["month"] for r in rows(spec, bar)}
    shade = next(u for u in units(spec) if mark(u) == "rect")
    assert [r["month"] for r in rows(spec, shade)] == ["2021-12"]
    # The tooltip shows German figures: '29,8 %', '681'.
    line = next(u for u in units(spec) if mark(u) == "line" and u["encoding"].get("tooltip"))
    oct_row = next(r for r in rows(spec, line) if r["month"] == "2021-10")
    assert (oct_row["quote"], oct_row["gesamt"], oct_row["monat"]) == ("29,8 %", "681", "Okt. 2021")
    # The time axis spans the months of the figures only, not the target's 2027.
    for u in units(spec):
        x = u["encoding"].get("x", {})
        assert "scale" not in x or "domain" not in x["scale"]
    ticks = next(u["encoding"]["x"]["axis"]["values"] for u in units(spec) if mark(u) == "bar")
    assert [(t["year"], t["month"]) for t in ticks] == [
        (2021, 9),
        (2021, 10),
        (2021, 11),
        (2021, 12),
    ]
    compiles(chart)


def test_uptake_chart_without_extras_has_no_target_or_small_legend():
    df = UPTAKE.iloc[:2]
    spec = charts.uptake_chart(df).to_dict()
    assert not any(mark(u) == "rule" for u in units(spec))
    scale = next(u["encoding"]["color"]["scale"] for u in units(spec) if mark(u) == "bar")
    assert charts.SMALL_LABEL not in scale["domain"]


def test_share_lines_chart_colour_and_dash_per_service():
    other = UPTAKE.assign(service="Meldebescheinigung", online_share=[0.1, 0.2, 0.3, None])
    chart = charts.share_lines_chart(pd.concat([UPTAKE, other]), target=(0.5, "2022-12"))
    spec = chart.to_dict()
    assert_german(spec)
    line = next(u for u in units(spec) if mark(u) == "line")
    assert line["encoding"]["color"]["scale"]["domain"] == ["Personenstandsurkunde",
                                                            "Meldebescheinigung"]  # fmt: skip
    assert line["encoding"]["color"]["scale"]["range"] == charts.PALETTE[:2]
    assert line["encoding"]["strokeDash"]["scale"]["range"] == charts.DASHES[:2]
    assert "Ziel 50 % bis Dez. 2022" in texts(spec)
    # Small-number points are drawn hollow and grey.
    grey = [u for u in units(spec) if mark(u) == "point" and u["mark"].get("color")]
    assert grey and grey[0]["mark"]["color"] == charts.SMALL_COLOR
    compiles(chart)


def test_share_lines_chart_with_named_series_and_big_type():
    totals = pd.DataFrame({"month": ["2023-01", "2023-02"], "total": [100, 200],
                           "online": [10, 30], "online_share": [0.1, 0.15]})  # fmt: skip
    spec = charts.share_lines_chart(
        totals.assign(series="Alle Leistungen"),
        series="series",
        target=(0.3, "2024-12"),
        target_name="Gesamtziel",
        big=True,
    ).to_dict()
    assert "Gesamtziel 30 % bis Dez. 2024" in texts(spec)
    assert spec["config"]["axis"]["labelFontSize"] == charts.BIG_TEXT == 21


def test_share_by_service_chart_ranks_and_labels_with_base():
    month = pd.DataFrame(
        {
            "service": ["Meldebescheinigung", "Personenstandsurkunde", "Baumfällgenehmigung",
                        "Wohngeld"],
            "total": [251, 681, 12, None],
            "online": [47, 203, 3, 5],
            "online_share": [47 / 251, 203 / 681, 3 / 12, None],
        }
    )  # fmt: skip
    targets = pd.DataFrame({"service": ["Meldebescheinigung"], "share": [0.4]})
    chart = charts.share_by_service_chart(month, target=(0.5, "2025-12"), service_targets=targets)
    spec = chart.to_dict()
    bars = next(u for u in units(spec) if mark(u) == "bar")
    assert bars["encoding"]["y"]["sort"] == [
        "Personenstandsurkunde",
        "Baumfällgenehmigung",
        "Meldebescheinigung",
    ]  # fmt: skip  (incomplete 'Wohngeld' is left out)
    assert "29,8 % · 203 von 681" in texts(spec)
    colours = {r["service"]: r["basis"] for r in rows(spec, bars)}
    assert colours["Baumfällgenehmigung"] == charts.SMALL_LABEL
    assert colours["Personenstandsurkunde"] == "Onlinequote"
    assert [mark(u) for u in units(spec)].count("rule") == 1
    tick = next(u for u in units(spec) if mark(u) == "tick")
    assert rows(spec, tick)[0]["ziel"] == "40 %"
    compiles(chart)


def test_status_chart_fields_in_order_and_status_colours():
    counts = pd.DataFrame(
        {
            "field": ["B-Feld", "B-Feld", "A-Feld"],
            "status": ["in_progress", "planned", "done"],
            "count": [2, 1, 1],
        }
    )
    chart = charts.status_chart(counts)
    spec = chart.to_dict()
    bar = next(u for u in units(spec) if mark(u) == "bar")
    assert bar["encoding"]["y"]["sort"] == ["B-Feld", "A-Feld"]
    scale = bar["encoding"]["color"]["scale"]
    assert scale["domain"] == ["geplant", "in Umsetzung", "umgesetzt"]
    assert scale["range"] == [charts.STATUS_COLORS[s] for s in ("planned", "in_progress", "done")]
    compiles(chart)


def test_roadmap_chart_panels_per_field_and_today():
    measures = pd.DataFrame(
        {
            "field": ["Elektronische Bürgerservices › Online Services", "DMS", "DMS"],
            "measure": ["Portal", "Einführung", "Ohne Termin"],
            "status": ["in_progress", "planned", "planned"],
            "start": ["2021-01", "2022-03", None],
            "end": ["2022-12", "2024-06", None],
            "responsible": ["Stabsstelle", None, None],
        }
    )
    chart = charts.roadmap_chart(measures, today="2023-05")
    spec = chart.to_dict()
    assert spec["facet"]["row"]["sort"] == ["Elektronische Bürgerservices › Online Services", "DMS"]
    assert spec["resolve"]["scale"]["y"] == "independent"
    data = spec["datasets"][spec["data"]["name"]]
    assert [r["measure"] for r in data] == ["Portal", "Einführung"]  # no dates: not drawn
    portal = data[0]
    assert (portal["von"], portal["bis"]) == ("2021-01-01", "2023-01-01")  # to the end of Dec.
    assert portal["zeitraum"] == "Jan. 2021 bis Dez. 2022"
    rule = next(u for u in units(spec) if mark(u) == "rule")
    assert rule["encoding"]["x"]["datum"] == {"year": 2023, "month": 5, "date": 15}
    compiles(chart)


def test_coverage_chart_states_and_colours():
    grid = pd.DataFrame(
        {
            "service": ["A", "A", "B", "B"],
            "month": ["2023-12", "2024-01"] * 2,
            "state": ["vollständig", "unvollständig", "vollständig", "fehlt"],
        }
    )
    chart = charts.coverage_chart(grid)
    spec = chart.to_dict()
    assert_german(spec)
    color = spec["encoding"]["color"]
    assert color["scale"]["domain"] == ["vollständig", "unvollständig", "fehlt", "entfällt"]
    assert color["scale"]["range"] == charts.COVERAGE_COLORS
    assert {r["monat"] for r in spec["datasets"][spec["data"]["name"]]} == {
        "Dez. 2023",
        "Jan. 2024",
    }
    compiles(chart)


@pytest.mark.parametrize(
    "colour", [c for c in charts.PALETTE + [charts.ONLINE_COLOR, charts.SHARE_COLOR]]
)
def test_palette_is_okabe_ito(colour):
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}  # fmt: skip
    assert colour in okabe_ito


def text_boxes(spec: dict, width: int) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every visible text of the chart drawn `width` px wide, as (text, box): positions from
    Vega's own scene graph (vl-convert), widths estimated generously (0.6 em a character)."""
    spec = {**spec, "width": width}
    scene = vl_convert.vegalite_to_scenegraph(spec)["scenegraph"]
    out = []

    def walk(node: dict, dx: float, dy: float) -> None:
        for item in node.get("items", []):
            x, y = dx + item.get("x", 0), dy + item.get("y", 0)
            if node.get("marktype") == "text":
                if not item.get("text") or item.get("opacity", 1) == 0 or item.get("angle"):
                    continue
                size = item.get("fontSize", 11)
                w = len(str(item["text"])) * size * 0.6
                left = {"left": x, "right": x - w}.get(item.get("align"), x - w / 2)
                top = {"top": y, "bottom": y - size, "alphabetic": y - size * 0.8}.get(
                    item.get("baseline"), y - size / 2
                )
                left += item.get("dx", 0)
                top += item.get("dy", 0)
                out.append((str(item["text"]), (left, top, left + w, top + size)))
            elif node.get("marktype") == "group":
                for child in item.get("items", []):
                    walk(child, x, y)
            for child in item.get("items", []) if node.get("marktype") != "group" else []:
                walk(child, x, y)

    walk(scene, 0, 0)
    return out


def overlaps(boxes: list) -> list[tuple[str, str]]:
    """Pairs of different labels whose boxes intersect (a label drawn twice at the same
    place, as a white halo under it, is one label)."""
    found = []
    for i, (a, (l1, t1, r1, b1)) in enumerate(boxes):
        for b, (l2, t2, r2, b2) in boxes[i + 1 :]:
            if a == b and (l1, t1) == (l2, t2):
                continue
            if l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1:
                found.append((a, b))
    return found


def _dense_chart() -> alt.TopLevelMixin:
    months = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)]
    n = len(months)
    uptake = pd.DataFrame({
        "service": ["Meldebescheinigung"] * n, "month": months,
        "total": pd.array([800 + i for i in range(n - 1)] + [None], dtype="Int64"),
        "online": pd.array([200 + 9 * i for i in range(n)], dtype="Int64"),
        "online_share": [(200 + 9 * i) / (800 + i) for i in range(n - 1)] + [None],
        "online_source": ["report"] * n,
    })  # fmt: skip
    marked = sorted([*months, months[5], months[-1]])
    markers = pd.DataFrame({"nr": range(1, len(marked) + 1), "month": marked,
                            "event": ["x"] * len(marked)})  # fmt: skip
    return charts.uptake_chart(uptake, target=(0.6, "2027-12"), markers=markers)


@pytest.mark.parametrize("width", [charts.MIN_PLOT_WIDTH + 120, 700, 1100])
def test_no_two_labels_of_the_service_chart_overlap(width):
    """Dense marks (a status change every month, two in one), a target due years after the
    figures, a month with one channel: no label touches another or an axis label."""
    chart = _dense_chart()
    boxes = text_boxes(chart.to_dict(), width)
    shown = [t for t, _box in boxes]
    assert "Ziel 60 % bis Dez. 2027" in shown and "6, 7" in shown and "25, 26" in shown
    assert any("2022" in t for t in shown) and "Anträge gesamt" in shown  # axis and legend
    assert overlaps(boxes) == []


def test_the_overlap_check_sees_numbers_that_touch(monkeypatch):
    """The check above can fail: rows laid out for a far wider plot put the numbers of
    neighbouring months side by side, and at 560 px they touch."""
    monkeypatch.setattr(charts, "MIN_PLOT_WIDTH", 5000)
    boxes = text_boxes(_dense_chart().to_dict(), 560)
    assert overlaps(boxes) != []
