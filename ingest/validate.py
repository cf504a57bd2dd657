"""Checks of each layout: sheets in, normalized records or German problems out."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from db.addresses import AddressError, parse_addresses
from db.german import format_int, format_month
from db.labels import STATUS_LABELS
from db.names import Catalog, id_key, name_key
from db.records import CountKey, MeasureRow, ServiceRow
from db.text import clean
from ingest.columns import MONTH_HINT, Header, block_months, find_header, looked_for
from ingest.errors import IngestError, Problems
from ingest.read import Sheet, Workbook
from ingest.values import (
    EARLIEST_YEAR,
    current_month,
    is_empty,
    parse_count,
    parse_date_month,
    parse_month,
    shown,
)
from ingest.xlsx import column_letters

# The first word of a total line's service cell ("Summe Bürgerbüro", "Gesamt:").
SUM_WORDS = {"summe", "gesamt", "insgesamt", "gesamtsumme"}
CHANNELS = {
    "online": "online", "serviceportal": "online",
    "vor ort": "office", "offline": "office", "analog": "office",
}  # fmt: skip
# Status words in a measures file (any case); "abgeschlossen" means "umgesetzt".
STATUS_NAMES = {name_key(label): code for code, label in STATUS_LABELS.items()}
STATUS_NAMES["abgeschlossen"] = "done"
LAYOUT_LABELS = {"report": "Monatsmeldung", "long": "Langformat", "portal": "Serviceportal-Export"}
PROGRESS_EVERY = 20_000
COUNT_HINT = "Bitte eine ganze Zahl ab 0 eintragen."
# Excel's error values as German Excel shows them.
ERROR_NAMES = {
    "#N/A": "#NV", "#VALUE!": "#WERT!", "#REF!": "#BEZUG!", "#NAME?": "#NAME?",
    "#NUM!": "#ZAHL!", "#NULL!": "#NULL!", "#DIV/0!": "#DIV/0!", "#SPILL!": "#ÜBERLAUF!",
    "#CALC!": "#KALK!", "#GETTING_DATA": "#DATEN_ABRUFEN",
}  # fmt: skip
SHOWN_ROWS = 6  # rows named in one message; the rest are counted

Progress = Callable[[int, int], None]
# (service id, month) -> what the file says, as typed: "total", "online", "office" (monthly
# report and long table) or "portal" (applications in a portal export).
Typed = dict[tuple[int, str], dict[str, int]]


@dataclass
class CountsFile:
    file_name: str
    checksum: str
    records: dict[CountKey, int] = field(default_factory=dict)
    rows: int = 0
    layouts: list[tuple[str, str]] = field(default_factory=list)  # (sheet, layout label)
    # Where each record came from, for messages across files ("Blatt „Mai“, Zeile 4").
    origin: dict[CountKey, str] = field(default_factory=dict)
    typed: Typed = field(default_factory=dict)


def _cell(row: list, col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def _row_list(rows: list[int]) -> str:
    """'5', '5 und 7' or '5, 7, 9 und 12 weitere'."""
    if len(rows) == 1:
        return str(rows[0])
    if len(rows) <= SHOWN_ROWS:
        return f"{', '.join(str(r) for r in rows[:-1])} und {rows[-1]}"
    return f"{', '.join(str(r) for r in rows[:SHOWN_ROWS])} und {len(rows) - SHOWN_ROWS} weitere"


class _SheetCheck:
    """State while checking one sheet: problems, unknown services, where keys came from."""

    def __init__(self, sheet: Sheet, header: Header, catalog: Catalog, problems: Problems):
        self.sheet = sheet
        self.header = header
        self.catalog = catalog
        self.problems = problems
        self.unknown: dict[str, list[int]] = {}
        self.conflicts: dict[tuple[int, int, str, str], list[int]] = {}
        self._memo: dict[tuple, int | None] = {}
        self.this_month = current_month()

    def add(self, message: str, row: int | None = None, role: str | None = None) -> None:
        column = self.header.labels.get(role) if role else None
        self.problems.add(message, self.sheet.name, row, column, self.sheet.csv)

    def number(self, index: int) -> int:
        """The row (Excel) or line (CSV) number of sheet.rows[index]."""
        return self.sheet.row_number(index)

    def column_name(self, col: int) -> str:
        return f"Feld {col + 1}" if self.sheet.csv else f"Spalte {column_letters(col + 1)}"

    def service(self, name: object, leika: object, row: int) -> int | None:
        """The service id for a row's name/id cells; unknown names and names that contradict
        the id are noted for finish()."""
        key = (name, leika)
        if key in self._memo:
            sid = self._memo[key]
        else:
            sid = self._memo[key] = self._match(name, leika)
        if sid is None:
            if (name, leika, "conflict") in self._memo:
                by_id, by_name = self._memo[(name, leika, "conflict")]
                self.conflicts.setdefault((by_id, by_name, shown(leika), shown(name)), []).append(
                    row
                )
            else:
                self.unknown.setdefault(shown(leika if is_empty(name) else name), []).append(row)
        return sid

    def _match(self, name: object, leika: object) -> int | None:
        name = None if is_empty(name) else name
        leika = None if is_empty(leika) else leika
        if name is not None and leika is not None:
            by_id = self.catalog.match(None, leika)
            by_name = self.catalog.match(name)
            if by_id is not None and by_name is not None and by_id != by_name:
                self._memo[(name, leika, "conflict")] = (by_id, by_name)
                return None
        return self.catalog.match(name, leika)

    def month(
        self, value: object, row: int, role: str = "month", future: bool = False
    ) -> str | None:
        """The month of a cell; a problem (and None) if it is missing, invalid or (unless
        `future`) after the current month."""
        if is_empty(value):
            self.add(f"Der Monat fehlt. {MONTH_HINT}", row, role)
            return None
        try:
            month = parse_month(value)
        except ValueError as exc:
            self.add(f"{exc}. {MONTH_HINT}", row, role)
            return None
        return month if future else self.not_future(month, row, role)

    def not_future(self, month: str, row: int | None, role: str | None) -> str | None:
        if month > self.this_month:
            self.add(
                f"{format_month(month)} liegt in der Zukunft. Bitte den Monat prüfen.", row, role
            )
            return None
        return month

    def finish(self, role: str = "service") -> None:
        """Report unknown services once per name, with a suggestion where one is close, and
        rows whose id and name mean two different services."""
        names = self.catalog.names
        for (by_id, by_name, leika, name), rows in self.conflicts.items():
            also = f" (auch in Zeile {_row_list(rows[1:])})" if len(rows) > 1 else ""
            self.add(
                f"Leistungs-ID und Name bezeichnen verschiedene Leistungen{also}: Die "
                f"Leistungs-ID „{leika}“ gehört zu „{names[by_id]}“, der Name „{name}“ zu "
                f"„{names[by_name]}“. Bitte die Leistungs-ID oder den Namen berichtigen.",
                rows[0],
                role,
            )
        if self.unknown and not len(self.catalog):
            self.add("Der Leistungskatalog ist leer. Bitte zuerst den Leistungskatalog laden.")
            return
        for name, rows in self.unknown.items():
            where = f" (auch in Zeile {_row_list(rows[1:])})" if len(rows) > 1 else ""
            hint = self.catalog.suggest(name)
            hint = f" Meinten Sie „{hint}“?" if hint else ""
            self.add(
                f"Die Leistung „{name}“{where} steht nicht im Leistungskatalog.{hint} "
                "Bitte den Namen aus dem Leistungskatalog verwenden oder die Leistung dort "
                "ergänzen.",
                rows[0],
                role,
            )

    # ------------------------------------------------------------ what a person can't see

    def header_ok(self) -> bool:
        """The header must be unambiguous and visible; False (after saying why) if not."""
        header, facts = self.header, self.sheet.facts
        ok = True
        for cols in header.duplicates.values():
            (first, first_text), (second, second_text) = cols[0], cols[1]
            self.add(
                f"Die Kopfzeile enthält zwei Spalten derselben Art: „{first_text}“ in "
                f"{self.column_name(first)} und „{second_text}“ in {self.column_name(second)}. "
                "Welche gilt, ist nicht eindeutig (stehen darüber etwa zwei Zeiträume?). Bitte "
                "nur eine Tabelle je Blatt mit je einer Spalte dieser Art anlegen.",
                self.number(header.row_index),
            )
            ok = False
        if facts is None:
            return ok
        if header.row_index in facts.hidden_rows:
            self.add(
                "Die Kopfzeile ist ausgeblendet. Geladen wird nur, was man sieht: bitte die "
                "Zeile einblenden.",
                self.number(header.row_index),
            )
            return False
        for role, col in header.columns.items():
            if col in facts.hidden_columns:
                self.add(
                    f"Die Spalte „{header.labels[role]}“ ({self.column_name(col)}) ist "
                    "ausgeblendet. Geladen wird nur, was man sieht: bitte die Spalte "
                    "einblenden oder löschen.",
                    self.number(header.row_index),
                )
                ok = False
        return ok

    def unreadable_rows(self, value_roles: Iterable[str], sums: bool = False) -> set[int]:
        """Rows (indices) that must not be read, each reported: hidden or filtered rows with
        values of the table, cells with a formula Excel has not calculated, an error value
        or a format that hides their value, and CSV rows that do not fit the header."""
        facts, sheet = self.sheet.facts, self.sheet
        cols = self.header.columns
        used = sorted(set(cols.values()))
        values = [cols[r] for r in value_roles if r in cols]
        s_col = cols.get("service")
        skip: set[int] = set()
        start = self.header.row_index + 1
        if facts is not None and (facts.cells or facts.hidden_rows):
            special = defaultdict(list)
            for (r, c), code in facts.cells.items():
                if r >= start and c in used:
                    special[r].append((c, code))
            hidden_with_values = []
            for index in sorted(set(special) | {r for r in facts.hidden_rows if r >= start}):
                row = sheet.rows[index] if index < len(sheet.rows) else []
                if sums and _is_sum_row(_cell(row, s_col)):
                    continue
                if index in facts.hidden_rows:
                    if special.get(index) or any(not is_empty(_cell(row, c)) for c in values):
                        hidden_with_values.append(self.number(index))
                        skip.add(index)
                    continue
                for col, code in special.get(index, []):
                    self._special_cell(index, col, code)
                    skip.add(index)
            if hidden_with_values:
                how = " oder durch einen Filter verborgen" if facts.filtered else ""
                rows = hidden_with_values
                which = "Die Zeile ist" if len(rows) == 1 else f"Die Zeilen {_row_list(rows)} sind"
                self.add(
                    f"{which} ausgeblendet{how}, {'enthält' if len(rows) == 1 else 'enthalten'} "
                    "aber Werte der Tabelle. Geladen wird nur, was man sieht: bitte alle Zeilen "
                    "einblenden (und einen Filter aufheben) oder die Zeilen löschen, die nicht "
                    "geladen werden sollen.",
                    rows[0],
                )
        if sheet.csv:
            skip |= self._csv_rows(values, sums)
        return skip

    def _special_cell(self, index: int, col: int, code: str) -> None:
        role = next((r for r, c in self.header.columns.items() if c == col), None)
        where = self.number(index)
        if code == "formula":
            self.add(
                "Formel ohne berechneten Wert – bitte die Datei in Excel öffnen und speichern "
                "(dann speichert Excel das Ergebnis mit) oder die Zahl selbst eintragen.",
                where,
                role,
            )
        elif code == "hidden":
            self.add(
                "Das Zahlenformat der Zelle („;;;“) macht ihren Wert unsichtbar. Geladen wird "
                "nur, was man sieht: bitte ein sichtbares Zahlenformat wählen oder den Wert "
                "löschen.",
                where,
                role,
            )
        else:
            name = ERROR_NAMES.get(code.upper(), code)
            self.add(
                f"Die Zelle zeigt den Fehlerwert {name} statt einer Angabe. Bitte die Formel "
                "berichtigen oder den Wert selbst eintragen.",
                where,
                role,
            )

    def _csv_rows(self, values: list[int], sums: bool) -> set[int]:
        """CSV rows with a quote that swallowed the following lines (a cell spanning lines
        that holds separators), or with more fields than the header or too few for the
        table's columns (usually another separator)."""
        sheet, header = self.sheet, self.header
        width = len(sheet.rows[header.row_index])
        needed = max(header.columns.values()) + 1
        s_col = header.columns.get("service")
        skip = set()
        for index in range(header.row_index + 1, len(sheet.rows)):
            row = sheet.rows[index]
            filled = [i for i, v in enumerate(row) if not is_empty(v)]
            if not filled or (sums and _is_sum_row(_cell(row, s_col))):
                continue
            line = self.number(index)
            if any("\n" in v and ";" in v for v in row):
                end = sheet.row_number(index + 1) - 1 if index + 1 < len(sheet.rows) else None
                span = f"bis Zeile {end}" if end else "bis zum Ende der Datei"
                self.add(
                    f'In dieser Zeile beginnt ein Anführungszeichen („"“), das erst {span} '
                    "geschlossen wird; dadurch sind diese Zeilen zu einer einzigen Zelle "
                    "verschmolzen. Bitte das Anführungszeichen entfernen oder schließen.",
                    line,
                )
            elif filled[-1] >= width:
                self.add(
                    f"Die Zeile hat {filled[-1] + 1} Felder, die Kopfzeile nur {width}. Meist "
                    "enthält ein Text ein Semikolon ohne Anführungszeichen. Bitte die Zeile "
                    "prüfen.",
                    line,
                )
            elif len(row) < needed and any(not is_empty(_cell(row, c)) for c in [*values, s_col]):
                other = next((sep for sep in (",", "\t") if sep in "".join(row)), None)
                hint = (
                    f"; sie ist offenbar mit {'Komma' if other == ',' else 'Tabulator'} statt "
                    "Semikolon getrennt"
                    if other
                    else ""
                )
                self.add(
                    f"Die Zeile hat {len(row)} {'Feld' if len(row) == 1 else 'Felder'}, die "
                    f"Tabelle braucht {needed}{hint}. Bitte die Zeile mit Semikolons wie die "
                    "Kopfzeile trennen.",
                    line,
                )
            else:
                continue
            skip.add(index)
        return skip


def _is_sum_row(name: object) -> bool:
    """A total line: its service cell's first word is Summe, Gesamt, Insgesamt or
    Gesamtsumme (any case, with or without a colon); 'Gesamtschule' is a service."""
    if not isinstance(name, str):
        return False
    words = name_key(name).split()
    return bool(words) and words[0].rstrip(":") in SUM_WORDS


class _Counts:
    """Collects count records of one file and reports duplicate rows."""

    def __init__(self) -> None:
        self.records: dict[CountKey, int] = {}
        self.origin: dict[tuple, tuple[str, int]] = {}
        self.where: dict[CountKey, str] = {}
        self.typed: Typed = {}

    def claim(self, check: _SheetCheck, keys: list[tuple], row: int, what: str) -> bool:
        """Register (service, month, channel) keys for a row; False if another row had one."""
        for key in keys:
            if key in self.origin:
                sheet, first = self.origin[key]
                if sheet == check.sheet.name:
                    where = f"in Zeile {first} und in Zeile {row}"
                else:
                    where = (
                        f"in Blatt „{sheet}“, Zeile {first} und "
                        f"in Blatt „{check.sheet.name}“, Zeile {row}"
                    )
                check.add(
                    f"{what} steht doppelt: {where}. Bitte eine der beiden Zeilen löschen.", row
                )
                return False
        for key in keys:
            self.origin[key] = (check.sheet.name, row)
        return True

    def put(self, check: _SheetCheck, key: CountKey, value: int, row: int | None) -> None:
        self.records[key] = value
        kind = "Datei" if check.sheet.csv else "Blatt"
        at = f", Zeile {row}" if row is not None else ""
        self.where[key] = f"{kind} „{check.sheet.name}“{at}"

    def note_typed(self, sid: int, month: str, values: dict[str, int]) -> None:
        typed = self.typed.setdefault((sid, month), {})
        for role, value in values.items():
            typed[role] = typed.get(role, 0) + value if role == "portal" else value


def _what(check: _SheetCheck, sid: int, month: str, channel: str | None = None) -> str:
    text = f"„{check.catalog.names[sid]}“ im {format_month(month)}"
    return f"{text} ({'online' if channel == 'online' else 'vor Ort'})" if channel else text


def _sheet_month(check: _SheetCheck) -> tuple[bool, str | None, int | None]:
    """The month given above the header ('Berichtsmonat:'): (ok, month, its row number).

    ok is False, after reporting why, when a label has no valid month, when two labels name
    different months or when a label stands in a row or column a person can't see."""
    labels = block_months(check.sheet, check.header)
    facts = check.sheet.facts
    ok = True
    for label in labels:
        if label.error:
            check.add(label.error, check.number(label.row_index))
            ok = False
        elif facts is not None and (
            label.row_index in facts.hidden_rows
            or any(c in facts.hidden_columns for c in label.cells)
        ):
            check.add(
                f"Der Berichtsmonat ({format_month(label.month)}) steht in einer "
                "ausgeblendeten Zeile oder Spalte. Geladen wird nur, was man sieht: bitte "
                "einblenden.",
                check.number(label.row_index),
            )
            ok = False
    valid = [label for label in labels if label.month]
    months = list(dict.fromkeys(label.month for label in valid))
    if len(months) > 1:
        first, second = valid[0], next(v for v in valid if v.month != valid[0].month)
        check.add(
            f"Über der Tabelle stehen zwei verschiedene Berichtsmonate: "
            f"{format_month(first.month)} in Zeile {check.number(first.row_index)} und "
            f"{format_month(second.month)} in Zeile {check.number(second.row_index)}. Bitte "
            "nur einen Berichtsmonat je Blatt angeben.",
            check.number(second.row_index),
        )
        return False, None, None
    if not ok or not valid:
        return ok, None, None
    row = check.number(valid[0].row_index)
    return True, check.not_future(valid[0].month, row, None), row


class _Month:
    """The month of each row: from the month column, or from the block above the header,
    and never two different months for the same row."""

    def __init__(self, check: _SheetCheck) -> None:
        self.check = check
        self.col = check.header.columns.get("month")
        self.ok, self.block, self.block_row = _sheet_month(check)
        if self.ok and self.col is None and self.block is None and self.block_row is None:
            check.add(
                "Kein Berichtsmonat gefunden: Die Tabelle hat keine Spalte „Monat“, und über "
                "der Kopfzeile steht kein Feld „Berichtsmonat:“ mit dem Monat daneben. Bitte "
                "eines von beiden ergänzen.",
                check.number(check.header.row_index),
            )
            self.ok = False
        elif self.ok and self.col is None and self.block is None:
            self.ok = False  # the block month lies in the future (reported)

    def __call__(self, row: list, number: int) -> str | None:
        if self.col is None:
            return self.block
        month = self.check.month(_cell(row, self.col), number)
        if month is not None and self.block is not None and month != self.block:
            self.check.add(
                f"Der Monat {format_month(month)} widerspricht dem Berichtsmonat "
                f"{format_month(self.block)} über der Tabelle (Zeile {self.block_row}). "
                "Bitte den Monat nur an einer Stelle angeben oder beide angleichen.",
                number,
                "month",
            )
            return None
        return month


def _check_report(check: _SheetCheck, counts: _Counts, progress: Progress | None) -> int:
    sheet, header = check.sheet, check.header
    cols = header.columns
    s_col, id_col = cols["service"], cols.get("service_id")
    count_cols = [(r, cols[r]) for r in ("total", "online", "office") if r in cols]
    month_of = _Month(check)
    if not month_of.ok:
        return 0
    skip = check.unreadable_rows([r for r, _c in count_cols], sums=True)
    used = 0
    for index in range(header.row_index + 1, len(sheet.rows)):
        if skip and index in skip:
            continue
        row, number = sheet.rows[index], check.number(index)
        values = {role: _cell(row, c) for role, c in count_cols}
        if all(is_empty(v) for v in values.values()):
            continue  # blank, a note, or a service not reported this month
        name, leika = _cell(row, s_col), _cell(row, id_col)
        if _is_sum_row(name):
            continue
        used += 1
        if progress and used % PROGRESS_EVERY == 0:
            progress(index, len(sheet.rows))
        if is_empty(name) and is_empty(leika):
            check.add(
                "Die Zeile enthält Anzahlen, aber keine Leistung. Bitte die Leistung "
                "eintragen oder die Zeile löschen.",
                number,
                "service",
            )
            continue
        sid = check.service(name, leika, number)
        month = month_of(row, number)
        parsed: dict[str, int] = {}
        for role, value in values.items():
            if is_empty(value):
                check.add(
                    "Die Anzahl fehlt. Bitte eine Zahl eintragen (0, wenn es keine Anträge gab).",
                    number,
                    role,
                )
                continue
            try:
                parsed[role] = parse_count(value)
            except ValueError as exc:
                check.add(f"{exc}. {COUNT_HINT}", number, role)
        if len(parsed) != len(values) or sid is None or month is None:
            continue
        total, online, office = parsed.get("total"), parsed.get("online"), parsed.get("office")
        if total is not None and online is not None and online > total:
            check.add(
                f"{format_int(online)} Online-Anträge sind mehr als {format_int(total)} "
                "Anträge insgesamt.",
                number,
                "online",
            )
            continue
        if total is not None and office is not None and office > total:
            check.add(
                f"{format_int(office)} Anträge vor Ort sind mehr als {format_int(total)} "
                "Anträge insgesamt.",
                number,
                "office",
            )
            continue
        if None not in (total, online, office) and office + online != total:
            check.add(
                f"{format_int(office)} Anträge vor Ort und {format_int(online)} online ergeben "
                f"zusammen {format_int(office + online)}, nicht {format_int(total)} Anträge "
                "insgesamt. Bitte die Zahlen prüfen.",
                number,
                "total",
            )
            continue
        if online is None:
            online = total - office
        if office is None:
            office = total - online
        keys = [(sid, month, "online"), (sid, month, "office")]
        if counts.claim(check, keys, number, _what(check, sid, month)):
            counts.put(check, (sid, month, "online", "report"), online, number)
            counts.put(check, (sid, month, "office", "report"), office, number)
            counts.note_typed(sid, month, parsed)
    return used


def _check_long(check: _SheetCheck, counts: _Counts, progress: Progress | None) -> int:
    sheet, header = check.sheet, check.header
    cols = header.columns
    s_col, id_col = cols["service"], cols.get("service_id")
    c_col, n_col = cols["channel"], cols["count"]
    month_of = _Month(check)
    if not month_of.ok:
        return 0
    skip = check.unreadable_rows(["count"], sums=True)
    used = 0
    for index in range(header.row_index + 1, len(sheet.rows)):
        if skip and index in skip:
            continue
        row, number = sheet.rows[index], check.number(index)
        value = _cell(row, n_col)
        if is_empty(value):
            continue
        name, leika = _cell(row, s_col), _cell(row, id_col)
        if _is_sum_row(name):
            continue
        used += 1
        if progress and used % PROGRESS_EVERY == 0:
            progress(index, len(sheet.rows))
        if is_empty(name) and is_empty(leika):
            check.add(
                "Die Zeile enthält eine Anzahl, aber keine Leistung. Bitte die Leistung "
                "eintragen oder die Zeile löschen.",
                number,
                "service",
            )
            continue
        sid = check.service(name, leika, number)
        month = month_of(row, number)
        raw_channel = _cell(row, c_col)
        channel = CHANNELS.get(name_key(raw_channel)) if not is_empty(raw_channel) else None
        if channel is None:
            problem = (
                "Der Kanal fehlt"
                if is_empty(raw_channel)
                else f"Der Kanal „{shown(raw_channel)}“ ist unbekannt"
            )
            check.add(
                f"{problem}. Erlaubt sind „online“, „Serviceportal“, „vor Ort“, „offline“ und "
                "„analog“.",
                number,
                "channel",
            )
        try:
            amount = parse_count(value)
        except ValueError as exc:
            check.add(f"{exc}. {COUNT_HINT}", number, "count")
            continue
        if sid is None or month is None or channel is None:
            continue
        key = (sid, month, channel)
        if counts.claim(check, [key], number, _what(check, sid, month, channel)):
            counts.put(check, (sid, month, channel, "report"), amount, number)
            counts.note_typed(sid, month, {channel: amount})
    return used


_MISSING, _BLANK, _SUM = object(), object(), object()


def _check_portal(check: _SheetCheck, counts: _Counts, progress: Progress | None) -> int:
    """One online request per row; a tight loop, since exports run to 200,000 rows."""
    sheet, header = check.sheet, check.header
    cols = header.columns
    s_col, id_col, d_col = cols["service"], cols.get("service_id"), cols["date"]
    skip = check.unreadable_rows(["date"], sums=True)
    # Names and months repeat: classify each distinct (name, id) and month once.
    kinds: dict[tuple, object] = {}
    months: dict[object, str | None] = {}
    tally: dict[tuple[int, str], int] = defaultdict(int)
    rows = sheet.rows
    used = 0
    for index in range(header.row_index + 1, len(rows)):
        if skip and index in skip:
            continue
        row = rows[index]
        width = len(row)
        name = row[s_col] if s_col < width else None
        leika = row[id_col] if id_col is not None and id_col < width else None
        when = row[d_col] if d_col < width else None
        key = (name, leika)
        kind = kinds.get(key, _MISSING)
        if kind is _MISSING:
            if is_empty(name) and is_empty(leika):
                kind = _BLANK
            elif _is_sum_row(name):
                kind = _SUM
            else:
                kind = check.service(name, leika, check.number(index))
            kinds[key] = kind
        elif kind is None:
            check.service(name, leika, check.number(index))  # note this row of the unknown name
        if kind is _SUM or (kind is _BLANK and is_empty(when)):
            continue
        used += 1
        if progress and used % PROGRESS_EVERY == 0:
            progress(index, len(rows))
        if kind is _BLANK:
            check.add(
                "Die Zeile hat ein Eingangsdatum, aber keine Leistung. Bitte die Leistung "
                "eintragen oder die Zeile löschen.",
                check.number(index),
                "service",
            )
            continue
        if isinstance(when, datetime | date):
            month_key = (when.year, when.month)
            if month_key not in months:
                text = f"{when.year:04d}-{when.month:02d}"
                valid = when.year >= EARLIEST_YEAR and text <= check.this_month
                months[month_key] = text if valid else None
            month = months[month_key]
            if month is None:
                check.add(
                    f"Das Eingangsdatum {when:%d.%m.%Y} "
                    f"{'liegt in der Zukunft' if when.year >= EARLIEST_YEAR else 'ist zu alt'}. "
                    "Bitte das Datum prüfen.",
                    check.number(index),
                    "date",
                )
        elif is_empty(when):
            check.add(
                "Das Eingangsdatum fehlt. Bitte das Datum eintragen oder die Zeile löschen.",
                check.number(index),
                "date",
            )
            continue
        else:
            if when not in months:
                try:
                    months[when] = check.not_future(
                        parse_date_month(when), check.number(index), "date"
                    )
                except ValueError as exc:
                    months[when] = None
                    check.add(
                        f"{exc}. Bitte das Datum als „15.10.2021“ oder „15.10.2021 14:03“ angeben.",
                        check.number(index),
                        "date",
                    )
            month = months[when]
        if kind is not None and month is not None:
            tally[(kind, month)] += 1
    for (sid, month), n in tally.items():
        key = (sid, month, "online", "portal")
        counts.put(check, key, counts.records.get(key, 0) + n, None)
        counts.note_typed(sid, month, {"portal": n})
    return used


CHECKERS = {"report": _check_report, "long": _check_long, "portal": _check_portal}


def _headers(workbook: Workbook, kind: str) -> list[tuple[Sheet, Header]]:
    found = [(s, h) for s in workbook.sheets if (h := find_header(s, kind))]
    if not found:
        names = ", ".join(f"„{s.name}“" for s in workbook.sheets[:10])
        where = "in der Datei" if workbook.sheets[0].csv else f"in keinem Blatt ({names})"
        hidden = ""
        if workbook.hidden_sheets:
            hidden = (
                " Ausgeblendete Blätter ("
                + ", ".join(f"„{n}“" for n in workbook.hidden_sheets[:10])
                + ") werden nicht gelesen; steht die Tabelle dort, bitte das Blatt in Excel "
                "einblenden."
            )
        raise IngestError(
            workbook.file_name,
            f"Keine Kopfzeile gefunden: {where} steht {looked_for(kind)}. Bitte die "
            f"Spaltenüberschriften prüfen.{hidden}",
        )
    return found


def check_counts(
    workbook: Workbook, catalog: Catalog, progress: Progress | None = None
) -> CountsFile:
    """Every count in the workbook, normalized; IngestError listing all problems."""
    problems = Problems()
    counts = _Counts()
    result = CountsFile(workbook.file_name, workbook.checksum)
    for sheet, header in _headers(workbook, "counts"):
        check = _SheetCheck(sheet, header, catalog, problems)
        if check.header_ok():
            result.rows += CHECKERS[header.layout](check, counts, progress)
            check.finish()
        result.layouts.append((sheet.name, LAYOUT_LABELS[header.layout]))
    if problems:
        raise IngestError(workbook.file_name, problems)
    if not counts.records:
        raise IngestError(
            workbook.file_name,
            "Die Datei enthält keine Anzahlen. Bitte prüfen, ob die richtige Datei gewählt wurde.",
        )
    result.records = counts.records
    result.origin = counts.where
    result.typed = counts.typed
    return result


# ---------------------------------------------------------------- catalog


def _text(value: object, limit: int = 300) -> str | None:
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(clean(str(value)).split())[:limit]


def _note(value: object, limit: int = 10_000) -> str | None:
    """Free text such as a Sachstand: spaces tidied, line breaks within the cell kept."""
    if is_empty(value):
        return None
    lines = (" ".join(line.split()) for line in clean(str(value)).splitlines())
    return "\n".join(line for line in lines if line)[:limit]


@dataclass
class Place:
    """Where a row of a file stands, enough to word a problem about it later."""

    sheet: str
    row: int
    csv: bool
    labels: dict[str, str]  # role -> header text

    def add(self, problems: Problems, message: str, role: str | None) -> None:
        column = self.labels.get(role) if role else None
        problems.add(message, self.sheet, self.row, column, self.csv)


def check_services(workbook: Workbook, catalog: Catalog | None = None) -> list[ServiceRow]:
    """Rows of a service catalog; IngestError listing all problems.

    `catalog` is the stored catalog: a name, alias or id that already belongs to a service
    the file does not update is refused (a name may belong to one service only)."""
    return service_rows(workbook, catalog)[0]


def service_rows(
    workbook: Workbook, catalog: Catalog | None = None
) -> tuple[list[ServiceRow], list[Place]]:
    """check_services' rows and where each stands (for check_service_names in the write)."""
    catalog = catalog or Catalog()
    problems = Problems()
    rows: list[ServiceRow] = []
    where: list[Place] = []  # per row: its sheet and row number
    seen_names: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for sheet, header in _headers(workbook, "services"):
        check = _SheetCheck(sheet, header, catalog, problems)
        cols = header.columns
        if not check.header_ok():
            continue
        skip = check.unreadable_rows(cols)
        for index in range(header.row_index + 1, len(sheet.rows)):
            if index in skip:
                continue
            row, excel_row = sheet.rows[index], check.number(index)
            cells = {role: _cell(row, c) for role, c in cols.items()}
            if all(is_empty(v) for v in cells.values()):
                continue
            name, dep = _text(cells.get("service")), _text(cells.get("department"), 200)
            if name is None:
                check.add("Der Name der Leistung fehlt.", excel_row, "service")
                continue
            if dep is None:
                check.add(f"Für „{name}“ fehlt der Fachbereich.", excel_row, "department")
            leika = _text(cells.get("service_id"), 40)
            leika = id_key(leika) if leika else None
            since = None
            if not is_empty(cells.get("online_since")):
                since = check.month(cells["online_since"], excel_row, "online_since")
            duplicate = False
            for key, seen, what, role in (
                (name_key(name), seen_names, f"Die Leistung „{name}“", "service"),
                (leika, seen_ids, f"Die Leistungs-ID „{leika}“", "service_id"),
            ):
                if key is None:
                    continue
                if key in seen:
                    duplicate = True
                    check.add(f"{what} steht doppelt (auch in Zeile {seen[key]}).", excel_row, role)
                else:
                    seen[key] = excel_row
            aliases = [
                a for a in (_text(x) for x in str(cells.get("aliases") or "").split(";")) if a
            ]
            emails = _emails(check, cells.get("emails"), excel_row)
            if dep is not None and not duplicate:
                rows.append(ServiceRow(name, dep, leika, aliases, since, emails))
                where.append(Place(sheet.name, excel_row, sheet.csv, header.labels))
    _check_names(rows, where, catalog, problems)
    if problems:
        raise IngestError(workbook.file_name, problems)
    if not rows:
        raise IngestError(workbook.file_name, "Die Datei enthält keine Leistungen.")
    return rows, where


def check_service_names(
    file_name: str, rows: list[ServiceRow], where: list[Place], catalog: Catalog
) -> None:
    """The catalog rows against the catalog as stored now (inside the write transaction, so
    that no other load slips between check and write); IngestError if a name is taken."""
    problems = Problems()
    _check_names(rows, where, catalog, problems)
    if problems:
        raise IngestError(file_name, problems)


def _emails(check: _SheetCheck, value: object, excel_row: int) -> list[str]:
    """The department's contact addresses in a catalog row; a problem for an invalid one."""
    if is_empty(value):
        return []
    try:
        return parse_addresses(value)
    except AddressError as exc:
        check.add(f"{exc} Mehrere Adressen bitte mit „;“ trennen.", excel_row, "emails")
        return []


def _check_names(
    rows: list[ServiceRow], where: list[Place], catalog: Catalog, problems: Problems
) -> None:
    """Every name and alias must end up with one service only, in the file and after it."""
    targets = [catalog.target(r.name, r.leika_id) for r in rows]
    updated = set(targets)
    # Who holds a name key afterwards: a stored service the file leaves alone (its names stay
    # as they are), or a row of the file.
    owner: dict[str, tuple[str, int]] = {
        key: ("stored", sid) for key, sid in catalog.by_name.items() if sid not in updated
    }
    target_row: dict[int, int] = {}
    for i, (r, target, place) in enumerate(zip(rows, targets, where, strict=True)):
        if target is not None:
            if target in target_row:
                place.add(
                    problems,
                    f"„{r.name}“ bezieht sich auf dieselbe Leistung wie Zeile "
                    f"{target_row[target]} (gleiche Leistungs-ID oder gleicher Name).",
                    "service",
                )
            target_row.setdefault(target, place.row)
        for text, role in ((r.name, "service"), *((a, "aliases") for a in r.aliases)):
            kind, other = owner.setdefault(name_key(text), ("row", i))
            if (kind, other) == ("row", i):
                continue
            other_name = catalog.names[other] if kind == "stored" else rows[other].name
            if kind == "stored" and role == "service" and name_key(other_name) == name_key(text):
                message = (
                    f"Die Leistungs-ID „{r.leika_id}“ gehört zur Leistung "
                    f"„{catalog.names[target]}“, der Name „{text}“ aber zu einer anderen. Bitte "
                    "Name und Leistungs-ID prüfen."
                )
            else:
                what = "Der Name" if role == "service" else f"Der Alias von „{r.name}“"
                message = (
                    f"{what} „{text}“ ist schon Name oder Alias der Leistung „{other_name}“. "
                    "Ein Name darf nur zu einer Leistung gehören."
                )
            place.add(problems, message, role)


# ---------------------------------------------------------------- measures


def check_measures(workbook: Workbook, catalog: Catalog) -> list[MeasureRow]:
    """Rows of a measures table; IngestError listing all problems."""
    problems = Problems()
    rows: list[MeasureRow] = []
    seen: dict[tuple[str, str], int] = {}
    for sheet, header in _headers(workbook, "measures"):
        check = _SheetCheck(sheet, header, catalog, problems)
        cols = header.columns
        if not check.header_ok():
            continue
        skip = check.unreadable_rows(cols)
        for index in range(header.row_index + 1, len(sheet.rows)):
            if index in skip:
                continue
            row, excel_row = sheet.rows[index], check.number(index)
            cells = {role: _cell(row, c) for role, c in cols.items()}
            if all(is_empty(v) for v in cells.values()):
                continue
            fld, name = _text(cells.get("field")), _text(cells.get("measure"))
            raw_status = _text(cells.get("status"))
            if fld is None:
                check.add("Das Handlungsfeld fehlt.", excel_row, "field")
            if name is None:
                check.add("Der Name der Maßnahme fehlt.", excel_row, "measure")
            status = STATUS_NAMES.get(name_key(raw_status)) if raw_status else None
            if status is None:
                problem = (
                    f"„{raw_status}“ ist kein gültiger Status" if raw_status else "Der Status fehlt"
                )
                check.add(
                    f"{problem}. Erlaubt sind: geplant, in Vorbereitung, in Umsetzung, "
                    "umgesetzt, zurückgestellt.",
                    excel_row,
                    "status",
                )
            # A planned measure may start and end in the future.
            start = end = None
            if not is_empty(cells.get("start")):
                start = check.month(cells["start"], excel_row, "start", future=True)
            if not is_empty(cells.get("end")):
                end = check.month(cells["end"], excel_row, "end", future=True)
            if start and end and end < start:
                check.add(
                    f"Das Ende ({format_month(end)}) liegt vor dem Beginn ({format_month(start)}).",
                    excel_row,
                    "end",
                )
            service_ids = None
            if "services" in cols:
                service_ids = []
                for part in str(cells.get("services") or "").split(";"):
                    if not is_empty(part):
                        sid = check.service(part.strip(), None, excel_row)
                        if sid is not None:
                            service_ids.append(sid)
            if fld and name:
                key = (name_key(fld), name_key(name))
                if key in seen:
                    check.add(
                        f"Die Maßnahme „{name}“ steht im Handlungsfeld „{fld}“ doppelt "
                        f"(auch in Zeile {seen[key]}).",
                        excel_row,
                        "measure",
                    )
                    continue
                seen[key] = excel_row
            if fld and name and status:
                rows.append(
                    MeasureRow(
                        field=fld,
                        name=name,
                        status=status,
                        group=_text(cells.get("group")),
                        responsible=_text(cells.get("responsible")),
                        start=start,
                        end=end,
                        note=_note(cells.get("note")),
                        service_ids=service_ids,
                    )
                )
        check.finish("services")
    if problems:
        raise IngestError(workbook.file_name, problems)
    if not rows:
        raise IngestError(workbook.file_name, "Die Datei enthält keine Maßnahmen.")
    return rows
