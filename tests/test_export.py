"""Exports: German CSV, real .xlsx, formulas neutralized."""

import csv
import io

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard.export import (
    chart_png_bytes,
    chart_svg_bytes,
    file_name,
    sheet_title,
    to_csv_bytes,
    to_xlsx_bytes,
)
from report.charts import share_lines, volume_bars

HOSTILE = pd.DataFrame(
    {"Leistung": ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "Urkunde"],
     "Anteil": [0.1, 0.25, 0.5, 0.75, 0.298]}
)  # fmt: skip


def test_csv_neutralizes_formulas_and_uses_german_decimals():
    text = to_csv_bytes(HOSTILE).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Leistung", "Anteil"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "0,1"]
    assert rows[2] == ["'+1+1", "0,25"]
    assert rows[5] == ["Urkunde", "0,298"]


@pytest.mark.parametrize(
    "name",
    ["An-/Ummeldung 2021 bis 2022", "Onlinequote: Okt. 2021", "[Test] *?", "'Zitat'", "History",
     "Leistung mit einem sehr langen Namen, länger als einunddreißig Zeichen", ""],
)  # fmt: skip
def test_xlsx_for_any_service_name(name):
    """What was seen: the Excel download did nothing for a name with '/' or ':' (openpyxl
    refused the sheet title)."""
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(HOSTILE, sheet=name)))
    title = wb.active.title
    assert 0 < len(title) <= 31 and not set(title) & set("/\\*?:[]")
    assert wb.active["A6"].value == "Urkunde"


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(names=st.lists(st.text(max_size=40), min_size=1, max_size=5))
def test_sheet_titles_are_valid_and_unique_for_every_name(names):
    wb, taken = openpyxl.Workbook(), set()
    wb.remove(wb.active)
    for name in names:
        title = sheet_title(name, taken)
        assert title.casefold() not in {t.casefold() for t in taken}
        wb.create_sheet(title)  # openpyxl refuses what Excel would refuse
        taken.add(title)
        assert 0 < len(title) <= 31 and title[0] != "'" and title[-1] != "'"
    buf = io.BytesIO()
    wb.save(buf)
    assert len(set(openpyxl.load_workbook(buf).sheetnames)) == len(names)


def test_xlsx_stores_formula_like_text_as_text():
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(HOSTILE)))
    ws = wb.active
    assert ws["A2"].data_type == "s"
    assert ws["A2"].value == '=HYPERLINK("http://x")'
    assert ws["B6"].value == 0.298


UPTAKE = pd.DataFrame(
    {
        "service": ["Personenstandsurkunde"] * 3 + ["Meldebescheinigung"] * 3,
        "department": ["FB 3"] * 6,
        "month": ["2021-08", "2021-09", "2021-10"] * 2,
        "total": pd.array([578, 689, 681, 203, 261, 251], dtype="Int64"),
        "online": pd.array([102, 138, 203, 28, 38, 47], dtype="Int64"),
        "online_share": [102 / 578, 138 / 689, 203 / 681, 28 / 203, 38 / 261, 47 / 251],
    }
)


def test_chart_as_svg_has_german_months_and_percentages():
    chart = share_lines(UPTAKE, title="Onlinequote")
    svg = chart_svg_bytes(chart).decode()
    assert svg.startswith("<svg")
    assert "Okt. 2021" in svg and "Sept. 2021" in svg
    assert "30\u00a0%" in svg or "30&#160;%" in svg  # German percent with a space
    assert "Oct" not in svg


def test_chart_as_png_and_from_a_plain_spec():
    png = chart_png_bytes(volume_bars(UPTAKE))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # A spec without its own locale (e.g. from another page) still gets German formats.
    spec = {
        "data": {"values": [{"m": "2021-10-01", "v": 1234.5}]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "m", "type": "temporal", "timeUnit": "utcyearmonth",
                  "axis": {"format": "%B %Y"}},
            "y": {"field": "v", "type": "quantitative", "axis": {"format": ",.1f"}},
        },
    }  # fmt: skip
    svg = chart_svg_bytes(spec).decode()
    assert "Oktober 2021" in svg
    assert "1.000,0" in svg
    assert chart_png_bytes(spec, scale=1).startswith(b"\x89PNG")


def test_download_file_names_are_safe():
    assert file_name("Onlinequote je Leistung", "csv") == "Onlinequote_je_Leistung.csv"
    assert file_name("../../etc/passwd", "png") == "etc_passwd.png"
    assert file_name("", "svg") == "Export.svg"


def test_buttons_under_a_table_and_a_chart():
    def page() -> None:
        import pandas as pd

        from dashboard.export_buttons import chart_downloads, table_downloads
        from report.charts import share_lines

        df = pd.DataFrame(
            {"service": ["A", "A"], "department": ["X", "X"], "month": ["2021-09", "2021-10"],
             "total": [10, 20], "online": [1, 5], "online_share": [0.1, 0.25]}
        )  # fmt: skip
        table_downloads(df, "Tabelle")
        chart_downloads(share_lines(df), "Diagramm")

    at = AppTest.from_function(page).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["CSV", "Excel", "PNG", "SVG"]


def test_page_charts_drawn_as_wide_as_the_page_export_at_a_fixed_width():
    """The dashboard's charts have width "container"; their PNG and SVG get a width."""
    from dashboard import charts
    from dashboard.export import EXPORT_WIDTH

    spec = charts.share_lines_chart(UPTAKE).to_dict()
    assert spec.get("width", "container") == "container"
    svg = chart_svg_bytes(spec).decode()
    width = float(svg.split('width="', 1)[1].split('"', 1)[0])
    assert EXPORT_WIDTH <= width < 2 * EXPORT_WIDTH  # the plot, plus axis and legend
    assert chart_png_bytes(spec, scale=1).startswith(b"\x89PNG")
