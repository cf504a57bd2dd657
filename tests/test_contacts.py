"""Department contact addresses: checked, from the catalog's E-Mail column and from accounts."""

import pytest
from accounts import make_accounts
from conftest import CATALOG, write_xlsx
from cycle_data import BUERGERBUERO, CATALOG_WITH_MAIL, STANDESAMT, load_catalog_with_mail
from sqlalchemy import func, select

from db.addresses import AddressError, parse_addresses, sendable
from db.contacts import (
    admin_addresses,
    department_contacts,
    recipients,
    set_department_contacts,
    set_user_email,
)
from db.models import DepartmentContact, Service
from db.users import departments, set_active
from db.writes import begin_write
from ingest import IngestError, load_services


def by_name(engine) -> dict[str, list[str]]:  # noqa: ANN001
    with engine.connect() as conn:
        deps, stored = departments(conn), department_contacts(conn)
    return {deps[d]: addresses for d, addresses in stored.items()}


def test_addresses_are_split_checked_and_deduplicated():
    text = "a@stadt.example; B@Stadt.Example,\nc@stadt-köln.de  a@stadt.example"
    assert parse_addresses(text) == ["a@stadt.example", "B@stadt.example", "c@stadt-köln.de"]
    assert sendable("c@stadt-köln.de") == "c@xn--stadt-kln-67a.de"
    assert parse_addresses("") == [] and parse_addresses(None) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "buergerbuero.stadt.example",
            "„buergerbuero.stadt.example“ ist keine gültige E-Mail-Adresse: das @ fehlt",
        ),
        ("a@stadt", "nach dem @ muss eine Domain wie stadt.example stehen"),
        ("Bürgerbüro <bb@stadt.example>", "ohne Namen, spitze Klammern"),
        ("müller@stadt.example", "Umlaute vor dem @"),
        ("a@stadt.example\r\nBcc: x@evil.example", "„Bcc:“ ist keine gültige E-Mail-Adresse"),
    ],
)
def test_invalid_addresses_are_explained_in_german(text, message):
    with pytest.raises(AddressError, match=message):
        parse_addresses(text)


def test_the_catalog_sets_the_contacts_of_each_department(engine, tmp_path):
    load_catalog_with_mail(engine, tmp_path)
    assert by_name(engine) == {
        "FB 3 Standesamt": STANDESAMT,
        "FB 3 Bürgerbüro": sorted(BUERGERBUERO),
    }
    # Loading it again changes nothing.
    again = write_xlsx(tmp_path / "again.xlsx", {"K": CATALOG_WITH_MAIL})
    result = load_services(engine, again, "t")
    assert result.state == "unchanged"


def load_rows(**mail: str) -> list[list]:
    """The test catalog with an E-Mail cell per service as given (the others empty)."""
    return [[*CATALOG[0], "E-Mail"]] + [[*row, mail.get(row[0], "")] for row in CATALOG[1:]]


def test_rows_of_one_department_add_up_and_empty_cells_keep_addresses(engine, tmp_path):
    load_catalog_with_mail(engine, tmp_path)
    rows = load_rows(
        Meldebescheinigung="neu@stadt.example", Melderegisterauskunft="zwei@stadt.example"
    )
    result = load_services(engine, write_xlsx(tmp_path / "k2.xlsx", {"K": rows}), "t")
    assert "E-Mail-Adressen für 1 Fachbereich geändert" in result.summary
    assert by_name(engine) == {
        "FB 3 Standesamt": STANDESAMT,  # its row had no address: left as it was
        "FB 3 Bürgerbüro": ["neu@stadt.example", "zwei@stadt.example"],
    }
    # A catalog without the column leaves every address alone.
    load_services(engine, write_xlsx(tmp_path / "k3.xlsx", {"K": CATALOG}), "t")
    assert by_name(engine)["FB 3 Standesamt"] == STANDESAMT


def test_an_invalid_address_in_the_catalog_is_refused_with_sheet_row_and_column(engine, tmp_path):
    rows = load_rows(Meldebescheinigung="buergerbuero(at)stadt.example")
    with pytest.raises(IngestError) as info:
        load_services(engine, write_xlsx(tmp_path / "k.xlsx", {"Katalog": rows}), "t")
    lines = info.value.lines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "Blatt „Katalog“, Zeile 3, Spalte „E-Mail“: „buergerbuero(at)stadt.example“"
    )
    assert "Mehrere Adressen bitte mit „;“ trennen." in lines[0]
    with engine.connect() as conn:  # nothing was written
        assert conn.scalar(select(func.count()).select_from(Service)) == 0
        assert conn.scalar(select(func.count()).select_from(DepartmentContact)) == 0


def test_header_injection_in_a_catalog_cell_is_refused(engine, tmp_path):
    rows = load_rows(Meldebescheinigung="bb@stadt.example\r\nBcc: all@evil.example")
    with pytest.raises(IngestError, match="Spalte „E-Mail“: „Bcc:“ ist keine gültige"):
        load_services(engine, write_xlsx(tmp_path / "k.xlsx", {"Katalog": rows}), "t")


def test_reminders_go_to_contacts_and_to_active_department_accounts(engine, tmp_path):
    load_catalog_with_mail(engine, tmp_path)
    logins = make_accounts(engine)  # test-fb reports for FB 3 Bürgerbüro
    with begin_write(engine) as conn:
        set_user_email(conn, "test-fb", "fb3.leitung@stadt.example")
        set_user_email(conn, "test-admin", "digitalisierung@stadt.example")
        set_user_email(conn, "test-viewer", "lesen@stadt.example")
        ids = {n: d for d, n in departments(conn).items()}
        set_department_contacts(conn, ids["FB 3 Straßenverkehr"], ["verkehr@stadt.example"])
    with engine.connect() as conn:
        to = recipients(conn)
        assert to[ids["FB 3 Bürgerbüro"]] == [*sorted(BUERGERBUERO), "fb3.leitung@stadt.example"]
        assert to[ids["FB 3 Straßenverkehr"]] == ["verkehr@stadt.example"]
        assert admin_addresses(conn) == ["digitalisierung@stadt.example"]
    with begin_write(engine) as conn:
        set_active(conn, logins["department"].username, False)
        with pytest.raises(AddressError):
            set_user_email(conn, "test-admin", "keine adresse")
    with engine.connect() as conn:
        assert "fb3.leitung@stadt.example" not in recipients(conn)[ids["FB 3 Bürgerbüro"]]
