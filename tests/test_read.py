"""Reading real .xlsx/.xlsm/.csv files into rows, and refusing what can't be read."""

import io
import zipfile
from datetime import date, datetime

import msoffcrypto.format.ooxml
import pytest
from conftest import write_csv, write_xlsx

from ingest import IngestError
from ingest.read import read_workbook

UMLAUT_ROWS = [
    ["Leistung", "Monat", "Anträge gesamt", "über Serviceportal"],
    ["Bewohnerparkausweis Straße", "Okt. 2021", "1.234", " 47 "],
]


def _refusal(source, file_name=None) -> str:  # noqa: ANN001
    with pytest.raises(IngestError) as info:
        read_workbook(source, file_name)
    lines = info.value.lines()
    assert len(lines) == 1
    return lines[0]


def test_xlsx_rows_keep_excel_row_numbers_and_cell_types(tmp_path):
    path = write_xlsx(
        tmp_path / "meldung.xlsx",
        {
            "Titel": [["Monatsmeldung"]],
            "Meldung": [
                [],
                [None, "Leistung", "Anzahl", "Eingang"],
                [None, "Meldebescheinigung", 203, datetime(2021, 10, 15, 14, 3)],
                [None, "Urkunde", 12.5, date(2021, 10, 1)],
            ],
        },
    )
    wb = read_workbook(path)
    assert wb.file_name == "meldung.xlsx"
    assert [s.name for s in wb.sheets] == ["Titel", "Meldung"]
    rows = wb.sheets[1].rows
    assert rows[1][1] == "Leistung"  # Excel row 2 is rows[1]
    assert rows[2][1:] == ["Meldebescheinigung", 203, datetime(2021, 10, 15, 14, 3)]
    assert rows[3][2] == 12.5 and rows[3][3] == date(2021, 10, 1)
    assert not wb.sheets[1].csv


def test_xlsm_is_read_like_xlsx(tmp_path):
    path = write_xlsx(tmp_path / "meldung.xlsm", {"Meldung": UMLAUT_ROWS})
    assert read_workbook(path).sheets[0].rows == UMLAUT_ROWS


def test_upload_bytes_with_file_name(tmp_path):
    data = write_xlsx(tmp_path / "x.xlsx", {"Meldung": UMLAUT_ROWS}).read_bytes()
    wb = read_workbook(data, "Meldung Oktober.xlsx")
    assert wb.file_name == "Meldung Oktober.xlsx" and wb.size == len(data)
    assert wb.sheets[0].rows[1][0] == "Bewohnerparkausweis Straße"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_utf8_with_and_without_bom_and_windows_1252(tmp_path, encoding):
    path = write_csv(tmp_path / "meldung.csv", UMLAUT_ROWS, encoding=encoding)
    wb = read_workbook(path)
    assert len(wb.sheets) == 1
    sheet = wb.sheets[0]
    assert sheet.csv and sheet.name == "meldung.csv"
    assert sheet.rows == UMLAUT_ROWS  # umlauts intact, no BOM glued to "Leistung"


def test_checksum_identifies_content(tmp_path):
    a = write_csv(tmp_path / "a.csv", UMLAUT_ROWS)
    b = write_csv(tmp_path / "b.csv", UMLAUT_ROWS)
    c = write_csv(tmp_path / "c.csv", UMLAUT_ROWS[:1])
    assert read_workbook(a).checksum == read_workbook(b).checksum != read_workbook(c).checksum


def test_encrypted_workbook_is_refused(tmp_path):
    plain = write_xlsx(tmp_path / "plain.xlsx", {"Meldung": UMLAUT_ROWS})
    encrypted = io.BytesIO()
    with open(plain, "rb") as fh:
        msoffcrypto.format.ooxml.OOXMLFile(fh).encrypt("geheim", encrypted)
    message = _refusal(encrypted.getvalue(), "geschützt.xlsx")
    assert "kennwortgeschützt" in message and "Kennwortschutz entfernen" in message


@pytest.mark.parametrize("content", [b"", b"  \r\n"])
@pytest.mark.parametrize("name", ["leer.xlsx", "leer.csv"])
def test_empty_file_is_refused(content, name):
    assert _refusal(content, name) == "Die Datei ist leer."


def test_broken_zip_is_refused(tmp_path):
    data = write_xlsx(tmp_path / "x.xlsx", {"Meldung": UMLAUT_ROWS}).read_bytes()
    message = _refusal(data[: len(data) // 2], "kaputt.xlsx")
    assert message.startswith("Die Excel-Datei ist beschädigt")
    assert "neu speichern" in message and "Error" not in message


def test_zip_that_is_no_workbook_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notiz.txt", "kein Excel")
    assert _refusal(buf.getvalue(), "umbenannt.xlsx").startswith("Die Excel-Datei ist beschädigt")


def test_text_named_xlsx_is_refused():
    assert _refusal(b"Leistung;Monat\n", "falsch.xlsx").startswith("Die Excel-Datei ist beschädigt")


def test_zip_bomb_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 30 * 2**20)
    assert "Sicherheitsgründen" in _refusal(buf.getvalue(), "bombe.xlsx")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bericht.pdf", "Dateityp „.pdf“ wird nicht unterstützt."),
        ("bericht.docx", "Dateityp „.docx“ wird nicht unterstützt."),
        ("meldung.xls", "Das Format „.xls“ wird nicht unterstützt."),
    ],
)
def test_wrong_file_type_is_refused(tmp_path, name, expected):
    # A .docx is a zip file too: it must not be sent to the Excel reader.
    data = write_xlsx(tmp_path / "x.xlsx", {"S": [["a"]]}).read_bytes()
    message = _refusal(data, name)
    assert message.startswith(expected) and ".xlsx" in message


def test_missing_file_and_folder_are_refused_in_german(tmp_path):
    assert (
        _refusal(tmp_path / "gibtsnicht.xlsx") == "Die Datei gibt es nicht. Bitte den Pfad prüfen."
    )
    assert _refusal(tmp_path) == "Das ist ein Ordner, keine Datei."


def test_too_large_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("ingest.read.MAX_FILE_MB", 0)
    path = write_csv(tmp_path / "gross.csv", UMLAUT_ROWS)
    assert "erlaubt sind höchstens 0 MB" in _refusal(path)
    assert "erlaubt sind höchstens 0 MB" in _refusal(path.read_bytes(), "gross.csv")


def test_csv_with_comma_separator_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "komma.csv"
    path.write_text("Leistung,Monat,Anträge gesamt,davon online\nUrkunde,2021-10,10,5\n")
    assert "nicht das Semikolon als Trennzeichen" in _refusal(path)


def test_csv_with_unclosed_quote_is_refused(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('Leistung;Monat\n"Urkunde;' + "x" * 200_000 + "\n")
    message = _refusal(path)
    assert "Ab Zeile 2" in message
    assert "fehlt dort das schließende Anführungszeichen" in message


def test_utf16_text_is_refused(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_text("Leistung;Monat\n", encoding="utf-16")
    assert _refusal(path).startswith("Die Datei ist keine lesbare CSV-Datei.")
