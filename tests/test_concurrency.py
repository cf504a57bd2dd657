"""Eight uploads at once from separate processes, and several processes creating the schema."""

import multiprocessing
import random
import selectors
import time

from conftest import CATALOG, write_xlsx
from db_state import cli, holding_write_lock, waiting_writers
from sqlalchemy import select

from db import get_engine
from db.models import CountChange, Load, MonthlyCount, Service
from ingest import undo

PROCESSES = 8
SERVICES = [row[0] for row in CATALOG[1:]]
# Every file also reports this service and month, each with other figures: the load that
# commits last must win, and each load must have seen its predecessor's value.
SHARED = ("Bewohnerparkausweis", "2022-03")
HEADER = ["Leistung", "Monat", "Anträge gesamt", "davon online"]


def _files(tmp_path) -> tuple[list, dict[tuple[str, str, str], int], list[int]]:  # noqa: ANN001
    """Eight monthly reports, each with its own year (2010 + i) and the shared row."""
    rng = random.Random(6)
    files, expected, shared_totals = [], {}, []
    for i in range(PROCESSES):
        rows = [HEADER]
        for month in range(1, 13):
            for name in SERVICES:
                total = rng.randint(0, 900)
                online = rng.randint(0, total)
                key = f"{2010 + i}-{month:02d}"
                rows.append([name, key, total, online])
                expected[(name, key, "online")] = online
                expected[(name, key, "office")] = total - online
        shared_totals.append(100 + 2 * i)  # both channels differ from file to file
        rows.append([SHARED[0], SHARED[1], 100 + 2 * i, i])
        files.append(write_xlsx(tmp_path / f"meldung_{i}.xlsx", {"Meldung": rows}))
    return files, expected, shared_totals


def _wait_for_output(procs, seconds: float) -> None:  # noqa: ANN001
    """Until every process wrote its first line to stderr (it is checking its file)."""
    sel = selectors.DefaultSelector()
    for p in procs:
        sel.register(p.stderr, selectors.EVENT_READ, p)
    pending = set(procs)
    deadline = time.monotonic() + seconds
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            if key.data in pending:
                pending.discard(key.data)
                sel.unregister(key.fileobj)
    sel.close()


def test_eight_uploads_at_once(catalog_engine, db_url, tmp_path):
    engine = catalog_engine
    files, expected, shared_totals = _files(tmp_path)
    # Hold the writers' lock while the eight start, so all of them queue for it at once.
    with holding_write_lock(engine):
        procs = [cli("counts", str(f), db_url=db_url, env={"USER": f"fb{i}"})
                 for i, f in enumerate(files)]  # fmt: skip
        if engine.dialect.name == "postgresql":
            deadline = time.monotonic() + 120
            while waiting_writers(engine) < PROCESSES and time.monotonic() < deadline:
                time.sleep(0.1)
            assert waiting_writers(engine) == PROCESSES
        else:
            _wait_for_output(procs, 120)
            time.sleep(1.5)  # past the check, into BEGIN IMMEDIATE on the busy timeout
            assert all(p.poll() is None for p in procs)
    results = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in (out + err).lower() and "Unerwarteter" not in err, err
        assert "geladen (Ladevorgang" in out

    with engine.connect() as conn:
        loads = conn.execute(select(Load).where(Load.kind == "counts").order_by(Load.id)).all()
        assert len(loads) == PROCESSES and {ld.state for ld in loads} == {"loaded"}
        stored = conn.execute(
            select(Service.name, MonthlyCount.month, MonthlyCount.channel, MonthlyCount.value)
            .join(Service, Service.id == MonthlyCount.service_id)
            .where(MonthlyCount.source == "report")
        ).all()
        changes = conn.execute(select(CountChange).order_by(CountChange.id)).all()
    by_name = {(name, month, channel): value for name, month, channel, value in stored}
    assert len(by_name) == len(stored)
    shared = {k: by_name.pop((SHARED[0], SHARED[1], k)) for k in ("online", "office")}
    # Nothing lost, nothing doubled: exactly the expected figures, and one change each.
    assert by_name == expected
    assert len(changes) == len(expected) + 2 * PROCESSES
    # The shared row: the last committed load wins, and every load replaced exactly what
    # the one before it had written (the loads really ran one after the other).
    last = loads[-1]
    chain = [c for c in changes if c.month == SHARED[1] and c.channel == "online"]
    assert [c.load_id for c in chain] == [ld.id for ld in loads]
    assert chain[0].old_value is None
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.old_value == before.new_value and after.old_load_id == before.load_id
    assert shared["online"] == chain[-1].new_value and chain[-1].load_id == last.id
    assert shared["online"] + shared["office"] in shared_totals

    # Undo, newest first, brings back the empty table.
    for ld in reversed(loads):
        undo(engine, ld.id, "test")
    with engine.connect() as conn:
        assert conn.scalar(select(MonthlyCount.value).limit(1)) is None


def _create_schema(url: str, barrier, errors) -> None:  # noqa: ANN001
    try:
        barrier.wait(60)
        engine = get_engine(url)
        with engine.connect() as conn:
            conn.execute(select(Load.id)).all()
        engine.dispose()
    except Exception as exc:  # reported to the test, which fails on it
        errors.put(f"{type(exc).__name__}: {exc}")


def test_processes_start_on_an_empty_database_at_once(make_db_url):
    ctx = multiprocessing.get_context("fork")
    for attempt in range(2):
        url = make_db_url(f"empty{attempt}")
        barrier, errors = ctx.Barrier(PROCESSES), ctx.Queue()
        procs = [
            ctx.Process(target=_create_schema, args=(url, barrier, errors))
            for _ in range(PROCESSES)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
        found = []
        while not errors.empty():
            found.append(errors.get())
        assert not found
        assert [p.exitcode for p in procs] == [0] * PROCESSES
        engine = get_engine(url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
            assert conn.exec_driver_sql("SELECT count(*) FROM monthly_uptake").scalar() == 0
        engine.dispose()
