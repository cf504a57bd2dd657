"""Editing the strategy in the app: action fields, measures, dated Sachstand notes, links."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, delete, func, select, update

from db.access import require
from db.catalog import name_key
from db.models import STATUSES, ActionField, Measure, MeasureUpdate, Service, measure_services
from db.text import clean
from db.users import Account
from db.writes import bump_data_version

MAX_NAME = 300
MAX_NOTE = 10_000


class StrategyError(ValueError):
    """An edit that cannot be saved; the message is German and says why."""


@dataclass(frozen=True)
class MeasureRow:
    id: int
    field_id: int
    field: str
    group: str | None
    name: str
    status: str
    responsible: str | None
    start: str | None
    end: str | None
    note: str | None  # the latest Sachstand
    noted_on: date | None
    service_ids: tuple[int, ...]


def _admin(conn: Connection, account: Account | None) -> Account:
    return require(conn, account, "admin")


def _name(value: str | None, what: str) -> str:
    text = " ".join(clean(value or "").split())
    if not text:
        raise StrategyError(f"Bitte {what} angeben.")
    if len(text) > MAX_NAME:
        raise StrategyError(
            f"{what[0].upper()}{what[1:]} ist zu lang (höchstens {MAX_NAME} Zeichen)."
        )
    return text


def _optional(value: str | None) -> str | None:
    text = " ".join(clean(value or "").split())
    return text[:MAX_NAME] or None


def _months(start: str | None, end: str | None) -> None:
    # A planned measure may start in the future (the measures import accepts that too).
    if start and end and end < start:
        raise StrategyError("Das Ende liegt vor dem Beginn.")


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise StrategyError(f"Unbekannter Status „{status}“.")


def action_fields(conn: Connection) -> list[tuple[int, str, str | None]]:
    """(id, name, group) of every action field in display order."""
    return [
        tuple(r)
        for r in conn.execute(
            select(ActionField.id, ActionField.name, ActionField.group_name).order_by(
                ActionField.position, ActionField.id
            )
        )
    ]


def measures(conn: Connection) -> list[MeasureRow]:
    """Every measure with its latest Sachstand and linked services, in display order."""
    latest: dict[int, tuple[str | None, date]] = {}
    for mid, note, on in conn.execute(
        select(MeasureUpdate.measure_id, MeasureUpdate.note, MeasureUpdate.changed_on).order_by(
            MeasureUpdate.id
        )
    ):
        latest[mid] = (note, on)
    links: dict[int, list[int]] = {}
    for mid, sid in conn.execute(
        select(measure_services.c.measure_id, measure_services.c.service_id)
    ):
        links.setdefault(mid, []).append(sid)
    rows = conn.execute(
        select(
            Measure.id, Measure.action_field_id, ActionField.name.label("field"),
            ActionField.group_name, Measure.name, Measure.status, Measure.responsible,
            Measure.start_month, Measure.end_month,
        )
        .join(ActionField, ActionField.id == Measure.action_field_id)
        .order_by(ActionField.position, ActionField.id, Measure.position, Measure.id)
    )  # fmt: skip
    return [
        MeasureRow(
            r.id,
            r.action_field_id,
            r.field,
            r.group_name,
            r.name,
            r.status,
            r.responsible,
            r.start_month,
            r.end_month,
            *latest.get(r.id, (None, None)),
            tuple(sorted(links.get(r.id, []))),
        )  # fmt: skip
        for r in rows
    ]


def history(conn: Connection, measure_id: int) -> list:
    """The dated status and Sachstand history of a measure, newest first."""
    return conn.execute(
        select(
            MeasureUpdate.changed_on,
            MeasureUpdate.previous_status,
            MeasureUpdate.status,
            MeasureUpdate.note,
            MeasureUpdate.changed_by,
        )
        .where(MeasureUpdate.measure_id == measure_id)
        .order_by(MeasureUpdate.changed_on.desc(), MeasureUpdate.id.desc())
    ).all()


def service_names(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(select(Service.id, Service.name).order_by(Service.name)).all())


def add_action_field(
    conn: Connection, account: Account | None, name: str, group: str | None = None
) -> int:
    _admin(conn, account)
    name = _name(name, "den Namen des Handlungsfelds")
    existing = {name_key(n) for n in conn.scalars(select(ActionField.name))}
    if name_key(name) in existing:
        raise StrategyError(f"Das Handlungsfeld „{name}“ gibt es schon.")
    position = (conn.scalar(select(func.max(ActionField.position))) or 0) + 1
    field_id = conn.scalar(
        ActionField.__table__.insert()
        .values(name=name, group_name=_optional(group), position=position)
        .returning(ActionField.id)
    )
    bump_data_version(conn)
    return field_id


def update_action_field(
    conn: Connection, account: Account | None, field_id: int, name: str, group: str | None
) -> None:
    _admin(conn, account)
    name = _name(name, "den Namen des Handlungsfelds")
    clash = conn.scalar(
        select(ActionField.id).where(
            func.lower(ActionField.name) == name.lower(), ActionField.id != field_id
        )
    )
    if clash is not None:
        raise StrategyError(f"Das Handlungsfeld „{name}“ gibt es schon.")
    conn.execute(
        update(ActionField)
        .where(ActionField.id == field_id)
        .values(name=name, group_name=_optional(group))
    )
    bump_data_version(conn)


def _check_unique_measure(
    conn: Connection, field_id: int, name: str, measure_id: int | None = None
) -> None:
    others = conn.scalars(
        select(Measure.name).where(
            Measure.action_field_id == field_id, Measure.id != (measure_id or -1)
        )
    )
    if name_key(name) in {name_key(n) for n in others}:
        raise StrategyError(f"Die Maßnahme „{name}“ gibt es in diesem Handlungsfeld schon.")


def _note_date(changed_on: date | None) -> date:
    changed_on = changed_on or date.today()
    if changed_on > date.today():
        raise StrategyError("Das Datum des Sachstands darf nicht in der Zukunft liegen.")
    return changed_on


def add_measure(
    conn: Connection,
    account: Account | None,
    field_id: int,
    name: str,
    status: str,
    responsible: str | None = None,
    start: str | None = None,
    end: str | None = None,
    note: str | None = None,
    changed_on: date | None = None,
    service_ids: list[int] | tuple[int, ...] = (),
) -> int:
    """A new measure with its first status (and Sachstand) as the start of its history."""
    actor = _admin(conn, account)
    name = _name(name, "den Namen der Maßnahme")
    _check_status(status)
    _months(start, end)
    changed_on = _note_date(changed_on)
    if conn.scalar(select(ActionField.id).where(ActionField.id == field_id)) is None:
        raise StrategyError("Bitte ein Handlungsfeld wählen.")
    _check_unique_measure(conn, field_id, name)
    position = (
        conn.scalar(select(func.max(Measure.position)).where(Measure.action_field_id == field_id))
        or 0
    ) + 1
    mid = conn.scalar(
        Measure.__table__.insert()
        .values(
            action_field_id=field_id, name=name, status=status,
            responsible=_optional(responsible), start_month=start or None,
            end_month=end or None, position=position,
        )
        .returning(Measure.id)
    )  # fmt: skip
    conn.execute(
        MeasureUpdate.__table__.insert().values(
            measure_id=mid, changed_on=changed_on, status=status, previous_status=None,
            note=clean(note or "").strip()[:MAX_NOTE] or None, changed_by=actor.username,
        )
    )  # fmt: skip
    _link(conn, mid, service_ids)
    bump_data_version(conn)
    return mid


def update_measure(
    conn: Connection,
    account: Account | None,
    measure_id: int,
    field_id: int,
    name: str,
    responsible: str | None,
    start: str | None,
    end: str | None,
) -> None:
    """Change what a measure is (not its status: that goes through set_status)."""
    _admin(conn, account)
    name = _name(name, "den Namen der Maßnahme")
    _months(start, end)
    _check_unique_measure(conn, field_id, name, measure_id)
    conn.execute(
        update(Measure)
        .where(Measure.id == measure_id)
        .values(
            action_field_id=field_id, name=name, responsible=_optional(responsible),
            start_month=start or None, end_month=end or None,
        )
    )  # fmt: skip
    bump_data_version(conn)


def set_status(
    conn: Connection,
    account: Account | None,
    measure_id: int,
    status: str,
    note: str | None,
    changed_on: date | None = None,
) -> None:
    """Record a dated Sachstand: a new status and/or note, kept in the measure's history."""
    actor = _admin(conn, account)
    _check_status(status)
    changed_on = _note_date(changed_on)
    previous = conn.scalar(select(Measure.status).where(Measure.id == measure_id))
    if previous is None:
        raise StrategyError("Diese Maßnahme gibt es nicht (mehr).")
    note = clean(note or "").strip()[:MAX_NOTE] or None
    if previous == status and not note:
        raise StrategyError(
            "Der Status ist unverändert und es fehlt ein Sachstand: bitte den neuen Sachstand "
            "eintragen oder den Status ändern."
        )
    if note is None:
        # As the measures import does: a status change keeps the last Sachstand current.
        note = conn.scalar(
            select(MeasureUpdate.note)
            .where(MeasureUpdate.measure_id == measure_id)
            .order_by(MeasureUpdate.id.desc())
            .limit(1)
        )
    conn.execute(
        MeasureUpdate.__table__.insert().values(
            measure_id=measure_id, changed_on=changed_on, status=status,
            previous_status=previous, note=note, changed_by=actor.username,
        )
    )  # fmt: skip
    conn.execute(update(Measure).where(Measure.id == measure_id).values(status=status))
    bump_data_version(conn)


def _link(conn: Connection, measure_id: int, service_ids: list[int] | tuple[int, ...]) -> None:
    conn.execute(delete(measure_services).where(measure_services.c.measure_id == measure_id))
    ids = list(dict.fromkeys(service_ids))
    if ids:
        conn.execute(
            measure_services.insert(), [{"measure_id": measure_id, "service_id": s} for s in ids]
        )


def link_services(
    conn: Connection,
    account: Account | None,
    measure_id: int,
    service_ids: list[int] | tuple[int, ...],
) -> None:
    """Set the services a measure is linked to (replacing the previous links)."""
    _admin(conn, account)
    _link(conn, measure_id, service_ids)
    bump_data_version(conn)
