"""Reading .xlsx/.xlsm (values only, via calamine) and ';'-separated CSV into plain rows."""

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from db.german import format_int
from db.settings import MAX_FILE_MB
from ingest.errors import IngestError
from ingest.xlsx import BROKEN as BROKEN_EXCEL
from ingest.xlsx import SheetFacts, inspect

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv"}
OLD_EXCEL_SUFFIXES = {".xls", ".xlsb", ".ods"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted xlsx and old .xls are OLE containers
# An .xlsx whose unpacked XML is this many times larger than the file is refused (zip bomb).
MAX_UNPACK_RATIO = 200
MAX_UNPACKED_MB = 1_000


@dataclass
class Sheet:
    """One sheet (or a CSV file) as rows of cell values; rows[0] is Excel row 1.

    `facts` says what Excel would not show of it (hidden rows and columns, formulas without
    a calculated value, error values); `lines` holds, for a CSV file, the line each row
    starts on (a quoted cell may span lines)."""

    name: str
    rows: list[list]
    csv: bool = False
    facts: SheetFacts | None = None
    lines: list[int] | None = None

    def row_number(self, index: int) -> int:
        """The row (Excel) or line (CSV) number a person finds the row under."""
        return self.lines[index] if self.lines is not None else index + 1


@dataclass
class Workbook:
    file_name: str
    checksum: str
    size: int
    sheets: list[Sheet]
    hidden_sheets: list[str] = field(default_factory=list)  # not read: a person can't see them


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


# A valid UTF-8 sequence of a character beyond ASCII (umlauts are two bytes: C3 xx).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _decode_csv(data: bytes, file_name: str) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM) or, as German office exports
    without BOM are, Windows-1252; decided for the whole file, never line by line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start
    line = data.count(b"\n", 0, bad) + 1
    if _UTF8_MULTIBYTE.search(data):
        # Umlauts in UTF-8 elsewhere, and here a byte that is not: two encodings in one file
        # (usually lines pasted from another file). Guessing would garble one of them.
        raise IngestError(
            file_name,
            f"Die CSV-Datei mischt zwei Zeichenkodierungen: Sie ist als UTF-8 gespeichert, "
            f"enthält aber in Zeile {line} ein Zeichen in einer anderen Kodierung (meist "
            "Windows-1252, etwa aus einer hineinkopierten Zeile). Bitte die Datei in Excel "
            "öffnen, die Zeile prüfen und als „CSV UTF-8 (durch Trennzeichen getrennt)“ neu "
            "speichern.",
        )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise IngestError(
            file_name,
            f"Die CSV-Datei enthält in Zeile {line} ein Zeichen, das weder UTF-8 noch "
            "Windows-1252 ist. Bitte die Datei in Excel öffnen und als „CSV UTF-8 (durch "
            "Trennzeichen getrennt)“ neu speichern.",
        ) from None


def file_bytes(source: str | Path | bytes, file_name: str | None = None) -> tuple[bytes, str]:
    """The content and name of a file (a path, or bytes with the name the browser gave);
    IngestError if it is missing, unreadable or over the size limit."""
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
    return data, file_name


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_workbook(source: str | Path | bytes, file_name: str | None = None) -> Workbook:
    """Read a file (path or bytes) into sheets of plain values; IngestError if it can't be read.

    Uploads and command-line files are read by it inside the reading worker (ingest.worker);
    in the calling process only data from a trusted hand (the demo)."""
    data, file_name = file_bytes(source, file_name)
    digest = checksum(data)
    suffix = Path(file_name).suffix.lower()
    if not data.strip():
        raise IngestError(file_name, "Die Datei ist leer.")
    hidden: list[str] = []
    if suffix in CSV_SUFFIXES:
        sheets = [_read_csv(data, file_name)]
    elif suffix in EXCEL_SUFFIXES or (not suffix and data[:4] in (ZIP_MAGIC, OLE_MAGIC)):
        sheets, hidden = _read_excel(data, file_name)
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
    return Workbook(file_name, digest, len(data), sheets, hidden)


def _too_large(size: int) -> str:
    return (
        f"Die Datei ist {size / 2**20:.1f} MB groß; erlaubt sind höchstens {MAX_FILE_MB} MB. "
        "Bitte die Datei aufteilen (z. B. ein Monat je Datei)."
    ).replace(".", ",", 1)


def _read_excel(data: bytes, file_name: str) -> tuple[list[Sheet], list[str]]:
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
    facts = inspect(data, file_name)  # before calamine expands a sheet to a dense grid
    sheets, hidden = [], []
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for meta in wb.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet_facts = facts.sheets.get(meta.name) or SheetFacts(meta.name)
            if meta.visible != python_calamine.SheetVisibleEnum.Visible or not sheet_facts.visible:
                hidden.append(meta.name)  # what a person can't see is not loaded
                continue
            rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            sheets.append(Sheet(meta.name, rows, facts=sheet_facts))
    except IngestError:
        raise
    except Exception:  # calamine raises many types for broken files
        raise IngestError(file_name, BROKEN_EXCEL) from None
    if not sheets:
        message = "Die Excel-Datei enthält keine Tabellenblätter."
        if hidden:
            message = (
                f"Die Excel-Datei enthält nur ausgeblendete Blätter ({_names(hidden)}). "
                "Ausgeblendete Blätter werden nicht gelesen, weil man nicht sieht, was dort "
                "steht: bitte das Blatt in Excel einblenden (Rechtsklick auf einen Blattnamen "
                "→ Einblenden) und neu speichern."
            )
        raise IngestError(file_name, message)
    return sheets, hidden


def _names(names: list[str]) -> str:
    return ", ".join(f"„{n}“" for n in names[:10])


def _read_csv(data: bytes, file_name: str) -> Sheet:
    text = _decode_csv(data, file_name)
    if "\x00" in text:
        raise IngestError(
            file_name,
            "Die Datei ist keine lesbare CSV-Datei. Bitte in Excel „Speichern unter … CSV "
            "(Trennzeichen-getrennt)“ wählen.",
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    rows: list[list] = []
    lines: list[int] = []
    try:
        last = 0
        for row in reader:
            rows.append(row)
            lines.append(last + 1)  # the line this row starts on
            last = reader.line_num
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
    return Sheet(file_name, rows, csv=True, lines=lines)
