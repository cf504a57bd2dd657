"""Shared fixtures: a real temporary database, and real spreadsheet files written by openpyxl."""

import csv
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import openpyxl
import pytest

from db import get_engine
from ingest import load_services

pytest_plugins = ["browser_fixtures"]

# Which database the suite runs against: `pytest --db postgresql` or this variable.
TEST_DB_ENV = "PORTALQUOTE_TEST_DB"
DATABASES = ("sqlite", "postgresql")

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


def write_xlsx(path: Path | BinaryIO, sheets: dict[str, list[list]]) -> Path | BinaryIO:
    """A real .xlsx file (a path, or a file object such as BytesIO) with one sheet per
    entry (rows as lists of cell values)."""
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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get(TEST_DB_ENV) or "sqlite",
        help=f"database for the DB fixtures: {' or '.join(DATABASES)} (env {TEST_DB_ENV}); "
        "postgresql starts a throwaway server on 127.0.0.1 for the session",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--db") not in DATABASES:
        raise pytest.UsageError(f"--db / {TEST_DB_ENV} must be one of {', '.join(DATABASES)}")


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def test_database(pytestconfig: pytest.Config) -> str:
    """'sqlite' or 'postgresql': what db_url, engine and demo_db_url give this session."""
    return pytestconfig.getoption("--db")


@pytest.fixture(scope="session")
def postgres_server(test_database: str) -> Iterator:
    """The session's PostgreSQL server (started on first use, stopped at the end)."""
    from pg_server import PostgresNotFound, running_server

    try:
        with running_server() as server:
            yield server
    except PostgresNotFound as exc:
        pytest.fail(str(exc))


def _postgres(request: pytest.FixtureRequest):  # noqa: ANN202
    return request.getfixturevalue("postgres_server")


@pytest.fixture(scope="session")
def make_session_db_url(
    test_database: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[[str], str]:
    """Makes new empty databases that live for the whole session: make(name) -> URL."""
    if test_database == "postgresql":
        return _postgres(request).create_database
    return lambda name: f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.db'}"


@pytest.fixture
def make_db_url(
    test_database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], str]]:
    """Makes new empty databases for one test (dropped afterwards): make(name) -> URL."""
    if test_database == "sqlite":
        yield lambda name: f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    server = _postgres(request)
    made: list[str] = []

    def make(name: str) -> str:
        made.append(server.create_database(name))
        return made[-1]

    yield make
    for url in made:
        server.drop_database(url)


@pytest.fixture
def db_url(make_db_url: Callable[[str], str]) -> str:
    """An empty database for this test: a SQLite file in tmp_path or a PostgreSQL database."""
    return make_db_url("test")


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
