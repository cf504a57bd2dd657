"""Workbooks built to mislead or to hurt the reader, each written for real (openpyxl,
XlsxWriter, or a real file with one XML part changed): the classes of issue 9."""

import re
import zipfile
from pathlib import Path

import openpyxl
import xlsxwriter
from conftest import write_xlsx
from openpyxl.worksheet.filters import AutoFilter

REPORT = ["Leistung", "Monat", "Anträge gesamt", "davon online"]
GOOD_ROWS = [
    ["Personenstandsurkunde", "2021-10", 681, 203],
    ["Meldebescheinigung", "2021-10", 251, 47],
]


def patch(path: Path, member: str, change) -> Path:  # noqa: ANN001
    """Rewrite one part of a real .xlsx in place: change(bytes) -> bytes."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            zout.writestr(info, change(data) if info.filename == member else data)
    return path


def no_recalculation(path: Path) -> Path:
    """As Excel saves a file: without openpyxl's request to recalculate on opening."""
    return patch(path, "xl/workbook.xml", lambda x: re.sub(rb"<calcPr[^>]*/>", b"", x))


def report(path: Path, rows: list[list] = GOOD_ROWS, title: str = "Meldung") -> Path:
    return write_xlsx(path, {title: [REPORT, *rows]})


def with_far_cell(path: Path, ref: bytes, dimension: bytes | None = b"A1:D3") -> Path:
    """A good report whose sheet also holds one value at `ref`, declaring `dimension`."""
    report(path)
    row = re.match(rb"[A-Z]+(\d+)", ref)[1]

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension[^>]*/>", b"", xml)
        if dimension:
            xml = xml.replace(b"<sheetViews>", b'<dimension ref="' + dimension + b'"/><sheetViews>')
        far = b'<row r="' + row + b'"><c r="' + ref + b'" t="n"><v>1</v></c></row>'
        return xml.replace(b"</sheetData>", far + b"</sheetData>")

    return patch(path, "xl/worksheets/sheet1.xml", change)


def shared_strings(path: Path, unique_count: bytes) -> Path:
    """A report written with shared strings whose table declares `unique_count` entries."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Meldung")
    for r, row in enumerate([REPORT, *GOOD_ROWS]):
        ws.write_row(r, 0, row)
    wb.close()
    return patch(
        path,
        "xl/sharedStrings.xml",
        lambda x: re.sub(rb'uniqueCount="\d+"', b'uniqueCount="' + unique_count + b'"', x),
    )


def long_shared_string(path: Path, cells: int, length: int = 30_000) -> Path:
    """One long text referenced by `cells` cells (a small file: the text is stored once)."""
    wb = xlsxwriter.Workbook(str(path))  # shared strings: the text is stored once
    ws = wb.add_worksheet("Meldung")
    ws.write_row(0, 0, REPORT)
    text = "x" * length
    for r in range(1, cells + 1):
        ws.write_string(r, 0, text)
    wb.close()
    return path


def xlsxwriter_formulas(path: Path) -> Path:
    """ "davon online" as =E2+F2 as XlsxWriter writes it: cached value 0, recalculate on load."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Meldung")
    ws.write_row(0, 0, [*REPORT, "online Portal", "online E-Mail"])
    ws.write_row(1, 0, ["Personenstandsurkunde", "2021-10", 681])
    ws.write_formula(1, 3, "=E2+F2")
    ws.write_row(1, 4, [150, 53])
    wb.close()
    return path


def stale_formula(path: Path) -> Path:
    """A formula with the value Excel saved (203) and no request to recalculate."""
    report(path, [["Personenstandsurkunde", "2021-10", 681, "=E2+F2"]])

    def change(xml: bytes) -> bytes:
        return xml.replace(b"<f>E2+F2</f><v></v>", b"<f>E2+F2</f><v>203</v>")

    return no_recalculation(patch(path, "xl/worksheets/sheet1.xml", change))


def error_values(path: Path, both: bool) -> Path:
    """#N/A (and #DIV/0!) in the count cells, as Excel saves error values."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Meldung"
    ws.append(REPORT)
    ws.append(["Personenstandsurkunde", "2021-10", 681, 203])
    ws.append(["Meldebescheinigung", "2021-10", "#DIV/0!" if both else 251, "#N/A"])
    for ref in ("C3", "D3") if both else ("D3",):
        ws[ref].data_type = "e"
    wb.save(path)
    return no_recalculation(path)


def hidden_sheet(path: Path, state: str) -> Path:
    """A visible report, and a hidden (or very hidden) sheet with other figures."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Meldung"
    for row in [REPORT, GOOD_ROWS[0]]:
        ws.append(row)
    secret = wb.create_sheet("Alt")
    for row in [REPORT, ["Personenstandsurkunde", "2021-09", 999, 999]]:
        secret.append(row)
    secret.sheet_state = state
    wb.save(path)
    return path


def hidden_row(path: Path, filtered: bool) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Meldung"
    for row in [REPORT, *GOOD_ROWS]:
        ws.append(row)
    ws.row_dimensions[3].hidden = True
    if filtered:
        ws.auto_filter = AutoFilter(ref="A1:D3")
    wb.save(path)
    return path


def invisible_format(path: Path) -> Path:
    """The online count formatted ;;; (shown as nothing)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Meldung"
    for row in [REPORT, *GOOD_ROWS]:
        ws.append(row)
    ws["D3"].number_format = ";;;"
    wb.save(path)
    return path


def hidden_column_first(path: Path) -> Path:
    """A hidden "davon online" column (old figures) before the visible one."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Meldung"
    ws.append(["Leistung", "Monat", "Anträge gesamt", "davon online", "davon online"])
    ws.append(["Personenstandsurkunde", "2021-10", 681, 100, 203])
    ws.column_dimensions["D"].hidden = True
    wb.save(path)
    return path


def group_headers(path: Path) -> Path:
    """Two gesamt | online pairs under "Februar 2023 (Vorjahr)" and "Februar 2024"."""
    return write_xlsx(path, {"Meldung": [
        ["", "Februar 2023 (Vorjahr)", "", "Februar 2024", ""],
        ["Leistung", "gesamt", "online", "gesamt", "online"],
        ["Personenstandsurkunde", 600, 150, 681, 203],
    ]})  # fmt: skip


def two_months(path: Path, block: str, column: str | None) -> Path:
    """A Berichtsmonat block above the table, and a Monat column (or a second block)."""
    if column is None:
        rows = [["Berichtsmonat:", block], ["Berichtsmonat:", "Feb. 2024"],
                ["Leistung", "gesamt", "online"], ["Personenstandsurkunde", 681, 203]]  # fmt: skip
    else:
        rows = [["Berichtsmonat:", block], REPORT, ["Personenstandsurkunde", column, 681, 203]]
    return write_xlsx(path, {"Meldung": rows})
