"""The load history page: who loaded what; undo for the admin and for a department's own loads."""

import re

import pytest
from accounts import make_accounts
from app_helpers import log_in, new_app, open_page, shown
from conftest import write_xlsx
from sqlalchemy import select

from dashboard.admin_tables import loads_table
from db.access import visible_loads
from db.models import Load, MonthlyCount
from ingest import load_counts

HEADER = ["Leistung", "Monat", "Anträge gesamt", "davon online"]


@pytest.fixture
def loaded(catalog_engine, tmp_path):  # noqa: ANN001, ANN201
    """Accounts, and three loads: the admin's mixed file, the department's own, another's."""
    logins = make_accounts(catalog_engine)
    mixed = write_xlsx(
        tmp_path / "alle.xlsx",
        {
            "M": [
                HEADER,
                ["Meldebescheinigung", "09/2021", 240, 40],
                ["Bewohnerparkausweis", "09/2021", 30, 12],
            ]
        },
    )
    own = write_xlsx(
        tmp_path / "buergerbuero.xlsx", {"M": [HEADER, ["Meldebescheinigung", "09/2021", 251, 47]]}
    )
    other = write_xlsx(tmp_path / "standesamt.xlsx", {"M": [HEADER,
        ["Personenstandsurkunde", "09/2021", 681, 203]]})  # fmt: skip
    ids = {
        "mixed": load_counts(catalog_engine, [mixed], "test-admin")[0].load_id,
        "own": load_counts(catalog_engine, [own], "test-fb")[0].load_id,
        "other": load_counts(catalog_engine, [other], "test-admin")[0].load_id,
    }
    return logins, ids


def _offered(at) -> set[int]:  # noqa: ANN001
    """Load numbers offered for undo ('Nr. 12 – file (...)')."""
    return {int(label.split()[1]) for label in at.selectbox[0].options}


def _counts(engine):  # noqa: ANN001, ANN202
    with engine.connect() as conn:
        return dict(
            ((r.service_id, r.channel), r.value)
            for r in conn.execute(select(MonthlyCount).where(MonthlyCount.month == "2021-09"))
        )


def test_admin_sees_everything_and_undoes_a_load(catalog_engine, db_url, monkeypatch, loaded):
    logins, ids = loaded
    at = log_in(new_app(db_url, monkeypatch).run(), "test-admin", logins["admin"].password)
    open_page(at, "loads.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["Datei"]) == {"katalog.xlsx", "alle.xlsx", "buergerbuero.xlsx",
                                   "standesamt.xlsx"}  # fmt: skip
    assert _offered(at) == {ids["mixed"], ids["own"], ids["other"]}
    before = _counts(catalog_engine)
    at.selectbox[0].set_value(ids["own"]).run()
    button = next(b for b in at.button if b.label == "Rückgängig machen")
    assert button.disabled  # needs the confirmation first
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Rückgängig machen").click().run()
    assert re.match(rf"Ladevorgang {ids['own']} .*rückgängig gemacht", shown(at.success[0].value))
    after = _counts(catalog_engine)
    assert after != before
    # Restored what it replaced: the mixed file's 240 / 40 for Meldebescheinigung.
    assert sorted(after.values()) == sorted([200, 40, 18, 12, 478, 203])
    with catalog_engine.connect() as conn:
        assert conn.scalar(select(Load.state).where(Load.id == ids["own"])) == "undone"
    table = at.dataframe[0].value
    undone = table[table["Nr."] == ids["own"]].iloc[0]
    assert undone["Stand"] == "rückgängig gemacht"
    assert undone["Rückgängig"].startswith("am ") and undone["Rückgängig"].endswith("test-admin")


def test_department_sees_and_undoes_only_its_own(catalog_engine, db_url, monkeypatch, loaded):
    logins, ids = loaded
    at = log_in(new_app(db_url, monkeypatch).run(), "test-fb", logins["department"].password)
    open_page(at, "loads.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["Nr."]) == {ids["mixed"], ids["own"]}  # not the Standesamt's load
    mixed = table[table["Nr."] == ids["mixed"]].iloc[0]
    assert "anderer Fachbereiche" in mixed["Rückgängig"]
    assert _offered(at) == {ids["own"]}  # the mixed load is not offered
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Rückgängig machen").click().run()
    assert "rückgängig gemacht" in shown(at.success[0].value)


def test_history_as_data(catalog_engine, loaded):
    logins, ids = loaded
    with catalog_engine.connect() as conn:
        table = loads_table(visible_loads(conn, logins["admin"].account))
    row = table[table["Nr."] == ids["mixed"]].iloc[0]
    assert row["Art"] == "Antragszahlen" and row["Stand"] == "geladen"
    assert row["Fachbereiche"] == "FB 3 Bürgerbüro, FB 3 Straßenverkehr"
    assert row["Geladen von"] == "test-admin" and row["Rückgängig"] == "möglich"
    assert row["Ergebnis"] == "4 neu, 0 geändert, 0 unverändert"
