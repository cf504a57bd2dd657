"""PostgreSQL gives the same answers as SQLite, and takes what SQLite takes.

The whole suite runs on both (`make test`); these tests compare the two directly.
"""

import pytest
from conftest import CATALOG, write_xlsx
from sqlalchemy import select, text

from db import get_engine, queries
from db.models import Department, MonthlyCount, Service
from ingest import load_counts, load_services, undo
from ingest.demo import load_demo

REPORT = ["Leistung", "Monat", "Anträge gesamt", "davon online"]


def _same_history(engine, tmp_path) -> None:  # noqa: ANN001
    """Demo data, a correction, a portal export, a zero month, an undo: the tricky cases."""
    load_demo(engine)
    load_counts(engine, [write_xlsx(tmp_path / "korrektur.xlsx", {"Meldung": [
        REPORT,
        ["Personenstandsurkunde", "2023-12", 700, 250],
        ["Baumfällgenehmigung", "2023-11", 0, 0],  # total 0: no online share
    ]})], "test")  # fmt: skip
    portal = load_counts(engine, [write_xlsx(tmp_path / "portal.xlsx", {"Export": [
        ["Vorgangsnummer", "Leistung", "Eingangsdatum"],
        *[[f"V{i}", "Meldebescheinigung", f"{i % 28 + 1:02d}.12.2023 10:00"] for i in range(70)],
    ]})], "test")  # fmt: skip
    load_counts(engine, [write_xlsx(tmp_path / "spaeter.xlsx", {"Meldung": [
        REPORT, ["Gewerbeanmeldung", "2023-12", 999, 1],
    ]})], "test")  # fmt: skip
    undo(engine, portal[0].load_id, "test")


def _records(df) -> list[dict]:  # noqa: ANN001
    """Rows with missing values as None and shares rounded: comparable across databases."""
    df = df.assign(online_share=df["online_share"].round(12)).astype(object)
    return df.where(df.notna(), None).to_dict("records")


def _answers(engine) -> dict:  # noqa: ANN001
    with engine.connect() as conn:
        month = queries.latest_complete_month(conn)
        return {
            "latest": month,
            "uptake": sorted(tuple(r) for r in conn.execute(text("SELECT * FROM monthly_uptake"))),
            "overview": queries.month_overview(conn, month).to_dict("records"),
            "uptake with sources": _records(queries.uptake(conn)),
            "counts": sorted(
                tuple(r)
                for r in conn.execute(
                    select(
                        Service.name,
                        MonthlyCount.month,
                        MonthlyCount.channel,
                        MonthlyCount.source,
                        MonthlyCount.value,
                    ).join(Service, Service.id == MonthlyCount.service_id)
                )  # fmt: skip
            ),
            "version": queries.data_version(conn),
        }


def test_same_data_gives_the_same_answers_on_both(test_database, engine, tmp_path):
    if test_database != "postgresql":
        pytest.skip("compares with PostgreSQL: runs in the PostgreSQL pass of make test")
    sqlite = get_engine(f"sqlite:///{tmp_path / 'vergleich.db'}")
    _same_history(sqlite, tmp_path)
    _same_history(engine, tmp_path)
    expected, got = _answers(sqlite), _answers(engine)
    sqlite.dispose()
    assert got == expected
    uptake = {(r[0], r[2]): r for r in got["uptake"]}
    assert uptake[("Baumfällgenehmigung", "2023-11")][3:] == (0, 0, None)
    assert uptake[("Personenstandsurkunde", "2023-12")][3:] == (700, 250, 250 / 700)
    assert uptake[("Personenstandsurkunde", "2024-01")][3] is None  # portal only: incomplete


def test_long_names_are_cut_to_the_columns(engine, tmp_path):
    """PostgreSQL enforces VARCHAR lengths (SQLite does not): the ingest must cut first."""
    catalog = [CATALOG[0], ["L" * 400, "F" * 250, "9" * 60, "A" * 400, "2021-06"]]
    load_services(engine, write_xlsx(tmp_path / "katalog.xlsx", {"Katalog": catalog}), "t" * 300)
    with engine.connect() as conn:
        assert conn.scalar(select(Service.name)) == "L" * 300
        assert conn.scalar(select(Department.name)) == "F" * 200
