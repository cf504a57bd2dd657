"""Ingest speed: full `python -m ingest counts FILE` against pandas.read_excel(calamine) alone.

Both are timed as whole processes in the same run (the machine is shared and noisy), and the
ratio is what counts. Target: at most 1.2x for the 200,000-row portal export.
"""

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SEED = 7
SERVICES = 600
PORTAL_ROWS = 200_000
REPORT_MONTHS = 12


def _service(i: int) -> str:
    return f"Leistung {i:04d}"


def write_catalog(path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Katalog")
    ws.append(["Leistung", "Fachbereich", "Leistungs-ID"])
    for i in range(SERVICES):
        ws.append([_service(i), f"FB {i % 12 + 1}", f"99{i:012d}"])
    wb.save(path)


def write_portal(path: Path) -> None:
    rng = random.Random(SEED)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Export")
    ws.append(["Antragsnummer", "Dienstleistung", "Eingangsdatum", "Status", "Zahlart"])
    start = datetime(2024, 1, 1)
    for n in range(PORTAL_ROWS):
        when = start + timedelta(minutes=rng.randrange(60 * 24 * 365))
        ws.append([f"SP-{n:07d}", _service(rng.randrange(SERVICES)), when, "eingegangen",
                   "PayPal"])  # fmt: skip
    wb.save(path)


def write_report(path: Path) -> None:
    rng = random.Random(SEED + 1)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Meldung")
    ws.append(["Leistung", "Monat", "Anträge gesamt", "davon online"])
    for i in range(SERVICES):
        for m in range(1, REPORT_MONTHS + 1):
            total = rng.randrange(10, 2000)
            ws.append([_service(i), f"2023-{m:02d}", total, rng.randrange(total + 1)])
    wb.save(path)


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
    return elapsed


def measure(file: Path, repeats: int) -> tuple[float, float]:
    """Median seconds of (ingest, pandas baseline), each run on a fresh database copy."""
    ingest, baseline = [], []
    read = f"import pandas; pandas.read_excel({str(file)!r}, engine='calamine')"
    with tempfile.TemporaryDirectory() as tmp:
        catalog_db = Path(tmp) / "catalog.db"
        subprocess.run([sys.executable, "-m", "ingest", "--db", f"sqlite:///{catalog_db}",
                        "services", str(OUT / "katalog.xlsx")], cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
        for i in range(repeats):
            db = Path(tmp) / f"run{i}.db"
            db.write_bytes(catalog_db.read_bytes())
            # Alternate the order so drift on the shared machine hits both sides alike.
            pair = [
                ("ingest", [sys.executable, "-m", "ingest", "--db", f"sqlite:///{db}", "counts",
                            str(file)]),
                ("pandas", [sys.executable, "-c", read]),
            ]  # fmt: skip
            for name, cmd in pair if i % 2 == 0 else reversed(pair):
                (ingest if name == "ingest" else baseline).append(timed(cmd))
    return statistics.median(ingest), statistics.median(baseline)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    files = {
        "katalog.xlsx": write_catalog,
        f"portal_{PORTAL_ROWS}.xlsx": write_portal,
        f"meldung_{SERVICES}x{REPORT_MONTHS}.xlsx": write_report,
    }
    for name, writer in files.items():
        if not (OUT / name).exists():
            print(f"writing bench/out/{name} …", flush=True)
            writer(OUT / name)
    print(f"{'file':34} {'ingest s':>9} {'pandas s':>9} {'ratio':>6}")
    for name in list(files)[1:]:
        ingest, baseline = measure(OUT / name, args.repeats)
        print(f"{name:34} {ingest:9.2f} {baseline:9.2f} {ingest / baseline:6.2f}x", flush=True)


if __name__ == "__main__":
    main()
