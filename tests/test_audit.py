"""One log line per load, undo and user change; written at commit, never for a rollback."""

import logging

import pytest
from accounts import make_accounts
from conftest import write_xlsx

from db import audit
from db.access import write_as
from db.contacts import set_user_email
from db.users import create_user, set_active, set_display_name, set_password, set_role
from db.writes import begin_write
from ingest import load_counts, undo

HEADER = ["Leistung", "Monat", "Anträge gesamt", "davon online"]


@pytest.fixture
def lines(caplog, monkeypatch):  # noqa: ANN001, ANN201
    """The lines of the portalquote logger (the web server sends them to stdout)."""
    monkeypatch.setattr(audit.LOGGER, "propagate", True)  # off once dashboard/server.py ran
    caplog.set_level(logging.INFO, logger="portalquote")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "portalquote"]


def test_a_load_and_its_undo(catalog_engine, tmp_path, lines):
    path = write_xlsx(tmp_path / "mai\nmeldung.xlsx", {"Meldung": [HEADER,
        ["Meldebescheinigung", "2026-05", 100, 40]]})  # fmt: skip
    [result] = load_counts(catalog_engine, [path], "fb3")
    undo(catalog_engine, result.load_id, "stabsstelle")
    first, second = lines()[-2:]
    assert first == (f"Ladevorgang {result.load_id} (Antragszahlen, geladen): "
                     "„mai meldung.xlsx“ von „fb3“: 2 neu, 0 geändert, 0 unverändert")  # fmt: skip
    assert second.startswith(f"Ladevorgang {result.load_id} („mai")
    assert second.endswith(
        "wurde rückgängig gemacht: 0 Zahlen auf den vorherigen Stand "
        "zurückgesetzt, 2 neu geladene Zahlen entfernt. Durch: „stabsstelle“"
    )
    assert all("\n" not in line for line in lines())


def test_user_changes_name_who_made_them(catalog_engine, lines):
    admin = make_accounts(catalog_engine)["admin"].account
    before = len(lines())
    with write_as(catalog_engine, admin, "admin") as conn:
        create_user(conn, "fb9", "ein-langes-passwort", "viewer")
        set_role(conn, "fb9", "department", ["FB 3 Standesamt"])
        set_display_name(conn, "fb9", "Neun")
        set_password(conn, "fb9", "noch-ein-langes-passwort")
        set_user_email(conn, "fb9", "fb9@stadt.example")
        set_active(conn, "fb9", False)
    by = " (durch „test-admin“)"
    assert lines()[before:] == [
        f"Benutzer angelegt: „fb9“, Rolle Lesezugriff{by}",
        f"Rolle geändert: „fb9“, Rolle Fachbereich (FB 3 Standesamt){by}",
        f"Angezeigter Name geändert: „fb9“ → „Neun“{by}",
        f"Passwort neu gesetzt: „fb9“ (0 Sitzungen beendet){by}",
        f"E-Mail-Adresse geändert: „fb9“ → „fb9@stadt.example“{by}",
        f"Benutzer gesperrt: „fb9“ (0 Sitzungen beendet){by}",
    ]
    assert "ein-langes-passwort" not in "".join(lines())


def test_nothing_is_logged_for_a_rolled_back_change(catalog_engine, lines):
    with pytest.raises(RuntimeError), begin_write(catalog_engine) as conn:
        create_user(conn, "fb8", "ein-langes-passwort", "viewer")
        raise RuntimeError("abgebrochen")
    assert lines() == []
    with begin_write(catalog_engine) as conn:  # the pooled connection carries nothing over
        create_user(conn, "fb7", "ein-langes-passwort", "viewer")
    assert lines() == ["Benutzer angelegt: „fb7“, Rolle Lesezugriff"]
