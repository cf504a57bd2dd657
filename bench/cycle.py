"""The monthly cycle at scale: deadline marks and the reminder plan on 6,000 services.

Builds the large database of bench/scale.py (6,000 services in 60 departments x 120 months,
1.44 million counts) on SQLite and times, as medians and as ratios against the grid that
Datenstand already shows (queries.service_months, which its grids rest on), the marks
of every department and month (department_status) and the reminder plan (make_plan).
The same on the demo database gives the ratio large / demo.
"""

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from scale import build_large, median_ms  # noqa: E402

from db import get_engine, queries  # noqa: E402
from db.deadlines import Rules  # noqa: E402
from db.reporting import department_status  # noqa: E402
from ingest import remind  # noqa: E402
from ingest.demo import load_demo  # noqa: E402

TODAY = date(2024, 1, 20)  # the twelve ended months are 2023-01 .. 2023-12, all loaded
RULES = Rules()


def timings(url: str, repeats: int) -> dict[str, float]:
    engine = get_engine(url)

    def grid() -> None:
        with engine.connect() as conn:
            queries.service_months(conn)

    def marks() -> None:
        with engine.connect() as conn:
            department_status(conn, TODAY, RULES)

    def plan() -> None:
        with engine.connect() as conn:
            remind.make_plan(conn, TODAY, RULES)

    out = {name: median_ms(fn, repeats) for name, fn in
           (("grid", grid), ("marks", marks), ("plan", plan))}  # fmt: skip
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo_url, large_url = f"sqlite:///{tmp}/demo.db", f"sqlite:///{tmp}/large.db"
        load_demo(get_engine(demo_url))
        print("Building the large database ...", flush=True)
        build_large(get_engine(large_url))
        demo, large = timings(demo_url, args.repeats), timings(large_url, args.repeats)
    print(f"{'':28}{'demo ms':>10}{'large ms':>10}{'large/demo':>12}{'/ grid':>8}")
    for name, label in (("grid", "Datenstand grid (baseline)"), ("marks", "deadline marks"),
                        ("plan", "reminder plan")):  # fmt: skip
        ratio = large[name] / demo[name]
        print(
            f"{label:28}{demo[name]:10.1f}{large[name]:10.1f}{ratio:12.1f}"
            f"{large[name] / large['grid']:8.2f}"
        )


if __name__ == "__main__":
    main()
