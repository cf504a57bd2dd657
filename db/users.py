"""Local user accounts: argon2 password hashes, roles and the departments a user reports for."""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, delete, func, select, update

from db import audit
from db.logins import DISABLED, NEW_PASSWORD, end_sessions
from db.models import ROLES, Department, User, user_departments
from db.names import name_key
from db.text import clean

ROLE_LABELS = {"admin": "Admin", "department": "Fachbereich", "viewer": "Lesezugriff"}
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 would hash megabytes too; nobody types that
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{1,199}$")

_HASHER = PasswordHasher()


class UserError(ValueError):
    """A user change that is not allowed; the message is German and says why."""


@dataclass(frozen=True)
class Account:
    """A signed-in user as the app and the permission checks see it (no password hash)."""

    id: int
    username: str
    display_name: str | None
    role: str
    departments: tuple[tuple[int, str], ...] = ()  # (id, name), sorted by name

    @property
    def label(self) -> str:
        return self.display_name or self.username

    @property
    def department_ids(self) -> frozenset[int]:
        return frozenset(d for d, _ in self.departments)

    @property
    def department_names(self) -> list[str]:
        return [n for _, n in self.departments]

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


@dataclass(frozen=True)
class UserRow:
    """A row of the user list (what the admin sees)."""

    id: int
    username: str
    display_name: str | None
    role: str
    active: bool
    departments: tuple[str, ...]
    created_at: datetime
    last_login: datetime | None
    has_password: bool
    email: str | None = None


def normalize_username(username: str) -> str:
    return name_key(username)


def hash_password(password: str) -> str:
    check_password(password)
    return _HASHER.hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"Das Passwort ist zu kurz: mindestens {MIN_PASSWORD_LENGTH} Zeichen, bitte."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"Das Passwort ist zu lang: höchstens {MAX_PASSWORD_LENGTH} Zeichen.")


@cache
def _dummy_hash() -> str:
    # Verified against when the user does not exist, so that a wrong name takes as long
    # as a wrong password and does not reveal which names exist.
    return _HASHER.hash("portalquote-dummy-password")


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _user_id(conn: Connection, username: str) -> int:
    uid = conn.scalar(select(User.id).where(User.username == normalize_username(username)))
    if uid is None:
        raise UserError(f"Es gibt keinen Benutzer „{username}“.")
    return uid


def _department_ids(conn: Connection, departments: list[str] | list[int]) -> list[int]:
    """Department ids from names or ids; UserError naming unknown ones and the known ones."""
    known = dict(conn.execute(select(Department.name, Department.id)).all())
    ids, unknown = [], []
    for dep in departments:
        if isinstance(dep, int):
            if dep not in known.values():
                unknown.append(str(dep))
            else:
                ids.append(dep)
            continue
        match = known.get(dep) or next(
            (i for n, i in known.items() if name_key(n) == name_key(dep)), None
        )
        if match is None:
            unknown.append(str(dep))
        else:
            ids.append(match)
    if unknown:
        names = ", ".join(f"„{n}“" for n in sorted(known)) or (
            "noch keine (zuerst den Leistungskatalog laden)"
        )
        raise UserError(
            f"Unbekannter Fachbereich: {', '.join(f'„{u}“' for u in unknown)}. "
            f"Bekannte Fachbereiche: {names}."
        )
    return list(dict.fromkeys(ids))


def _check_role(role: str, department_ids: list[int]) -> None:
    if role not in ROLES:
        labels = ", ".join(f"{r} ({ROLE_LABELS[r]})" for r in ROLES)
        raise UserError(f"Unbekannte Rolle „{role}“. Möglich sind: {labels}.")
    if role == "department" and not department_ids:
        raise UserError(
            "Ein Benutzer mit der Rolle Fachbereich braucht mindestens einen Fachbereich."
        )


def create_user(
    conn: Connection,
    username: str,
    password: str | None,
    role: str,
    display_name: str | None = None,
    departments: list[str] | list[int] = (),  # type: ignore[assignment]
) -> Account:
    """A new active account; password None for an account that only signs in through OIDC."""
    name = normalize_username(username)
    if not USERNAME_PATTERN.match(name):
        raise UserError(
            f"Der Benutzername „{username}“ ist nicht erlaubt: 2 bis 200 Zeichen aus "
            "Buchstaben a–z, Ziffern und . _ @ + -, bitte."
        )
    if conn.scalar(select(User.id).where(User.username == name)) is not None:
        raise UserError(f"Den Benutzer „{name}“ gibt es schon.")
    dep_ids = _department_ids(conn, list(departments))
    _check_role(role, dep_ids)
    uid = conn.scalar(
        User.__table__.insert()
        .values(
            username=name,
            display_name=clean(display_name or "").strip()[:200] or None,
            password_hash=hash_password(password) if password is not None else None,
            role=role,
            active=True,
            created_at=_now(),
        )
        .returning(User.id)
    )
    if role == "department":
        conn.execute(
            user_departments.insert(), [{"user_id": uid, "department_id": d} for d in dep_ids]
        )
    account = get_account(conn, uid)
    assert account is not None
    _log(conn, f"Benutzer angelegt: {_describe(account)}")
    return account


def _log(conn: Connection, message: str) -> None:
    audit.at_commit(conn, audit.by_actor(conn, message))


def _grants(account: Account) -> tuple:
    return account.role, account.departments


def _describe(account: Account) -> str:
    deps = f" ({', '.join(account.department_names)})" if account.departments else ""
    return f"„{account.username}“, Rolle {ROLE_LABELS[account.role]}{deps}"


def get_account(conn: Connection, user_id: int) -> Account | None:
    """The account of an active user, as stored now (None if missing or disabled)."""
    row = conn.execute(
        select(User.id, User.username, User.display_name, User.role).where(
            User.id == user_id, User.active.is_(True)
        )
    ).first()
    if row is None:
        return None
    deps = conn.execute(
        select(Department.id, Department.name)
        .join(user_departments, user_departments.c.department_id == Department.id)
        .where(user_departments.c.user_id == user_id)
        .order_by(Department.name)
    ).all()
    # Only department users are limited to departments; other roles ignore the list.
    departments = tuple((d, n) for d, n in deps) if row.role == "department" else ()
    return Account(row.id, row.username, row.display_name, row.role, departments)


def verify_login(conn: Connection, username: str, password: str) -> Account | None:
    """The account if name and password match an active user, else None (same time either way)."""
    row = conn.execute(
        select(User.id, User.password_hash, User.active).where(
            User.username == normalize_username(username)
        )
    ).first()
    stored = row.password_hash if row is not None and row.password_hash else None
    try:
        _HASHER.verify(stored or _dummy_hash(), password[:MAX_PASSWORD_LENGTH])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if stored is None or not row.active:
        return None
    values: dict = {"last_login": _now()}
    if _HASHER.check_needs_rehash(stored):
        values["password_hash"] = _HASHER.hash(password)
    conn.execute(update(User).where(User.id == row.id).values(**values))
    return get_account(conn, row.id)


def account_for_sso(conn: Connection, email: str | None, username: str | None) -> Account | None:
    """The local account an OIDC sign-in maps to: by e-mail, else by preferred user name."""
    for candidate in (email, username):
        if not candidate:
            continue
        uid = conn.scalar(select(User.id).where(User.username == normalize_username(candidate)))
        if uid is not None and (account := get_account(conn, uid)) is not None:
            conn.execute(update(User).where(User.id == uid).values(last_login=_now()))
            return account
    return None


def departments(conn: Connection) -> dict[int, str]:
    """Every department, id -> name, by name."""
    return dict(
        conn.execute(select(Department.id, Department.name).order_by(Department.name)).all()
    )


def list_users(conn: Connection) -> list[UserRow]:
    deps: dict[int, list[str]] = {}
    for uid, name in conn.execute(
        select(user_departments.c.user_id, Department.name)
        .join(Department, Department.id == user_departments.c.department_id)
        .order_by(Department.name)
    ):
        deps.setdefault(uid, []).append(name)
    return [
        UserRow(
            u.id,
            u.username,
            u.display_name,
            u.role,
            bool(u.active),
            tuple(deps.get(u.id, [])),
            u.created_at,
            u.last_login,
            u.password_hash is not None,
            u.email,
        )
        for u in conn.execute(select(User).order_by(User.username))
    ]


def user_count(conn: Connection) -> int:
    return conn.scalar(select(func.count()).select_from(User)) or 0


def _active_admins(conn: Connection) -> set[int]:
    return set(conn.scalars(select(User.id).where(User.role == "admin", User.active.is_(True))))


def _keep_an_admin(conn: Connection, uid: int, username: str) -> None:
    if _active_admins(conn) == {uid}:
        raise UserError(
            f"„{username}“ ist der letzte aktive Admin. Bitte zuerst einen anderen Admin anlegen, "
            "sonst kann niemand mehr Benutzer und Strategie verwalten."
        )


def set_active(conn: Connection, username: str, active: bool) -> None:
    """Disable or enable an account (disabled accounts keep their history, cannot sign in)."""
    uid = _user_id(conn, username)
    if not active:
        _keep_an_admin(conn, uid, username)
    conn.execute(update(User).where(User.id == uid).values(active=active))
    name = normalize_username(username)
    if active:
        _log(conn, f"Benutzer entsperrt: „{name}“")
    else:
        ended = end_sessions(conn, uid, DISABLED)
        _log(conn, f"Benutzer gesperrt: „{name}“ ({ended} Sitzungen beendet)")


def set_password(conn: Connection, username: str, password: str) -> None:
    """A new password; every open session of the account ends (in every browser)."""
    uid = _user_id(conn, username)
    conn.execute(update(User).where(User.id == uid).values(password_hash=hash_password(password)))
    ended = end_sessions(conn, uid, NEW_PASSWORD)
    name = normalize_username(username)
    _log(conn, f"Passwort neu gesetzt: „{name}“ ({ended} Sitzungen beendet)")


def set_role(
    conn: Connection,
    username: str,
    role: str,
    departments: list[str] | list[int] | None = None,
) -> None:
    """Change role and (for department users) departments; departments None keeps them."""
    uid = _user_id(conn, username)
    if departments is None:
        dep_ids = list(
            conn.scalars(
                select(user_departments.c.department_id).where(user_departments.c.user_id == uid)
            )
        )
    else:
        dep_ids = _department_ids(conn, list(departments))
    _check_role(role, dep_ids)
    if role != "admin":
        _keep_an_admin(conn, uid, username)
    before = get_account(conn, uid)
    conn.execute(update(User).where(User.id == uid).values(role=role))
    conn.execute(delete(user_departments).where(user_departments.c.user_id == uid))
    if role == "department":
        conn.execute(
            user_departments.insert(), [{"user_id": uid, "department_id": d} for d in dep_ids]
        )
    after = get_account(conn, uid)
    if after is not None and (before is None or _grants(before) != _grants(after)):
        _log(conn, f"Rolle geändert: {_describe(after)}")


def set_departments(conn: Connection, username: str, departments: list[str] | list[int]) -> None:
    """Set the departments a department user reports for."""
    role = conn.scalar(select(User.role).where(User.id == _user_id(conn, username)))
    set_role(conn, username, role, departments)


def set_display_name(conn: Connection, username: str, display_name: str | None) -> None:
    uid = _user_id(conn, username)
    new = clean(display_name or "").strip()[:200] or None
    old = conn.scalar(select(User.display_name).where(User.id == uid))
    conn.execute(update(User).where(User.id == uid).values(display_name=new))
    if new != old:
        _log(conn, f"Angezeigter Name geändert: „{normalize_username(username)}“ → „{new or ''}“")
