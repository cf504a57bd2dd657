"""Scale: the dashboard's queries and one monthly ingest on a database 100 times the demo.

For SQLite and PostgreSQL each, builds the demo database (12 services, 2021-01..2024-01) and
a large one (6,000 services x 120 months, both channels: 1.44 million counts) through the
real write path, then times, on both, the same work:

- overview: what the overview page asks (latest complete month, the month's table, facts),
- service page: one service's months from the monthly_uptake view,
- ingest: one monthly report for every service of the database (12 rows / 6,000 rows),
  and the same 12-row file into the large database (the database's size alone),
- undo of that monthly load.

Reported as medians and as the ratio large / demo. PostgreSQL runs on a throwaway server
started for the run (tests/pg_server.py) unless --pg-url names an admin URL of an existing one.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from db import get_engine, queries  # noqa: E402
from db.models import MonthlyCount, monthly_uptake  # noqa: E402
from db.writes import LoadInfo, ServiceRow, apply_counts, apply_services, begin_write  # noqa: E402
from ingest import load_counts, undo  # noqa: E402
from ingest.demo import SERVICES as DEMO_SERVICES  # noqa: E402
from ingest.demo import load_demo  # noqa: E402

SEED = 6
SERVICES = 6_000
FIRST_YEAR, YEARS = 2014, 10  # 2014-01 .. 2023-12: 120 months
DEPARTMENTS = 60
SCALE_MONTH, DEMO_MONTH = "2024-02", "2024-02"  # the month the monthly file reports


def _name(i: int) -> str:
    return f"Leistung {i:05d}"


def build_large(engine: Engine) -> float:
    """6,000 services and 120 months of both channels, a year per load; seconds taken."""
    import random

    rng = random.Random(SEED)
    start = time.perf_counter()
    rows = [ServiceRow(_name(i), f"FB {i % DEPARTMENTS + 1:02d}") for i in range(SERVICES)]
    with begin_write(engine) as conn:
        apply_services(conn, rows, LoadInfo("katalog.xlsx", "0" * 64, "bench", len(rows)))
        ids = [r[0] for r in conn.execute(text("SELECT id FROM services ORDER BY name"))]
    base = [rng.randint(5, 900) for _ in ids]
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        records = {}
        for sid, b in zip(ids, base, strict=True):
            for month in range(1, 13):
                total = max(0, b + rng.randint(-b // 5, b // 5))
                online = rng.randint(0, total)
                key = f"{year}-{month:02d}"
                records[(sid, key, "online", "report")] = online
                records[(sid, key, "office", "report")] = total - online
        with begin_write(engine) as conn:
            apply_counts(conn, records, LoadInfo(f"{year}.xlsx", f"{year:064d}", "bench", 0))
        print(f"    {year}: {len(records):,} counts", flush=True)
    return time.perf_counter() - start


def monthly_report(path: Path, names: list[str], month: str) -> Path:
    import random

    rng = random.Random(SEED + 1)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Meldung")
    ws.append(["Leistung", "Monat", "Anträge gesamt", "davon online"])
    for name in names:
        total = rng.randint(0, 900)
        ws.append([name, month, total, rng.randint(0, total)])
    wb.save(path)
    return path


def overview(engine: Engine) -> None:
    """The queries behind the overview page (dashboard/data.py facts + month_overview)."""
    with engine.connect() as conn:
        queries.data_version(conn)
        queries.is_demo(conn)
        queries.last_load_time(conn)
        queries.service_count(conn)
        month = queries.latest_complete_month(conn)
        queries.month_overview(conn, month)


def latest_month(engine: Engine) -> None:
    with engine.connect() as conn:
        assert queries.latest_complete_month(conn)


def month_table(engine: Engine, month: str) -> None:
    with engine.connect() as conn:
        assert len(queries.month_overview(conn, month))


def latest_month_direct(engine: Engine) -> None:
    """A suggestion: the newest month with both channels, found from the month index down."""
    o, n = MonthlyCount.__table__.alias("o"), MonthlyCount.__table__.alias("n")
    both = (
        select(n.c.month)
        .where(n.c.service_id == o.c.service_id, n.c.month == o.c.month, n.c.channel == "online")
        .exists()
    )
    stmt = select(o.c.month).where(o.c.channel == "office", both)
    with engine.connect() as conn:
        assert conn.scalar(stmt.order_by(o.c.month.desc()).limit(1))


def service_page(engine: Engine, name: str) -> None:
    """One service's history as the Leistungen page reads it."""
    with engine.connect() as conn:
        assert len(queries.uptake(conn, [name]))


def service_view(engine: Engine, name: str) -> None:
    """The same history through the monthly_uptake view (as an outside tool reads it)."""
    v = monthly_uptake.c
    with engine.connect() as conn:
        rows = conn.execute(select(*v).where(v.service == name).order_by(v.month)).all()
    assert rows


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm caches and connections, as a running dashboard has them
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def ingest_ms(engine: Engine, file: Path, repeats: int) -> tuple[float, float]:
    """Median ms of loading the file into the database, and of undoing that load."""
    loads, undos = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        result = load_counts(engine, [file], "bench")[0]
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        undo(engine, result.load_id, "bench")
        undos.append(time.perf_counter() - t)
    return 1000 * statistics.median(loads), 1000 * statistics.median(undos)


def size_mb(engine: Engine) -> float:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return conn.scalar(text("SELECT pg_database_size(current_database())")) / 2**20
    files = [Path(engine.url.database), Path(engine.url.database + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 2**20


def run_backend(label: str, demo_url: str, large_url: str, tmp: Path, repeats: int) -> list:
    print(f"\n{label}: building the demo and the large database …", flush=True)
    demo = get_engine(demo_url)
    load_demo(demo)
    large = get_engine(large_url)
    built = build_large(large)
    for engine in (demo, large):
        if engine.dialect.name == "postgresql":  # autovacuum would analyze after the loads
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        # SQLite: no ANALYZE, as in a real installation (the app never runs it).
    print(f"  large database built in {built:.0f} s, {size_mb(large):.0f} MB "
          f"(demo {size_mb(demo):.1f} MB)", flush=True)  # fmt: skip

    demo_names = [s[0] for s in DEMO_SERVICES]
    large_names = [_name(i) for i in range(SERVICES)]
    demo_file = monthly_report(tmp / f"{label}_demo.xlsx", demo_names, DEMO_MONTH)
    large_file = monthly_report(tmp / f"{label}_large.xlsx", large_names, SCALE_MONTH)
    small_file = monthly_report(tmp / f"{label}_small.xlsx", large_names[:12], SCALE_MONTH)

    rows = []
    o_demo = median_ms(lambda: overview(demo), repeats)
    o_large = median_ms(lambda: overview(large), repeats)
    rows.append((label, "overview page queries", o_demo, o_large))
    for work, fn in [
        ("  of it: latest complete month", latest_month),
        ("  of it: the month's table (month_overview)",
         lambda e: month_table(e, "2023-12")),
        ("  suggested: latest month from the index", latest_month_direct),
    ]:  # fmt: skip
        rows.append((label, work, median_ms(lambda f=fn: f(demo), repeats),
                     median_ms(lambda f=fn: f(large), repeats)))  # fmt: skip
    s_demo = median_ms(lambda: service_page(demo, demo_names[0]), repeats)
    s_large = median_ms(lambda: service_page(large, large_names[SERVICES // 2]), repeats)
    rows.append((label, "service page query (queries.uptake)", s_demo, s_large))
    d_demo = median_ms(lambda: service_view(demo, demo_names[0]), repeats)
    d_large = median_ms(lambda: service_view(large, large_names[SERVICES // 2]), repeats)
    rows.append((label, "  the same through the monthly_uptake view", d_demo, d_large))
    (i_demo, u_demo), (i_large, u_large) = (
        ingest_ms(demo, demo_file, repeats),
        ingest_ms(large, large_file, repeats),
    )
    rows.append((label, "monthly file, all services (12 / 6,000 rows)", i_demo, i_large))
    rows.append((label, "undo of that load", u_demo, u_large))
    i_small, _ = ingest_ms(large, small_file, repeats)
    rows.append((label, "monthly file, 12 rows, into each", i_demo, i_small))
    demo.dispose()
    large.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pg-url", help="admin URL of an existing PostgreSQL server")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        if args.only != "postgresql":
            rows += run_backend("sqlite", f"sqlite:///{tmp / 'demo.db'}",
                                f"sqlite:///{tmp / 'large.db'}", tmp, args.repeats)  # fmt: skip
        if args.only != "sqlite":
            import os

            from pg_server import EXTERNAL_URL_ENV, running_server

            if args.pg_url:
                os.environ[EXTERNAL_URL_ENV] = args.pg_url
            with running_server() as server:
                demo_url = server.create_database("bench_demo")
                large_url = server.create_database("bench_large")
                try:
                    rows += run_backend("postgresql", demo_url, large_url, tmp, args.repeats)
                finally:
                    server.drop_database(demo_url)
                    server.drop_database(large_url)
    print(f"\n{'database':11} {'work':48} {'demo ms':>9} {'100x ms':>9} {'ratio':>7}")
    for label, work, small, big in rows:
        print(f"{label:11} {work:48} {small:9.1f} {big:9.1f} {big / small:6.1f}x")


if __name__ == "__main__":
    main()
