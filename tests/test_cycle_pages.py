"""The monthly cycle on the pages (AppTest): deadline, marks, reminder preview and button."""

from datetime import date

import pytest
from accounts import make_accounts
from app_helpers import log_in, new_app, open_page, texts
from cycle_data import BUERGERBUERO, PUBLIC_URL, SUMMARY_TO, build_today, load_catalog_with_mail
from smtp_server import smtp_server
from sqlalchemy import select
from test_pages import table

from dashboard.cycle_tables import deadline_sentence
from db.contacts import department_contacts
from db.deadlines import Rules
from db.german import format_month
from db.models import User
from db.users import departments


@pytest.fixture
def cycle_url(engine, db_url, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    for name in ("PORTALQUOTE_DEADLINE_WORKDAY", "PORTALQUOTE_LAND", "PORTALQUOTE_DEADLINES_FROM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTALQUOTE_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("PORTALQUOTE_MAIL_SUMMARY_TO", SUMMARY_TO)
    load_catalog_with_mail(engine, tmp_path)
    months = build_today(engine)
    return db_url, months, make_accounts(engine)


def as_user(url: str, monkeypatch, logins, role: str | None, page: str):  # noqa: ANN001, ANN201
    at = new_app(url, monkeypatch).run()
    if role is not None:
        at = log_in(at, logins[role].username, logins[role].password)
    open_page(at, page)
    assert not at.exception, at.exception
    return at


def marks(at):  # noqa: ANN001, ANN201
    """The deadline table (the one with a column per month and the record) by department."""
    return next(t for i in range(6) if "Ø Verspätung" in (t := table(at, i)).columns).set_index(
        "Fachbereich"
    )


def test_datenstand_shows_the_deadline_and_the_marks(cycle_url, monkeypatch):
    url, months, logins = cycle_url
    at = as_user(url, monkeypatch, logins, None, "coverage.py")
    text = texts(at)
    assert deadline_sentence(date.today(), Rules()) in text
    assert "Frist: 10. Arbeitstag des Folgemonats, Feiertage in Nordrhein-Westfalen" in text
    grid = marks(at)
    first, prev, last = (format_month(months[k]) for k in ("first", "prev", "last"))
    assert grid.loc["FB 3 Standesamt", first] == "pünktlich"
    assert grid.loc["FB 3 Standesamt", prev] == "+7 T."
    assert grid.loc["FB 3 Bürgerbüro", prev].startswith("offen (+")
    assert grid.loc["FB 3 Straßenverkehr", last] == "pünktlich"
    assert grid.loc["FB 3 Standesamt", ["pünktlich", "verspätet", "offen"]].tolist() == [
        "2",
        "1",
        "0",
    ]
    assert grid.loc["FB 3 Standesamt", "Ø Verspätung"] == "7,0 T."
    assert "pünktlich: bis zur Frist vollständig" in text
    spec = [c.proto.spec for c in at.get("vega_lite_chart") if "Meldefrist" in c.proto.spec]
    assert len(spec) == 1
    # Visitors see neither the reminder panel nor who was reminded.
    assert "Erinnerungen versenden" not in [e.label for e in at.expander]
    assert "Noch keine Erinnerung versandt." in text


def test_one_department_lists_what_is_missing(cycle_url, monkeypatch):
    url, months, logins = cycle_url
    at = new_app(url, monkeypatch)
    at.switch_page("dashboard/pages/coverage.py")
    at.query_params["fachbereich"] = "FB 3 Bürgerbüro"
    at.run()
    assert not at.exception
    rows = next(t for i in range(6) if "Es fehlt" in (t := table(at, i)).columns)
    row = rows.set_index("Monat").loc[format_month(months["prev"])]
    assert row["Es fehlt"] == "Melderegisterauskunft" and row["Leistungen"] == "1 von 2"
    assert row["Stand"].startswith("offen, seit ")


def test_admin_previews_and_sends_reminders(cycle_url, monkeypatch):
    url, months, logins = cycle_url
    with smtp_server() as server:
        for name, value in (
            ("PORTALQUOTE_SMTP_HOST", server.settings.host),
            ("PORTALQUOTE_SMTP_PORT", str(server.settings.port)),
            ("PORTALQUOTE_SMTP_SECURITY", "none"),
            ("PORTALQUOTE_MAIL_FROM", server.settings.sender),
        ):
            monkeypatch.setenv(name, value)
        at = as_user(url, monkeypatch, logins, "admin", "coverage.py")
        assert "Erinnerungen versenden" in [e.label for e in at.expander]
        preview = next(t for i in range(8) if "Empfänger" in (t := table(at, i)).columns)
        preview = preview.set_index("Fachbereich")
        assert preview.loc["FB 3 Bürgerbüro", "Empfänger"] == ", ".join(BUERGERBUERO)
        assert preview.loc["FB 3 Bürgerbüro", "Erinnerung"] == "wird erinnert"
        assert preview.loc["FB 3 Straßenverkehr", "Erinnerung"] == "keine E-Mail-Adresse"
        assert f"Die Zusammenfassung geht an {SUMMARY_TO}." in texts(at)
        assert server.inbox.received == []  # the preview sends nothing
        button = next(b for b in at.button if b.label == "1 Erinnerung jetzt senden")
        button.click().run()
        assert not at.exception
        assert "Erinnerungslauf beendet." in texts(at)
        assert len(server.inbox.received) == 2
        log = next(t for i in range(8) if "Ausgelöst von" in (t := table(at, i)).columns)
        assert log["Ergebnis"].tolist() == ["gesendet", "gesendet"]
        assert log["Art"].tolist() == ["Zusammenfassung", "Erinnerung"]
        assert log["Ausgelöst von"].tolist() == ["test-admin", "test-admin"]
        # Now the department counts as reminded: the button has nothing left to send.
        assert any(b.label == "0 Erinnerungen jetzt senden" and b.disabled for b in at.button)


def test_the_send_button_is_off_without_mail_settings(cycle_url, monkeypatch):
    url, _months, logins = cycle_url
    monkeypatch.delenv("PORTALQUOTE_SMTP_HOST", raising=False)
    at = as_user(url, monkeypatch, logins, "admin", "coverage.py")
    assert "Der Mailversand ist nicht eingerichtet" in texts(at)
    assert next(b for b in at.button if b.label == "1 Erinnerung jetzt senden").disabled


def test_a_wrong_land_is_a_german_message_not_a_crash(cycle_url, monkeypatch):
    url, _months, logins = cycle_url
    monkeypatch.setenv("PORTALQUOTE_LAND", "Bayern")
    at = as_user(url, monkeypatch, logins, "admin", "coverage.py")
    assert "Die Meldefristen sind falsch eingestellt: PORTALQUOTE_LAND" in texts(at)
    at = as_user(url, monkeypatch, logins, "department", "upload.py")
    assert "Die Meldefristen sind falsch eingestellt" in texts(at)


def test_upload_page_shows_the_deadline_and_what_the_department_owes(cycle_url, monkeypatch):
    url, months, logins = cycle_url
    at = as_user(url, monkeypatch, logins, "department", "upload.py")  # FB 3 Bürgerbüro
    text = texts(at)
    assert deadline_sentence(date.today(), Rules()) in text
    assert f"FB 3 Bürgerbüro: {format_month(months['prev'], long=True)} (offen, seit " in text
    assert "– fehlt: Melderegisterauskunft" in text
    assert "FB 3 Straßenverkehr" not in text  # not this user's department
    at = as_user(url, monkeypatch, logins, "admin", "upload.py")
    assert "2 Fachbereiche haben überfällige Meldungen" in texts(at)


def test_users_page_edits_addresses(cycle_url, engine, monkeypatch):
    url, _months, logins = cycle_url
    at = as_user(url, monkeypatch, logins, "admin", "users.py")
    with engine.connect() as conn:
        ids = {n: d for d, n in departments(conn).items()}
    at.selectbox(key="mail_department").set_value(ids["FB 3 Straßenverkehr"]).run()
    area = next(t for t in at.text_area if t.label.startswith("Kontaktadressen"))
    area.input("verkehr@stadt.example\nfalsch")
    next(b for b in at.button if b.label == "Adressen speichern").click().run()
    assert "„falsch“ ist keine gültige E-Mail-Adresse: das @ fehlt" in texts(at)
    area = next(t for t in at.text_area if t.label.startswith("Kontaktadressen"))
    area.input("verkehr@stadt.example; leitung.verkehr@stadt.example")
    next(b for b in at.button if b.label == "Adressen speichern").click().run()
    assert "Adressen von „FB 3 Straßenverkehr“ gespeichert." in texts(at)
    with engine.connect() as conn:
        assert department_contacts(conn)[ids["FB 3 Straßenverkehr"]] == [
            "leitung.verkehr@stadt.example",
            "verkehr@stadt.example",
        ]
    # An account's address, on the edit form.
    at.selectbox(key="edit_user").set_value("test-fb").run()
    field = next(
        t for t in at.text_input if t.label.startswith("E-Mail") and t.form_id == "edit_test-fb"
    )
    field.input("fb3@stadt.example")
    next(b for b in at.button if b.label == "Speichern").click().run()
    assert "Benutzer „test-fb“ gespeichert." in texts(at)
    with engine.connect() as conn:
        assert conn.scalar(select(User.email).where(User.username == "test-fb")) == (
            "fb3@stadt.example"
        )
