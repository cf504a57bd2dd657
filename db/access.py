"""Who may do what: every write checks the role again against the account as stored now."""

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from db import audit
from db.catalog import Catalog
from db.models import CountChange, Department, Load, Service, User, user_departments
from db.users import ROLE_LABELS, Account, get_account
from db.writes import CountKey, LoadInfo, LoadResult, apply_counts, begin_write, undo_load

WRITE_ROLES = ("admin", "department")
# At most this many foreign services are named in a refusal; the rest are counted.
MAX_NAMED = 20


def require(conn: Connection, account: Account | None, *roles: str) -> Account:
    """The account as stored now if it has one of the roles; PermissionError (German) if not."""
    if account is None:
        raise PermissionError("Bitte zuerst anmelden.")
    fresh = get_account(conn, account.id)
    if fresh is None:
        raise PermissionError(
            f"Der Zugang „{account.username}“ ist deaktiviert oder gelöscht. Bitte an die "
            "Stabsstelle Digitalisierung wenden."
        )
    if fresh.role not in roles:
        allowed = " oder ".join(ROLE_LABELS[r] for r in roles)
        raise PermissionError(
            f"Das dürfen nur Benutzer mit der Rolle {allowed}; „{fresh.username}“ hat die Rolle "
            f"{ROLE_LABELS[fresh.role]}."
        )
    return fresh


@contextmanager
def write_as(engine: Engine, account: Account | None, *roles: str) -> Iterator[Connection]:
    """A write transaction that first checks the account's role inside the transaction."""
    with begin_write(engine) as conn:
        require(conn, account, *roles)
        if account is not None:
            audit.set_actor(conn, account.username)
        yield conn


def writable_departments(conn: Connection, account: Account | None) -> frozenset[int] | None:
    """Departments whose counts the account may load or undo; None means all (admin)."""
    fresh = require(conn, account, *WRITE_ROLES)
    return None if fresh.role == "admin" else fresh.department_ids


def _refusal(foreign: list[tuple[str, str]], own: list[str]) -> str:
    named = "; ".join(f"„{s}“ ({d})" for s, d in foreign[:MAX_NAMED])
    more = f" und {len(foreign) - MAX_NAMED} weitere" if len(foreign) > MAX_NAMED else ""
    own_text = ", ".join(f"„{d}“" for d in own) or "keinen Fachbereich"
    return (
        f"Die Datei enthält Zahlen von Leistungen anderer Fachbereiche: {named}{more}. "
        f"Sie dürfen nur Zahlen für {own_text} laden. Bitte diese Zeilen aus der Datei "
        "entfernen oder die Datei an die Stabsstelle Digitalisierung geben."
    )


def refused_services(
    catalog: Catalog, records: Iterable[CountKey], allowed: Collection[int]
) -> str | None:
    """A German refusal naming services (and their department) outside the allowed ones."""
    foreign = sorted(
        {sid for sid, *_ in records if catalog.department_of.get(sid) not in allowed},
        key=lambda s: catalog.names[s].casefold(),
    )
    if not foreign:
        return None
    pairs = [(catalog.names[s], catalog.departments[catalog.department_of[s]]) for s in foreign]
    own = sorted(catalog.departments[d] for d in allowed if d in catalog.departments)
    return _refusal(pairs, own)


def _foreign_services(
    conn: Connection, service_ids: Collection[int], allowed: Collection[int]
) -> list[tuple[str, str]]:
    ids = list(set(service_ids))
    out: list[tuple[str, str]] = []
    for start in range(0, len(ids), 500):
        out += conn.execute(
            select(Service.name, Department.name)
            .join(Department, Department.id == Service.department_id)
            .where(Service.id.in_(ids[start : start + 500]))
            .where(Department.id.not_in(list(allowed) or [-1]))
        ).all()
    return sorted((tuple(r) for r in out), key=lambda p: p[0].casefold())


def _own_names(conn: Connection, allowed: Collection[int]) -> list[str]:
    if not allowed:
        return []
    return list(
        conn.scalars(
            select(Department.name)
            .where(Department.id.in_(list(allowed)))
            .order_by(Department.name)
        )
    )


def apply_counts_as(
    conn: Connection, account: Account | None, records: dict[CountKey, int], info: LoadInfo
) -> LoadResult:
    """apply_counts for a signed-in user: refused (PermissionError) outside their departments."""
    allowed = writable_departments(conn, account)
    if allowed is not None:
        foreign = _foreign_services(conn, {k[0] for k in records}, allowed)
        if foreign:
            raise PermissionError(_refusal(foreign, _own_names(conn, allowed)))
    assert account is not None
    info = LoadInfo(info.file_name, info.checksum, account.username, info.rows)
    return apply_counts(conn, records, info)


def load_departments(conn: Connection, load_id: int) -> set[int]:
    """The departments whose counts a load changed."""
    return set(
        conn.scalars(
            select(Service.department_id)
            .join(CountChange, CountChange.service_id == Service.id)
            .where(CountChange.load_id == load_id)
            .distinct()
        )
    )


def loader_departments(conn: Connection, usernames: Collection[str]) -> dict[str, frozenset[int]]:
    """For each name that is a department account: its departments (admins, other roles and
    names without an account, such as a command-line user, are left out)."""
    rows = conn.execute(
        select(User.username, user_departments.c.department_id)
        .join(user_departments, user_departments.c.user_id == User.id)
        .where(User.username.in_(list(set(usernames))), User.role == "department")
    ).all()
    out: dict[str, set[int]] = {}
    for name, dep in rows:
        out.setdefault(name, set()).add(dep)
    return {name: frozenset(deps) for name, deps in out.items()}


def _undo_refusal(
    load_id: int, kind: str, loaded_by: str, departments: set[int],
    allowed: Collection[int] | None, username: str, names: dict[int, str],
    colleagues: dict[str, frozenset[int]],
) -> str | None:  # fmt: skip
    """Why a department user may not undo a load (None: may). They undo loads that their own
    account or another department account of one of their departments made, and only if
    the load changed no other department's counts."""
    if allowed is None:
        return None
    if kind != "counts":
        return (
            f"Ladevorgang {load_id} hat den Leistungskatalog oder Maßnahmen geladen; das kann "
            "nur die Stabsstelle Digitalisierung (Admin) rückgängig machen."
        )
    foreign = sorted(names[d] for d in departments - set(allowed))
    if foreign:
        return (
            f"Ladevorgang {load_id} hat auch Zahlen anderer Fachbereiche geändert "
            f"({', '.join(f'„{n}“' for n in foreign)}). Rückgängig machen kann ihn nur die "
            "Stabsstelle Digitalisierung (Admin)."
        )
    if loaded_by != username and not colleagues.get(loaded_by, frozenset()) & set(allowed):
        return (
            f"Ladevorgang {load_id} wurde von „{loaded_by}“ geladen, nicht von einem Konto "
            "Ihrer Fachbereiche. Rückgängig machen kann ihn nur die Stabsstelle "
            "Digitalisierung (Admin)."
        )
    return None


def _department_names(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(select(Department.id, Department.name)).all())


def undo_refusal(
    conn: Connection, load_id: int, allowed: Collection[int] | None, username: str
) -> str | None:
    """Why a user limited to `allowed` departments may not undo this load (None: may)."""
    if allowed is None:
        return None
    load = conn.execute(select(Load.kind, Load.loaded_by).where(Load.id == load_id)).first()
    if load is None:
        return None  # undo_load says that the load does not exist
    return _undo_refusal(
        load_id, load.kind, load.loaded_by, load_departments(conn, load_id), allowed, username,
        _department_names(conn), loader_departments(conn, [load.loaded_by]),
    )  # fmt: skip


def check_undo(
    conn: Connection, load_id: int, allowed: Collection[int] | None, username: str
) -> None:
    if reason := undo_refusal(conn, load_id, allowed, username):
        raise PermissionError(reason)


def undo_load_as(conn: Connection, account: Account | None, load_id: int) -> str:
    """undo_load for a signed-in user: a department user only undoes their departments' loads."""
    allowed = writable_departments(conn, account)
    assert account is not None
    check_undo(conn, load_id, allowed, account.username)
    return undo_load(conn, load_id, account.username)


@dataclass(frozen=True)
class LoadRow:
    """A line of the load history as a user sees it."""

    id: int
    kind: str
    file_name: str
    loaded_by: str
    loaded_at: datetime
    rows: int
    state: str
    summary: str
    departments: tuple[str, ...]
    undone_at: datetime | None
    undone_by: str | None
    undo_refused: str | None  # why this user may not undo it (None: may, if not undone)

    @property
    def can_undo(self) -> bool:
        """Only a counts load that changed figures (not an unchanged, undone or refused one)."""
        return self.kind == "counts" and self.state == "loaded" and self.undo_refused is None


def visible_loads(conn: Connection, account: Account | None, limit: int = 200) -> list[LoadRow]:
    """The loads an account may see: all for the admin, a department's own for the others."""
    allowed = writable_departments(conn, account)
    assert account is not None
    loads = conn.execute(select(Load).order_by(Load.id.desc())).all()
    ids = [ld.id for ld in loads]
    touched: dict[int, set[int]] = {}
    for start in range(0, len(ids), 500):
        for load_id, dep in conn.execute(
            select(CountChange.load_id, Service.department_id)
            .join(Service, Service.id == CountChange.service_id)
            .where(CountChange.load_id.in_(ids[start : start + 500]))
            .distinct()
        ):
            touched.setdefault(load_id, set()).add(dep)
    names = _department_names(conn)
    colleagues = loader_departments(conn, {ld.loaded_by for ld in loads})
    out: list[LoadRow] = []
    for ld in loads:
        deps = touched.get(ld.id, set())
        if allowed is not None and not (deps & allowed) and ld.loaded_by != account.username:
            continue
        refusal = None
        if ld.kind == "counts" and ld.state == "loaded":
            refusal = _undo_refusal(
                ld.id, ld.kind, ld.loaded_by, deps, allowed, account.username, names, colleagues
            )
        out.append(
            LoadRow(
                ld.id, ld.kind, ld.file_name, ld.loaded_by, ld.loaded_at, ld.rows, ld.state,
                ld.summary, tuple(sorted(names[d] for d in deps)), ld.undone_at, ld.undone_by,
                refusal,
            )
        )  # fmt: skip
        if len(out) >= limit:
            break
    return out
