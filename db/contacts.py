"""Where reminders go: checked e-mail addresses, department contacts and account addresses."""

import re
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, delete, select, update

from db.models import Department, DepartmentContact, User, user_departments
from db.users import UserError, normalize_username

MAX_ADDRESSES = 20  # per department: a list, not a distribution list
SEPARATORS = re.compile(r"[;,\s]+")
EXAMPLE = "name@stadt.example"


class AddressError(UserError):
    """An address that cannot be used; the message is German and says why."""


def _reason(text: str) -> str:
    if "@" not in text:
        return "das @ fehlt"
    if "<" in text or ">" in text:
        return "bitte nur die Adresse, ohne Namen und spitze Klammern"
    if any(not ch.isprintable() for ch in text):
        return "sie enthält Steuerzeichen"
    if not text.isascii() and not text.split("@")[0].isascii():
        return "Umlaute vor dem @ kann nicht jeder Mailserver zustellen"
    return (
        "nach dem @ muss eine Domain wie stadt.example stehen, davor nur Buchstaben, Ziffern "
        "und . _ - +"
    )


def check_address(text: str) -> str:
    """One address, normalized (domain lower-case, Unicode domains kept); AddressError if it
    is not one a mail server will take (no name part, no line breaks, ASCII before the @)."""
    raw = str(text).strip()
    shown = raw.encode("unicode_escape").decode() if not raw.isprintable() else raw
    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise AddressError(
            f"„{shown}“ ist keine gültige E-Mail-Adresse: {_reason(raw)} (Beispiel: {EXAMPLE})."
        ) from None
    if result.ascii_email is None:
        raise AddressError(
            f"„{shown}“ ist keine gültige E-Mail-Adresse: {_reason(raw)} (Beispiel: {EXAMPLE})."
        )
    return result.normalized


def sendable(address: str) -> str:
    """The form an SMTP server takes (a Unicode domain as xn--...)."""
    return validate_email(address, check_deliverability=False).ascii_email or address


def parse_addresses(text: object) -> list[str]:
    """Addresses from a cell or a text field, separated by ';', ',', spaces or line breaks;
    each checked (AddressError names the first bad one), duplicates dropped."""
    text = str(text or "")
    if re.search(r"[<>\"]", text):
        raise AddressError(
            f"Bitte nur Adressen angeben, ohne Namen, spitze Klammern und Anführungszeichen "
            f"(„{' '.join(text.split())[:200]}“)."
        )
    parts = [p for p in SEPARATORS.split(text) if p]
    found = unique(check_address(p) for p in parts)
    if len(found) > MAX_ADDRESSES:
        raise AddressError(f"Höchstens {MAX_ADDRESSES} Adressen, bitte (hier {len(found)}).")
    return found


def unique(addresses: Iterable[str]) -> list[str]:
    """Addresses in order, each once (compared ignoring case)."""
    seen: dict[str, str] = {}
    for a in addresses:
        seen.setdefault(a.casefold(), a)
    return list(seen.values())


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
    conn.execute(update(User).where(User.id == uid).values(email=address))
