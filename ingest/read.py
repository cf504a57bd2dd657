"""Reading .xlsx/.xlsm (values only, via calamine) and ';'-separated CSV into plain rows."""

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from db.german import format_int
from db.settings import MAX_FILE_MB
from ingest.errors import IngestError
from ingest.extent import check_extent

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv"}
OLD_EXCEL_SUFFIXES = {".xls", ".xlsb", ".ods"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted xlsx and old .xls are OLE containers
BROKEN_EXCEL = (
    "Die Excel-Datei ist beschädigt und kann nicht gelesen werden. Bitte in Excel öffnen, "
    "neu speichern und erneut hochladen."
)
# An .xlsx whose unpacked XML is this many times larger than the file is refused (zip bomb).
MAX_UNPACK_RATIO = 200
MAX_UNPACKED_MB = 1_000


@dataclass
class Sheet:
    """One sheet (or a CSV file) as rows of cell values; rows[0] is Excel row 1."""

    name: str
    rows: list[list]
    csv: bool = False


@dataclass
class Workbook:
    file_name: str
    checksum: str
    size: int
    sheets: list[Sheet]


def _check_zip(data: bytes, file_name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except Exception:  # BadZipFile, EOFError, ValueError ...: all mean a broken file
        raise IngestError(file_name, BROKEN_EXCEL) from None
    if unpacked > MAX_UNPACKED_MB * 2**20 or unpacked > MAX_UNPACK_RATIO * max(len(data), 2**16):
        raise IngestError(
            file_name,
            "Die Datei entpackt sich auf ein Vielfaches ihrer Größe und wird aus "
            "Sicherheitsgründen nicht geöffnet. Bitte die Daten in eine neue Excel-Datei "
            "kopieren und diese hochladen.",
        )


def _decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # German office exports without BOM are Windows-1252.
        return data.decode("cp1252", errors="replace")


def read_workbook(source: str | Path | bytes, file_name: str | None = None) -> Workbook:
    """Read a file (path or bytes) into sheets of plain values; IngestError if it can't be read."""
    if isinstance(source, str | Path):
        path = Path(source)
        file_name = file_name or path.name
        try:
            size = path.stat().st_size
            if size > MAX_FILE_MB * 2**20:
                raise IngestError(file_name, _too_large(size))
            data = path.read_bytes()
        except FileNotFoundError:
            raise IngestError(
                file_name, "Die Datei gibt es nicht. Bitte den Pfad prüfen."
            ) from None
        except IsADirectoryError:
            raise IngestError(file_name, "Das ist ein Ordner, keine Datei.") from None
        except OSError:
            raise IngestError(
                file_name, "Die Datei kann nicht gelesen werden (fehlende Leseberechtigung?)."
            ) from None
    else:
        data = source
        file_name = file_name or "Upload"
    if len(data) > MAX_FILE_MB * 2**20:
        raise IngestError(file_name, _too_large(len(data)))
    checksum = hashlib.sha256(data).hexdigest()
    suffix = Path(file_name).suffix.lower()
    if not data.strip():
        raise IngestError(file_name, "Die Datei ist leer.")
    if suffix in CSV_SUFFIXES:
        sheets = [_read_csv(data, file_name)]
    elif suffix in EXCEL_SUFFIXES or (not suffix and data[:4] in (ZIP_MAGIC, OLE_MAGIC)):
        sheets = _read_excel(data, file_name)
    elif suffix in OLD_EXCEL_SUFFIXES:
        raise IngestError(
            file_name,
            f"Das Format „{suffix}“ wird nicht unterstützt. Bitte die Datei in Excel öffnen und "
            "mit „Speichern unter … Excel-Arbeitsmappe (.xlsx)“ neu speichern.",
        )
    else:
        raise IngestError(
            file_name,
            f"Dateityp „{suffix or 'ohne Endung'}“ wird nicht unterstützt. Bitte eine "
            "Excel-Datei (.xlsx, .xlsm) oder eine CSV-Datei mit Semikolon als Trennzeichen "
            "hochladen.",
        )
    return Workbook(file_name, checksum, len(data), sheets)


def _too_large(size: int) -> str:
    return (
        f"Die Datei ist {size / 2**20:.1f} MB groß; erlaubt sind höchstens {MAX_FILE_MB} MB. "
        "Bitte die Datei aufteilen (z. B. ein Monat je Datei)."
    ).replace(".", ",", 1)


def _read_excel(data: bytes, file_name: str) -> list[Sheet]:
    if data[:4] == OLE_MAGIC:
        raise IngestError(
            file_name,
            "Die Datei ist kennwortgeschützt oder im alten Excel-Format (.xls). Bitte den "
            "Kennwortschutz entfernen bzw. in Excel „Speichern unter … Excel-Arbeitsmappe "
            "(.xlsx)“ wählen.",
        )
    if data[:4] != ZIP_MAGIC:
        raise IngestError(file_name, BROKEN_EXCEL)
    _check_zip(data, file_name)
    check_extent(data, file_name)  # before calamine expands a sheet to a dense grid
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for meta in wb.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            sheets.append(Sheet(meta.name, sheet.to_python(skip_empty_area=False)))
    except IngestError:
        raise
    except Exception:  # calamine raises many types for broken files
        raise IngestError(file_name, BROKEN_EXCEL) from None
    if not sheets:
        raise IngestError(file_name, "Die Excel-Datei enthält keine Tabellenblätter.")
    return sheets


def _read_csv(data: bytes, file_name: str) -> Sheet:
    text = _decode_csv(data)
    if "\x00" in text:
        raise IngestError(
            file_name,
            "Die Datei ist keine lesbare CSV-Datei. Bitte in Excel „Speichern unter … CSV "
            "(Trennzeichen-getrennt)“ wählen.",
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        rows = list(reader)
    except csv.Error:
        # Either a real cell beyond the csv module's 128 KB limit or, far more often, a
        # quote that is never closed and swallows the rest of the file.
        raise IngestError(
            file_name,
            f"Die CSV-Datei ist fehlerhaft: Ab Zeile {reader.line_num} ist eine Zelle länger "
            f"als {format_int(csv.field_size_limit())} Zeichen. Meist fehlt dort das "
            'schließende Anführungszeichen zu einem ". '
            "Bitte die Datei in Excel öffnen und erneut als „CSV (Trennzeichen-getrennt)“ "
            "speichern.",
        ) from None
    if all(len(row) < 2 for row in rows[:50]) and any(sep in text[:5000] for sep in ",\t"):
        # A table needs at least two columns: this file uses another separator.
        raise IngestError(
            file_name,
            "Die CSV-Datei verwendet nicht das Semikolon als Trennzeichen. Bitte in Excel "
            "„Speichern unter … CSV (Trennzeichen-getrennt)“ wählen, dann trennt Excel die "
            "Spalten mit Semikolon.",
        )
    return Sheet(file_name, rows, csv=True)
