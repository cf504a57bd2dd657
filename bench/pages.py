"""Dashboard pages at scale: script run time cold and warm, against the queries alone.

Fills a SQLite database (or --db URL) with 600 services x 120 months (both channels, one
monthly load each, as departments would send them), 60 measures in 6 action fields under 2
groups with status history and service links, and some targets. Then, for each dashboard
page, in this process through Streamlit's AppTest (the real app.py and page script):

- cold: the page's first run after st.cache_data was cleared (modules already imported),
- warm: the median of further runs (cached query results),
- queries: the median time of the same query functions called directly, uncached,

and, unless --no-browser, the peak memory (VmHWM) of a real `streamlit run` server after
Chromium opened every page with cold caches. Targets: warm < 0.3 s, cold < 2 s, server
memory < 400 MB.

    .venv/bin/python bench/pages.py [--services 600] [--months 120] [--measures 60]
"""

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from serve import CHROMIUM, CHROMIUM_ARGS, peak_mb, server  # noqa: E402
from sqlalchemy import Connection, Engine, select  # noqa: E402

from db import get_engine, queries  # noqa: E402
from db.models import Service  # noqa: E402
from db.months import add_months  # noqa: E402
from db.targets import save_target  # noqa: E402
from db.users import create_user  # noqa: E402
from db.writes import (  # noqa: E402
    LoadInfo,
    MeasureRow,
    ServiceRow,
    apply_counts,
    apply_measures,
    apply_services,
    begin_write,
)

SEED = 3
DEPARTMENTS = 20
FIELDS = 6
STATUSES = ["planned", "preparing", "in_progress", "done", "deferred"]
WARM_RUNS = 5
QUERY_RUNS = 5
TARGET_WARM, TARGET_COLD, TARGET_MB = 0.3, 2.0, 400


def month_list(count: int, last: str = "2023-12") -> list[str]:
    y, m = int(last[:4]), int(last[5:])
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def fill(engine: Engine, services: int, months: int, measures: int) -> None:
    """The bench database, written through the ordinary write functions."""
    rng = random.Random(SEED)
    names = [f"Leistung {i:03d}" for i in range(services)]
    dates = month_list(months)
    rows = [
        ServiceRow(
            n, f"FB {i % DEPARTMENTS + 1:02d}", online_since=rng.choice(dates[: months // 2])
        )
        for i, n in enumerate(names)
    ]
    with begin_write(engine) as conn:
        apply_services(conn, rows, LoadInfo("katalog.xlsx", "0" * 64, "bench", len(rows)))
        ids = dict(conn.execute(select(Service.name, Service.id)).all())
    volume = {n: rng.randint(5, 900) for n in names}
    reach = {n: rng.uniform(0.05, 0.8) for n in names}
    for k, month in enumerate(dates):
        records = {}
        for n in names:
            total = max(0, round(volume[n] * rng.uniform(0.85, 1.15)))
            online = min(total, round(total * reach[n] * min(1.0, (k + 1) / months) * 1.2))
            records[(ids[n], month, "office", "report")] = total - online
            records[(ids[n], month, "online", "report")] = online
        info = LoadInfo(f"meldung_{month}.xlsx", f"{k:064d}", "bench", len(records) // 2)
        with begin_write(engine) as conn:
            apply_counts(conn, records, info)
    per_field = max(1, measures // FIELDS)
    mrows = []
    for i in range(measures):
        field = i // per_field % FIELDS
        start = dates[rng.randrange(0, months - 24)]
        end = dates[min(months - 1, dates.index(start) + rng.randint(6, 48))]
        linked = [ids[n] for n in rng.sample(names, rng.randint(0, 4))]
        mrows.append(
            MeasureRow(
                f"Leitprojekt {field + 1}", f"Maßnahme {i + 1:02d}", rng.choice(STATUSES[:3]),
                group="Elektronische Bürgerservices" if field % 2 else "Verwaltungsservices",
                responsible=f"FB {rng.randint(1, DEPARTMENTS):02d}", start=start, end=end,
                note=f"Sachstand der Maßnahme {i + 1}.", service_ids=linked,
            )
        )  # fmt: skip
    day = date(2023, 1, 15)
    for round_ in range(3):  # three progress reports: a status history for every measure
        for r in mrows:
            r.status = STATUSES[min(4, STATUSES.index(r.status) + rng.randint(0, 1))]
            r.note = f"{r.note.split(' (')[0]} ({round_ + 1}. Bericht)"
        with begin_write(engine) as conn:
            apply_measures(conn, mrows, LoadInfo("massnahmen.xlsx", "m" * 64, "bench", len(mrows)),
                           day + timedelta(days=120 * round_))  # fmt: skip
    with begin_write(engine) as conn:
        admin = create_user(conn, "bench-admin", "bench-passwort-123", "admin", None, [])
        save_target(conn, admin, share=0.5, due_month="2025-12")
        for n in names[:10]:
            save_target(conn, admin, share=0.6, due_month="2026-06", service=n)


# ---------------------------------------------------------------- the queries of each page


def _latest(conn: Connection) -> str:
    return queries.latest_complete_month(conn)


def _facts(conn: Connection) -> None:
    queries.data_version(conn)
    queries.is_demo(conn)
    queries.last_load_time(conn)
    queries.service_count(conn)
    queries.latest_complete_month(conn)


def q_overview(conn: Connection) -> None:
    _facts(conn)
    latest = _latest(conn)
    queries.headline(conn)
    queries.complete_series(conn, add_months(latest, -23))
    queries.targets(conn)
    queries.services(conn)
    queries.month_overview(conn, latest)
    queries.measures(conn)


def q_services(conn: Connection) -> None:
    _facts(conn)
    catalog = queries.services(conn)
    months = queries.month_range(conn)
    first = [catalog.sort_values(["department", "service"]).iloc[0]["service"]]
    queries.uptake(conn, first, months[-24], months[-1])
    queries.service_events(conn, first)
    queries.targets(conn)


EIGHT = [f"Leistung {i:03d}" for i in range(0, 160, 20)]  # eight services of FB 01


def q_services_eight(conn: Connection) -> None:
    _facts(conn)
    queries.services(conn)
    months = queries.month_range(conn)
    queries.uptake(conn, EIGHT, months[-24], months[-1])
    queries.service_events(conn, EIGHT)
    queries.targets(conn)


def q_measures(conn: Connection) -> None:
    _facts(conn)
    queries.measures(conn)
    queries.measure_history(conn)
    queries.measure_links(conn)


def q_coverage(conn: Connection) -> None:
    _facts(conn)
    queries.services(conn)
    months = queries.month_range(conn)
    queries.department_loads(conn)
    queries.month_states(conn)
    queries.coverage(conn, None, months[-12], months[-1])
    queries.load_log(conn, 20)


def q_targets(conn: Connection) -> None:
    _facts(conn)
    queries.services(conn)
    targets = queries.targets(conn)
    latest = _latest(conn)
    queries.complete_series(conn, add_months(latest, -35))
    queries.uptake(conn, list(targets["service"].dropna()), add_months(latest, -23), latest)


# title: (page script, query parameters, the page's queries)
PAGES: dict[str, tuple[str, dict, Callable[[Connection], None]]] = {
    "Übersicht": ("overview.py", {}, q_overview),
    "Leistungen": ("services.py", {}, q_services),
    "Leistungen (8)": (
        "services.py",
        {"fachbereich": "FB 01", "leistung": EIGHT},
        q_services_eight,
    ),
    "Maßnahmen": ("measures.py", {}, q_measures),
    "Datenstand": ("coverage.py", {}, q_coverage),
    "Ziele": ("targets.py", {}, q_targets),
}


def time_queries(engine: Engine, fn: Callable[[Connection], None]) -> float:
    times = []
    for _ in range(QUERY_RUNS):
        start = time.perf_counter()
        with engine.connect() as conn:
            fn(conn)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_pages(url: str) -> dict[str, tuple[float, float, int]]:
    """(cold, warm) seconds of each page's script run through AppTest, and its charts."""
    os.environ["DATABASE_URL"] = url
    import streamlit as st
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner
    from streamlit.testing.v1.app_test import AppTest

    # AppTest compiles app.py and the page anew on every run (a fresh ScriptCache each
    # time); the server compiles each script once. Share one cache, as the server does.
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared

    def app(page: str, params: dict) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.switch_page(f"dashboard/pages/{page}")
        for key, value in params.items():
            at.query_params[key] = value
        return at

    # Import every module and open the engine once, so that "cold" means empty caches only.
    for page, params, _fn in PAGES.values():
        app(page, params).run()
    out = {}
    for title, (page, params, _fn) in PAGES.items():
        st.cache_data.clear()
        at = app(page, params)
        start = time.perf_counter()
        at.run()
        cold = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{title}: {at.exception[0].message}")
        warm = []
        for _ in range(WARM_RUNS):
            start = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - start)
        out[title] = (cold, statistics.median(warm), len(at.get("vega_lite_chart")))
    return out


def server_peak_mb(url: str) -> float | None:
    """Peak resident memory of `streamlit run app.py` after Chromium opened every page."""
    if not Path(CHROMIUM).exists():
        print(f"({CHROMIUM} fehlt: Serverspeicher nicht gemessen)")
        return None
    from playwright.sync_api import sync_playwright

    with server("dashboard/server.py", {"DATABASE_URL": url}) as (base, proc):
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(locale="de-DE", viewport={"width": 1400, "height": 900})
            for path in ("", "services", "measures", "coverage", "targets",
                         "services?leistung=Leistung+000&leistung=Leistung+020"
                         "&leistung=Leistung+040&fachbereich=FB+01"):  # fmt: skip
                page.goto(f"{base}/{path}")
                page.wait_for_selector("[data-testid='stApp']")
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                    timeout=120_000,
                )
                page.wait_for_timeout(500)
            browser.close()
        return peak_mb(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=600)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--measures", type=int, default=60)
    parser.add_argument("--db", help="database URL (default: a new temporary SQLite file)")
    parser.add_argument("--no-browser", action="store_true", help="skip the server memory")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'pages.db'}"
    engine = get_engine(url)
    start = time.perf_counter()
    fill(engine, args.services, args.months, args.measures)
    print(f"Datenbank: {args.services} Leistungen x {args.months} Monate, {args.measures} "
          f"Maßnahmen, gefüllt in {time.perf_counter() - start:.1f} s ({url})")  # fmt: skip

    query_times = {title: time_queries(engine, fn) for title, (_p, _q, fn) in PAGES.items()}
    page_times = time_pages(url)
    ok = True
    head = ("Seite", "kalt s", "warm s", "Abfragen s", "kalt/Abfr.", "Diagramme")
    print("\n{:<15} {:>8} {:>8} {:>11} {:>11} {:>10}".format(*head))
    for title, (cold, warm, drawn) in page_times.items():
        q = query_times[title]
        flag = "" if cold < TARGET_COLD and warm < TARGET_WARM else "  <- Ziel verfehlt"
        ok &= not flag
        print(f"{title:<15} {cold:8.3f} {warm:8.3f} {q:11.3f} {cold / q:10.1f}x {drawn:10d}{flag}")
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nSpeicherspitze dieses Prozesses (Befüllen + AppTest): {own_mb:.0f} MB")
    if not args.no_browser:
        peak = server_peak_mb(url)
        if peak is not None:
            flag = "" if peak < TARGET_MB else "  <- Ziel verfehlt"
            ok &= not flag
            print(
                f"Speicherspitze des Servers (streamlit run, alle Seiten kalt): {peak:.0f} MB{flag}"
            )
    print(f"\nZiele: warm < {TARGET_WARM} s, kalt < {TARGET_COLD} s, Server < {TARGET_MB} MB: "
          + ("erreicht" if ok else "VERFEHLT"))  # fmt: skip
    engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
