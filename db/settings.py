"""Settings with defaults, read from the environment in one place."""

import os
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


# The report's cover until an admin sets them on the page Sachstandsbericht (stored in the
# database then): the town and the unit that issues the report.
REPORT_TOWN = os.environ.get("PORTALQUOTE_TOWN", "").strip()
REPORT_UNIT = os.environ.get("PORTALQUOTE_UNIT", "Stabsstelle Digitalisierung").strip()
# Largest logo for the report's cover, in KB (PNG or JPEG).
REPORT_LOGO_MAX_KB = 1024
