"""Where reminders go: checked e-mail addresses, department contacts and account addresses."""

from sqlalchemy import Connection, delete, select, update

from db import audit
from db.addresses import AddressError, check_address, unique
from db.models import Department, DepartmentContact, User, user_departments
from db.users import UserError, normalize_username


def department_contacts(conn: Connection) -> dict[int, list[str]]:
    """Department id -> its contact addresses, sorted."""
    out: dict[int, list[str]] = {}
    for dep_id, email in conn.execute(
        select(DepartmentContact.department_id, DepartmentContact.email).order_by(
            DepartmentContact.department_id, DepartmentContact.email
        )
    ):
        out.setdefault(dep_id, []).append(email)
    return out


def set_department_contacts(conn: Connection, department_id: int, addresses: list[str]) -> None:
    """Replace a department's contact addresses (already checked with parse_addresses)."""
    if conn.scalar(select(Department.id).where(Department.id == department_id)) is None:
        raise AddressError(f"Es gibt keinen Fachbereich Nr. {department_id}.")
    conn.execute(delete(DepartmentContact).where(DepartmentContact.department_id == department_id))
    if addresses:
        conn.execute(
            DepartmentContact.__table__.insert(),
            [{"department_id": department_id, "email": a} for a in unique(addresses)],
        )


def replace_contacts(conn: Connection, by_department: dict[int, list[str]]) -> int:
    """Set the contacts of the departments given (as a catalog load names them); the number
    of departments whose addresses changed."""
    stored = department_contacts(conn)
    changed = 0
    for dep_id, addresses in by_department.items():
        new = unique(addresses)
        if {a.casefold() for a in new} != {a.casefold() for a in stored.get(dep_id, [])}:
            set_department_contacts(conn, dep_id, new)
            changed += 1
    return changed


def account_addresses(conn: Connection) -> dict[int, list[str]]:
    """Department id -> the addresses of the active department accounts reporting for it."""
    ud = user_departments.c
    out: dict[int, list[str]] = {}
    for dep_id, email in conn.execute(
        select(ud.department_id, User.email)
        .join(User, User.id == ud.user_id)
        .where(User.active.is_(True), User.role == "department", User.email.is_not(None))
        .order_by(ud.department_id, User.email)
    ):
        out.setdefault(dep_id, []).append(email)
    return out


def admin_addresses(conn: Connection) -> list[str]:
    """The addresses of the active admin accounts."""
    return list(
        conn.scalars(
            select(User.email)
            .where(User.active.is_(True), User.role == "admin", User.email.is_not(None))
            .order_by(User.email)
        )
    )


def recipients(conn: Connection) -> dict[int, list[str]]:
    """Department id -> everyone a reminder goes to: its contacts, then its accounts."""
    contacts, accounts = department_contacts(conn), account_addresses(conn)
    return {
        dep: unique([*contacts.get(dep, []), *accounts.get(dep, [])])
        for dep in contacts.keys() | accounts.keys()
    }


def set_user_email(conn: Connection, username: str, text: str | None) -> None:
    """Set (or with an empty text remove) an account's address."""
    address = check_address(text) if text and text.strip() else None
    uid = conn.scalar(select(User.id).where(User.username == normalize_username(username)))
    if uid is None:
        raise UserError(f"Es gibt keinen Benutzer „{username}“.")
    old = conn.scalar(select(User.email).where(User.id == uid))
    conn.execute(update(User).where(User.id == uid).values(email=address))
    if address != old:
        name = normalize_username(username)
        audit.at_commit(conn, audit.by_actor(conn, f"E-Mail-Adresse geändert: „{name}“ → "
                                                   f"„{address or ''}“"))  # fmt: skip
