"""Settings with defaults, read from the environment in one place."""

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_DIR / "data" / "portalquote.db"
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_DB_PATH}"

# Largest file the ingest will open, in MB (uploads and the command line alike).
MAX_FILE_MB = int(os.environ.get("PORTALQUOTE_MAX_FILE_MB", "20"))
# Every file is read in a worker process of its own with these limits (ingest.worker): a
# file that needs more memory or time is refused, and only the worker ends.
READ_MEMORY_MB = int(os.environ.get("PORTALQUOTE_READ_MEMORY_MB", "768"))
READ_SECONDS = float(os.environ.get("PORTALQUOTE_READ_SECONDS", "60"))
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Every this many seconds an open page asks whether newer figures were loaded meanwhile
# ("Neue Zahlen verfügbar – neu laden").
FRESHNESS_SECONDS = float(os.environ.get("PORTALQUOTE_FRESHNESS_SECONDS", "30"))


def database_url(url: str | None = None) -> str:
    """The database URL: an explicit one, else env DATABASE_URL, else the local SQLite file."""
    return url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def require_login() -> bool:
    """Whether reading the dashboard needs a login too (env PORTALQUOTE_REQUIRE_LOGIN=1)."""
    value = os.environ.get("PORTALQUOTE_REQUIRE_LOGIN", "")
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


# The report's cover until an admin sets them on the page Sachstandsbericht (stored in the
# database then): the town and the unit that issues the report.
REPORT_TOWN = os.environ.get("PORTALQUOTE_TOWN", "").strip()
REPORT_UNIT = os.environ.get("PORTALQUOTE_UNIT", "Stabsstelle Digitalisierung").strip()
# Largest logo for the report's cover, in KB (PNG or JPEG).
REPORT_LOGO_MAX_KB = 1024


def _minutes(name: str, default: float) -> timedelta:
    raw = os.environ.get(name, "").strip().replace(",", ".")
    if not raw:
        return timedelta(minutes=default)
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            f"{name}={raw!r} ist keine Zahl: bitte eine Anzahl Minuten angeben, z. B. 480."
        ) from None
    if value <= 0:
        raise ValueError(f"{name} muss größer als 0 sein (Minuten).")
    return timedelta(minutes=value)


def session_idle() -> timedelta:
    """A login ends after this long without any action (env PORTALQUOTE_SESSION_IDLE_MINUTES)."""
    return _minutes("PORTALQUOTE_SESSION_IDLE_MINUTES", 8 * 60)


def session_max_age() -> timedelta:
    """A login ends this long after it began, active or not (PORTALQUOTE_SESSION_MAX_MINUTES)."""
    return _minutes("PORTALQUOTE_SESSION_MAX_MINUTES", 12 * 60)


@dataclass(frozen=True)
class Setting:
    """A setting's value and whether it is Portalquote's default (not set for this town)."""

    value: str
    default: bool


# The Erklärung zur Barrierefreiheit (BITV 2.0 § 7): who answers feedback, and where to turn
# when that does not help. The defaults are placeholders for the town to replace; the
# Schlichtungsstelle nach § 16 BGG is the federal one: for a municipality the Land's own
# body is usually responsible (e.g. its Ombuds- or Schlichtungsstelle).
STATEMENT_DEFAULTS = {
    "PORTALQUOTE_A11Y_BODY": "Die Stadtverwaltung",  # begins a sentence
    "PORTALQUOTE_A11Y_CONTACT": "Stabsstelle Digitalisierung",
    "PORTALQUOTE_A11Y_EMAIL": "barrierefreiheit@stadt.example",
    "PORTALQUOTE_A11Y_PHONE": "",
    "PORTALQUOTE_A11Y_ARBITRATION": (
        "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz (§ 16 BGG) bei dem "
        "Beauftragten der Bundesregierung für die Belange von Menschen mit Behinderungen, "
        "Mauerstraße 53, 10117 Berlin"
    ),
    "PORTALQUOTE_A11Y_ARBITRATION_URL": "https://www.schlichtungsstelle-bgg.de",
    # The day the statement was last reviewed (the self-assessment of this version).
    "PORTALQUOTE_A11Y_REVIEWED": "2026-12-01",
}


def statement_settings() -> dict[str, Setting]:
    """The settings of the accessibility statement (env PORTALQUOTE_A11Y_*), each marked
    whether it is still the default."""
    out = {}
    for name, default in STATEMENT_DEFAULTS.items():
        value = os.environ.get(name, "").strip()
        out[name] = Setting(value or default, not value)
    return out


# ---------------------------------------------------------------- monthly cycle (issue 13)
# Read when used (not at import), so that a wrong value gives a German message where it
# matters instead of stopping every command.

DEADLINE_WORKDAY_DEFAULT = 10
LAND_DEFAULT = "NW"
SMTP_SECURITY = ("starttls", "ssl", "none")
SMTP_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
SMTP_TIMEOUT_DEFAULT = 30
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class SettingError(ValueError):
    """A setting with a value that cannot be used; the message is German and names it."""


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _int_env(name: str, default: int, low: int, high: int) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} ist keine ganze Zahl.") from None
    if not low <= value <= high:
        raise SettingError(f"{name}={value} liegt nicht zwischen {low} und {high}.")
    return value


def deadline_workday() -> int:
    """Reports are due on this working day of the following month (PORTALQUOTE_DEADLINE_WORKDAY)."""
    return _int_env("PORTALQUOTE_DEADLINE_WORKDAY", DEADLINE_WORKDAY_DEFAULT, 1, 20)


def land() -> str:
    """The Land whose public holidays are no working days (PORTALQUOTE_LAND, e.g. NW, BY)."""
    return (_env("PORTALQUOTE_LAND") or LAND_DEFAULT).upper()


def deadlines_from() -> str | None:
    """The first reporting month with a deadline (PORTALQUOTE_DEADLINES_FROM=2026-01); none
    set: every month. Months loaded before the cycle was introduced are then not 'late'."""
    raw = _env("PORTALQUOTE_DEADLINES_FROM")
    if not raw:
        return None
    year, _, month = raw.partition("-")
    if not (len(year) == 4 and year.isdigit() and len(month) == 2 and "01" <= month <= "12"):
        raise SettingError(f"PORTALQUOTE_DEADLINES_FROM={raw!r}: bitte als JJJJ-MM, z. B. 2026-01.")
    return raw


def public_url() -> str | None:
    """The dashboard's address as users open it (PORTALQUOTE_PUBLIC_URL), for links in mails."""
    raw = _env("PORTALQUOTE_PUBLIC_URL").rstrip("/")
    if not raw:
        return None
    if not raw.startswith(("https://", "http://")) or any(c.isspace() for c in raw):
        raise SettingError(
            f"PORTALQUOTE_PUBLIC_URL={raw!r}: bitte die volle Adresse, z. B. "
            "https://portalquote.stadt.example"
        )
    return raw


def summary_recipients() -> str:
    """Who gets the summary of a reminder run (PORTALQUOTE_MAIL_SUMMARY_TO, ';'-separated);
    empty: the active admin accounts that have an address."""
    return _env("PORTALQUOTE_MAIL_SUMMARY_TO")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # one of SMTP_SECURITY
    user: str | None
    password: str | None = field(repr=False)
    sender: str  # "Stabsstelle Digitalisierung <digitalisierung@stadt.example>"
    timeout: int = SMTP_TIMEOUT_DEFAULT
    cafile: str | None = None  # a CA bundle for a server with an internal certificate


def smtp_settings() -> SmtpSettings:
    """The mail server from PORTALQUOTE_SMTP_* and PORTALQUOTE_MAIL_FROM; SettingError if
    one is missing or invalid. The password is only ever read from the environment."""
    host = _env("PORTALQUOTE_SMTP_HOST")
    sender = _env("PORTALQUOTE_MAIL_FROM")
    missing = [
        name
        for name, value in (("PORTALQUOTE_SMTP_HOST", host), ("PORTALQUOTE_MAIL_FROM", sender))
        if not value
    ]
    if missing:
        raise SettingError(
            f"Der Mailversand ist nicht eingerichtet: {' und '.join(missing)} "
            f"{'fehlt' if len(missing) == 1 else 'fehlen'} (siehe README, „E-Mail“)."
        )
    security = (_env("PORTALQUOTE_SMTP_SECURITY") or "starttls").lower()
    if security not in SMTP_SECURITY:
        raise SettingError(
            f"PORTALQUOTE_SMTP_SECURITY={security!r}: erlaubt sind {', '.join(SMTP_SECURITY)}."
        )
    port = _int_env("PORTALQUOTE_SMTP_PORT", SMTP_DEFAULT_PORTS[security], 1, 65535)
    user = _env("PORTALQUOTE_SMTP_USER") or None
    password = os.environ.get("PORTALQUOTE_SMTP_PASSWORD") or None
    if user and not password:
        raise SettingError("PORTALQUOTE_SMTP_USER ist gesetzt, PORTALQUOTE_SMTP_PASSWORD nicht.")
    if user and security == "none" and host not in LOOPBACK_HOSTS:
        raise SettingError(
            "Mit PORTALQUOTE_SMTP_SECURITY=none ginge das Passwort unverschlüsselt über das Netz: "
            "bitte starttls oder ssl einstellen."
        )
    cafile = _env("PORTALQUOTE_SMTP_CAFILE") or None
    if cafile and not Path(cafile).is_file():
        raise SettingError(f"PORTALQUOTE_SMTP_CAFILE: die Datei {cafile!r} gibt es nicht.")
    timeout = _int_env("PORTALQUOTE_SMTP_TIMEOUT", SMTP_TIMEOUT_DEFAULT, 1, 600)
    return SmtpSettings(host, port, security, user, password, sender, timeout, cafile)
