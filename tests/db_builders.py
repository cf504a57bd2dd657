"""Databases in the states a town's database will be in: for the crawl and the browser tests.

Each builder fills an empty, migrated database through the ordinary write functions and
returns the name of a department for the department account (None: there is none).
"""

import secrets
from collections.abc import Callable
from datetime import date, datetime, time

from sqlalchemy import Engine, select

from db.models import Service
from db.session import Agenda, default_agenda, save_agenda
from db.targets import save_target
from db.users import create_user
from db.writes import (
    LoadInfo,
    MeasureRow,
    ServiceRow,
    apply_counts,
    apply_measures,
    apply_services,
    begin_write,
)
from ingest.demo import load_demo
from report.store import create_report

LOADED = datetime(2024, 2, 5, 9)
MONTHS = ("2023-10", "2023-11", "2023-12")
# Names as they come from files and forms: every character Excel and Markdown care about,
# and links and images that a browser would fetch from another host.
OUTSIDE = "http://203.0.113.7"
HOSTILE_SERVICES = [
    f"An-/Ummeldung: **fett** ![Bild]({OUTSIDE}/service.png)",
    f'<img src="{OUTSIDE}/img.png"> [Link]({OUTSIDE}/) :red[rot] :smile:',
    "# Titel $x^2$ & &amp; * ? [ ] \" ' `code` ~~weg~~",
]
HOSTILE_DEPARTMENT = f"FB <b>1</b> / ![Fachbereich]({OUTSIDE}/department.png)"
HOSTILE_GROUP = f"![Gruppe]({OUTSIDE}/group.png) :blue-background[Gruppe]"
HOSTILE_FIELD = f"Feld [x]({OUTSIDE}/field) <i>kursiv</i>"
HOSTILE_MEASURE = f"Maßnahme ![m]({OUTSIDE}/measure.png) _unterstrichen_"
HOSTILE_NOTE = f"Sachstand <script>alert(1)</script> ![n]({OUTSIDE}/note.png)"


def _services(engine: Engine, rows: list[tuple[str, str, str | None]]) -> dict[str, int]:
    with begin_write(engine) as conn:
        apply_services(
            conn,
            [ServiceRow(name, dep, online_since=since) for name, dep, since in rows],
            LoadInfo("katalog.xlsx", "k", "test", len(rows), loaded_at=datetime(2024, 1, 2)),
        )
        return dict(conn.execute(select(Service.name, Service.id)).all())


def _counts(
    engine: Engine, ids: dict[str, int], figures: dict[tuple[str, str], tuple[int, int]],
    when: datetime = LOADED,
) -> None:  # fmt: skip
    records = {}
    for (name, month), (total, online) in figures.items():
        records[(ids[name], month, "online", "report")] = online
        records[(ids[name], month, "office", "report")] = total - online
    with begin_write(engine) as conn:
        apply_counts(conn, records, LoadInfo("meldung.xlsx", "m", "test", len(figures),
                                             loaded_at=when))  # fmt: skip


def _measures(engine: Engine, rows: list[MeasureRow]) -> None:
    with begin_write(engine) as conn:
        apply_measures(conn, rows, LoadInfo("m.xlsx", "m", "test", len(rows)), date(2024, 1, 10))


def _every_month(names: list[str], months=MONTHS) -> dict[tuple[str, str], tuple[int, int]]:  # noqa: ANN001
    return {(n, m): (100 + 10 * i + j, 30 + i + 2 * j)
            for i, n in enumerate(names) for j, m in enumerate(months)}  # fmt: skip


def empty(engine: Engine) -> str | None:
    return None


def catalog_only(engine: Engine) -> str | None:
    _services(engine, [("Meldebescheinigung", "FB 3 Bürgerbüro", "2021-06"),
                       ("Hundesteuer", "FB 2 Steueramt", None)])  # fmt: skip
    return "FB 3 Bürgerbüro"


def demo(engine: Engine) -> str | None:
    load_demo(engine)
    return "FB 3 Bürgerservice, Bürgerbüro"


def one_department_ahead(engine: Engine) -> str | None:
    """The demo, and one department has already reported February 2024 (the others not)."""
    load_demo(engine)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(Service.name, Service.id)).all())
    _counts(engine, ids, {("Gewerbeanmeldung", "2024-02"): (125, 50),
                          ("Gewerbeabmeldung", "2024-02"): (81, 26)},
            datetime(2024, 3, 1, 8))  # fmt: skip
    return "FB 8 Wirtschaftsförderung"


def without_online_since(engine: Engine) -> str | None:
    ids = _services(engine, [("Baumfällgenehmigung", "FB 7 Umwelt", None),
                             ("Sondernutzung", "FB 7 Umwelt", "2022-05")])  # fmt: skip
    _counts(engine, ids, _every_month(list(ids)))
    return "FB 7 Umwelt"


def measure_without_dates(engine: Engine) -> str | None:
    ids = _services(engine, [("Meldebescheinigung", "FB 3 Bürgerbüro", "2021-06")])
    _counts(engine, ids, _every_month(list(ids)))
    _measures(engine, [MeasureRow("Digitaler Bürgerservice", "Ohne alles", "planned"),
                       MeasureRow("Digitaler Bürgerservice", "Portal", "in_progress",
                                  start="2023-01", service_ids=list(ids.values()))])  # fmt: skip
    return "FB 3 Bürgerbüro"


def single_service_department(engine: Engine) -> str | None:
    ids = _services(engine, [("Gewerbeanmeldung", "FB 8 Wirtschaft", "2022-09"),
                             ("Wohngeld", "FB 5 Soziales", "2023-02"),
                             ("Kita-Platz", "FB 5 Soziales", "2021-09")])  # fmt: skip
    _counts(engine, ids, _every_month(list(ids)))
    return "FB 8 Wirtschaft"


def hostile_names(engine: Engine) -> str | None:
    ids = _services(engine, [(n, HOSTILE_DEPARTMENT, "2023-10") for n in HOSTILE_SERVICES])
    _counts(engine, ids, _every_month(HOSTILE_SERVICES))
    _measures(engine, [
        MeasureRow(HOSTILE_FIELD, HOSTILE_MEASURE, "in_progress", group=HOSTILE_GROUP,
                   responsible=HOSTILE_MEASURE, note=HOSTILE_NOTE,
                   service_ids=list(ids.values())),
        MeasureRow(HOSTILE_FIELD, f"{HOSTILE_MEASURE} ohne Termin", "planned",
                   group=HOSTILE_GROUP),
    ])  # fmt: skip
    with begin_write(engine) as conn:
        admin = create_user(conn, "builder-admin", secrets.token_urlsafe(16), "admin")
        save_target(conn, admin, share=0.5, due_month="2025-12", service=HOSTILE_SERVICES[0])
        agenda = default_agenda(conn)
        save_agenda(conn, Agenda(agenda.items, HOSTILE_SERVICES[:2], None))
    create_report(engine, title=f"Bericht ![t]({OUTSIDE}/title.png)", period_start="2023-10",
                  period_end="2023-12", cutoff=date.today(), user="test")  # fmt: skip
    return HOSTILE_DEPARTMENT


def many_services(engine: Engine) -> str | None:
    names = [f"Leistung {i:02d}" for i in range(70)]
    ids = _services(engine, [(n, f"FB {i % 7 + 1}", "2022-01") for i, n in enumerate(names)])
    _counts(engine, ids, _every_month(names))
    return "FB 1"


def stichtag_before_data(engine: Engine) -> str | None:
    """The demo, with the session frozen at a day before any load and a report of that day."""
    load_demo(engine)
    day = date(2020, 6, 30)
    with begin_write(engine) as conn:
        agenda = default_agenda(conn)
        save_agenda(conn, Agenda(agenda.items, agenda.services, datetime.combine(day, time(18))))
    create_report(engine, title="Bericht vor allen Daten", period_start="2021-01",
                  period_end="2021-06", cutoff=day, user="test")  # fmt: skip
    return "FB 3 Bürgerservice, Bürgerbüro"


STATES: dict[str, Callable[[Engine], str | None]] = {
    "demo": demo,
    "empty": empty,
    "catalog_only": catalog_only,
    "one_department_ahead": one_department_ahead,
    "without_online_since": without_online_since,
    "measure_without_dates": measure_without_dates,
    "single_service_department": single_service_department,
    "hostile_names": hostile_names,
    "many_services": many_services,
    "stichtag_before_data": stichtag_before_data,
}
