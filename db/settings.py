"""Settings with defaults, read from the environment in one place."""

import os
from dataclasses import dataclass
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


def database_url(url: str | None = None) -> str:
    """The database URL: an explicit one, else env DATABASE_URL, else the local SQLite file."""
    return url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def require_login() -> bool:
    """Whether reading the dashboard needs a login too (env PORTALQUOTE_REQUIRE_LOGIN=1)."""
    value = os.environ.get("PORTALQUOTE_REQUIRE_LOGIN", "")
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


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
