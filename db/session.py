"""The council session's agenda (slide order, services shown) and the moment its figures are
frozen at, as a setting."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import Connection, select

from db.models import ActionField, Service, Setting, measure_services, monthly_uptake
from db.queries import latest_complete_month
from db.writes import set_setting

AGENDA_KEY = "session_agenda"
OVERVIEW, SERVICES = "overview", "services"
FIELD_PREFIX = "field:"
DEFAULT_SERVICES = 4


@dataclass
class Agenda:
    """Slides in order ("overview", "field:<id>", "services"), the services on the services
    slide, and the moment the figures are frozen at (None: the figures as they are now)."""

    items: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    frozen_at: datetime | None = None


def moment(at: datetime | None = None) -> datetime:
    """A freezing moment: `at` (default: now) to the minute, as the slides print it
    ("Stand: 01.12.2026, 17:02 Uhr"); what was loaded from that minute on does not count."""
    return (at or datetime.now()).replace(second=0, microsecond=0)


def _frozen_at(raw: dict) -> datetime | None:
    if raw.get("frozen_at"):
        return datetime.fromisoformat(raw["frozen_at"])
    if raw.get("cutoff"):  # stored before moments: a Stichtag day, i.e. its end
        return datetime.combine(date.fromisoformat(raw["cutoff"]), time(23, 59))
    return None


@dataclass
class Slide:
    kind: str  # overview, field, services
    title: str
    field_id: int | None = None
    field_name: str | None = None


def field_items(conn: Connection) -> dict[str, str]:
    """Agenda item -> Handlungsfeld name, in the strategy's order."""
    rows = conn.execute(
        select(ActionField.id, ActionField.name).order_by(ActionField.position, ActionField.name)
    ).all()
    return {f"{FIELD_PREFIX}{i}": name for i, name in rows}


def service_names(conn: Connection) -> list[str]:
    return list(conn.scalars(select(Service.name).order_by(Service.name)))


def default_services(conn: Connection) -> list[str]:
    """Services linked to measures with the most requests in the latest complete month."""
    v = monthly_uptake.c
    latest = latest_complete_month(conn)
    linked = select(Service.name).join(
        measure_services, measure_services.c.service_id == Service.id
    )
    stmt = (
        select(v.service)
        .where(v.month == latest, v.total.is_not(None), v.service.in_(linked))
        .order_by(v.total.desc(), v.service)
        .limit(DEFAULT_SERVICES)
    )
    names = list(conn.scalars(stmt))
    return names or service_names(conn)[:DEFAULT_SERVICES]


def default_agenda(conn: Connection) -> Agenda:
    return Agenda([OVERVIEW, *field_items(conn), SERVICES], default_services(conn))


def load_agenda(conn: Connection) -> Agenda:
    """The stored agenda, cleaned of fields and services that no longer exist."""
    text = conn.scalar(select(Setting.value).where(Setting.key == AGENDA_KEY))
    if not text:
        return default_agenda(conn)
    try:
        raw = json.loads(text)
        frozen_at = _frozen_at(raw)
        items, services = list(raw.get("items", [])), list(raw.get("services", []))
    except (ValueError, TypeError, KeyError, AttributeError):
        return default_agenda(conn)
    valid = {OVERVIEW, SERVICES, *field_items(conn)}
    known = set(service_names(conn))
    return Agenda(
        [i for i in dict.fromkeys(items) if i in valid],
        [s for s in dict.fromkeys(services) if s in known],
        frozen_at,
    )


def save_agenda(conn: Connection, agenda: Agenda) -> None:
    """Store the agenda (inside the caller's write transaction)."""
    value = {
        "items": agenda.items,
        "services": agenda.services,
        "frozen_at": agenda.frozen_at.isoformat() if agenda.frozen_at else None,
    }
    set_setting(conn, AGENDA_KEY, json.dumps(value, ensure_ascii=False))


def freeze(conn: Connection, at: datetime | None = None) -> datetime:
    """Freeze the stored agenda's figures at `at` (default: now, to the minute). Inside the
    caller's write transaction, which waits for a load being written: "now" comes after
    every load that is committed."""
    agenda = load_agenda(conn)
    agenda.frozen_at = moment(at)
    save_agenda(conn, agenda)
    return agenda.frozen_at


def unfreeze(conn: Connection) -> None:
    """The stored agenda shows the figures as they are now again."""
    agenda = load_agenda(conn)
    agenda.frozen_at = None
    save_agenda(conn, agenda)


def slides(conn: Connection, agenda: Agenda) -> list[Slide]:
    """The slides in agenda order (an agenda without any slide falls back to the overview)."""
    names = field_items(conn)
    out = []
    for item in agenda.items:
        if item == OVERVIEW:
            out.append(Slide(OVERVIEW, "Überblick"))
        elif item == SERVICES:
            out.append(Slide(SERVICES, "Ausgewählte Leistungen"))
        elif item in names:
            number = list(names).index(item) + 1
            out.append(
                Slide(
                    "field",
                    f"Handlungsfeld {number}: {names[item]}",
                    int(item.removeprefix(FIELD_PREFIX)),
                    names[item],
                )
            )
    return out or [Slide(OVERVIEW, "Überblick")]
