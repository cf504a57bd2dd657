"""What an .xlsx file really holds, read from its XML before calamine expands it.

The reader (calamine) turns a sheet into a dense grid from its top-left to its bottom-right
value and believes what the file says about itself: one stray value in XFD1048576 asks for
17 billion cells and aborts the process (calamine issue #693), a shared-string table that
declares two billion entries asks for 48 GB. This module streams each part with bounded
memory and trusts no declaration (`<dimension>`, `uniqueCount`): the extent comes from the
cell references themselves. It also reports what a person looking at the file in Excel does
not see: hidden sheets, rows and columns, formulas whose value Excel has not calculated,
error values, and number formats that show nothing (";;;").
"""

import html
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from db.german import format_int
from ingest.errors import IngestError

# Excel's own limits: nothing it writes lies beyond them.
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
# A 20 MB file of real data holds a few million cells; this many take about 450 MB to read.
MAX_SHEET_CELLS = 10_000_000
# Cells that need a word each (formulas without a value, error values, hidden formats): a
# file with more is refused rather than tracked cell by cell.
MAX_SPECIAL_CELLS = 200_000
MAX_SHARED_STRINGS = 5_000_000
CHUNK = 4 * 2**20
BROKEN = (
    "Die Excel-Datei ist beschädigt und kann nicht gelesen werden. Bitte in Excel öffnen, "
    "neu speichern und erneut hochladen."
)

# Cheap probes over every cell reference: beyond column Z or at row 400,000 and below. Only
# a sheet where one hits has every reference read (slow, and rare): without a hit the sheet
# is at most Z399999, which calamine reads in well under the worker's memory limit. Writers
# put attributes as r="A1"; the literal prefix keeps the scan fast, and a part with other
# quoting is scanned with the slower tolerant patterns instead. (Whatever slips past the
# probes still meets the reading worker's memory limit.)
_FAR_REF = re.compile(rb'r="(?:[A-Z]{2}|[A-Z]{1,3}(?:[4-9]\d{5}|\d{7}))')
_ANY_FAR_REF = re.compile(rb'\sr\s*=\s*["\'](?:[A-Z]{2}|[A-Z]{1,3}(?:[4-9]\d{5}|\d{7}))')
_REF = re.compile(rb'<c\b[^>]*?\sr\s*=\s*["\']([A-Z]{1,4})(\d{1,12})["\']')
_HIDDEN_ROW = re.compile(rb'(?:hidden|ht)\s*=\s*["\'](?:1|true|0)')
_FORMULA = re.compile(rb"<f[\s>/]")
_ERROR = re.compile(rb'\st\s*=\s*["\']e["\']')
_ROW_TAG = re.compile(rb"<row\b([^>]*)>")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_ATTR = re.compile(rb'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>", re.DOTALL)
_COL_TAG = re.compile(rb"<col\b([^>]*)/?>")
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL_TAG = re.compile(rb"<Relationship\b([^>]*)/?>")
_NUM_FMT = re.compile(rb"<(?:\w+:)?numFmt\b([^>]*)/?>")
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.DOTALL)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)/?>")
_CALC = re.compile(rb"<(?:\w+:)?calcPr\b([^>]*)/?>")
_SST = re.compile(rb"<(?:\w+:)?sst\b([^>]*)>")
_SI = re.compile(rb"<(?:\w+:)?si[\s>/]")
_TRUE = {b"1", b"true"}


@dataclass
class SheetFacts:
    """One worksheet as Excel would show it. Rows and columns are 0-based (calamine's grid)."""

    name: str
    state: str = "visible"  # visible, hidden, veryHidden
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    filtered: bool = False  # an autoFilter: hidden rows are most likely filtered out
    # (row, column) -> "formula" (no value Excel calculated), "hidden" (a format that shows
    # nothing) or the error value as written ("#N/A", "#DIV/0!", ...).
    cells: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def visible(self) -> bool:
        return self.state == "visible"


@dataclass
class WorkbookFacts:
    recalculate: bool = False  # Excel is asked to compute every formula anew on opening
    sheets: dict[str, SheetFacts] = field(default_factory=dict)  # by sheet name


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + ch - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    """The attributes of a tag, without namespace prefixes."""
    return {k.split(b":")[-1]: a if a else b for k, a, b in _ATTR.findall(tag)}


def _chunks(zf: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The member in pieces that end before a row or cell starts, so that no cell is cut in
    two (bounded memory whatever the file's size: a piece is at most a few CHUNKs)."""
    carry = b""
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            buf = carry + chunk
            cut = max(buf.rfind(b"<row"), buf.rfind(b"<c "), buf.rfind(b"<c>"))
            if cut <= 0 and len(buf) < 4 * CHUNK:
                carry = buf  # one element so far: read on until the next one starts
                continue
            if cut <= 0:
                cut = buf.rfind(b"<")
            if cut <= 0:
                cut = len(buf)
            yield buf[:cut]
            carry = buf[cut:]
    if carry:
        yield carry


def _read_small(zf: zipfile.ZipFile, name: str, limit: int = 8 * 2**20) -> bytes:
    """A small part (workbook, styles, relationships), at most `limit` bytes of it."""
    if name not in zf.NameToInfo:
        return b""
    with zf.open(name) as fh:
        return fh.read(limit)


def _cell_ref(attrs: dict[bytes, bytes]) -> tuple[int, int] | None:
    """(row, column), 0-based, of a cell's r attribute."""
    m = re.fullmatch(rb"([A-Z]{1,4})(\d{1,12})", attrs.get(b"r", b""))
    return (int(m[2]) - 1, column_number(m[1]) - 1) if m else None


def _refuse_extent(file_name: str, sheet: str, top: int, left: int, bottom: int, right: int):  # noqa: ANN202
    far = f"{column_letters(right)}{bottom}"
    if bottom > EXCEL_ROWS or right > EXCEL_COLUMNS:
        where = f"Zeile {format_int(bottom)}"
        if bottom <= EXCEL_ROWS:
            where = f"Spalte {column_letters(right)}"
        return IngestError(
            file_name,
            f"Das Blatt „{sheet}“ enthält eine Zelle in {where}; so weit reicht kein "
            f"Excel-Blatt (höchstens {format_int(EXCEL_ROWS)} Zeilen und "
            f"{format_int(EXCEL_COLUMNS)} Spalten). Die Datei ist beschädigt oder nicht mit "
            "Excel erstellt: bitte nur die Tabelle in eine neue Excel-Datei kopieren.",
        )
    return IngestError(
        file_name,
        f"Das Blatt „{sheet}“ reicht bis Zelle {far} "
        f"({format_int(bottom - top + 1)} Zeilen × {format_int(right - left + 1)} Spalten) "
        f"und ist zu groß zum Einlesen. Meist steht weit unten oder rechts ein vergessener "
        f"Wert (z. B. in {far}): bitte dort löschen oder nur die Tabelle in eine neue "
        "Excel-Datei kopieren.",
    )


class _Workbook:
    """The parts of the workbook that say how its sheets are to be read."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        book = _read_small(zf, "xl/workbook.xml")
        rels = _read_small(zf, "xl/_rels/workbook.xml.rels")
        targets = {}
        for tag in _REL_TAG.findall(rels):
            a = _attrs(tag)
            target = a.get(b"Target", b"").decode(errors="replace").lstrip("/")
            targets[a.get(b"Id", b"")] = target if target.startswith("xl/") else f"xl/{target}"
        # member -> (sheet name as Excel shows it, state)
        self.sheets: dict[str, tuple[str, str]] = {}
        for tag in _SHEET_TAG.findall(book):
            a = _attrs(tag)
            member = targets.get(a.get(b"id", b""))
            if member:
                name = html.unescape(a.get(b"name", b"").decode(errors="replace"))
                self.sheets[member] = (name, a.get(b"state", b"visible").decode(errors="replace"))
        calc = _CALC.search(book)
        self.recalculate = bool(calc) and _attrs(calc[1]).get(b"fullCalcOnLoad") in _TRUE
        self.shared_strings = next(
            (t for t in targets.values() if t.lower().endswith("sharedstrings.xml")),
            "xl/sharedStrings.xml",
        )
        self.hidden_styles = self._hidden_styles(_read_small(zf, "xl/styles.xml"))

    @staticmethod
    def _hidden_styles(styles: bytes) -> dict[int, tuple[bool, bool]]:
        """Cell style index -> (hides numbers, hides text), for the styles whose number
        format shows nothing (";;;" and its variants)."""
        hiding: dict[int, tuple[bool, bool]] = {}
        for tag in _NUM_FMT.findall(styles):
            a = _attrs(tag)
            code = html.unescape(a.get(b"formatCode", b"").decode(errors="replace"))
            sections = [s.replace('""', "").strip() for s in code.split(";")]
            numbers = len(sections) >= 3 and not any(sections[:3])
            text = len(sections) >= 4 and not sections[3]
            if (numbers or text) and a.get(b"numFmtId", b"").isdigit():
                hiding[int(a[b"numFmtId"])] = (numbers, text)
        xfs = _CELL_XFS.search(styles)
        if not hiding or not xfs:
            return {}
        out = {}
        for index, tag in enumerate(_XF.findall(xfs[1])):
            fmt = _attrs(tag).get(b"numFmtId", b"")
            if fmt.isdigit() and int(fmt) in hiding:
                out[index] = hiding[int(fmt)]
        return out


def _check_shared_strings(zf: zipfile.ZipFile, member: str, file_name: str) -> None:
    """Refuse a shared-string table that declares more entries than it holds: calamine
    reserves memory for the declared number before reading a single one."""
    if member not in zf.NameToInfo:
        return
    head = b""
    count = 0
    for part in _chunks(zf, member):
        if not head:
            head = part[:4096]
        count += len(_SI.findall(part))
    sst = _SST.search(head)
    if not sst:
        return
    a = _attrs(sst[1])
    for key in (b"uniqueCount", b"count"):
        value = a.get(key)
        if value is None:
            continue
        if not value.isdigit() or len(value) > 10:
            raise IngestError(file_name, BROKEN)
        if key == b"uniqueCount" and (int(value) > count or int(value) > MAX_SHARED_STRINGS):
            raise IngestError(file_name, BROKEN)


def _scan_sheet(
    zf: zipfile.ZipFile, member: str, facts: SheetFacts, book: _Workbook, file_name: str
) -> None:
    """Hidden rows and columns, special cells and the real extent of one worksheet."""
    far = False
    head_done = False
    for part in _chunks(zf, member):
        if not head_done:
            data_start = part.find(b"<sheetData")
            head = part if data_start < 0 else part[:data_start]
            for tag in _COL_TAG.findall(head):
                a = _attrs(tag)
                width = a.get(b"width", b"1")
                if a.get(b"hidden") in _TRUE or re.fullmatch(rb"0(\.0*)?", width):
                    first, last = a.get(b"min", b"0"), a.get(b"max", b"0")
                    if first.isdigit() and last.isdigit():
                        last_col = min(int(last), EXCEL_COLUMNS)
                        facts.hidden_columns.update(range(int(first) - 1, last_col))
            head_done = data_start >= 0
        # No writer puts spaces around "=", but some quote attributes with "'".
        odd = b"='" in part
        far = far or bool((_ANY_FAR_REF if odd else _FAR_REF).search(part))
        if b"autoFilter" in part:
            facts.filtered = True
        if _HIDDEN_ROW.search(part):
            for tag in _ROW_TAG.findall(part):
                a = _attrs(tag)
                hidden = a.get(b"hidden") in _TRUE or re.fullmatch(rb"0(\.0*)?", a.get(b"ht", b"1"))
                if hidden and a.get(b"r", b"").isdigit():
                    facts.hidden_rows.add(int(a[b"r"]) - 1)
        styled = bool(book.hidden_styles) and b" s=" in part
        error = _ERROR.search(part) if odd else b't="e"' in part
        if not (styled or error or _FORMULA.search(part)):
            continue
        for attr_text, body in _CELL.findall(part):
            a = _attrs(attr_text)
            kind = a.get(b"t", b"n")
            code = None
            if body and b"<f" in body:
                value = _VALUE.search(body)
                if book.recalculate or not value or not value[1].strip():
                    code = "formula"
            if code is None and kind == b"e":
                value = _VALUE.search(body or b"")
                code = value[1].decode(errors="replace").strip() if value else "#N/A"
            if code is None and a.get(b"s", b"").isdigit():
                hides = book.hidden_styles.get(int(a[b"s"]))
                if hides and hides[kind in (b"s", b"str", b"inlineStr")]:
                    code = "hidden"
            if code is not None and (ref := _cell_ref(a)) is not None:
                facts.cells[ref] = code
                if len(facts.cells) > MAX_SPECIAL_CELLS:
                    raise IngestError(
                        file_name,
                        f"Das Blatt „{facts.name}“ enthält mehr als "
                        f"{format_int(MAX_SPECIAL_CELLS)} Formeln oder Fehlerwerte. Bitte die "
                        "Tabelle kopieren und in eine neue Excel-Datei mit „Werte einfügen“ "
                        "einfügen.",
                    )
    if far:
        _check_extent(zf, member, facts.name, file_name)


def _check_extent(zf: zipfile.ZipFile, member: str, sheet: str, file_name: str) -> None:
    """Every reference of a sheet the probes flagged: refused if it is too large to read."""
    top = left = 2**62
    bottom = right = 0
    for part in _chunks(zf, member):
        refs = _REF.findall(part)
        if not refs:
            continue
        cols = {column_number(c) for c in {c for c, _r in refs}}
        rows = {int(r) for r in {r for _c, r in refs}}
        top, bottom = min(top, min(rows)), max(bottom, max(rows))
        left, right = min(left, min(cols)), max(right, max(cols))
    if not bottom:
        return
    area = (bottom - top + 1) * (right - left + 1)
    if bottom > EXCEL_ROWS or right > EXCEL_COLUMNS or area > MAX_SHEET_CELLS:
        raise _refuse_extent(file_name, sheet, top, left, bottom, right)


def inspect(data: bytes, file_name: str) -> WorkbookFacts:
    """The facts of every worksheet; IngestError (German) for a file that must not reach
    calamine: a sheet too large to read, a lying shared-string table, a broken archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            book = _Workbook(zf)
            _check_shared_strings(zf, book.shared_strings, file_name)
            facts = WorkbookFacts(book.recalculate)
            members = set(zf.namelist())
            found = {
                m for m in members if "worksheets/" in m.lower() and m.lower().endswith(".xml")
            }
            for member in sorted(found | (set(book.sheets) & members)):
                name, state = book.sheets.get(member, (member, "visible"))
                sheet = facts.sheets[name] = SheetFacts(name, state)
                _scan_sheet(zf, member, sheet, book, file_name)
            return facts
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError, OSError):  # fmt: skip
        # Sizes or checksums that do not match the data (a disguised zip bomb), encrypted
        # or unknown compression: calamine would fail on these too.
        raise IngestError(file_name, BROKEN) from None
