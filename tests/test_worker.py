"""The reading worker: a crash, a hang or nonsense ends only the worker, with a German
message; nothing is written but the log entry of the refusal, and the caller carries on."""

import sys
import time

import pytest
import workbooks as wb
from sqlalchemy import select
from xlsx_helpers import snapshot

from db.models import Load
from db.names import Catalog
from ingest import IngestErrors, load_counts, worker
from ingest.cli import main

# Stand-ins for a reader that misbehaves, run exactly like the real worker.
FAULTS = {
    "aborts": "import os; os.abort()",
    "kills itself": "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
    "hangs": "import sys, time; sys.stdin.buffer.read(); time.sleep(60)",
    "answers nonsense": 'print("{\\"result\\": {\\"records\\": 5}}")',
    "exits without a word": "import sys; sys.stdin.buffer.read(); sys.exit(0)",
    "runs out of memory": "import sys; sys.stdin.buffer.read(); sys.exit(3)",
}
REASONS = {
    "aborts": "Speichergrenze von 768 MB erreicht",
    "kills itself": "Speichergrenze von 768 MB erreicht",
    "hangs": "länger als 2 Sekunden",
    "answers nonsense": "Antwort des Leseprogramms war unlesbar",
    "exits without a word": "ist beim Lesen abgestürzt (Code 0)",
    "runs out of memory": "Speichergrenze von 768 MB erreicht",
}


@pytest.fixture
def faulty(monkeypatch):  # noqa: ANN001, ANN201
    def use(fault: str) -> None:
        monkeypatch.setattr(worker, "COMMAND", [sys.executable, "-c", FAULTS[fault]])
        monkeypatch.setattr(worker.Limits, "__init__", _short_limits)

    return use


def _short_limits(self, memory_mb: int = 768, seconds: float = 2.0) -> None:  # noqa: ANN001
    self.memory_mb, self.seconds = memory_mb, seconds


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failing_worker_refuses_the_file_and_logs_it(fault, faulty, catalog_engine, tmp_path):
    path = wb.report(tmp_path / "meldung.xlsx")
    faulty(fault)
    before = snapshot(catalog_engine)
    start = time.monotonic()
    with pytest.raises(IngestErrors) as info:
        load_counts(catalog_engine, [path], "Frau Schulz")
    assert time.monotonic() - start < 10  # the time limit (2 s) holds, with room to spare
    [error] = info.value.errors
    assert isinstance(error, worker.UnsafeFile)
    [line] = error.lines()
    assert line.startswith("Die Datei konnte nicht sicher gelesen werden: ")
    assert REASONS[fault] in line
    after = snapshot(catalog_engine)
    assert after["monthly_counts"] == before["monthly_counts"]
    with catalog_engine.connect() as conn:
        refused = conn.execute(select(Load).where(Load.state == "refused")).one()
    assert (refused.file_name, refused.loaded_by, refused.rows) == (
        "meldung.xlsx",
        "Frau Schulz",
        0,
    )
    assert refused.summary == line


def test_the_command_line_says_it_in_german_and_exits_1(
    faulty, catalog_engine, db_url, capsys, tmp_path
):
    path = wb.report(tmp_path / "meldung.xlsx")
    faulty("aborts")
    assert main(["--db", db_url, "counts", str(path)]) == 1
    err = capsys.readouterr().err
    assert "„meldung.xlsx“ wurde nicht geladen, nichts wurde gespeichert. Ein Problem:" in err
    assert "konnte nicht sicher gelesen werden" in err and "Traceback" not in err
    # The history lists the refusal.
    assert main(["--db", db_url, "history"]) == 0
    assert "abgelehnt" in capsys.readouterr().out


def test_the_real_worker_reads_and_checks(catalog_engine, tmp_path):
    from db.catalog import load_catalog

    with catalog_engine.connect() as conn:
        catalog = load_catalog(conn)
    data = wb.report(tmp_path / "m.xlsx").read_bytes()
    seen = []
    counts = worker.run("counts", data, "m.xlsx", catalog, rows_read=seen.append)
    assert seen == [3]
    assert {(catalog.names[k[0]], k[2]): v for k, v in counts.records.items()} == {
        ("Personenstandsurkunde", "online"): 203, ("Personenstandsurkunde", "office"): 478,
        ("Meldebescheinigung", "online"): 47, ("Meldebescheinigung", "office"): 204,
    }  # fmt: skip
    assert counts.origin[next(iter(counts.records))] == "Blatt „Meldung“, Zeile 2"


def test_a_refusal_comes_back_with_every_problem(tmp_path):
    rows = [["Meldebescheinigung", "2021-10", 5, 9], ["Urkunde", "Herbst", 5, 1]]
    data = wb.report(tmp_path / "m.xlsx", rows).read_bytes()
    catalog = Catalog(by_name={"meldebescheinigung": 1}, names={1: "Meldebescheinigung"})
    refusal = worker.run("counts", data, "m.xlsx", catalog)
    assert refusal.file_name == "m.xlsx"
    assert [(p.row, p.column) for p in refusal.problems.items] == [
        (2, "davon online"), (3, "Monat"), (3, "Leistung"),
    ]  # fmt: skip
    assert "mehr als 5 Anträge insgesamt" in refusal.lines()[0]


def test_the_worker_limits_its_own_memory(tmp_path):
    """A real memory hog under a small limit: the worker ends, the caller does not."""
    data = wb.long_shared_string(tmp_path / "lang.xlsx", 20_000).read_bytes()
    with pytest.raises(worker.UnsafeFile, match="Speichergrenze von 200 MB"):
        worker.run("counts", data, "lang.xlsx", Catalog(), limits=worker.Limits(200, 30))


def test_the_worker_gets_no_secrets(monkeypatch, tmp_path):
    """The child sees neither the database URL nor any other secret of the server."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:geheim@h/db")
    monkeypatch.setenv("PORTALQUOTE_SMTP_PASSWORD", "geheim")
    script = "import json, os; print(json.dumps({'result': dict(os.environ)}))"
    monkeypatch.setattr(worker, "COMMAND", [sys.executable, "-c", script])
    monkeypatch.setattr(worker, "_decode", lambda message, kind, name: message["result"])
    seen = worker.run("counts", b"x", "x.xlsx", Catalog())
    assert "geheim" not in str(seen) and "PATH" in seen
