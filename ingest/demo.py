"""Example data (clearly marked): catalog, three years of counts and the Nov. 2021 strategy."""

import hashlib
import random
from datetime import date, datetime, time

from sqlalchemy import Engine, func, select

from db.catalog import load_catalog
from db.german import format_month
from db.models import Load
from db.months import months_apart, months_between
from db.writes import (
    DEMO_FLAG,
    LoadInfo,
    apply_counts,
    apply_measures,
    apply_services,
    begin_write,
    set_setting,
)
from ingest.errors import IngestError
from ingest.read import Sheet, Workbook
from ingest.validate import check_counts, check_measures, check_services

DEMO_USER = "Beispieldaten"
SEED = 2021
FIRST_MONTH, LAST_MONTH = "2021-01", "2023-12"
# A portal export that came in for January 2024 without the office figures: the
# dashboard shows that month as incomplete.
PORTAL_ONLY_MONTH = "2024-01"

# name, department, LeiKa id, aliases, online since, monthly requests, online share reached
SERVICES = [
    ("Personenstandsurkunde", "FB 3 Bürgerservice, Standesamt", "99102013000000",
     "Urkunden;Urkunde Standesamt", "2021-06", 660, 0.42),
    ("Anmeldung der Eheschließung", "FB 3 Bürgerservice, Standesamt", "99102006000000",
     "Eheschließung", "2022-06", 55, 0.35),
    ("Meldebescheinigung", "FB 3 Bürgerservice, Bürgerbüro", "99115004000000",
     "Meldebescheinigungen", "2021-06", 250, 0.33),
    ("Melderegisterauskunft", "FB 3 Bürgerservice, Bürgerbüro", "99115001000000",
     "Melderegisterauskünfte;einfache Melderegisterauskunft", "2021-06", 70, 0.22),
    ("Bewohnerparkausweis", "FB 3 Straßenverkehr", "99053003000000",
     "Anwohnerparkausweis", "2022-03", 155, 0.55),
    ("Hundesteueranmeldung", "FB 2 Finanzen, Steueramt", "99092001000000",
     "Hundesteuer", "2022-01", 45, 0.48),
    ("Gewerbeanmeldung", "FB 8 Wirtschaftsförderung", "99050012000000",
     "Gewerbe anmelden", "2022-09", 120, 0.38),
    ("Gewerbeabmeldung", "FB 8 Wirtschaftsförderung", "99050013000000",
     "Gewerbe abmelden", "2022-09", 80, 0.31),
    ("Wohngeldantrag", "FB 5 Jugend, Soziales", "99107001000000",
     "Wohngeld", "2023-02", 140, 0.18),
    ("Kita-Platz-Anmeldung", "FB 5 Jugend, Soziales", "99068004000000",
     "Kitaplatz;Kita-Anmeldung", "2021-09", 95, 0.71),
    ("Sondernutzungserlaubnis", "FB 7 Umwelt, Technik", "99086001000000",
     "Sondernutzung", "2022-05", 35, 0.26),
    ("Baumfällgenehmigung", "FB 7 Umwelt, Technik", "99136002000000",
     "Fällgenehmigung", None, 25, 0.0),
]  # fmt: skip

# The figures of the progress report of November 2021 (October 2021: total, online).
REPORT_OCT_2021 = {
    "Personenstandsurkunde": (681, 203),
    "Meldebescheinigung": (251, 47),
    "Melderegisterauskunft": (70, 7),
}

FIELDS = [
    "Digitale Schriftgutverwaltung",
    "Digitaler Bürgerservice",
    "Digitale Abwicklung von Prozessen",
    "Modernes Arbeiten",
    "Kommunikation und Veränderungsmanagement",
]
_ONLINE = ";".join(s[0] for s in SERVICES if s[4])
# field index, measure, responsible, start, end, status (May 2021), status (Nov. 2021),
# linked services, Sachstand (Nov. 2021)
MEASURES = [
    (0, "Dokumentenmanagementsystem (DMS)", "Stabsstelle Digitalisierung", "2021-03", "2024-12",
     "geplant", "in Vorbereitung", "",
     "Die Erhebung des Anforderungsprofils an ein geeignetes DMS wird abgeschlossen. Eine erste "
     "Markterkundung läuft (Produktpräsentationen, Austausch mit dem LVR)."),
    (0, "Scan-Strategie / digitale Poststelle", "Organisationsentwicklung", "2021-10", "2023-06",
     "geplant", "in Vorbereitung", "",
     "Erster Vorbereitungstermin am 4. Oktober 2021; Besichtigung der Poststelle des LVR, "
     "virtuelle Besichtigung der Bezirksregierung Detmold am 18. November 2021 vorgesehen."),
    (0, "Einheitlicher Aktenplan", "Stadtarchiv", "2021-06", "2024-12",
     "geplant", "in Vorbereitung", "",
     "Das Stadtarchiv stimmt den künftigen produktbasierten Aktenplan (KGSt) mit den "
     "Schriftgutverantwortlichen der Fachbereiche ab."),
    (1, "Zentrales Serviceportal", "Stabsstelle Digitalisierung", "2021-01", "2022-12",
     "in Umsetzung", "in Umsetzung",
     "Personenstandsurkunde;Meldebescheinigung;Melderegisterauskunft",
     "Das Serviceportal wird seit dem ersten Tag gut angenommen: im Oktober 681 Urkunden "
     "(davon 203 online), 251 Meldebescheinigungen (47 online) und 70 "
     "Melderegisterauskünfte (7 online)."),
    (1, "Online-Verwaltungsdienstleistungen", "Stabsstelle Digitalisierung", "2021-06",
     "2025-12", "in Vorbereitung", "in Umsetzung", _ONLINE,
     "Die nächste Ausbaustufe des Serviceportals steht seitens des Anbieters noch aus; eine "
     "Live-Vorführung ist für diesen Zeitpunkt vorgesehen."),
    (2, "E-Payment", "FB 2 Finanzen", "2021-06", "2022-06",
     "in Vorbereitung", "in Umsetzung", "Personenstandsurkunde;Meldebescheinigung",
     "paydirekt kommuniziert seit einem Update des Anbieters nicht mehr fehlerfrei mit dem "
     "Serviceportal. Ein städtischer PayPal-Account wird vorbereitet."),
    (2, "Prozessmanagement", "Organisationsentwicklung", "2021-09", "2023-12",
     "geplant", "in Vorbereitung", "",
     "Fortbildungsreihe und Erfahrungsaustausch mit Nachbarkommunen; erste Testläufe von "
     "Software zur Prozessmodellierung. Beschaffung zum Jahreswechsel angestrebt."),
    (3, "Modernes und mobiles Arbeiten", "IT-Service", "2021-04", "2023-12",
     "in Umsetzung", "in Umsetzung", "",
     "Konzeptarbeit, digitale Ausstattung der Besprechungsräume und Musterarbeitsplatz laufen "
     "weiter; Strategietag mit Microsoft am 24. November 2021."),
    (3, "Moderne Raumkonzepte", "Management Großprojekte", "2021-09", "2025-06",
     "geplant", "in Vorbereitung", "",
     "Besuch der Referenzetage des LVR zum aktivitätsbasierten Arbeiten; Raumkonzept auf dem "
     "Zanders-Gelände in Arbeit."),
    (4, "Offene Sprechstunden", "Stabsstelle Digitalisierung", "2021-09", "2021-11",
     "geplant", "umgesetzt", "",
     "Zwei offene Sprechstunden mit dem Personalrat (40 und 15 Teilnehmende); Folgeformat "
     "künftig maßnahmenbezogen."),
    (4, "Interne Kommunikation", "FB 9", "2021-11", "2022-12",
     "geplant", "geplant", "",
     "Seit 1. November ist die Stelle der internen Kommunikation besetzt; gemeinsame Formate "
     "werden entwickelt."),
]  # fmt: skip
STATE_DATES = (date(2021, 5, 17), date(2021, 11, 15))
CATALOG_LOADED = datetime(2021, 1, 4, 8)


def _months() -> list[str]:
    return months_between(FIRST_MONTH, LAST_MONTH)


def count_rows() -> list[list]:
    """Monthly report rows (Leistung, Monat, Anträge gesamt, davon online) for every service."""
    rng = random.Random(SEED)
    rows: list[list] = [["Leistung", "Monat", "Anträge gesamt", "davon online"]]
    for name, _dep, _id, _al, since, volume, target in SERVICES:
        for month in _months():
            season = 1 + 0.12 * ((int(month[5:]) in (3, 4, 5, 9, 10)) - (month[5:] == "08"))
            total = max(0, round(volume * season * rng.uniform(0.9, 1.1)))
            online = 0
            if since and month >= since:
                age = months_apart(month, since)
                share = target * (1 - 0.75 * 0.9**age) * rng.uniform(0.92, 1.08)
                online = min(total, round(total * share))
            if month == "2021-10" and name in REPORT_OCT_2021:
                total, online = REPORT_OCT_2021[name]
            rows.append([name, month, total, online])
    return rows


def portal_rows() -> list[list]:
    """A portal export (one row per application) for PORTAL_ONLY_MONTH."""
    rng = random.Random(SEED + 1)
    rows: list[list] = [["Antragsnummer", "Dienstleistung", "Eingangsdatum", "Status"]]
    for name, *_rest, volume, target in SERVICES[:4]:
        for _ in range(round(volume * target * rng.uniform(0.95, 1.05))):
            day, hour = rng.randint(1, 31), rng.randint(0, 23)
            rows.append(
                [
                    f"SP-{len(rows):06d}",
                    name,
                    f"{PORTAL_ONLY_MONTH}-{day:02d}T{hour:02d}:15:00",
                    "eingegangen",
                ]
            )
    return rows


def catalog_rows() -> list[list]:
    rows: list[list] = [["Leistung", "Fachbereich", "Leistungs-ID", "Aliase", "online seit"]]
    rows += [[n, d, i, a, s or ""] for n, d, i, a, s, _v, _t in SERVICES]
    return rows


def measure_rows(state: int) -> list[list]:
    rows: list[list] = [
        [
            "Handlungsfeld",
            "Maßnahme",
            "Status",
            "Verantwortlich",
            "Beginn",
            "Ende",
            "Sachstand",
            "Leistungen",
        ]
    ]
    for field, name, resp, start, end, early, late, services, note in MEASURES:
        status = (early, late)[state]
        text = note if state else "Die Maßnahme wird vorbereitet."
        rows.append([FIELDS[field], name, status, resp, start, end, text, services])
    return rows


def _workbook(title: str, rows: list[list]) -> Workbook:
    """An in-memory workbook for the ingest checks (the same checks as any upload)."""
    data = repr(rows).encode()
    return Workbook(title, hashlib.sha256(data).hexdigest(), len(data), [Sheet(title, rows)])


def load_demo(engine: Engine, only_if_empty: bool = False) -> str:
    """Load the example data through the ordinary checks, all in one transaction.

    Example data never mixes with real data: a database that has had any load gets none
    (a message with `only_if_empty`, else IngestError)."""
    with begin_write(engine) as conn:
        if conn.scalar(select(func.count()).select_from(Load)):
            if only_if_empty:
                return "Die Datenbank enthält schon Daten; es wurden keine Beispieldaten geladen."
            raise IngestError(
                "Beispieldaten",
                "Die Datenbank enthält schon Daten. Beispieldaten werden nur in eine leere "
                "Datenbank geladen, damit sie sich nicht mit echten Zahlen vermischen.",
            )
        # Loaded as a town would have: the catalog first, each monthly report early in the
        # following month, the measures on the dates of the two progress reports. So a
        # cut-off date (Stichtag) in the past shows the figures as they stood then.
        steps = [(CATALOG_LOADED, "services", catalog_rows(), "Beispieldaten Leistungskatalog")]
        header, *rows = count_rows()
        for month in _months():
            title = f"Beispieldaten Monatsmeldung {format_month(month)}"
            month_rows = [header, *(r for r in rows if r[1] == month)]
            steps.append((_reported(month), "counts", month_rows, title))
        steps.append(
            (
                _reported(PORTAL_ONLY_MONTH),
                "counts",
                portal_rows(),
                f"Beispieldaten Serviceportal-Export {format_month(PORTAL_ONLY_MONTH)}",
            )
        )
        for state, day in enumerate(STATE_DATES):
            steps.append(
                (
                    datetime.combine(day, time(10)),
                    "measures",
                    measure_rows(state),
                    f"Beispieldaten Maßnahmen {format_month(day.strftime('%Y-%m'))}",
                )
            )
        for when, kind, sheet_rows, title in sorted(steps, key=lambda step: step[0]):
            wb = _workbook(title, sheet_rows)
            info = _info(wb, when)
            if kind == "services":
                apply_services(conn, check_services(wb, load_catalog(conn)), info)
            elif kind == "counts":
                apply_counts(conn, check_counts(wb, load_catalog(conn)).records, info)
            else:
                rows_ = check_measures(wb, load_catalog(conn))
                apply_measures(conn, rows_, info, changed_on=when.date())
        set_setting(conn, DEMO_FLAG, "1")
    return (
        f"Beispieldaten geladen: {len(SERVICES)} Leistungen, {len(_months())} Monate, "
        f"{len(MEASURES)} Maßnahmen in {len(FIELDS)} Handlungsfeldern."
    )


def _reported(month: str) -> datetime:
    """When a month's figures came in: the 5th of the following month, 9 o'clock."""
    year, mon = int(month[:4]), int(month[5:])
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return datetime(year, mon, 5, 9)


def _info(wb: Workbook, when: datetime) -> LoadInfo:
    rows = sum(len(s.rows) - 1 for s in wb.sheets)
    return LoadInfo(wb.file_name, wb.checksum, DEMO_USER, rows, loaded_at=when)
