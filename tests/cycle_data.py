"""Test data for the monthly cycle: a catalog with addresses, reports loaded on given days."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from conftest import CATALOG, write_xlsx
from sqlalchemy import Engine

from db.catalog import load_catalog
from db.deadlines import Rules, last_closed_month
from db.months import add_months
from db.writes import LoadInfo, apply_counts, begin_write
from ingest import load_services

BUERGERBUERO = ["buergerbuero@stadt.example", "leitung.buergerbuero@stadt.example"]
STANDESAMT = ["standesamt@stadt.example"]
# The conftest catalog with an E-Mail column: FB 3 Straßenverkehr has no address.
CATALOG_WITH_MAIL = [
    [*CATALOG[0], "E-Mail"],
    [*CATALOG[1], STANDESAMT[0]],
    [*CATALOG[2], "; ".join(BUERGERBUERO)],
    [*CATALOG[3], ""],
    [*CATALOG[4], ""],
]
ALL_SERVICES = [row[0] for row in CATALOG[1:]]
PUBLIC_URL = "https://portalquote.stadt.example"
SUMMARY_TO = "stabsstelle@stadt.example"
DEFAULT_RULES = Rules()  # the 10th working day, holidays of NW


def load_catalog_with_mail(engine: Engine, directory: Path) -> None:
    load_services(
        engine, write_xlsx(directory / "katalog.xlsx", {"Katalog": CATALOG_WITH_MAIL}), "t"
    )


def report(
    engine: Engine,
    month: str,
    at: datetime,
    services: Iterable[str],
    channels: Iterable[str] = ("online", "office"),
    value: int = 10,
) -> int:
    """Load counts of these services for one month as a load made at `at`; the load id."""
    with begin_write(engine) as conn:
        catalog = load_catalog(conn)
        records = {
            (catalog.by_name[name.casefold()], month, channel, "report"): value
            for name in services
            for channel in channels
        }
        result = apply_counts(conn, records, LoadInfo(f"{month}.xlsx", "x" * 64, "t", 1, at))
    return result.load_id


def on(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour))


def build_cycle(engine: Engine, today: date, rules: Rules = DEFAULT_RULES) -> dict[str, str]:
    """Three ended months before `today`: in the oldest every service came in on time; in the
    next FB 3 Standesamt came 7 days late, FB 3 Bürgerbüro sent one of its two services and
    FB 3 Straßenverkehr nothing (both overdue); the newest is still due. Returns the months."""
    last = last_closed_month(today)
    prev, first = add_months(last, -1), add_months(last, -2)
    report(engine, first, on(rules.deadline(first) - timedelta(days=3)), ALL_SERVICES)
    report(engine, prev, on(rules.deadline(prev) + timedelta(days=7)), ["Personenstandsurkunde"])
    report(engine, prev, on(rules.deadline(prev) - timedelta(days=1)), ["Meldebescheinigung"])
    return {"first": first, "prev": prev, "last": last}


def build_today(engine: Engine) -> dict[str, str]:
    """build_cycle for the real today, with the newest month complete (came in this morning):
    whatever the day, exactly the month before it is overdue (Bürgerbüro, Straßenverkehr)."""
    months = build_cycle(engine, date.today())
    report(engine, months["last"], on(date.today(), 7), ALL_SERVICES)
    return months
