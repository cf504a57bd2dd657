"""Finding the header row and the layout of a sheet, whatever the column names look like."""

import pytest
from conftest import write_xlsx

from ingest.columns import BlockMonth, block_months, find_header, header_key, looked_for
from ingest.read import Sheet, read_workbook


@pytest.mark.parametrize(
    "cell", ["Anträge gesamt", "ANTRÄGE GESAMT", "  Anträge gesamt  ", "Anträge gesamt:",
             "Anträge\ngesamt", "Anträge \r\n  gesamt :"],
)  # fmt: skip
def test_header_key_ignores_case_spaces_colon_and_line_breaks(cell):
    assert header_key(cell) == "anträge gesamt"


def _header(rows: list[list], kind: str = "counts"):  # noqa: ANN202
    return find_header(Sheet("S", rows), kind)


@pytest.mark.parametrize(
    ("row", "layout"),
    [
        (["Leistung", "Monat", "Anträge gesamt", "davon online"], "report"),
        (["Dienstleistung", "Berichtsmonat", "insgesamt", "online"], "report"),
        (["Produkt", "Zeitraum", "vor Ort", "Online-Anträge"], "report"),
        (["Verwaltungsleistung", "gesamt", "davon vor Ort", "über Serviceportal"], "report"),
        (["Leistung", "Anzahl gesamt", "analog", "davon über Serviceportal", "offline"], "report"),
        (["Leistung", "Summe", "offline"], "report"),
        (["Monat", "Leistung", "Kanal", "Anzahl"], "long"),
        (["Monat", "Leistung", "Zugang", "Anträge"], "long"),
        (["Monat", "Leistung", "Eingangskanal", "Fallzahl"], "long"),
        (["Antragsnummer", "Dienstleistung", "Eingangsdatum", "Status"], "portal"),
        (["Leistung", "Antragsdatum"], "portal"),
        (["Leistung", "eingegangen am"], "portal"),
        (["Leistung", "Eingang"], "portal"),
    ],
)
def test_count_layouts(row, layout):
    assert _header([row]).layout == layout


def test_header_needs_a_service_column_and_a_layout():
    assert _header([["Monat", "Anträge gesamt", "davon online"]]) is None
    assert _header([["Leistung", "Anträge gesamt"]]) is None  # one count column is no layout
    assert _header([["Leistung", "Fachbereich"]]) is None


def test_header_below_title_rows_notes_and_blank_rows():
    rows = [
        ["Monatsmeldung Fachbereich 3"],
        [],
        ["Hinweis: bitte bis zum 5. des Folgemonats senden", None, "Stand 01.11.2021"],
        [None, None, None, None],
        [None, "Leistung:", "Monat", "Anträge\ngesamt", " davon online "],
    ]
    header = _header(rows)
    assert header.row_index == 4 and header.excel_row == 5
    assert header.columns == {"service": 1, "month": 2, "total": 3, "online": 4}
    # Labels as written (line break as space), for messages.
    assert header.labels["total"] == "Anträge gesamt" and header.labels["service"] == "Leistung:"


def test_first_matching_row_wins_and_numbers_are_no_headers():
    rows = [[2021, 10], ["Leistung", "gesamt", "online"], ["Leistung", "Kanal", "Anzahl"]]
    assert _header(rows).row_index == 1


def test_catalog_and_measures_headers():
    catalog = _header([["Titel"], ["LeiKa-Schlüssel", "Leistung", "Amt", "Aliase"]], "services")
    assert catalog.columns == {"service_id": 0, "service": 1, "department": 2, "aliases": 3}
    measures = _header([["Handlungsfeld", "Maßnahme", "STATUS", "Leistungen"]], "measures")
    assert set(measures.columns) == {"field", "measure", "status", "services"}
    assert _header([["Handlungsfeld", "Maßnahme"]], "measures") is None


def test_header_variants_in_a_real_workbook(tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx",
        {"Meldung": [["Titel"], [" LEISTUNG ", "Berichts-\nmonat", "Anträge\ngesamt:", "ONLINE"]]},
    )
    header = find_header(read_workbook(path).sheets[0], "counts")
    assert header.layout == "report" and header.excel_row == 2
    assert set(header.columns) == {"service", "total", "online"}  # "Berichts- monat" isn't a name


@pytest.mark.parametrize("label", ["Berichtsmonat:", "Berichtsmonat", "Monat", "ZEITRAUM :"])
def test_block_month_beside_its_label(label):
    rows = [["Monatsmeldung"], [label, None, "Okt. 2021"], [], ["Leistung", "gesamt", "online"]]
    sheet = Sheet("S", rows)
    assert block_months(sheet, find_header(sheet, "counts")) == [
        BlockMonth("2021-10", None, 1, (0, 2))
    ]


def test_block_month_errors():
    sheet = Sheet("S", [["Berichtsmonat:"], ["Leistung", "gesamt", "online"]])
    (label,) = block_months(sheet, find_header(sheet, "counts"))
    assert label.month is None and label.row_index == 0
    assert label.error.startswith("Neben „Berichtsmonat“ steht kein Monat. Bitte den Monat z. B.")
    sheet = Sheet("S", [["Zeitraum:", "Herbst"], ["Leistung", "gesamt", "online"]])
    (label,) = block_months(sheet, find_header(sheet, "counts"))
    assert label.month is None and label.row_index == 0
    assert label.error.startswith("Zeitraum: „Herbst“ ist kein Monat. Bitte den Monat z. B. als")
    sheet = Sheet("S", [["Titel"], ["Leistung", "gesamt", "online"]])
    assert block_months(sheet, find_header(sheet, "counts")) == []


def test_every_block_month_label_is_found():
    rows = [
        ["Berichtsmonat:", "März 2024"],
        ["Monat", "Feb. 2024"],
        ["Leistung", "gesamt", "online"],
    ]
    months = block_months(Sheet("S", rows), find_header(Sheet("S", rows), "counts"))
    assert [(m.month, m.row_index) for m in months] == [("2024-03", 0), ("2024-02", 1)]


def test_looked_for_names_the_columns():
    text = looked_for("counts")
    for name in ("Leistung", "Anträge gesamt", "davon online", "Monat", "Kanal", "Anzahl",
                 "Eingangsdatum"):  # fmt: skip
        assert f"„{name}“" in text
    assert "„Fachbereich“" in looked_for("services")
    assert "„Handlungsfeld“" in looked_for("measures")
