"""Hostile input: random broken spreadsheets and CSVs (hypothesis), and files built to hurt.

Every file is written to disk and goes through the real ingest. Only IngestError or
IngestErrors may come out (never a traceback), with German text, and a refused file leaves
the database exactly as it was. The crafted files are read by `python -m ingest` in its own
process, which reports its peak memory.
"""

import csv
import io
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import CATALOG, write_xlsx
from db_state import PROJECT, snapshot
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db.models import Department, Load, MonthlyCount, Service
from ingest import IngestError, IngestErrors, load_counts, load_measures, load_services

# ---------------------------------------------------------------- random files (hypothesis)

HEADERS = {
    "report": ["Leistung", "Monat", "Anträge gesamt", "davon online"],
    "report_office": ["Dienstleistung", "Berichtsmonat", "vor Ort", "Online-Anträge"],
    "long": ["Monat", "Leistung", "Kanal", "Anzahl"],
    "portal": ["Vorgangsnummer", "Leistung", "Eingangsdatum", "Status"],
    "catalog": ["Leistung", "Fachbereich", "Leistungs-ID", "Aliase", "online seit"],
    "measures": ["Handlungsfeld", "Maßnahme", "Status", "Beginn", "Ende", "Leistungen"],
}
NAMES = [row[0] for row in CATALOG[1:]] + ["Urkunden", "Summe", "Gesamt", "unbekannt"]
NASTY_TEXT = [
    "<b>fett</b>", "**fett**", "[Link](https://example.org)", "![x](http://127.0.0.1:9/x.png)",
    "<script>alert(1)</script>", "=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+49", "@SUM(A1)",
    "-3", "ca. 50", "1.234", "12,5", " 47 ", "203.0", "Okt. 2021", "13/2021", "31.02.2021",
    "2099-01", "umgesetzt", "abgeschlossen", "online", "vor Ort", "Serviceportal", "x" * 5000,
    "9" * 5000, "Berichtsmonat:", "\u202egnp.exe", "ß" * 300, "   ", "",
]  # fmt: skip
# openpyxl refuses control characters in cells; everything else printable is fair game.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
CELL = st.one_of(
    st.none(),
    st.sampled_from(NAMES + NASTY_TEXT + [h for hs in HEADERS.values() for h in hs]),
    TEXT,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),
    st.booleans(),
)


MONTHS = st.one_of(
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2019, 2023), st.integers(1, 12)),
    st.builds(lambda y, m: f"{m:02d}/{y}", st.integers(2019, 2023), st.integers(1, 12)),
    st.builds(date, st.integers(2019, 2023), st.integers(1, 12), st.integers(1, 28)),
)
SERVICE = st.sampled_from(NAMES[:6])


@st.composite
def _plausible_row(draw, layout: str) -> list:  # noqa: ANN001
    """A row that fits the layout, so the checks behind the header are reached too."""
    if layout in ("report", "report_office"):
        total = draw(st.integers(0, 5000))
        return [draw(SERVICE), draw(MONTHS), total, draw(st.integers(0, total))]
    if layout == "long":
        channel = draw(st.sampled_from(["online", "vor Ort", "Serviceportal", "analog"]))
        return [draw(MONTHS), draw(SERVICE), channel, draw(st.integers(0, 5000))]
    if layout == "portal":
        when = draw(st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2023, 12, 31)))
        return [draw(TEXT), draw(SERVICE), when, "eingegangen"]
    if layout == "catalog":
        department = draw(st.sampled_from(["FB 1", "FB 2", "<b>FB</b>"]))
        aliases = draw(st.sampled_from([None, "A;B", "Urkunde"]))
        return [draw(st.one_of(SERVICE, TEXT)), department, None, aliases, draw(MONTHS)]
    status = draw(st.sampled_from(["geplant", "in Umsetzung", "umgesetzt", "abgeschlossen"]))
    linked = draw(st.sampled_from(["", NAMES[0], f"{NAMES[0]};{NAMES[1]}"]))
    field = draw(st.sampled_from(["Feld 1", "Feld 2"]))
    return [field, draw(TEXT), status, draw(MONTHS), draw(MONTHS), linked]


# The layouts each kind of load reads; other headers turn up now and then as well.
LAYOUTS = {
    "counts": ["report", "report_office", "long", "portal"],
    "services": ["catalog"],
    "measures": ["measures"],
}


@st.composite
def grids(draw, kind: str = "counts") -> list[list]:  # noqa: ANN001
    """Title rows, a header row (or none), then plausible rows with some cells spoiled, or
    rows of random cells."""
    rows: list[list] = [draw(st.lists(CELL, max_size=3)) for _ in range(draw(st.integers(0, 2)))]
    fitting = draw(st.integers(0, 3)) > 0
    layout = draw(st.sampled_from(LAYOUTS[kind] if fitting else [*HEADERS, None]))
    if layout:
        rows.append(list(HEADERS[layout]))
    if layout and draw(st.booleans()):
        spoil = draw(st.sampled_from([None, 2, 6]))  # none, or one cell in every n-th row
        for _ in range(draw(st.integers(1, 10))):
            row = draw(_plausible_row(layout))
            if spoil and draw(st.integers(0, spoil)) == 0:
                row[draw(st.integers(0, len(row) - 1))] = draw(CELL)
            rows.append(row)
        return rows
    width = len(rows[-1]) if rows else 4
    rows += draw(st.lists(st.lists(CELL, min_size=0, max_size=width + 2), max_size=12))
    return rows


def _csv_bytes(rows: list[list], encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


def _mutate(data: bytes, draw) -> bytes:  # noqa: ANN001
    """Flip, drop or insert bytes somewhere, or cut the file short."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        # A position independent of the length (openpyxl stamps the time into each file).
        at = draw(st.integers(0, 2**20)) % len(data)
        op = draw(st.sampled_from(["flip", "drop", "insert", "cut"]))
        if op == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif op == "drop":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        else:
            del data[at:]
    return bytes(data)


@st.composite
def hostile_files(draw, kind: str) -> tuple[str, bytes]:  # noqa: ANN001
    """(file name, bytes) of a random sheet as .xlsx or .csv, sometimes corrupted."""
    sheets = {f"Blatt{i}": draw(grids(kind)) for i in range(draw(st.integers(1, 2)))}
    kind = draw(st.sampled_from(["xlsx", "csv_utf8", "csv_cp1252", "xlsm"]))
    if kind.startswith("csv"):
        name, data = "datei.csv", _csv_bytes(next(iter(sheets.values())), kind[4:])
    else:
        name, data = f"datei.{kind}", write_xlsx(io.BytesIO(), sheets).getvalue()
    if draw(st.integers(0, 4)) == 0:
        data = _mutate(data, draw)
    return name, data


def _without_refusals(state: dict) -> dict:
    """A snapshot without the log entries of refused files and the data version they bump."""
    loads = [r for r in state["loads"] if "refused" not in r]
    settings = [r for r in state["settings"] if r[0] != "data_version"]
    return {**state, "loads": loads, "settings": settings}


ENGLISH = re.compile(r"\b(the|invalid|error|exceeds?|cannot|could not|expected)\b", re.I)
LOADERS = {"counts": load_counts, "services": load_services, "measures": load_measures}


def _load(kind: str, engine, path: Path) -> None:  # noqa: ANN001
    if kind == "counts":
        load_counts(engine, [path], "hypothesis")
    else:
        LOADERS[kind](engine, path, "hypothesis")


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same examples in every run (fixed seed)
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_broken_files_are_refused_cleanly_or_loaded_whole(catalog_engine, tmp_path, data):
    kind = data.draw(st.sampled_from(["counts", "counts", "services", "measures"]))
    name, content = data.draw(hostile_files(kind))
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot(catalog_engine)
    try:
        _load(kind, catalog_engine, path)
    except (IngestError, IngestErrors) as exc:
        # Nothing written; a file the reading worker could not read safely only in the log.
        assert _without_refusals(snapshot(catalog_engine)) == _without_refusals(before)
        report = exc.report()
        event(f"{kind} refused: {report.splitlines()[1].split(':')[-1][:40]}")
        assert "wurde nicht geladen" in report
        for line in report.splitlines()[1:]:
            assert line.startswith("  - ") and len(line) < 1200, line
            assert not ENGLISH.search(line), line
        return
    event(f"{kind} loaded")
    # Loaded: the whole file as one logged load, nothing half.
    after = snapshot(catalog_engine)
    with catalog_engine.connect() as conn:
        last = conn.execute(select(Load).order_by(Load.id.desc()).limit(1)).one()
    assert last.file_name == name and last.state in ("loaded", "unchanged")
    assert len(after["loads"]) == len(before["loads"]) + 1


# ---------------------------------------------------------------- crafted files

SHEET_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
REPORT_ROWS = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Leistung</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Monat</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>insgesamt</t></is></c>'
    b'<c r="D1" t="inlineStr"><is><t>online</t></is></c></row>'
    b'<row r="2"><c r="A2" t="inlineStr"><is><t>Personenstandsurkunde</t></is></c>'
    b'<c r="B2" t="inlineStr"><is><t>2021-10</t></is></c>'
    b'<c r="C2"><f>1+1</f><v>681</v></c><c r="D2"><f>C2-478</f><v>203</v></c></row>'
)


def _with_sheet(base: Path, target: Path, sheet_xml: bytes) -> Path:
    """A copy of a real workbook with its first sheet's XML replaced, saved as Excel saves
    (without openpyxl's request to recalculate every formula on opening)."""
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb"<calcPr[^>]*/>", b"", data)
            zout.writestr(
                info.filename, sheet_xml if info.filename.endswith("sheet1.xml") else data
            )
    return target


def _zip_bomb(base: Path, target: Path, unpacked_mb: int, declared: int | None) -> Path:
    """A workbook whose sheet XML inflates to unpacked_mb of blanks; `declared` lies about it."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    body, crc, size = bytearray(), 0, 0
    for piece in [SHEET_XML + b"<sheetData>" + REPORT_ROWS, *[b" " * 2**20] * unpacked_mb,
                  b"</sheetData></worksheet>"]:  # fmt: skip
        body += comp.compress(piece)
        crc, size = zlib.crc32(piece, crc), size + len(piece)
    body += comp.flush()
    out, central = io.BytesIO(), []
    with zipfile.ZipFile(base) as zin:
        members = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    for name, data in members:
        if name.endswith("sheet1.xml"):
            packed, c, usize = bytes(body), crc, declared if declared is not None else size
        else:
            co = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed, c, usize = co.compress(data) + co.flush(), zlib.crc32(data), len(data)
        raw = name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, c, len(packed), usize,
                              len(raw), 0) + raw + packed)  # fmt: skip
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, c,
                                   len(packed), usize, len(raw), 0, 0, 0, 0, 0, offset)
                       + raw)  # fmt: skip
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                          out.tell() - start, start, 0))  # fmt: skip
    target.write_bytes(out.getvalue())
    return target


def _stray(target: Path, cell: str) -> Path:
    """A good monthly report with one forgotten value far away, as Excel would save it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Meldung"
    ws.append(HEADERS["report"])
    ws.append(["Personenstandsurkunde", "2021-10", 681, 203])
    ws[cell] = "Notiz"
    wb.save(target)
    return target


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> dict[str, Path]:  # noqa: ANN001
    d = tmp_path_factory.mktemp("hostile")
    base = write_xlsx(d / "base.xlsx", {"Meldung": [HEADERS["report"]]})
    files = {}
    # 100 MB: an .xlsx (zip header, then zeros) and a CSV of real rows.
    with open(d / "gross.xlsx", "wb") as fh:
        fh.write(base.read_bytes())
        fh.truncate(100 * 2**20)
    files["100 MB .xlsx"] = d / "gross.xlsx"
    line = b"Personenstandsurkunde;2021-10;681;203\n"
    with open(d / "gross.csv", "wb") as fh:
        fh.write(";".join(HEADERS["report"]).encode() + b"\n")
        fh.write(line * (100 * 2**20 // len(line)))
    files["100 MB .csv"] = d / "gross.csv"
    files["zip bomb"] = _zip_bomb(base, d / "bombe.xlsx", 400, None)
    files["zip bomb, sizes lie"] = _zip_bomb(base, d / "bombe_luege.xlsx", 400, 4096)
    empty_rows = b"".join(b'<row r="%d" s="1" customFormat="1" ht="15"/>' % i
                          for i in range(3, 1_000_001))  # fmt: skip
    files["a million formatted empty rows"] = _with_sheet(
        base, d / "leerzeilen.xlsx",
        SHEET_XML + b"<sheetData>" + REPORT_ROWS + empty_rows + b"</sheetData></worksheet>",
    )  # fmt: skip
    files["value in XFD1048576"] = _stray(d / "xfd.xlsx", "XFD1048576")
    files["value in Z1048576"] = _stray(d / "z.xlsx", "Z1048576")
    files["no dimension, value in XFD1048576"] = _with_sheet(
        base, d / "xfd_ohne_dimension.xlsx",
        SHEET_XML + b"<sheetData>" + REPORT_ROWS
        + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>',
    )  # fmt: skip
    files["formulas without values"] = write_xlsx(d / "formeln.xlsx", {"Meldung": [
        HEADERS["report"],
        ['=HYPERLINK("http://example.org","Meldebescheinigung")', "2021-10", 251, 47],
        ["Melderegisterauskunft", "=DATE(2021,10,1)", 70, 7],
    ]})  # fmt: skip
    files["very long strings"] = write_xlsx(d / "lang.xlsx", {"Meldung": [
        HEADERS["report"],
        ["X" * 32_767, "2021-10", 5, 1],
        ["Personenstandsurkunde", "Y" * 32_767, 5, 1],
        ["Meldebescheinigung", "2021-10", "9" * 32_767, 1],
    ]})  # fmt: skip
    long_csv = d / "lang.csv"
    long_csv.write_bytes(_csv_bytes([HEADERS["report"], ["Z" * 5_000_000, "2021-10", 5, 1]],
                                    "utf-8"))  # fmt: skip
    files["a 5-million-character cell in a CSV"] = long_csv
    return files


# What each crafted file must give: exit status and a phrase of the German message.
EXPECTED = {
    "100 MB .xlsx": (1, "höchstens 20 MB"),
    "100 MB .csv": (1, "höchstens 20 MB"),
    "zip bomb": (1, "entpackt sich auf ein Vielfaches"),
    "zip bomb, sizes lie": (1, "beschädigt"),
    "a million formatted empty rows": (0, "geladen (Ladevorgang"),
    "value in XFD1048576": (1, "reicht bis Zelle XFD1048576"),
    "value in Z1048576": (1, "reicht bis Zelle Z1048576"),
    "no dimension, value in XFD1048576": (1, "reicht bis Zelle XFD1048576"),
    "formulas without values": (1, "Zeile 2, Spalte „Leistung“"),
    "very long strings": (1, "ist unplausibel groß"),
    # csv refuses fields over 128 KB; the message blames a quote (reported as misleading).
    "a 5-million-character cell in a CSV": (1, "Die CSV-Datei ist fehlerhaft"),
}
# The CLI in a process of its own that reports its peak memory as the last line: VmHWM
# (ru_maxrss would include the forking pytest process's size, which Linux carries over),
# plus the peak of its reading worker.
MEASURED = (
    "import re, resource, sys\n"
    "from ingest.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "status = open('/proc/self/status').read()\n"
    "own = int(re.search(r'VmHWM:\\s+(\\d+)', status)[1]) // 1024\n"
    "print(own + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
    "sys.exit(code)\n"
)
# Peak memory above what `python -m ingest history` needs: a refusal must not read the file
# into memory, let alone unpack it (the million empty rows are read, a few dozen MB; the
# worker process itself takes some 30 MB).
MAX_EXTRA_MB = 150


def _measured(db_url: str, *args: str) -> tuple[int, str, int]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, "--db", db_url, *args],
        cwd=PROJECT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    *out, peak = done.stdout.strip().splitlines()
    return done.returncode, "\n".join(out) + done.stderr, int(peak)


@pytest.fixture(scope="module")
def baseline_mb(tmp_path_factory) -> int:  # noqa: ANN001
    url = f"sqlite:///{tmp_path_factory.mktemp('baseline') / 'b.db'}"
    return _measured(url, "history")[2]


@pytest.mark.parametrize("case", list(EXPECTED))
def test_crafted_file_is_handled_with_bounded_memory(
    case, crafted, catalog_engine, db_url, baseline_mb
):
    before = snapshot(catalog_engine)
    code, output, peak_mb = _measured(db_url, "counts", str(crafted[case]))
    want_code, phrase = EXPECTED[case]
    assert code == want_code, output
    assert phrase in output, output
    assert "Traceback" not in output and "Unerwarteter Fehler" not in output
    assert max(len(line) for line in output.splitlines()) < 1200  # long cells are cut short
    assert peak_mb < baseline_mb + MAX_EXTRA_MB, f"{case}: {peak_mb} MB"
    if want_code:
        assert snapshot(catalog_engine) == before
    else:
        # Formulas are never computed: the values Excel saved with them are what counts.
        with catalog_engine.connect() as conn:
            stored = dict(conn.execute(
                select(MonthlyCount.channel, MonthlyCount.value).where(
                    MonthlyCount.month == "2021-10")
            ).all())  # fmt: skip
        assert stored == {"online": 203, "office": 478}


# ---------------------------------------------------------------- HTML and Markdown as text

MARKUP_NAMES = [
    '<b>Fett</b> <img src=x onerror="document.title=1">',
    "**Markdown** [Link](https://example.org) ![Bild](http://127.0.0.1:9/x.png)",
    "# Überschrift <script>alert(1)</script>",
]
MARKUP_DEPARTMENT = "FB <i>1</i> **fett**"


def _load_markup(engine, tmp_path: Path) -> None:  # noqa: ANN001
    catalog = [["Leistung", "Fachbereich"]] + [[n, MARKUP_DEPARTMENT] for n in MARKUP_NAMES]
    load_services(engine, write_xlsx(tmp_path / "katalog.xlsx", {"Katalog": catalog}), "test")
    report = [HEADERS["report"]] + [[n, "2023-10", 10, 3] for n in MARKUP_NAMES]
    load_counts(engine, [write_xlsx(tmp_path / "meldung.xlsx", {"Meldung": report})], "test")


def test_markup_in_names_is_stored_verbatim(engine, tmp_path):
    _load_markup(engine, tmp_path)
    with engine.connect() as conn:
        assert set(conn.scalars(select(Service.name))) == set(MARKUP_NAMES)
        assert list(conn.scalars(select(Department.name))) == [MARKUP_DEPARTMENT]


@pytest.mark.browser
def test_markup_in_names_is_shown_as_text_in_the_browser(engine, db_url, tmp_path, page):
    from browser_fixtures import screenshot, serve_app, wait_for_app
    from playwright.sync_api import expect

    _load_markup(engine, tmp_path)
    with serve_app(db_url) as url:
        page.goto(url)
        wait_for_app(page)
        table = page.locator("[data-testid='stMain'] table").first
        table.wait_for()
        screenshot(page, "hostile_names")
        for name in [*MARKUP_NAMES, MARKUP_DEPARTMENT]:
            expect(table).to_contain_text(name)
        for tag in ("img", "a", "strong", "h1", "b", "script"):
            expect(table.locator(tag)).to_have_count(0)
