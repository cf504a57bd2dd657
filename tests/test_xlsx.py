"""ingest.xlsx: what a workbook really holds, read from its XML (never from its declarations)."""

import pytest
import workbooks as wb

from ingest import IngestError, xlsx


def _facts(path, name: str = "Meldung") -> xlsx.SheetFacts:  # noqa: ANN001
    return xlsx.inspect(path.read_bytes(), path.name).sheets[name]


def test_a_plain_report_has_nothing_to_say(tmp_path):
    facts = xlsx.inspect(wb.report(tmp_path / "m.xlsx").read_bytes(), "m.xlsx")
    sheet = facts.sheets["Meldung"]
    assert facts.recalculate  # openpyxl asks Excel to recalculate on opening
    assert (sheet.state, sheet.hidden_rows, sheet.hidden_columns, sheet.cells) == (
        "visible", set(), set(), {}
    )  # fmt: skip


def test_hidden_rows_columns_sheets_and_filters(tmp_path):
    assert _facts(wb.hidden_row(tmp_path / "r.xlsx", filtered=False)).hidden_rows == {2}
    filtered = _facts(wb.hidden_row(tmp_path / "f.xlsx", filtered=True))
    assert filtered.hidden_rows == {2} and filtered.filtered
    assert _facts(wb.hidden_column_first(tmp_path / "c.xlsx")).hidden_columns == {3}
    facts = xlsx.inspect(wb.hidden_sheet(tmp_path / "s.xlsx", "veryHidden").read_bytes(), "s")
    assert {n: s.state for n, s in facts.sheets.items()} == {
        "Meldung": "visible", "Alt": "veryHidden"
    }  # fmt: skip


def test_formulas_errors_and_invisible_formats(tmp_path):
    assert _facts(wb.xlsxwriter_formulas(tmp_path / "x.xlsx")).cells == {(1, 3): "formula"}
    # The value Excel saved, without a request to recalculate: nothing to say.
    assert _facts(wb.stale_formula(tmp_path / "s.xlsx")).cells == {}
    assert _facts(wb.error_values(tmp_path / "e.xlsx", both=True)).cells == {
        (2, 2): "#DIV/0!", (2, 3): "#N/A"
    }  # fmt: skip
    assert _facts(wb.invisible_format(tmp_path / "h.xlsx")).cells == {(2, 3): "hidden"}


def test_small_chunks_see_the_same(tmp_path, monkeypatch):
    """A cell is never cut in two between the pieces the XML is read in."""
    path = wb.error_values(tmp_path / "e.xlsx", both=True)
    wb.patch(
        path,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(b'<row r="3"', b'<row r="3" hidden="1"'),
    )
    whole = _facts(path)
    monkeypatch.setattr(xlsx, "CHUNK", 40)  # pieces of 40 to 160 bytes: a cell or two
    assert _facts(path) == whole and whole.hidden_rows == {2} and len(whole.cells) == 2


def test_single_quoted_attributes_are_read_too(tmp_path):
    path = wb.error_values(tmp_path / "e.xlsx", both=False)
    wb.patch(
        path, "xl/worksheets/sheet1.xml", lambda x: x.replace(b'r="D3" t="e"', b"r='D3' t='e'")
    )
    assert _facts(path).cells == {(2, 3): "#N/A"}
    far = wb.with_far_cell(tmp_path / "far.xlsx", b"XFD1048576")
    wb.patch(
        far, "xl/worksheets/sheet1.xml", lambda x: x.replace(b'r="XFD1048576"', b"r='XFD1048576'")
    )
    with pytest.raises(IngestError, match="XFD1048576"):
        xlsx.inspect(far.read_bytes(), "far.xlsx")


@pytest.mark.parametrize("declared", [b"A1:D3", b"A1", None])
def test_the_extent_comes_from_the_cells_not_the_dimension(declared, tmp_path):
    path = wb.with_far_cell(tmp_path / "far.xlsx", b"Z1048576", declared)
    with pytest.raises(IngestError) as info:
        xlsx.inspect(path.read_bytes(), "far.xlsx")
    assert "reicht bis Zelle Z1048576 (1.048.576 Zeilen × 26 Spalten)" in info.value.lines()[0]


def test_a_sheet_that_fits_passes_whatever_it_declares(tmp_path):
    path = wb.with_far_cell(tmp_path / "ok.xlsx", b"Y300000", b"A1:C2")
    assert xlsx.inspect(path.read_bytes(), "ok.xlsx").sheets["Meldung"].cells == {}


@pytest.mark.parametrize(
    ("declared", "ok"), [(b"7", True), (b"8", False), (b"2000000000", False), (b"-1", False)]
)
def test_a_shared_string_table_may_not_declare_more_than_it_holds(declared, ok, tmp_path):
    path = wb.shared_strings(tmp_path / "s.xlsx", declared)  # it holds 7 strings
    if ok:
        xlsx.inspect(path.read_bytes(), "s.xlsx")
        return
    with pytest.raises(IngestError, match="beschädigt"):
        xlsx.inspect(path.read_bytes(), "s.xlsx")


def test_column_letters_round_trip():
    for n in (1, 26, 27, 702, 703, 16_384):
        assert xlsx.column_number(xlsx.column_letters(n)) == n
    assert xlsx.column_letters(16_384) == "XFD"
