"""E-mail addresses as users type them: checked and normalized (no database imports, so that
the reading worker can check a catalog's E-Mail column)."""

import re
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email

MAX_ADDRESSES = 20  # per department: a list, not a distribution list
SEPARATORS = re.compile(r"[;,\s]+")
EXAMPLE = "name@stadt.example"


class AddressError(ValueError):
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
