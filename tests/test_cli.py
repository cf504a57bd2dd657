"""The command line: exit codes, German output, history, undo, demo; a few real processes."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CATALOG, write_csv, write_xlsx
from xlsx_helpers import REPORT_HEADER, snapshot, stored_counts

from ingest.cli import main

PROJECT_DIR = Path(__file__).resolve().parent.parent
M, R = "Meldebescheinigung", "Melderegisterauskunft"


def _cli(capsys, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _process(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PORTALQUOTE_DEBUG")}
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _report(tmp_path: Path, rows: list[list], name: str = "meldung.xlsx") -> Path:
    return write_xlsx(tmp_path / name, {"Meldung": [REPORT_HEADER, *rows]})


# ---------------------------------------------------------------- real processes


def test_process_loads_with_db_after_the_subcommand_and_shows_progress(
    catalog_engine, db_url, tmp_path
):
    rows = [["Leistung", "Eingangsdatum"]] + [[M, "15.10.2021 10:00"]] * 45_000
    path = write_csv(tmp_path / "export.csv", rows)
    proc = _process("counts", str(path), "--db", db_url, "--user", "Frau Schulz")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (f"„{path}“ geladen (Ladevorgang 2): 1 neu, 0 geändert, 0 unverändert.\n")
    assert proc.stderr.startswith(
        "Lese „export.csv“ (1,6 MB) …\nPrüfe „export.csv“ (45.001 Zeilen) …\n"
    )
    assert "  44 % geprüft (20.000 von 45.001 Zeilen)" in proc.stderr
    assert stored_counts(catalog_engine) == {(M, "2021-10", "online", "portal"): 45_000}


def test_process_refuses_a_broken_file_without_traceback(catalog_engine, db_url, tmp_path):
    broken = tmp_path / "kaputt.xlsx"
    broken.write_bytes(_report(tmp_path, [[M, "Okt. 2021", 251, 47]]).read_bytes()[:700])
    before = snapshot(catalog_engine)
    proc = _process("--db", db_url, "counts", str(broken))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(
        "„kaputt.xlsx“ wurde nicht geladen, nichts wurde gespeichert. Ein Problem:\n"
        "  - Die Excel-Datei ist beschädigt"
    )
    assert "Traceback" not in proc.stderr
    assert snapshot(catalog_engine) == before


def test_process_usage_error_exit_2_in_german():
    proc = _process("zaehlen", "datei.xlsx")
    assert proc.returncode == 2
    assert "Aufruf: python -m ingest" in proc.stderr
    assert "Fehler: BEFEHL: unbekannter Befehl 'zaehlen' (möglich: 'services'," in proc.stderr
    assert "argument" not in proc.stderr


# ---------------------------------------------------------------- in process


def test_counts_loaded_and_loaded_again(capsys, catalog_engine, db_url, tmp_path):
    path = _report(tmp_path, [[M, "Okt. 2021", 251, 47]])
    code, out, err = _cli(capsys, "--db", db_url, "counts", str(path))
    assert code == 0
    assert out == f"„{path}“ geladen (Ladevorgang 2): 2 neu, 0 geändert, 0 unverändert.\n"
    assert err == "Prüfe „meldung.xlsx“ (2 Zeilen) …\n"
    code, out, _ = _cli(capsys, "counts", str(path), "--db", db_url)
    assert code == 0
    assert out == f"„{path}“ unverändert (Ladevorgang 3): 0 neu, 0 geändert, 2 unverändert.\n"


def test_refused_file_lists_every_problem_and_writes_nothing(
    capsys, catalog_engine, db_url, tmp_path
):
    path = _report(tmp_path, [[M, "Okt. 2021", 10, 12], ["Meldebeschinigung", "Okt. 2021", 5, 1]])
    good = _report(tmp_path, [[R, "Okt. 2021", 70, 7]], name="gut.xlsx")
    before = snapshot(catalog_engine)
    code, out, err = _cli(capsys, "--db", db_url, "counts", str(good), str(path))
    assert (code, out) == (1, "")
    assert err.endswith(
        "„meldung.xlsx“ wurde nicht geladen, nichts wurde gespeichert. 2 Probleme:\n"
        "  - Blatt „Meldung“, Zeile 2, Spalte „davon online“: 12 Online-Anträge sind mehr als "
        "10 Anträge insgesamt.\n"
        "  - Blatt „Meldung“, Zeile 3, Spalte „Leistung“: Die Leistung „Meldebeschinigung“ steht "
        "nicht im Leistungskatalog. Meinten Sie „Meldebescheinigung“? Bitte den Namen aus dem "
        "Leistungskatalog verwenden oder die Leistung dort ergänzen.\n"
    )
    assert snapshot(catalog_engine) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "diese Angaben fehlen: BEFEHL"),
        (["counts"], "diese Angaben fehlen: DATEI"),
        (["undo", "drei"], "ungültiger Wert: 'drei'"),
        (["counts", "a.xlsx", "--gibtsnicht"], "unbekannte Angaben: --gibtsnicht"),
    ],
)
def test_usage_errors_exit_2(capsys, args, expected):
    code, out, err = _cli(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("Aufruf: python -m ingest") and expected in err


def test_help_exit_0(capsys):
    code, out, _ = _cli(capsys, "--help")
    assert code == 0 and "Lädt Leistungskatalog, Antragszahlen und Maßnahmen" in out


def test_missing_file_is_refused_in_german(capsys, catalog_engine, db_url, tmp_path):
    code, _, err = _cli(capsys, "--db", db_url, "counts", str(tmp_path / "fehlt.xlsx"))
    assert code == 1
    assert "  - Die Datei gibt es nicht. Bitte den Pfad prüfen." in err


def test_bad_database_urls(capsys, tmp_path):
    code, _, err = _cli(capsys, "--db", "kein url", "history")
    assert code == 2 and err.startswith("Die Datenbank-Angabe ist keine gültige URL.")
    not_a_db = tmp_path / "meldung.db"
    not_a_db.write_bytes(b"Leistung;Monat\n" * 200)
    code, _, err = _cli(capsys, "--db", f"sqlite:///{not_a_db}", "history")
    assert code == 1 and err.startswith(f"Die Datenbank „sqlite:///{not_a_db}“ lässt sich nicht")
    assert "Traceback" not in err


def test_services_measures_history_and_undo(capsys, engine, db_url, tmp_path):
    assert _cli(capsys, "--db", db_url, "history") == (0, "Noch nichts geladen.\n", "")
    catalog = write_xlsx(tmp_path / "katalog.xlsx", {"Katalog": CATALOG})
    code, out, _ = _cli(capsys, "--db", db_url, "services", str(catalog), "--user", "admin")
    assert (code, out) == (0, "Leistungskatalog geladen (Ladevorgang 1): 4 neu, 0 geändert, "
                              "0 unverändert.\n")  # fmt: skip
    measures = write_xlsx(tmp_path / "m.xlsx", {"Maßnahmen": [
        ["Handlungsfeld", "Maßnahme", "Status"], ["Bürgerservice", "Serviceportal", "geplant"],
    ]})  # fmt: skip
    code, out, _ = _cli(capsys, "measures", str(measures), "--db", db_url)
    assert (code, out) == (0, "Maßnahmen geladen (Ladevorgang 2): 1 neu, 0 Statusänderungen, "
                              "0 neue Sachstände.\n")  # fmt: skip
    _cli(capsys, "--db", db_url, "counts", str(_report(tmp_path, [[M, "Okt. 2021", 251, 47]])))
    code, out, err = _cli(capsys, "--db", db_url, "undo", "3", "--user", "Herr Meier")
    assert (code, err) == (0, "")
    assert out == (
        "Ladevorgang 3 („meldung.xlsx“) wurde rückgängig gemacht: 0 Zahlen auf den vorherigen "
        "Stand zurückgesetzt, 2 neu geladene Zahlen entfernt.\n"
    )
    assert stored_counts(engine) == {}
    code, out, err = _cli(capsys, "--db", db_url, "undo", "3")
    assert (code, out, err) == (1, "", "Ladevorgang 3 wurde bereits rückgängig gemacht.\n")
    code, out, err = _cli(capsys, "--db", db_url, "undo", "1")
    assert code == 1 and err.startswith("Ladevorgang 1 hat den Leistungskatalog geladen;")
    code, out, _ = _cli(capsys, "--db", db_url, "history")
    lines = out.splitlines()
    assert code == 0
    when = r"\d\d\.\d\d\.\d{4} \d\d:\d\d"
    assert re.fullmatch(r"  Nr\.  Zeitpunkt  +Art  +Stand  +Zeilen  Von / Datei", lines[0])
    assert re.fullmatch(
        rf"    3  {when}  Antragszahlen     rückgängig gemacht         1  \S+ / meldung\.xlsx",
        lines[1],
    )
    assert lines[2] == "       2 neu, 0 geändert, 0 unverändert"
    assert re.fullmatch(rf"       rückgängig gemacht am {when} von Herr Meier", lines[3])
    assert re.fullmatch(
        rf"    1  {when}  Leistungskatalog  geladen                    4  admin / katalog\.xlsx",
        lines[-2],
    )


def test_demo_if_empty_loads_only_into_an_empty_database(capsys, engine, db_url):
    code, out, _ = _cli(capsys, "--db", db_url, "demo", "--if-empty")
    assert code == 0 and out.startswith("Beispieldaten geladen: 12 Leistungen, 36 Monate")
    before = snapshot(engine)
    code, out, _ = _cli(capsys, "demo", "--if-empty", "--db", db_url)
    assert (code, out) == (0, "Die Datenbank enthält schon Daten; es wurden keine Beispieldaten "
                              "geladen.\n")  # fmt: skip
    code, out, err = _cli(capsys, "demo", "--db", db_url)
    assert code == 1 and "nur in eine leere Datenbank" in err
    assert snapshot(engine) == before


def test_commands_never_add_demo_data(capsys, engine, db_url):
    assert _cli(capsys, "--db", db_url, "history")[0] == 0
    assert all(rows == [] for table, rows in snapshot(engine).items() if table != "settings")


def test_progress_bar_on_a_terminal_ends_its_line(capsys):
    from ingest.cli import _Progress

    progress = _Progress()
    progress.tty = True
    progress(20_000, 200_001)
    progress(40_000, 200_001)
    progress.say("Prüfe „b.xlsx“ (3 Zeilen) …")
    progress.end()
    err = capsys.readouterr().err
    assert err == (
        "\r  [#                   ]   9 % (20.000 von 200.001 Zeilen)"
        "\r  [###                 ]  19 % (40.000 von 200.001 Zeilen)\n"
        "Prüfe „b.xlsx“ (3 Zeilen) …\n"
    )


def test_progress_lines_without_a_terminal_restart_for_each_sheet(capsys):
    from ingest.cli import _Progress

    progress = _Progress()
    progress.tty = False
    for done in (20_000, 40_000, 60_000, 20_000):
        progress(done, 80_001)
    assert capsys.readouterr().err == (
        "  24 % geprüft (20.000 von 80.001 Zeilen)\n"
        "  49 % geprüft (40.000 von 80.001 Zeilen)\n"
        "  74 % geprüft (60.000 von 80.001 Zeilen)\n"
        "  24 % geprüft (20.000 von 80.001 Zeilen)\n"
    )


# ---------------------------------------------------------------- remind (issue 13)


@pytest.fixture
def late_engine(engine, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """Today's cycle (tests/cycle_data.py): FB 3 Bürgerbüro owes last month's report."""
    from cycle_data import PUBLIC_URL, SUMMARY_TO, build_today, load_catalog_with_mail

    for name in ("PORTALQUOTE_DEADLINE_WORKDAY", "PORTALQUOTE_LAND", "PORTALQUOTE_DEADLINES_FROM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTALQUOTE_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("PORTALQUOTE_MAIL_SUMMARY_TO", SUMMARY_TO)
    load_catalog_with_mail(engine, tmp_path)
    build_today(engine)
    return engine


def _smtp_env(monkeypatch, settings) -> None:  # noqa: ANN001
    monkeypatch.setenv("PORTALQUOTE_SMTP_HOST", settings.host)
    monkeypatch.setenv("PORTALQUOTE_SMTP_PORT", str(settings.port))
    monkeypatch.setenv("PORTALQUOTE_SMTP_SECURITY", settings.security)
    monkeypatch.setenv("PORTALQUOTE_MAIL_FROM", settings.sender)


def test_remind_dry_run_sends_nothing(late_engine, db_url, capsys, monkeypatch):
    from smtp_server import smtp_server

    with smtp_server() as server:
        _smtp_env(monkeypatch, server.settings)
        code, out, err = _cli(capsys, "--db", db_url, "remind", "--dry-run")
        assert server.inbox.received == []
    assert code == 0, err
    assert "Probelauf, es wird nichts gesendet" in out
    assert "FB 3 Bürgerbüro: " in out and "– wird erinnert" in out
    assert "FB 3 Straßenverkehr: " in out and "– keine E-Mail-Adresse" in out


def test_remind_sends_once_and_says_so(late_engine, db_url, capsys, monkeypatch):
    from smtp_server import smtp_server

    with smtp_server() as server:
        _smtp_env(monkeypatch, server.settings)
        code, out, _err = _cli(capsys, "--db", db_url, "--user", "cron", "remind")
        assert code == 0 and "– gesendet" in out and "Zusammenfassung an stabsstelle@" in out
        assert len(server.inbox.received) == 2
        code, out, _err = _cli(capsys, "--db", db_url, "remind")
        assert code == 0 and "schon erinnert am" in out
        assert len(server.inbox.received) == 2
        code, out, _err = _cli(capsys, "--db", db_url, "remind", "--force")
        assert code == 0 and len(server.inbox.received) == 4


def test_remind_with_the_server_down_fails_in_german(late_engine, db_url, capsys, monkeypatch):
    from net import free_port
    from smtp_server import smtp_server

    with smtp_server() as server:
        _smtp_env(monkeypatch, server.settings)
    monkeypatch.setenv("PORTALQUOTE_SMTP_PORT", str(free_port()))
    code, out, _err = _cli(capsys, "--db", db_url, "remind")
    assert code == 1
    assert "nicht gesendet (Der Mailserver „127.0.0.1:" in out and "nicht erreichbar" in out


def test_remind_without_mail_settings(late_engine, db_url, capsys, monkeypatch):
    for name in ("PORTALQUOTE_SMTP_HOST", "PORTALQUOTE_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = _cli(capsys, "--db", db_url, "remind")
    assert (code, out) == (1, "")
    assert err.startswith("Der Mailversand ist nicht eingerichtet: PORTALQUOTE_SMTP_HOST")
    monkeypatch.setenv("PORTALQUOTE_LAND", "Bayern")
    code, _out, err = _cli(capsys, "--db", db_url, "remind", "--dry-run")
    assert code == 1 and "PORTALQUOTE_LAND='BAYERN' ist kein Bundesland" in err
