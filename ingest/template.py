"""Excel files to fill in and load back: the monthly report template and the measures export."""

import io
import re
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Connection, select

from db.german import format_month
from db.models import (
    STATUS_LABELS,
    ActionField,
    Department,
    Measure,
    MeasureUpdate,
    Service,
    measure_services,
)

REPORT_SHEET = "Meldung"
REPORT_HEADER = ("Leistung", "Leistungs-ID", "Anträge gesamt", "davon online")
FIRST_DATA_ROW = 7  # header in row 6, the block with department and month above it
INPUT_FILL = PatternFill("solid", fgColor="FFF7CC")
HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

MEASURES_SHEET = "Maßnahmen"
MEASURES_HEADER = ("Handlungsfeld", "Gruppe", "Maßnahme", "Status", "Verantwortlich", "Beginn",
                   "Ende", "Sachstand", "Leistungen")  # fmt: skip


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _as_text(cell) -> None:  # noqa: ANN001
    # Text is stored as text, never as a formula, whatever it starts with (formula injection).
    if isinstance(cell.value, str):
        cell.data_type = "s"


def slug(text: str) -> str:
    """A file-name-safe ASCII form: 'FB 3 Bürgerbüro' -> 'FB-3-Buergerbuero'."""
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "Fachbereich"


def template_file_name(department: str, month: str) -> str:
    return f"Monatsmeldung_{slug(department)}_{month}.xlsx"


def department_services(conn: Connection, department_id: int) -> list[tuple[str, str | None]]:
    """(name, LeiKa id) of a department's services, by name."""
    return [
        (name, leika)
        for name, leika in conn.execute(
            select(Service.name, Service.leika_id)
            .where(Service.department_id == department_id)
            .order_by(Service.name)
        )
    ]


def report_template(conn: Connection, department_id: int, month: str) -> bytes:
    """The monthly report of one department for one month ('YYYY-MM') as .xlsx bytes.

    Its services are filled in; only the count cells are unlocked (sheet protection without
    a password), take whole numbers >= 0 and explain themselves when selected.
    """
    department = conn.scalar(select(Department.name).where(Department.id == department_id))
    if department is None:
        raise ValueError(f"Es gibt keinen Fachbereich Nr. {department_id}.")
    services = department_services(conn, department_id)
    wb = Workbook()
    ws = wb.active
    ws.title = REPORT_SHEET
    ws["A1"] = "Monatsmeldung Onlinezugang"
    ws["A1"].font = Font(size=14, bold=True)
    ws["A2"], ws["B2"] = "Fachbereich:", department
    ws["A3"], ws["B3"] = "Berichtsmonat:", format_month(month, long=True)
    for cell in (ws["A2"], ws["A3"]):
        cell.font = Font(bold=True)
    ws["A4"] = (
        "Bitte nur die gelben Zellen ausfüllen: alle Anträge des Monats und wie viele davon "
        "online (über das Serviceportal) kamen. Eine Leistung ohne Zahlen gilt als nicht gemeldet."
    )
    ws["A4"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A4:D4")
    ws.row_dimensions[4].height = 45
    header_row = FIRST_DATA_ROW - 1
    for col, title in enumerate(REPORT_HEADER, start=1):
        cell = ws.cell(header_row, col, title)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BOX
    for offset, (name, leika) in enumerate(services):
        row = FIRST_DATA_ROW + offset
        ws.cell(row, 1, name).border = BOX
        ws.cell(row, 2, leika).border = BOX
        for col in (3, 4):
            cell = ws.cell(row, col)
            cell.fill, cell.border = INPUT_FILL, BOX
            cell.protection = Protection(locked=False)
            cell.number_format = "#,##0"
    last = FIRST_DATA_ROW + max(len(services), 1) - 1
    for cells in ws.iter_rows():
        for cell in cells:
            _as_text(cell)
    if services:
        _count_validation(
            ws,
            "C",
            "Anträge gesamt",
            "Alle Anträge dieses Monats, auf jedem Weg "
            "(online, Bürgerbüro, Post, Telefon): eine ganze Zahl ab 0.",
            last,
        )
        _count_validation(ws, "D", "davon online", "Wie viele dieser Anträge über das "
                          "Serviceportal kamen: eine ganze Zahl ab 0, höchstens so viele wie "
                          "gesamt.", last)  # fmt: skip
        total_row = last + 1
        ws.cell(total_row, 1, "Summe").font = Font(bold=True)
        for col in ("C", "D"):
            cell = ws[f"{col}{total_row}"]
            cell.value = f"=SUM({col}{FIRST_DATA_ROW}:{col}{last})"
            cell.font, cell.number_format = Font(bold=True), "#,##0"
    for col, width in zip("ABCD", (42, 18, 16, 16), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.protection.sheet = True  # no password: only the yellow cells can be changed
    ws.protection.formatColumns = False  # column widths may still be adjusted
    wb.security = WorkbookProtection(lockStructure=True)  # no sheets added or removed
    return _save(wb)


def _count_validation(ws, col: str, title: str, prompt: str, last: int) -> None:  # noqa: ANN001
    dv = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        promptTitle=title[:32],
        prompt=prompt[:255],
        errorTitle="Keine gültige Anzahl",
        error="Bitte eine ganze Zahl ab 0 ohne Text eintragen, z. B. 1234.",
        errorStyle="stop",
    )
    dv.add(f"{col}{FIRST_DATA_ROW}:{col}{last}")
    ws.add_data_validation(dv)


def _month_text(month: str | None) -> str | None:
    return f"{month[5:]}/{month[:4]}" if month else None


def measures_workbook(conn: Connection) -> bytes:
    """Every measure in the import format (FORMATS.md section 5): loading it back changes
    nothing."""
    latest_note: dict[int, str | None] = {}
    for mid, note in conn.execute(
        select(MeasureUpdate.measure_id, MeasureUpdate.note).order_by(MeasureUpdate.id)
    ):
        latest_note[mid] = note
    linked: dict[int, list[str]] = {}
    for mid, name in conn.execute(
        select(measure_services.c.measure_id, Service.name)
        .join(Service, Service.id == measure_services.c.service_id)
        .order_by(Service.name)
    ):
        linked.setdefault(mid, []).append(name)
    wb = Workbook()
    ws = wb.active
    ws.title = MEASURES_SHEET
    ws.append(list(MEASURES_HEADER))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for m in conn.execute(
        select(
            Measure.id, Measure.name, Measure.status, Measure.responsible, Measure.start_month,
            Measure.end_month, ActionField.name.label("field"), ActionField.group_name,
        )
        .join(ActionField, ActionField.id == Measure.action_field_id)
        .order_by(ActionField.position, ActionField.id, Measure.position, Measure.id)
    ):  # fmt: skip
        ws.append(
            [m.field, m.group_name, m.name, STATUS_LABELS[m.status], m.responsible,
             _month_text(m.start_month), _month_text(m.end_month), latest_note.get(m.id),
             "; ".join(linked.get(m.id, []))]
        )  # fmt: skip
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            _as_text(cell)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_LABELS.values()) + '"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="Unbekannter Status",
        error="Bitte einen der Status aus der Liste wählen.",
    )
    status.add(f"D2:D{max(ws.max_row, 2) + 200}")
    ws.add_data_validation(status)
    widths = (34, 24, 40, 16, 26, 10, 10, 80, 40)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(MEASURES_HEADER))}{ws.max_row}"
    return _save(wb)
