"""Accepted column names and detection of the header row and layout of a sheet."""

from dataclasses import dataclass, field

from db.names import name_key
from db.text import clean
from ingest.read import Sheet
from ingest.values import is_empty, parse_month

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "service": ("Leistung", "Dienstleistung", "Verwaltungsleistung", "Produkt"),
    "service_id": ("Leistungs-ID", "Leistungsschlüssel", "LeiKa", "LeiKa-Schlüssel"),
    "department": ("Fachbereich", "Amt", "Organisationseinheit"),
    "month": ("Monat", "Berichtsmonat", "Zeitraum"),
    "total": ("Anträge gesamt", "gesamt", "insgesamt", "Anzahl gesamt", "Summe"),
    "online": ("davon online", "online", "Online-Anträge", "über Serviceportal",
               "davon über Serviceportal"),
    "office": ("vor Ort", "offline", "davon vor Ort", "analog"),
    "date": ("Eingangsdatum", "Antragsdatum", "eingegangen am", "Eingang"),
    "channel": ("Kanal", "Zugang", "Eingangskanal"),
    "count": ("Anzahl", "Anträge", "Fallzahl"),
    # catalog
    "aliases": ("Aliase", "Alias", "Aliasse"),
    "online_since": ("online seit", "online ab"),
    "emails": ("E-Mail", "E-Mail-Adresse", "E-Mail-Adressen", "Email"),
    # measures
    "field": ("Handlungsfeld", "Leitprojekt", "Themenfeld"),
    "group": ("Gruppe", "Bereich", "Cluster"),
    "measure": ("Maßnahme", "Massnahme", "Projekt", "Teilprojekt"),
    "status": ("Status",),
    "responsible": ("Verantwortlich", "Zuständig", "Verantwortlichkeit", "Federführung"),
    "start": ("Beginn", "Start"),
    "end": ("Ende",),
    "note": ("Sachstand",),
    "services": ("Leistungen", "verknüpfte Leistungen"),
}  # fmt: skip

HEADER_SCAN_ROWS = 50
MONTH_LABELS = {"monat", "berichtsmonat", "zeitraum"}
MONTH_HINT = "Bitte den Monat z. B. als „Okt. 2021“ oder „10/2021“ angeben."


def header_key(value: object) -> str:
    """Normalize a header cell: case, surrounding spaces, trailing colon, line breaks,
    look-alike characters (db.text.clean)."""
    return name_key(value).rstrip(":").strip()


_ROLE_BY_KEY = {header_key(name): role for role, names in COLUMN_NAMES.items() for name in names}


@dataclass
class Header:
    row_index: int  # 0-based index into sheet.rows
    columns: dict[str, int]  # role -> column index
    labels: dict[str, str]  # role -> header text as written in the file
    layout: str
    # role -> every (column index, header text) of a role that stands more than once
    duplicates: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    @property
    def excel_row(self) -> int:
        return self.row_index + 1


def roles_of(row: list) -> tuple[dict[str, int], dict[str, str], dict[str, list]]:
    """Role -> first column and its header text, and the roles that stand more than once."""
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    seen: dict[str, list[tuple[int, str]]] = {}
    for i, cell in enumerate(row):
        if is_empty(cell) or not isinstance(cell, str):
            continue
        role = _ROLE_BY_KEY.get(header_key(cell))
        if role:
            text = " ".join(clean(cell).split())
            seen.setdefault(role, []).append((i, text))
            if role not in columns:
                columns[role] = i
                labels[role] = text
    return columns, labels, {r: cols for r, cols in seen.items() if len(cols) > 1}


def _count_layout(columns: dict[str, int]) -> str | None:
    if "service" not in columns:
        return None
    if {"channel", "count"} <= columns.keys():
        return "long"
    if len({"total", "online", "office"} & columns.keys()) >= 2:
        return "report"
    if "date" in columns:
        return "portal"
    return None


def _required(required: set[str]):  # noqa: ANN202
    return lambda columns: "table" if required <= columns.keys() else None


LAYOUT_DETECTORS = {
    "counts": _count_layout,
    "services": _required({"service", "department"}),
    "measures": _required({"field", "measure", "status"}),
}


def find_header(sheet: Sheet, kind: str) -> Header | None:
    """The first row (within the first HEADER_SCAN_ROWS) that is a header row of this kind."""
    detect = LAYOUT_DETECTORS[kind]
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        columns, labels, duplicates = roles_of(row)
        layout = detect(columns) if columns else None
        if layout:
            return Header(index, columns, labels, layout, duplicates)
    return None


@dataclass
class BlockMonth:
    """A 'Berichtsmonat: | Mai 2022' label above the header: its month or why it has none."""

    month: str | None
    error: str | None
    row_index: int  # 0-based, like sheet.rows
    cells: tuple[int, int]  # columns of the label and of its value


def block_months(sheet: Sheet, header: Header) -> list[BlockMonth]:
    """Every month label in the block above the header, top to bottom."""
    found = []
    for index, row in enumerate(sheet.rows[: header.row_index]):
        for col, cell in enumerate(row):
            if isinstance(cell, str) and header_key(cell) in MONTH_LABELS:
                label = " ".join(clean(cell).split()).rstrip(":").strip()
                at = next((c for c in range(col + 1, len(row)) if not is_empty(row[c])), None)
                if at is None:
                    error = f"Neben „{label}“ steht kein Monat. {MONTH_HINT}"
                    found.append(BlockMonth(None, error, index, (col, col)))
                    continue
                try:
                    found.append(BlockMonth(parse_month(row[at]), None, index, (col, at)))
                except ValueError as exc:
                    error = f"{label}: {exc}. {MONTH_HINT}"
                    found.append(BlockMonth(None, error, index, (col, at)))
    return found


def looked_for(kind: str) -> str:
    """German description of the header a file of this kind needs."""
    n = COLUMN_NAMES
    if kind == "counts":
        return (
            f"eine Zeile mit der Spalte „{n['service'][0]}“ (oder „{n['service'][1]}“) und "
            f"entweder „{n['total'][0]}“ und „{n['online'][0]}“ (Monatsmeldung), "
            f"„{n['month'][0]}“, „{n['channel'][0]}“ und „{n['count'][0]}“ (Langformat) oder "
            f"„{n['date'][0]}“ (Serviceportal-Export)"
        )
    if kind == "services":
        return f"eine Zeile mit den Spalten „{n['service'][0]}“ und „{n['department'][0]}“"
    return "eine Zeile mit den Spalten „Handlungsfeld“, „Maßnahme“ und „Status“"
