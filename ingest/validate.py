"""Checks of each layout: sheets in, normalized records or German problems out."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from db.catalog import Catalog, id_key, name_key
from db.contacts import AddressError, parse_addresses
from db.german import format_int, format_month
from db.models import STATUS_LABELS
from db.writes import CountKey, MeasureRow, ServiceRow
from ingest.columns import MONTH_HINT, Header, block_month, find_header, looked_for
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

SUM_LABELS = {"summe", "gesamt", "insgesamt", "gesamtsumme"}
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

Progress = Callable[[int, int], None]


@dataclass
class CountsFile:
    file_name: str
    checksum: str
    records: dict[CountKey, int] = field(default_factory=dict)
    rows: int = 0
    layouts: list[tuple[str, str]] = field(default_factory=list)  # (sheet, layout label)


def _cell(row: list, col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


class _SheetCheck:
    """State while checking one sheet: problems, unknown services, where keys came from."""

    def __init__(self, sheet: Sheet, header: Header, catalog: Catalog, problems: Problems):
        self.sheet = sheet
        self.header = header
        self.catalog = catalog
        self.problems = problems
        self.unknown: dict[str, list[int]] = {}
        self._memo: dict[tuple, int | None] = {}
        self.this_month = current_month()

    def add(self, message: str, row: int | None = None, role: str | None = None) -> None:
        column = self.header.labels.get(role) if role else None
        self.problems.add(message, self.sheet.name, row, column, self.sheet.csv)

    def service(self, name: object, leika: object, row: int) -> int | None:
        """The service id for a row's name/id cells; unknown names are noted for finish()."""
        key = (name, leika)
        if key in self._memo:
            sid = self._memo[key]
        else:
            sid = self._memo[key] = self.catalog.match(
                None if is_empty(name) else name, None if is_empty(leika) else leika
            )
        if sid is None:
            self.unknown.setdefault(shown(leika if is_empty(name) else name), []).append(row)
        return sid

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
        """Report unknown services once per name, with a suggestion where one is close."""
        if self.unknown and not len(self.catalog):
            self.add("Der Leistungskatalog ist leer. Bitte zuerst den Leistungskatalog laden.")
            return
        for name, rows in self.unknown.items():
            where = ""
            if len(rows) > 1:
                more = ", ".join(str(r) for r in rows[1:6])
                extra = f" und {format_int(len(rows) - 6)} weiteren" if len(rows) > 6 else ""
                where = f" (auch in Zeile {more}{extra})"
            hint = self.catalog.suggest(name)
            hint = f" Meinten Sie „{hint}“?" if hint else ""
            self.add(
                f"Die Leistung „{name}“{where} steht nicht im Leistungskatalog.{hint} "
                "Bitte den Namen aus dem Leistungskatalog verwenden oder die Leistung dort "
                "ergänzen.",
                rows[0],
                role,
            )


def _is_sum_row(name: object) -> bool:
    return isinstance(name, str) and name_key(name).rstrip(":").strip() in SUM_LABELS


class _Counts:
    """Collects count records of one file and reports duplicate rows."""

    def __init__(self) -> None:
        self.records: dict[CountKey, int] = {}
        self.origin: dict[tuple, tuple[str, int]] = {}

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


def _what(check: _SheetCheck, sid: int, month: str, channel: str | None = None) -> str:
    text = f"„{check.catalog.names[sid]}“ im {format_month(month)}"
    return f"{text} ({'online' if channel == 'online' else 'vor Ort'})" if channel else text


def _fixed_month(check: _SheetCheck) -> str | None:
    """The month of a sheet without a month column ('Berichtsmonat:' above the header);
    None after reporting why there is none."""
    month, error, at_row = block_month(check.sheet, check.header)
    if error:
        check.add(error, at_row)
        return None
    if month is None:
        check.add(
            "Kein Berichtsmonat gefunden: Die Tabelle hat keine Spalte „Monat“, und über "
            "der Kopfzeile steht kein Feld „Berichtsmonat:“ mit dem Monat daneben. Bitte "
            "eines von beiden ergänzen.",
            check.header.excel_row,
        )
        return None
    return check.not_future(month, at_row, None)


def _check_report(check: _SheetCheck, counts: _Counts, progress: Progress | None) -> int:
    sheet, header = check.sheet, check.header
    cols = header.columns
    s_col, id_col, m_col = cols["service"], cols.get("service_id"), cols.get("month")
    count_cols = [(r, cols[r]) for r in ("total", "online", "office") if r in cols]
    fixed_month = None if m_col is not None else _fixed_month(check)
    if m_col is None and fixed_month is None:
        return 0
    used = 0
    for index in range(header.row_index + 1, len(sheet.rows)):
        row, excel_row = sheet.rows[index], index + 1
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
                excel_row,
                "service",
            )
            continue
        sid = check.service(name, leika, excel_row)
        month = fixed_month or check.month(_cell(row, m_col), excel_row)
        parsed: dict[str, int] = {}
        for role, value in values.items():
            if is_empty(value):
                check.add(
                    "Die Anzahl fehlt. Bitte eine Zahl eintragen (0, wenn es keine Anträge gab).",
                    excel_row,
                    role,
                )
                continue
            try:
                parsed[role] = parse_count(value)
            except ValueError as exc:
                check.add(f"{exc}. {COUNT_HINT}", excel_row, role)
        if len(parsed) != len(values) or sid is None or month is None:
            continue
        total, online, office = parsed.get("total"), parsed.get("online"), parsed.get("office")
        if total is not None and online is not None and online > total:
            check.add(
                f"{format_int(online)} Online-Anträge sind mehr als {format_int(total)} "
                "Anträge insgesamt.",
                excel_row,
                "online",
            )
            continue
        if total is not None and office is not None and office > total:
            check.add(
                f"{format_int(office)} Anträge vor Ort sind mehr als {format_int(total)} "
                "Anträge insgesamt.",
                excel_row,
                "office",
            )
            continue
        if None not in (total, online, office) and office + online != total:
            check.add(
                f"{format_int(office)} Anträge vor Ort und {format_int(online)} online ergeben "
                f"zusammen {format_int(office + online)}, nicht {format_int(total)} Anträge "
                "insgesamt. Bitte die Zahlen prüfen.",
                excel_row,
                "total",
            )
            continue
        if online is None:
            online = total - office
        if office is None:
            office = total - online
        keys = [(sid, month, "online"), (sid, month, "office")]
        if counts.claim(check, keys, excel_row, _what(check, sid, month)):
            counts.records[(sid, month, "online", "report")] = online
            counts.records[(sid, month, "office", "report")] = office
    return used


def _check_long(check: _SheetCheck, counts: _Counts, progress: Progress | None) -> int:
    sheet, header = check.sheet, check.header
    cols = header.columns
    s_col, id_col, m_col = cols["service"], cols.get("service_id"), cols.get("month")
    c_col, n_col = cols["channel"], cols["count"]
    fixed_month = None if m_col is not None else _fixed_month(check)
    if m_col is None and fixed_month is None:
        return 0
    used = 0
    for index in range(header.row_index + 1, len(sheet.rows)):
        row, excel_row = sheet.rows[index], index + 1
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
                excel_row,
                "service",
            )
            continue
        sid = check.service(name, leika, excel_row)
        month = fixed_month or check.month(_cell(row, m_col), excel_row)
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
                excel_row,
                "channel",
            )
        try:
            number = parse_count(value)
        except ValueError as exc:
            check.add(f"{exc}. {COUNT_HINT}", excel_row, "count")
            continue
        if sid is None or month is None or channel is None:
            continue
        key = (sid, month, channel)
        if counts.claim(check, [key], excel_row, _what(check, sid, month, channel)):
            counts.records[(sid, month, channel, "report")] = number
    return used


_MISSING, _BLANK, _SUM = object(), object(), object()


def _check_portal(check: _SheetCheck, counts: _Counts, progress: Progress | None) -> int:
    """One online request per row; a tight loop, since exports run to 200,000 rows."""
    sheet, header = check.sheet, check.header
    cols = header.columns
    s_col, id_col, d_col = cols["service"], cols.get("service_id"), cols["date"]
    # Names and months repeat: classify each distinct (name, id) and month once.
    kinds: dict[tuple, object] = {}
    months: dict[object, str | None] = {}
    tally: dict[tuple[int, str], int] = defaultdict(int)
    rows = sheet.rows
    used = 0
    for index in range(header.row_index + 1, len(rows)):
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
                kind = check.service(name, leika, index + 1)
            kinds[key] = kind
        elif kind is None:
            check.service(name, leika, index + 1)  # note this row of the unknown name too
        if kind is _SUM or (kind is _BLANK and is_empty(when)):
            continue
        used += 1
        if progress and used % PROGRESS_EVERY == 0:
            progress(index, len(rows))
        if kind is _BLANK:
            check.add(
                "Die Zeile hat ein Eingangsdatum, aber keine Leistung. Bitte die Leistung "
                "eintragen oder die Zeile löschen.",
                index + 1,
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
                    index + 1,
                    "date",
                )
        elif is_empty(when):
            check.add(
                "Das Eingangsdatum fehlt. Bitte das Datum eintragen oder die Zeile löschen.",
                index + 1,
                "date",
            )
            continue
        else:
            if when not in months:
                try:
                    months[when] = check.not_future(parse_date_month(when), index + 1, "date")
                except ValueError as exc:
                    months[when] = None
                    check.add(
                        f"{exc}. Bitte das Datum als „15.10.2021“ oder „15.10.2021 14:03“ angeben.",
                        index + 1,
                        "date",
                    )
            month = months[when]
        if kind is not None and month is not None:
            tally[(kind, month)] += 1
    for (sid, month), n in tally.items():
        key = (sid, month, "online", "portal")
        counts.records[key] = counts.records.get(key, 0) + n
    return used


CHECKERS = {"report": _check_report, "long": _check_long, "portal": _check_portal}


def _headers(workbook: Workbook, kind: str) -> list[tuple[Sheet, Header]]:
    found = [(s, h) for s in workbook.sheets if (h := find_header(s, kind))]
    if not found:
        names = ", ".join(f"„{s.name}“" for s in workbook.sheets[:10])
        where = "in der Datei" if workbook.sheets[0].csv else f"in keinem Blatt ({names})"
        raise IngestError(
            workbook.file_name,
            f"Keine Kopfzeile gefunden: {where} steht {looked_for(kind)}. Bitte die "
            "Spaltenüberschriften prüfen.",
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
    return result


# ---------------------------------------------------------------- catalog


def _text(value: object, limit: int = 300) -> str | None:
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())[:limit]


def _note(value: object, limit: int = 10_000) -> str | None:
    """Free text such as a Sachstand: spaces tidied, line breaks within the cell kept."""
    if is_empty(value):
        return None
    lines = (" ".join(line.split()) for line in str(value).splitlines())
    return "\n".join(line for line in lines if line)[:limit]


def check_services(workbook: Workbook, catalog: Catalog | None = None) -> list[ServiceRow]:
    """Rows of a service catalog; IngestError listing all problems.

    `catalog` is the stored catalog: a name, alias or id that already belongs to a service
    the file does not update is refused (a name may belong to one service only)."""
    catalog = catalog or Catalog()
    problems = Problems()
    rows: list[ServiceRow] = []
    where: list[tuple[_SheetCheck, int]] = []  # per row: its sheet and Excel row
    seen_names: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for sheet, header in _headers(workbook, "services"):
        check = _SheetCheck(sheet, header, catalog, problems)
        cols = header.columns
        for index in range(header.row_index + 1, len(sheet.rows)):
            row, excel_row = sheet.rows[index], index + 1
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
                where.append((check, excel_row))
    _check_names(rows, where, catalog)
    if problems:
        raise IngestError(workbook.file_name, problems)
    if not rows:
        raise IngestError(workbook.file_name, "Die Datei enthält keine Leistungen.")
    return rows


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
    rows: list[ServiceRow], where: list[tuple[_SheetCheck, int]], catalog: Catalog
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
    for i, (r, target, (check, excel_row)) in enumerate(zip(rows, targets, where, strict=True)):
        if target is not None:
            if target in target_row:
                check.add(
                    f"„{r.name}“ bezieht sich auf dieselbe Leistung wie Zeile "
                    f"{target_row[target]} (gleiche Leistungs-ID oder gleicher Name).",
                    excel_row,
                    "service",
                )
            target_row.setdefault(target, excel_row)
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
            check.add(message, excel_row, role)


# ---------------------------------------------------------------- measures


def check_measures(workbook: Workbook, catalog: Catalog) -> list[MeasureRow]:
    """Rows of a measures table; IngestError listing all problems."""
    problems = Problems()
    rows: list[MeasureRow] = []
    seen: dict[tuple[str, str], int] = {}
    for sheet, header in _headers(workbook, "measures"):
        check = _SheetCheck(sheet, header, catalog, problems)
        cols = header.columns
        for index in range(header.row_index + 1, len(sheet.rows)):
            row, excel_row = sheet.rows[index], index + 1
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
