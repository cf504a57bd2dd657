"""The monthly report template and the measures export: real .xlsx files that load back."""

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from db.models import Department, Measure, MeasureUpdate, MonthlyCount, Service, measure_services
from db.writes import begin_write
from ingest import load_counts, load_measures, preview_counts
from ingest.demo import load_demo
from ingest.template import (
    FIRST_DATA_ROW,
    measures_workbook,
    report_template,
    slug,
    template_file_name,
)


def _department_id(engine, name: str) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.scalar(select(Department.id).where(Department.name == name))


@pytest.fixture
def template(catalog_engine) -> bytes:  # noqa: ANN001
    with catalog_engine.connect() as conn:
        return report_template(conn, _department_id(catalog_engine, "FB 3 Bürgerbüro"), "2021-10")


def test_template_layout_and_protection(template):
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["Meldung"]
    assert (ws["A3"].value, ws["B3"].value) == ("Berichtsmonat:", "Oktober 2021")
    assert ws["B2"].value == "FB 3 Bürgerbüro"
    header = [c.value for c in ws[FIRST_DATA_ROW - 1]][:4]
    assert header == ["Leistung", "Leistungs-ID", "Anträge gesamt", "davon online"]
    names = [ws.cell(r, 1).value for r in (FIRST_DATA_ROW, FIRST_DATA_ROW + 1)]
    assert names == ["Meldebescheinigung", "Melderegisterauskunft"]  # only its own services
    assert ws.cell(FIRST_DATA_ROW, 2).value == "99115004000000"
    assert ws.cell(FIRST_DATA_ROW + 2, 1).value == "Summe"
    # Protected structure: sheet protection without password, only count cells unlocked.
    assert ws.protection.sheet and not ws.protection.password
    assert wb.security.lockStructure and not wb.security.workbookPassword
    assert ws.cell(FIRST_DATA_ROW, 1).protection.locked
    assert ws["B3"].protection.locked
    assert not ws.cell(FIRST_DATA_ROW, 3).protection.locked
    assert not ws.cell(FIRST_DATA_ROW + 1, 4).protection.locked
    # Number validation and input help on the count cells.
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    total = rules[f"C{FIRST_DATA_ROW}:C{FIRST_DATA_ROW + 1}"]
    assert (total.type, total.operator, total.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert total.showInputMessage and "ganze Zahl" in total.prompt
    assert total.showErrorMessage and total.errorStyle == "stop"
    assert f"D{FIRST_DATA_ROW}:D{FIRST_DATA_ROW + 1}" in rules


def _fill(template: bytes, values: dict[int, tuple]) -> bytes:
    """Fill count cells as a department head would (row offset -> (total, online))."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["Meldung"]
    for offset, (total, online) in values.items():
        ws.cell(FIRST_DATA_ROW + offset, 3, total)
        ws.cell(FIRST_DATA_ROW + offset, 4, online)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_filled_template_round_trips(catalog_engine, template):
    name = template_file_name("FB 3 Bürgerbüro", "2021-10")
    assert name == "Monatsmeldung_FB-3-Buergerbuero_2021-10.xlsx"
    filled = _fill(template, {0: (251, 47), 1: (70, 7)})
    allowed = {_department_id(catalog_engine, "FB 3 Bürgerbüro")}
    [preview] = preview_counts(catalog_engine, [(filled, name)], allowed_departments=allowed)
    assert len(preview.diff.new) == 4 and not preview.diff.changed
    [result] = load_counts(catalog_engine, [(filled, name)], "test", allowed_departments=allowed)
    assert result.state == "loaded"
    with catalog_engine.connect() as conn:
        stored = {
            (n, ch): v
            for n, ch, v in conn.execute(
                select(Service.name, MonthlyCount.channel, MonthlyCount.value)
                .join(Service, Service.id == MonthlyCount.service_id)
                .where(MonthlyCount.month == "2021-10")
            )
        }
    assert stored == {
        ("Meldebescheinigung", "online"): 47, ("Meldebescheinigung", "office"): 204,
        ("Melderegisterauskunft", "online"): 7, ("Melderegisterauskunft", "office"): 63,
    }  # fmt: skip


def test_partly_filled_template_loads_filled_rows_only(catalog_engine, template):
    filled = _fill(template, {1: (70, 7)})
    [preview] = preview_counts(catalog_engine, [(filled, "t.xlsx")])
    assert {k[1] for k in preview.diff.new} == {"2021-10"} and len(preview.diff.new) == 2


def test_template_of_department_without_services_is_still_valid(catalog_engine):
    with begin_write(catalog_engine) as conn:
        dep = conn.scalar(
            Department.__table__.insert().values(name="FB 9").returning(Department.id)
        )
        data = report_template(conn, dep, "2021-10")
    ws = openpyxl.load_workbook(io.BytesIO(data))["Meldung"]
    assert ws["B2"].value == "FB 9" and ws.cell(FIRST_DATA_ROW, 1).value is None


def test_slug_is_ascii():
    assert slug("FB 5 Jugend, Soziales / Ämter") == "FB-5-Jugend-Soziales-Aemter"


def _measure_state(engine):  # noqa: ANN001, ANN202
    with engine.connect() as conn:
        return (
            conn.execute(select(Measure).order_by(Measure.id)).all(),
            conn.scalar(select(func.count()).select_from(MeasureUpdate)),
            sorted(conn.execute(select(measure_services)).all()),
        )


def test_measures_export_round_trips(engine):
    load_demo(engine)
    with engine.connect() as conn:
        data = measures_workbook(conn)
    before = _measure_state(engine)
    result = load_measures(engine, (data, "massnahmen.xlsx"), "test")
    assert result.summary == "0 neu, 0 Statusänderungen, 0 neue Sachstände"
    assert result.state == "unchanged"
    assert _measure_state(engine) == before
    # The export is a real import file: change a status and it is recorded as a change.
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Maßnahmen"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Handlungsfeld", "Gruppe", "Maßnahme", "Status"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "Interne Kommunikation")
    assert row[3].value == "geplant"
    row[3].value = "in Umsetzung"
    buf = io.BytesIO()
    wb.save(buf)
    changed = load_measures(engine, (buf.getvalue(), "massnahmen.xlsx"), "test")
    assert changed.summary.startswith("0 neu, 1 Statusänderungen")


def test_measures_export_never_writes_formulas(engine):
    from ingest.load import load_measures as load

    load_demo(engine)
    with engine.connect() as conn:
        data = measures_workbook(conn)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    ws.cell(2, 8, '=HYPERLINK("http://example.org")')
    ws.cell(2, 8).data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    load(engine, (buf.getvalue(), "m.xlsx"), "test")
    with engine.connect() as conn:
        again = openpyxl.load_workbook(io.BytesIO(measures_workbook(conn)))
    cells = [c for row in again.active.iter_rows() for c in row]
    assert any(c.value == '=HYPERLINK("http://example.org")' for c in cells)
    assert all(c.data_type != "f" for c in cells)
