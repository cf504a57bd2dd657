"""Untrusted workbooks (issue 9): each class through `python -m ingest counts` in a process of
its own. A refused file exits 1 with a German message and no traceback and leaves the
database as it was (but for the log entry of a file that could not be read safely); a file
that is fine stores exactly what Excel shows. The whole ingest (the command and its reading
worker) stays under 1 GB and ends within the reading time limit.
"""

import subprocess
import sys
import time
import unicodedata

import pytest
import workbooks as wb
from conftest import write_csv, write_xlsx
from db_state import PROJECT
from sqlalchemy import select
from xlsx_helpers import snapshot, stored_counts

from db.models import Department, Load, Service
from ingest import load_counts, load_services

# The command with its peak memory as the last line: its own (VmHWM) plus the largest of its
# children (the reading worker), in MB.
MEASURED = (
    "import re, resource, sys\n"
    "from ingest.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "own = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]) // 1024\n"
    "child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024\n"
    "print(own + child)\n"
    "sys.exit(code)\n"
)
MAX_TOTAL_MB = 1024
READ_SECONDS = 60  # db.settings.READ_SECONDS, the default the command runs with


def _run(db_url: str, *files) -> tuple[int, str, int, float]:  # noqa: ANN002
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, "--db", db_url, "counts", *map(str, files)],
        cwd=PROJECT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    elapsed = time.monotonic() - start
    *out, peak = done.stdout.strip().splitlines()
    return done.returncode, "\n".join(out) + done.stderr, int(peak), elapsed


def _refused_files(engine) -> list[str]:  # noqa: ANN001
    with engine.connect() as conn:
        return list(conn.scalars(select(Load.file_name).where(Load.state == "refused")))


def _without_refusals(state: dict) -> dict:
    """A snapshot minus the log entries of refused files (and the data version they bump)."""
    loads = [r for r in state["loads"] if "refused" not in r]
    return {**state, "loads": loads, "settings": []}


# (builder, expected phrase): every one of these must be refused.
TWO_COLUMNS = "zwei Spalten derselben Art: "
REFUSED = {
    "small dimension, value in XFD1048576": (
        lambda p: wb.with_far_cell(p, b"XFD1048576"),
        "reicht bis Zelle XFD1048576",
    ),
    "small dimension, value in ZZ500000": (
        lambda p: wb.with_far_cell(p, b"ZZ500000"),
        "reicht bis Zelle ZZ500000",
    ),
    "a row beyond Excel's last row": (
        lambda p: wb.with_far_cell(p, b"A99999999"),
        "so weit reicht kein Excel-Blatt",
    ),
    "uniqueCount two billion": (lambda p: wb.shared_strings(p, b"2000000000"), "beschädigt"),
    "uniqueCount 2**64-1": (lambda p: wb.shared_strings(p, b"18446744073709551615"), "beschädigt"),
    "a 30,000-character string in 200,000 cells": (
        lambda p: wb.long_shared_string(p, 200_000),
        "konnte nicht sicher gelesen werden",
    ),
    "a 30,000-character string in 50,000 cells": (
        lambda p: wb.long_shared_string(p, 50_000),
        "konnte nicht sicher gelesen werden",
    ),
    "XlsxWriter formula, cached 0, recalculate on load": (
        wb.xlsxwriter_formulas,
        "Zeile 2, Spalte „davon online“: Formel ohne berechneten Wert",
    ),
    "error values in both count cells": (
        lambda p: wb.error_values(p, both=True),
        "Zeile 3, Spalte „Anträge gesamt“: Die Zelle zeigt den Fehlerwert #DIV/0!",
    ),
    "an error value in one count cell": (
        lambda p: wb.error_values(p, both=False),
        "Zeile 3, Spalte „davon online“: Die Zelle zeigt den Fehlerwert #NV",
    ),
    "a hidden row": (
        lambda p: wb.hidden_row(p, filtered=False),
        "Zeile 3: Die Zeile ist ausgeblendet,",
    ),
    "a filtered-out row": (
        lambda p: wb.hidden_row(p, filtered=True),
        "ausgeblendet oder durch einen Filter",
    ),
    "cells formatted ;;;": (
        wb.invisible_format,
        "Zeile 3, Spalte „davon online“: Das Zahlenformat",
    ),
    "a hidden online column before the visible one": (
        wb.hidden_column_first,
        TWO_COLUMNS + "„davon online“ in Spalte D und „davon online“ in Spalte E",
    ),
    "group headers over two gesamt | online pairs": (
        wb.group_headers,
        TWO_COLUMNS + "„gesamt“ in Spalte B und „gesamt“ in Spalte D",
    ),
    "a Berichtsmonat block and a Monat column that disagree": (
        lambda p: wb.two_months(p, "März 2024", "Feb. 2024"),
        "Der Monat Feb. 2024 widerspricht dem Berichtsmonat März 2024",
    ),
    "two different Berichtsmonat labels": (
        lambda p: wb.two_months(p, "März 2024", None),
        "zwei verschiedene Berichtsmonate: März 2024 in Zeile 1 und Feb. 2024 in Zeile 2",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_untrusted_workbook_is_refused_in_bounded_memory_and_time(
    case, catalog_engine, db_url, tmp_path
):
    build, phrase = REFUSED[case]
    path = build(tmp_path / "datei.xlsx")
    before = snapshot(catalog_engine)
    code, output, peak_mb, seconds = _run(db_url, path)
    assert code == 1, output
    assert phrase in output, output
    assert "nichts wurde gespeichert" in output
    assert "Traceback" not in output and "panicked" not in output and "Error" not in output
    assert peak_mb < MAX_TOTAL_MB, f"{case}: {peak_mb} MB"
    assert seconds < READ_SECONDS, f"{case}: {seconds:.0f} s"
    after = snapshot(catalog_engine)
    if "sicher gelesen" in phrase:  # the worker failed: logged, nothing else written
        assert _refused_files(catalog_engine) == ["datei.xlsx"]
        assert _without_refusals(after) == _without_refusals(before)
    else:
        assert after == before


def test_a_narrow_sheet_with_a_value_far_down_loads_in_bounded_memory(
    catalog_engine, db_url, tmp_path
):
    """A stray number in A500000 (no counts in its row): read, skipped, the table loads."""
    code, output, peak_mb, _s = _run(db_url, wb.with_far_cell(tmp_path / "w.xlsx", b"A500000"))
    assert code == 0, output
    assert peak_mb < MAX_TOTAL_MB
    assert (
        stored_counts(catalog_engine)[("Personenstandsurkunde", "2021-10", "online", "report")]
        == 203
    )


def test_a_stale_cached_formula_value_is_what_excel_shows(catalog_engine, db_url, tmp_path):
    path = wb.stale_formula(tmp_path / "formel.xlsx")
    code, output, _peak, _s = _run(db_url, path)
    assert code == 0, output
    counts = stored_counts(catalog_engine)
    assert counts[("Personenstandsurkunde", "2021-10", "online", "report")] == 203


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_are_not_read(state, catalog_engine, db_url, tmp_path):
    code, output, _peak, _s = _run(db_url, wb.hidden_sheet(tmp_path / "h.xlsx", state))
    assert code == 0, output
    assert {k[1] for k in stored_counts(catalog_engine)} == {"2021-10"}  # not the hidden 09/2021


def test_a_workbook_with_only_hidden_sheets_says_so(catalog_engine, db_url, tmp_path):
    path = wb.hidden_sheet(tmp_path / "h.xlsx", "hidden")
    wb.patch(path, "xl/workbook.xml", lambda x: x.replace(b'state="visible"', b'state="hidden"'))
    code, output, _peak, _s = _run(db_url, path)
    assert code == 1 and "nur ausgeblendete Blätter („Meldung“, „Alt“)" in output, output


CSV_CASES = {
    "a stray quote swallows the following rows": (
        'Leistung;Monat;Anträge gesamt;davon online\n'
        'Personenstandsurkunde;2021-10;681;203\n'
        '"Meldebescheinigung;2021-10;251;47\n'
        'Melderegisterauskunft;2021-10;70;7\n',
        "Zeile 3: In dieser Zeile beginnt ein Anführungszeichen"),
    "a row separated by commas": (
        'Leistung;Monat;Anträge gesamt;davon online\n'
        'Personenstandsurkunde;2021-10;681;203\n'
        'Meldebescheinigung,2021-10,251,47\n',
        "Zeile 3: Die Zeile hat 1 Feld, die Tabelle braucht 4; sie ist offenbar mit Komma"),
    "a row separated by tabs": (
        'Leistung;Monat;Anträge gesamt;davon online\n'
        'Meldebescheinigung\t2021-10\t251\t47\n',
        "mit Tabulator statt Semikolon"),
    "a row with more fields than the header": (
        'Leistung;Monat;Anträge gesamt;davon online\n'
        'Meldebescheinigung;2021-10;251;47;12\n',
        "Die Zeile hat 5 Felder, die Kopfzeile nur 4"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CSV_CASES))
def test_csv_rows_that_do_not_fit_are_refused_with_their_line(
    case, catalog_engine, db_url, tmp_path
):
    text, phrase = CSV_CASES[case]
    path = tmp_path / "meldung.csv"
    path.write_text(text, encoding="utf-8")
    before = snapshot(catalog_engine)
    code, output, _peak, _s = _run(db_url, path)
    assert code == 1 and phrase in output, output
    assert snapshot(catalog_engine) == before


def test_mixed_encodings_in_one_csv_are_refused(catalog_engine, db_url, tmp_path):
    path = tmp_path / "meldung.csv"
    path.write_bytes(
        "Leistung;Monat;Anträge gesamt;davon online\nPersonenstandsurkunde;2021-10;681;203\n"
        .encode() + "Melderegisterauskunft;März 2021;70;7\n".encode("cp1252")
    )  # fmt: skip
    code, output, _peak, _s = _run(db_url, path)
    assert code == 1 and "mischt zwei Zeichenkodierungen" in output and "Zeile 3" in output


def test_look_alike_names_neither_duplicate_nor_fail_a_match(catalog_engine, tmp_path):
    nfd = unicodedata.normalize("NFD", "FB 3 Bürgerbüro")
    zwsp = "Melde\u200bbescheinigung"
    catalog = [["Leistung", "Fachbereich"], [zwsp, nfd], ["Baum\u00a0fällgenehmigung", nfd]]
    load_services(catalog_engine, write_xlsx(tmp_path / "k.xlsx", {"K": catalog}), "test")
    with catalog_engine.connect() as conn:
        departments = list(conn.scalars(select(Department.name)))
        services = set(conn.scalars(select(Service.name)))
    assert departments.count("FB 3 Bürgerbüro") == 1 and nfd not in departments
    assert "Meldebescheinigung" in services and zwsp not in services
    assert "Baum fällgenehmigung" in services  # the no-break space became a space
    march = unicodedata.normalize("NFD", "März 2021")
    rows = [wb.REPORT, [unicodedata.normalize("NFD", "Baum fällgenehmigung"), march, 5, 1],
            ["\ufeffMeldebescheinigung", march, 9, 2]]  # fmt: skip
    load_counts(catalog_engine, [write_xlsx(tmp_path / "m.xlsx", {"M": rows})], "test")
    counts = stored_counts(catalog_engine)
    assert counts[("Baum fällgenehmigung", "2021-03", "online", "report")] == 1
    assert counts[("Meldebescheinigung", "2021-03", "online", "report")] == 2


def test_a_good_report_next_to_the_classes_still_loads(catalog_engine, db_url, tmp_path):
    """The checks must not refuse what is fine: a plain report with a Summe row of formulas."""
    rows = [*wb.GOOD_ROWS, ["Summe Bürgerbüro", None, "=SUM(C2:C3)", "=SUM(D2:D3)"]]
    code, output, peak, _s = _run(
        db_url, write_xlsx(tmp_path / "ok.xlsx", {"M": [wb.REPORT, *rows]})
    )
    assert code == 0, output
    assert (
        stored_counts(catalog_engine)[("Meldebescheinigung", "2021-10", "online", "report")] == 47
    )


def test_csv_and_excel_rows_are_named_by_what_a_person_sees(catalog_engine, db_url, tmp_path):
    """A quoted cell spanning lines: later rows are named by the line they start on."""
    path = write_csv(tmp_path / "m.csv", [wb.REPORT, ['Personenstands-\nurkunde', "2021-10", 5, 1],
                                          ["Meldebescheinigung", "2021-10", "x", 1]])  # fmt: skip
    code, output, _peak, _s = _run(db_url, path)
    assert code == 1 and "Zeile 4, Spalte „Anträge gesamt“" in output, output
