"""Exports: German CSV, real .xlsx, formulas neutralized."""

import csv
import io

import openpyxl
import pandas as pd

from dashboard.export import to_csv_bytes, to_xlsx_bytes

HOSTILE = pd.DataFrame(
    {"Leistung": ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "Urkunde"],
     "Anteil": [0.1, 0.25, 0.5, 0.75, 0.298]}
)  # fmt: skip


def test_csv_neutralizes_formulas_and_uses_german_decimals():
    text = to_csv_bytes(HOSTILE).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Leistung", "Anteil"]
    assert rows[1] == ["'=HYPERLINK(\"http://x\")", "0,1"]
    assert rows[2] == ["'+1+1", "0,25"]
    assert rows[5] == ["Urkunde", "0,298"]


def test_xlsx_stores_formula_like_text_as_text():
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(HOSTILE)))
    ws = wb.active
    assert ws["A2"].data_type == "s"
    assert ws["A2"].value == '=HYPERLINK("http://x")'
    assert ws["B6"].value == 0.298
