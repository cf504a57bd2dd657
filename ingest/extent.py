"""Refuses sheets whose used range is too large to read, before calamine expands it.

calamine turns a sheet into a dense grid from its top-left to its bottom-right value: one
stray value in XFD1048576 (Excel's Solver add-in puts data there) asks for 17 billion
cells and aborts the whole process, and Z1048576 costs a gigabyte (calamine issue #693).
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from db.german import format_int
from ingest.errors import IngestError

# A 20 MB file of real data holds a few million cells; this many take about 500 MB to read.
MAX_SHEET_CELLS = 10_000_000
CHUNK = 4 * 2**20
HEAD = 64 * 1024
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?")
# Cheap probes of a sheet without a dimension: refs beyond column Z or row 399,999. Only
# when one hits is every reference read (slow, but such sheets are rare).
_WIDE = re.compile(rb'r="[A-Z]{2}')
_LONG = re.compile(rb'r="[A-Z]{1,3}(?:[4-9]\d{5}|\d{7})')
_REF_COL = re.compile(rb'r="([A-Z]{1,3})\d')
_REF_ROW = re.compile(rb'r="[A-Z]{1,3}(\d{1,9})"')
_ANY_REF_COL = re.compile(rb"\sr\s*=\s*[\"']([A-Z]{1,3})\d")
_ANY_REF_ROW = re.compile(rb"\sr\s*=\s*[\"'][A-Z]{1,3}(\d{1,9})[\"']")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"[^>]*?\bid=\"([^\"]*)\"")
_REL = re.compile(rb"<Relationship\b[^>]*?\bId=\"([^\"]*)\"[^>]*?\bTarget=\"([^\"]*)\"")
_REL_REVERSED = re.compile(rb"<Relationship\b[^>]*?\bTarget=\"([^\"]*)\"[^>]*?\bId=\"([^\"]*)\"")


@dataclass
class _Extent:
    top: int = 2**31
    left: int = 2**31
    bottom: int = 0
    right: int = 0

    def add(self, col: int, row: int) -> None:
        self.top, self.bottom = min(self.top, row), max(self.bottom, row)
        self.left, self.right = min(self.left, col), max(self.right, col)

    @property
    def cells(self) -> int:
        if not self.bottom:
            return 0
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _chunks(zf: zipfile.ZipFile, name: str):  # noqa: ANN202
    """The member in pieces that end before a '<', so no tag is cut in two (bounded memory)."""
    carry = b""
    with zf.open(name) as fh:
        while chunk := fh.read(CHUNK):
            buf = carry + chunk
            cut = buf.rfind(b"<")
            if cut <= 0:
                cut = len(buf)
            yield buf[:cut]
            carry = buf[cut:]
    if carry:
        yield carry


def _exact(zf: zipfile.ZipFile, name: str) -> _Extent:
    """The extent from every reference (sets first: most cells share their column)."""
    extent = _Extent()
    for part in _chunks(zf, name):
        # The usual r="A1" form has a literal prefix, which the regex engine finds fast.
        odd = b"r='" in part or b"r =" in part or b"r= " in part or b"r=\t" in part
        col_re, row_re = (_ANY_REF_COL, _ANY_REF_ROW) if odd else (_REF_COL, _REF_ROW)
        cols = {column_number(c) for c in set(col_re.findall(part))}
        rows = {int(r) for r in set(row_re.findall(part))}
        if cols and rows:
            extent.add(min(cols), min(rows))
            extent.add(max(cols), max(rows))
    return extent


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Zip member -> sheet name as Excel shows it (best effort; small parts only)."""
    try:
        book = zf.read("xl/workbook.xml")[: 2**20] if "xl/workbook.xml" in zf.namelist() else b""
        rels = b""
        if "xl/_rels/workbook.xml.rels" in zf.namelist():
            rels = zf.read("xl/_rels/workbook.xml.rels")[: 2**20]
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}
    targets = dict(_REL.findall(rels)) | {i: t for t, i in _REL_REVERSED.findall(rels)}
    names = {}
    for sheet, rid in _SHEET.findall(book):
        target = targets.get(rid, b"").decode(errors="replace").lstrip("/")
        member = target if target.startswith("xl/") else f"xl/{target}"
        names[member] = sheet.decode(errors="replace")
    return names


def _worksheets(zf: zipfile.ZipFile, names: dict[str, str]) -> list[str]:
    members = set(zf.namelist())
    found = {m for m in members if "worksheets/" in m.lower() and m.lower().endswith(".xml")}
    return sorted(found | (set(names) & members))


def _refuse(file_name: str, sheet: str, extent: _Extent) -> IngestError:
    far = f"{column_letters(extent.right)}{extent.bottom}"
    return IngestError(
        file_name,
        f"Das Blatt „{sheet}“ reicht bis Zelle {far} "
        f"({format_int(extent.bottom - extent.top + 1)} Zeilen × "
        f"{format_int(extent.right - extent.left + 1)} Spalten) und ist zu groß zum Einlesen. "
        f"Meist steht weit unten oder rechts ein vergessener Wert (z. B. in {far}): bitte "
        "dort löschen oder nur die Tabelle in eine neue Excel-Datei kopieren.",
    )


def check_extent(data: bytes, file_name: str) -> None:
    """IngestError if a sheet of the .xlsx would expand to more than MAX_SHEET_CELLS cells."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = _sheet_names(zf)
            for member in _worksheets(zf, names):
                extent = _too_large(zf, member)
                if extent is not None:
                    raise _refuse(file_name, names.get(member, member), extent)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError, OSError):  # fmt: skip
        # Sizes or checksums that do not match the data (a disguised zip bomb), encrypted
        # or unknown compression: calamine would fail on these too.
        raise IngestError(
            file_name,
            "Die Excel-Datei ist beschädigt und kann nicht gelesen werden. Bitte in Excel "
            "öffnen, neu speichern und erneut hochladen.",
        ) from None


def _too_large(zf: zipfile.ZipFile, member: str) -> _Extent | None:
    """The sheet's extent if it is too large, else None (cheaply in the usual cases)."""
    with zf.open(member) as fh:
        head = fh.read(HEAD)
    dim = _DIMENSION.search(head)
    if dim and all(dim.groups()):
        declared = _Extent()
        declared.add(column_number(dim[1]), int(dim[2]))
        declared.add(column_number(dim[3]), int(dim[4]))
        if declared.cells <= MAX_SHEET_CELLS:
            return None  # the usual case: Excel and LibreOffice write the used range
    elif dim and dim[1] and dim[2] and dim[3] is None:
        return None  # a single cell
    elif not dim and not any(_WIDE.search(p) or _LONG.search(p) for p in _chunks(zf, member)):
        return None  # no dimension (openpyxl write-only), nothing beyond Z or row 399,999
    extent = _exact(zf, member)
    return extent if extent.cells > MAX_SHEET_CELLS else None
