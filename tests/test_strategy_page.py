"""Strategy editing: action fields, measures, dated Sachstand history, links; admin only."""

from datetime import date, timedelta

import pytest
from accounts import make_accounts
from app_helpers import log_in, new_app, open_page, texts
from sqlalchemy import select

from db import strategy
from db.access import write_as
from db.models import Measure, MeasureUpdate, Service, measure_services
from db.strategy import StrategyError


@pytest.fixture
def accounts(catalog_engine):  # noqa: ANN001, ANN201
    return make_accounts(catalog_engine)


@pytest.fixture
def measure(catalog_engine, accounts):  # noqa: ANN001, ANN201
    admin = accounts["admin"].account
    with write_as(catalog_engine, admin, "admin") as conn:
        field = strategy.add_action_field(conn, admin, "Digitaler Bürgerservice", "Bürger")
        sid = conn.scalar(select(Service.id).where(Service.name == "Meldebescheinigung"))
        mid = strategy.add_measure(
            conn, admin, field, "Serviceportal", "preparing", "Stabsstelle", "2021-01",
            "2022-12", "Ausschreibung läuft", date(2021, 5, 17), [sid],
        )  # fmt: skip
    return field, mid


def test_measure_lifecycle_keeps_dated_history(catalog_engine, accounts, measure):
    admin = accounts["admin"].account
    field, mid = measure
    with write_as(catalog_engine, admin, "admin") as conn:
        strategy.set_status(conn, admin, mid, "in_progress", "Portal ist live", date(2021, 11, 15))
        strategy.set_status(conn, admin, mid, "in_progress", "200 Anträge im Oktober",
                            date(2021, 11, 20))  # fmt: skip
        strategy.set_status(conn, admin, mid, "done", None, date(2022, 1, 10))
        rows = strategy.history(conn, mid)
        [m] = strategy.measures(conn)
    assert [(r.changed_on, r.previous_status, r.status, r.note) for r in rows] == [
        (date(2022, 1, 10), "in_progress", "done", "200 Anträge im Oktober"),
        (date(2021, 11, 20), "in_progress", "in_progress", "200 Anträge im Oktober"),
        (date(2021, 11, 15), "preparing", "in_progress", "Portal ist live"),
        (date(2021, 5, 17), None, "preparing", "Ausschreibung läuft"),
    ]
    assert all(r.changed_by == "test-admin" for r in rows)
    assert (m.status, m.field, m.group, m.noted_on) == ("done", "Digitaler Bürgerservice",
                                                        "Bürger", date(2022, 1, 10))  # fmt: skip


def test_edits_are_checked(catalog_engine, accounts, measure):
    admin = accounts["admin"].account
    field, mid = measure
    future = (date.today() + timedelta(days=40)).strftime("%Y-%m")
    with write_as(catalog_engine, admin, "admin") as conn:
        with pytest.raises(StrategyError, match="gibt es in diesem Handlungsfeld schon"):
            strategy.add_measure(conn, admin, field, " serviceportal ", "planned")
        # A planned measure may start in the future, as in the measures import.
        strategy.update_measure(conn, admin, mid, field, "Serviceportal", None, future, None)
        assert conn.scalar(select(Measure.start_month).where(Measure.id == mid)) == future
        with pytest.raises(StrategyError, match="Ende liegt vor dem Beginn"):
            strategy.update_measure(conn, admin, mid, field, "Serviceportal", None, "2021-05",
                                    "2021-01")  # fmt: skip
        with pytest.raises(StrategyError, match="unverändert und es fehlt ein Sachstand"):
            strategy.set_status(conn, admin, mid, "preparing", "  ")
        with pytest.raises(StrategyError, match="nicht in der Zukunft"):
            strategy.set_status(conn, admin, mid, "done", "x", date.today() + timedelta(days=1))
        with pytest.raises(StrategyError, match="Handlungsfeld „digitaler bürgerservice“ gibt"):
            strategy.add_action_field(conn, admin, "digitaler bürgerservice")
        with pytest.raises(StrategyError, match="Bitte den Namen der Maßnahme angeben"):
            strategy.add_measure(conn, admin, field, "   ", "planned")


@pytest.mark.parametrize("role", ["department", "viewer"])
def test_only_the_admin_edits_the_strategy(catalog_engine, accounts, measure, role):
    account = accounts[role].account
    field, mid = measure
    for edit in (
        lambda c: strategy.add_action_field(c, account, "Neu"),
        lambda c: strategy.set_status(c, account, mid, "done", "fertig"),
        lambda c: strategy.link_services(c, account, mid, []),
        lambda c: strategy.update_measure(c, account, mid, field, "Umbenannt", None, None, None),
    ):
        with (
            pytest.raises(PermissionError, match="nur Benutzer mit der Rolle Admin"),
            catalog_engine.begin() as conn,
        ):
            edit(conn)
    with catalog_engine.connect() as conn:
        assert conn.scalar(select(Measure.status)) == "preparing"
        assert conn.scalar(select(Measure.name)) == "Serviceportal"
    with pytest.raises(PermissionError), write_as(catalog_engine, account, "admin"):
        pass


def test_admin_sets_status_and_links_in_the_page(
    catalog_engine, db_url, monkeypatch, accounts, measure
):
    field, mid = measure
    at = log_in(new_app(db_url, monkeypatch).run(), "test-admin", accounts["admin"].password)
    open_page(at, "strategy.py")
    assert not at.exception
    assert "Status: **in Vorbereitung** (Sachstand vom 17.05.2021)" in texts(at)
    status = next(s for s in at.selectbox if s.label == "Status")
    status.set_value("in_progress")
    at.date_input[0].set_value(date(2021, 11, 15))
    at.text_area[0].input("Das Portal ist seit Juni live.")
    next(b for b in at.button if b.label == "Sachstand speichern").click().run()
    assert not at.exception
    assert "Sachstand für „Serviceportal“ gespeichert" in texts(at)
    history = at.dataframe[0].value
    assert list(history["Datum"]) == ["15.11.2021", "17.05.2021"]
    assert history["Status"].iloc[0] == "in Vorbereitung → in Umsetzung"
    assert history["Sachstand"].iloc[0] == "Das Portal ist seit Juni live."
    # Link a second service.
    links = next(m for m in at.multiselect if m.label == "Verknüpfte Leistungen")
    with catalog_engine.connect() as conn:
        sid = conn.scalar(select(Service.id).where(Service.name == "Melderegisterauskunft"))
    links.select(sid)  # widgets with format_func take the value, not the label
    next(b for b in at.button if b.label == "Angaben speichern").click().run()
    assert "Angaben zu „Serviceportal“ gespeichert" in texts(at)
    with catalog_engine.connect() as conn:
        linked = set(
            conn.scalars(
                select(Service.name)
                .join(measure_services, measure_services.c.service_id == Service.id)
                .where(measure_services.c.measure_id == mid)
            )
        )
        notes = conn.scalars(select(MeasureUpdate.note).order_by(MeasureUpdate.id)).all()
    assert linked == {"Meldebescheinigung", "Melderegisterauskunft"}
    assert notes == ["Ausschreibung läuft", "Das Portal ist seit Juni live."]


def test_admin_adds_field_and_measure_in_the_page(catalog_engine, db_url, monkeypatch, accounts):
    at = log_in(new_app(db_url, monkeypatch).run(), "test-admin", accounts["admin"].password)
    open_page(at, "strategy.py")
    assert "Noch keine Maßnahmen" in texts(at)
    field_name = next(t for t in at.text_input if t.label == "Name" and t.form_id == "new_field")
    field_name.input("Modernes Arbeiten")
    next(b for b in at.button if b.label == "Handlungsfeld anlegen").click().run()
    assert "Handlungsfeld „Modernes Arbeiten“ angelegt" in texts(at)
    next(t for t in at.text_input if t.label == "Name der Maßnahme").input("Mobiles Arbeiten")
    next(t for t in at.text_input if t.key == "new_start").input("Okt. 2021")
    next(b for b in at.button if b.label == "Maßnahme anlegen").click().run()
    assert "Maßnahme „Mobiles Arbeiten“ angelegt" in texts(at)
    with catalog_engine.connect() as conn:
        m = conn.execute(select(Measure.name, Measure.status, Measure.start_month)).one()
    assert tuple(m) == ("Mobiles Arbeiten", "planned", "2021-10")
    # Nonsense months are refused in German and nothing is saved.
    next(t for t in at.text_input if t.label == "Name der Maßnahme").input("Zweite")
    next(t for t in at.text_input if t.key == "new_start").input("irgendwann")
    next(b for b in at.button if b.label == "Maßnahme anlegen").click().run()
    assert "„irgendwann“ ist kein Monat" in texts(at)
    with catalog_engine.connect() as conn:
        assert conn.scalars(select(Measure.name)).all() == ["Mobiles Arbeiten"]


def test_export_button_on_the_page(catalog_engine, db_url, monkeypatch, accounts, measure):
    at = log_in(new_app(db_url, monkeypatch).run(), "test-admin", accounts["admin"].password)
    open_page(at, "strategy.py")
    assert "Maßnahmen exportieren" in [b.label for b in at.get("download_button")]
    assert at.file_uploader(key="measures_0") is not None
