"""Display tables of the admin pages: load history, users, measure history (no Streamlit)."""

from datetime import date, datetime

import pandas as pd

from db.access import LoadRow
from db.german import format_int, format_moment
from db.labels import LOAD_KIND_LABELS, LOAD_STATE_LABELS, STATUS_LABELS
from db.users import ROLE_LABELS, UserRow


def when(value: datetime | None) -> str:
    return format_moment(value, unit=False) if value else "–"


def day(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else "–"


def _undo(row: LoadRow) -> str:
    if row.state == "undone":
        return f"am {when(row.undone_at)} von {row.undone_by}"
    if row.can_undo:
        return "möglich"
    return row.undo_refused or "–"


def loads_table(rows: list[LoadRow]) -> pd.DataFrame:
    """The load history: number, time, kind, file, who, rows, departments, result, state."""
    return pd.DataFrame(
        {
            "Nr.": [r.id for r in rows],
            "Zeitpunkt": [when(r.loaded_at) for r in rows],
            "Datei": [r.file_name for r in rows],
            "Art": [LOAD_KIND_LABELS[r.kind] for r in rows],
            "Stand": [LOAD_STATE_LABELS[r.state] for r in rows],
            "Ergebnis": [r.summary for r in rows],
            "Geladen von": [r.loaded_by for r in rows],
            "Fachbereiche": [", ".join(r.departments) or "–" for r in rows],
            "Zeilen": [format_int(r.rows) for r in rows],
            "Rückgängig": [_undo(r) for r in rows],
        }
    )


def load_label(row: LoadRow) -> str:
    return f"Nr. {row.id} – {row.file_name} ({when(row.loaded_at)}, {row.loaded_by}): {row.summary}"


def users_table(rows: list[UserRow]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Benutzer": [u.username for u in rows],
            "Name": [u.display_name or "" for u in rows],
            "Rolle": [ROLE_LABELS[u.role] for u in rows],
            "Fachbereiche": [", ".join(u.departments) or "–" for u in rows],
            "E-Mail": [u.email or "–" for u in rows],
            "Stand": ["aktiv" if u.active else "gesperrt" for u in rows],
            "Anmeldung": ["Passwort" if u.has_password else "nur Single Sign-on" for u in rows],
            "Letzte Anmeldung": [when(u.last_login) for u in rows],
            "Angelegt": [day(u.created_at) for u in rows],
        }
    )


def contacts_table(
    departments: dict[int, str], contacts: dict[int, list[str]], accounts: dict[int, list[str]]
) -> pd.DataFrame:
    """Per department where its reminders go: its contact addresses and its accounts'."""
    return pd.DataFrame(
        {
            "Fachbereich": list(departments.values()),
            "Kontaktadressen": [", ".join(contacts.get(d, [])) or "–" for d in departments],
            "Adressen der Fachbereichskonten": [
                ", ".join(accounts.get(d, [])) or "–" for d in departments
            ],
        }
    )


def history_table(rows: list) -> pd.DataFrame:
    """A measure's dated history: date, status (from → to), Sachstand, who."""

    def status(r) -> str:  # noqa: ANN001
        new = STATUS_LABELS[r.status]
        if r.previous_status and r.previous_status != r.status:
            return f"{STATUS_LABELS[r.previous_status]} → {new}"
        return new

    return pd.DataFrame(
        {
            "Datum": [day(r.changed_on) for r in rows],
            "Status": [status(r) for r in rows],
            "Sachstand": [r.note or "" for r in rows],
            "Von": [r.changed_by for r in rows],
        }
    )
