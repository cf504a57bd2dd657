"""All writes: catalog, counts, measures, undo and the load log, each in one transaction."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    and_,
    cast,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from db import audit
from db.catalog import load_catalog, name_key
from db.contacts import replace_contacts
from db.engine import LIGHT_WRITE, WRITE
from db.german import format_int
from db.labels import LOAD_KIND_LABELS, LOAD_KIND_OBJECTS, LOAD_STATE_LABELS
from db.models import (
    ActionField,
    CountChange,
    Department,
    Load,
    Measure,
    MeasureUpdate,
    MonthlyCount,
    Service,
    ServiceAlias,
    Setting,
    measure_services,
)
from db.records import CountKey, MeasureRow, ServiceRow

DATA_VERSION = "data_version"
DEMO_FLAG = "demo"


class UndoError(Exception):
    """An undo that cannot be done; the message is German and says why."""


@dataclass
class LoadInfo:
    file_name: str
    checksum: str
    user: str
    rows: int
    loaded_at: datetime | None = None  # default: now (the demo dates its loads)


@dataclass
class CountDiff:
    new: dict[CountKey, int] = field(default_factory=dict)
    changed: dict[CountKey, tuple[int, int, int]] = field(default_factory=dict)  # old, load, new
    unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed)

    def summary(self) -> str:
        return f"{len(self.new)} neu, {len(self.changed)} geändert, {self.unchanged} unverändert"


@dataclass
class LoadResult:
    load_id: int
    state: str
    summary: str


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A write transaction (BEGIN IMMEDIATE on SQLite): `with begin_write(e) as conn:`."""
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        yield conn


@contextmanager
def begin_light_write(engine: Engine) -> Iterator[Connection]:
    """A short write of rows only its caller touches (logins, the login throttle): it does
    not queue behind loads on PostgreSQL (see db.engine.LIGHT_WRITE)."""
    with engine.connect().execution_options(**LIGHT_WRITE) as conn, conn.begin():
        yield conn


def _insert(conn: Connection):  # noqa: ANN202
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def _upsert_counts(conn: Connection, rows: list[dict]) -> None:
    if not rows:
        return
    stmt = _insert(conn)(MonthlyCount)
    stmt = stmt.on_conflict_do_update(
        index_elements=["service_id", "month", "channel", "source"],
        set_={"value": stmt.excluded.value, "load_id": stmt.excluded.load_id},
    )
    conn.execute(stmt, rows)


def bump_data_version(conn: Connection) -> None:
    """Mark that figures changed, so every server process drops its cached queries."""
    done = conn.execute(
        update(Setting)
        .where(Setting.key == DATA_VERSION)
        .values(value=cast(cast(Setting.value, Integer) + 1, String(20)))
    ).rowcount
    if not done:
        conn.execute(_insert(conn)(Setting).values(key=DATA_VERSION, value="1"))


def data_version(conn: Connection) -> str:
    return conn.scalar(select(Setting.value).where(Setting.key == DATA_VERSION)) or "0"


def set_setting(conn: Connection, key: str, value: str) -> None:
    stmt = _insert(conn)(Setting).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


def _log_load(conn: Connection, kind: str, info: LoadInfo, state: str, summary: str) -> int:
    load_id = conn.scalar(
        Load.__table__.insert()
        .values(
            kind=kind,
            file_name=info.file_name[:500],
            checksum=info.checksum,
            loaded_by=info.user[:200],
            loaded_at=info.loaded_at or datetime.now().replace(microsecond=0),
            rows=info.rows,
            state=state,
            summary=summary,
        )
        .returning(Load.id)
    )
    what = f"{LOAD_KIND_LABELS[kind]}, {LOAD_STATE_LABELS[state]}"
    audit.at_commit(
        conn, f"Ladevorgang {load_id} ({what}): „{info.file_name}“ von „{info.user}“: {summary}"
    )
    return load_id


def log_refusal(conn: Connection, kind: str, info: LoadInfo, reason: str) -> int:
    """Log a file that was refused because it could not be read safely (nothing else is
    written); the data version changes so that every open load log shows it."""
    load_id = _log_load(conn, kind, info, "refused", reason[:2000])
    bump_data_version(conn)
    return load_id


# ---------------------------------------------------------------- counts


def diff_counts(conn: Connection, records: dict[CountKey, int]) -> CountDiff:
    """Compare records with what is stored: the preview of a load, and what it will replace."""
    diff = CountDiff()
    if not records:
        return diff
    months = sorted({k[1] for k in records})
    existing: dict[CountKey, tuple[int, int]] = {}
    query = select(
        MonthlyCount.service_id,
        MonthlyCount.month,
        MonthlyCount.channel,
        MonthlyCount.source,
        MonthlyCount.value,
        MonthlyCount.load_id,
    )
    for chunk_start in range(0, len(months), 500):
        chunk = months[chunk_start : chunk_start + 500]
        for sid, month, channel, source, value, load_id in conn.execute(
            query.where(MonthlyCount.month.in_(chunk))
        ):
            existing[(sid, month, channel, source)] = (value, load_id)
    for key, value in records.items():
        old = existing.get(key)
        if old is None:
            diff.new[key] = value
        elif old[0] != value:
            diff.changed[key] = (old[0], old[1], value)
        else:
            diff.unchanged += 1
    return diff


def apply_counts(conn: Connection, records: dict[CountKey, int], info: LoadInfo) -> LoadResult:
    """Store counts (latest wins) and log the load with what it replaced."""
    diff = diff_counts(conn, records)
    state = "loaded" if diff.has_changes else "unchanged"
    load_id = _log_load(conn, "counts", info, state, diff.summary())
    rows = [
        {"service_id": k[0], "month": k[1], "channel": k[2], "source": k[3], "value": v,
         "load_id": load_id}
        for k, v in diff.new.items()
    ] + [
        {"service_id": k[0], "month": k[1], "channel": k[2], "source": k[3], "value": new,
         "load_id": load_id}
        for k, (_old, _old_load, new) in diff.changed.items()
    ]  # fmt: skip
    _upsert_counts(conn, rows)
    changes = [
        {**{c: r[c] for c in ("service_id", "month", "channel", "source")},
         "load_id": load_id, "new_value": r["value"], "old_value": None, "old_load_id": None}
        for r in rows
    ]  # fmt: skip
    for change in changes:
        key = (change["service_id"], change["month"], change["channel"], change["source"])
        if key in diff.changed:
            change["old_value"], change["old_load_id"] = diff.changed[key][:2]
    if changes:
        conn.execute(CountChange.__table__.insert(), changes)
        bump_data_version(conn)
    return LoadResult(load_id, state, diff.summary())


def undo_load(conn: Connection, load_id: int, user: str) -> str:
    """Restore what a counts load replaced; refuse if a later load changed the same counts."""
    load = conn.execute(select(Load).where(Load.id == load_id)).first()
    if load is None:
        raise UndoError(f"Es gibt keinen Ladevorgang Nr. {load_id}.")
    if load.kind != "counts":
        raise UndoError(
            f"Ladevorgang {load_id} hat {LOAD_KIND_OBJECTS[load.kind]} geladen; rückgängig machen "
            "lassen sich nur Ladevorgänge mit Antragszahlen. Bitte die korrigierte Datei "
            "erneut laden."
        )
    if load.state == "undone":
        raise UndoError(f"Ladevorgang {load_id} wurde bereits rückgängig gemacht.")
    if load.state == "unchanged":
        raise UndoError(
            f"Ladevorgang {load_id} hat keine Zahlen geändert (die Datei war schon geladen); "
            "es gibt nichts rückgängig zu machen."
        )
    if load.state == "refused":
        raise UndoError(
            f"Ladevorgang {load_id} wurde abgelehnt und hat nichts gespeichert; es gibt nichts "
            "rückgängig zu machen."
        )
    changes = conn.execute(select(CountChange).where(CountChange.load_id == load_id)).all()
    if changes:
        # Joined on the key, so each change is one primary-key lookup (a list of row values
        # in IN made SQLite scan the table: 11 s for a 6,000-service month at 1.4 M counts).
        cc, mc = CountChange, MonthlyCount
        later = set(
            conn.scalars(
                select(mc.load_id)
                .join(cc, and_(mc.service_id == cc.service_id, mc.month == cc.month,
                               mc.channel == cc.channel, mc.source == cc.source))
                .where(cc.load_id == load_id, mc.load_id != load_id)
                .distinct()
            )
        )  # fmt: skip
        if later:
            ids = ", ".join(str(i) for i in sorted(later))
            which, these = (
                (f"der spätere Ladevorgang {ids} hat", "diesen")
                if len(later) == 1
                else (f"die späteren Ladevorgänge {ids} haben", "diese")
            )
            raise UndoError(
                f"Ladevorgang {load_id} kann nicht rückgängig gemacht werden: {which} dieselben "
                f"Zahlen noch einmal geändert. Bitte zuerst {these} rückgängig machen."
            )
        restore = [
            {"service_id": c.service_id, "month": c.month, "channel": c.channel,
             "source": c.source, "value": c.old_value, "load_id": c.old_load_id}
            for c in changes if c.old_value is not None
        ]  # fmt: skip
        # No later load touched them, so the counts carrying this load's id are exactly the
        # ones it wrote: remove them all, then put back what they replaced.
        conn.execute(delete(MonthlyCount).where(MonthlyCount.load_id == load_id))
        _upsert_counts(conn, restore)
        bump_data_version(conn)
    conn.execute(
        update(Load)
        .where(Load.id == load_id)
        .values(state="undone", undone_at=datetime.now().replace(microsecond=0), undone_by=user)
    )
    restored = sum(c.old_value is not None for c in changes)
    message = (
        f"Ladevorgang {load_id} („{load.file_name}“) wurde rückgängig gemacht: "
        f"{format_int(restored)} Zahlen auf den vorherigen Stand zurückgesetzt, "
        f"{format_int(len(changes) - restored)} neu geladene Zahlen entfernt."
    )
    audit.at_commit(conn, f"{message} Durch: „{user}“")
    return message


# ---------------------------------------------------------------- catalog


def apply_services(conn: Connection, rows: list[ServiceRow], info: LoadInfo) -> LoadResult:
    """Insert or update services by LeiKa id or name; never deletes a service."""
    catalog = load_catalog(conn)
    # Departments match ignoring case and spaces, like services: a department spelled a
    # little differently must not split off (user permissions hang on the department).
    deps = {name_key(name): dep_id for dep_id, name in catalog.departments.items()}
    renamed: set[int] = set()
    stored = {
        sid: (name, dep, leika, since)
        for sid, name, dep, leika, since in conn.execute(
            select(
                Service.id,
                Service.name,
                Service.department_id,
                Service.leika_id,
                Service.online_since,
            )
        )
    }
    stored_aliases: dict[int, set[str]] = defaultdict(set)
    for sid, alias in conn.execute(select(ServiceAlias.service_id, ServiceAlias.alias)):
        stored_aliases[sid].add(alias)
    new = changed = departments_renamed = 0
    new_aliases: dict[int, dict[str, str]] = {}  # service -> alias key -> alias
    emails: dict[int, list[str]] = {}  # department -> the addresses its rows name
    for row in rows:
        dep_id = deps.get(name_key(row.department))
        if dep_id is None:
            dep_id = deps[name_key(row.department)] = conn.scalar(
                Department.__table__.insert().values(name=row.department).returning(Department.id)
            )
            renamed.add(dep_id)
        elif dep_id not in renamed and catalog.departments[dep_id] != row.department:
            # The first spelling in the file wins.
            conn.execute(
                update(Department).where(Department.id == dep_id).values(name=row.department)
            )
            renamed.add(dep_id)
            departments_renamed += 1
        if row.emails:
            emails.setdefault(dep_id, []).extend(row.emails)
        values = {
            "name": row.name,
            "department_id": dep_id,
            "leika_id": row.leika_id,
            "online_since": row.online_since,
        }
        aliases = {name_key(a): a for a in row.aliases if name_key(a) != name_key(row.name)}
        sid = catalog.target(row.name, row.leika_id)
        if sid is None:
            sid = conn.scalar(Service.__table__.insert().values(**values).returning(Service.id))
            new += 1
        elif stored[sid] != tuple(values.values()) or stored_aliases[sid] != set(aliases.values()):
            conn.execute(update(Service).where(Service.id == sid).values(**values))
            changed += 1
        else:
            continue
        new_aliases[sid] = aliases
    # All old aliases go before any new one is added: an alias may move between services.
    sids = list(new_aliases)
    for start in range(0, len(sids), 500):
        conn.execute(
            delete(ServiceAlias).where(ServiceAlias.service_id.in_(sids[start : start + 500]))
        )
    alias_rows = [
        {"service_id": sid, "alias": alias, "alias_key": key}
        for sid, aliases in new_aliases.items()
        for key, alias in aliases.items()
    ]
    if alias_rows:
        conn.execute(ServiceAlias.__table__.insert(), alias_rows)
    contacts_changed = replace_contacts(conn, emails)
    summary = f"{new} neu, {changed} geändert, {len(rows) - new - changed} unverändert"
    if departments_renamed:
        word = "Fachbereich" if departments_renamed == 1 else "Fachbereiche"
        summary += f", {departments_renamed} {word} umbenannt"
    if contacts_changed:
        word = "Fachbereich" if contacts_changed == 1 else "Fachbereiche"
        summary += f", E-Mail-Adressen für {contacts_changed} {word} geändert"
    state = "loaded" if new or changed or departments_renamed or contacts_changed else "unchanged"
    load_id = _log_load(conn, "services", info, state, summary)
    if state == "loaded":
        bump_data_version(conn)
    return LoadResult(load_id, state, summary)


# ---------------------------------------------------------------- measures


def apply_measures(
    conn: Connection,
    rows: Iterable[MeasureRow],
    info: LoadInfo,
    changed_on: date | None = None,
) -> LoadResult:
    """Insert or update measures; a new status or Sachstand is kept as a dated update.

    Fields and measures are matched ignoring case and repeated spaces, like services."""
    changed_on = changed_on or date.today()
    load_id = _log_load(conn, "measures", info, "loaded", "")
    fields = {
        name_key(name): (fid, name, group)
        for fid, name, group in conn.execute(
            select(ActionField.id, ActionField.name, ActionField.group_name)
        )
    }
    next_pos = (conn.scalar(select(func.max(ActionField.position))) or 0) + 1
    columns = (Measure.name, Measure.status, Measure.responsible, Measure.start_month,
               Measure.end_month, Measure.position)  # fmt: skip
    measures = {
        (fid, name_key(m[0])): (mid, tuple(m))
        for mid, fid, *m in conn.execute(select(Measure.id, Measure.action_field_id, *columns))
    }
    links: dict[int, set[int]] = defaultdict(set)
    for mid, sid in conn.execute(
        select(measure_services.c.measure_id, measure_services.c.service_id)
    ):
        links[mid].add(sid)
    new = status_changes = notes = other_changes = 0
    seen_fields: set[int] = set()
    for position, row in enumerate(rows):
        field_id, field_name, group = fields.get(name_key(row.field), (None, None, None))
        if field_id is None:
            field_id = conn.scalar(
                ActionField.__table__.insert()
                .values(name=row.field, group_name=row.group, position=next_pos)
                .returning(ActionField.id)
            )
            fields[name_key(row.field)] = (field_id, row.field, row.group)
            next_pos += 1
        elif field_id not in seen_fields and (
            field_name != row.field or (row.group and row.group != group)
        ):  # the first spelling in the file wins
            conn.execute(
                update(ActionField)
                .where(ActionField.id == field_id)
                .values(name=row.field, group_name=row.group or group)
            )
            fields[name_key(row.field)] = (field_id, row.field, row.group or group)
            other_changes += 1
        seen_fields.add(field_id)
        values = {
            "name": row.name,
            "status": row.status,
            "responsible": row.responsible,
            "start_month": row.start,
            "end_month": row.end,
            "position": position,
        }
        mid, stored = measures.get((field_id, name_key(row.name)), (None, None))
        if mid is None:
            mid = conn.scalar(
                Measure.__table__.insert()
                .values(action_field_id=field_id, **values)
                .returning(Measure.id)
            )
            previous, last_note = None, None
            new += 1
        else:
            previous = stored[1]
            if stored != tuple(values.values()):
                conn.execute(update(Measure).where(Measure.id == mid).values(**values))
                other_changes += 1
            last_note = conn.scalar(
                select(MeasureUpdate.note)
                .where(MeasureUpdate.measure_id == mid)
                .order_by(MeasureUpdate.id.desc())
                .limit(1)
            )
        new_note = bool(row.note) and row.note != last_note
        if previous != row.status or new_note:
            status_changes += previous is not None and previous != row.status
            notes += new_note
            conn.execute(
                MeasureUpdate.__table__.insert().values(
                    measure_id=mid,
                    changed_on=changed_on,
                    status=row.status,
                    previous_status=previous,
                    note=row.note or last_note,
                    changed_by=info.user[:200],
                    load_id=load_id,
                )
            )
        if row.service_ids is not None and set(row.service_ids) != links[mid]:
            conn.execute(delete(measure_services).where(measure_services.c.measure_id == mid))
            if row.service_ids:
                conn.execute(
                    measure_services.insert(),
                    [{"measure_id": mid, "service_id": s} for s in dict.fromkeys(row.service_ids)],
                )
            other_changes += 1
    summary = f"{new} neu, {status_changes} Statusänderungen, {notes} neue Sachstände"
    state = "loaded" if new or status_changes or notes or other_changes else "unchanged"
    conn.execute(update(Load).where(Load.id == load_id).values(state=state, summary=summary))
    if state == "loaded":
        bump_data_version(conn)
    return LoadResult(load_id, state, summary)
