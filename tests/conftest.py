"""Shared fixtures: a real temporary database, and real spreadsheet files written by openpyxl."""

import csv
from pathlib import Path

import openpyxl
import pytest

from db import get_engine
from ingest import load_services

pytest_plugins = ["browser_fixtures"]

CATALOG = [
    ["Leistung", "Fachbereich", "Leistungs-ID", "Aliase", "online seit"],
    ["Personenstandsurkunde", "FB 3 Standesamt", "99102013000000", "Urkunden;Urkunde", "2021-06"],
    ["Meldebescheinigung", "FB 3 Bürgerbüro", "99115004000000", "Meldebescheinigungen",
     "2021-06"],
    ["Melderegisterauskunft", "FB 3 Bürgerbüro", "99115001000000", "Melderegisterauskünfte",
     "2021-06"],
    ["Bewohnerparkausweis", "FB 3 Straßenverkehr", "99053003000000", "Anwohnerparkausweis",
     "2022-03"],
]  # fmt: skip


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A real .xlsx file with one sheet per entry (rows as lists of cell values)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def engine(db_url: str):  # noqa: ANN201
    eng = get_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def catalog_engine(engine, tmp_path: Path):  # noqa: ANN001, ANN201
    """A database with the test service catalog loaded."""
    load_services(engine, write_xlsx(tmp_path / "katalog.xlsx", {"Katalog": CATALOG}), "test")
    return engine
