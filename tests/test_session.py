"""Sitzungsmodus: the agenda setting, the slide contents and the page (AppTest)."""

import json
from datetime import datetime, timedelta

import pytest
from accounts import make_accounts
from app_helpers import html_table, log_in, new_app, open_page, shown, texts

from db import asof, figures, get_engine, session
from db.writes import begin_write, set_setting
from ingest.demo import FIELDS, load_demo
from report import slides


@pytest.fixture(scope="module")
def demo_url(make_session_db_url):  # noqa: ANN001, ANN201
    url = make_session_db_url("session_demo")
    engine = get_engine(url)
    load_demo(engine)
    engine.dispose()
    return url


@pytest.fixture
def demo(demo_url):  # noqa: ANN001, ANN201
    """The demo database with the default agenda (a test may store its own)."""
    engine = get_engine(demo_url)
    with begin_write(engine) as conn:
        session.save_agenda(conn, session.default_agenda(conn))
    yield engine
    engine.dispose()


def test_default_agenda_has_overview_every_field_and_services(demo):  # noqa: ANN001
    with demo.connect() as conn:
        agenda = session.default_agenda(conn)
        titles = [s.title for s in session.slides(conn, agenda)]
    assert titles[0] == "Überblick"
    assert titles[1:6] == [f"Handlungsfeld {i}: {f}" for i, f in enumerate(FIELDS, start=1)]
    assert titles[-1] == "Ausgewählte Leistungen"
    assert agenda.frozen_at is None
    # Services linked to measures, the busiest first.
    assert agenda.services[0] == "Personenstandsurkunde"
    assert len(agenda.services) == session.DEFAULT_SERVICES


def test_agenda_is_stored_and_cleaned(demo):  # noqa: ANN001
    with demo.connect() as conn:
        items = list(session.field_items(conn))
    stored = session.Agenda(
        [items[1], "field:9999", session.OVERVIEW, items[1]],
        ["Meldebescheinigung", "gibt es nicht"],
        datetime(2021, 11, 15, 17, 2),
    )
    with begin_write(demo) as conn:
        session.save_agenda(conn, stored)
    with demo.connect() as conn:
        agenda = session.load_agenda(conn)
        titles = [s.title for s in session.slides(conn, agenda)]
    assert agenda.items == [items[1], session.OVERVIEW]
    assert agenda.services == ["Meldebescheinigung"]
    assert agenda.frozen_at == datetime(2021, 11, 15, 17, 2)
    assert titles == ["Handlungsfeld 2: Digitaler Bürgerservice", "Überblick"]


def test_an_agenda_frozen_at_a_day_before_moments_stands_at_its_end(demo):  # noqa: ANN001
    """Agendas stored before moments held a Stichtag (a day): its last minute."""
    with begin_write(demo) as conn:
        set_setting(conn, session.AGENDA_KEY, json.dumps({"items": [], "cutoff": "2021-11-15"}))
    with demo.connect() as conn:
        assert session.load_agenda(conn).frozen_at == datetime(2021, 11, 15, 23, 59)


def test_freezing_takes_the_minute_and_unfreezing_ends_it(demo):  # noqa: ANN001
    before = datetime.now().replace(second=0, microsecond=0)
    with begin_write(demo) as conn:
        moment = session.freeze(conn)
    with demo.connect() as conn:
        assert session.load_agenda(conn).frozen_at == moment
    assert moment.second == moment.microsecond == 0
    assert before <= moment <= datetime.now()
    with begin_write(demo) as conn:
        assert session.freeze(conn, datetime(2026, 12, 1, 17, 2, 41)) == datetime(
            2026, 12, 1, 17, 2
        )
        session.unfreeze(conn)
    with demo.connect() as conn:
        agenda = session.load_agenda(conn)
    assert agenda.frozen_at is None and agenda.items  # the rest of the agenda is kept


def test_slide_contents(demo):  # noqa: ANN001
    with demo.connect() as conn:
        uptake = asof.uptake_as_of(conn, None)
        states = asof.month_states_as_of(conn, None, uptake)
        measures = asof.measures_as_of(conn, None)
        links = asof.measure_links(conn)
    shown = slides.overview_figures(figures.headline(uptake, states))
    assert shown["month"] == "Dezember 2023"
    assert shown["share"] == "36,3 %" and shown["base"].startswith("616 von 1.695")
    assert shown["delta_month"] == "±0,0 Pp." and shown["delta_year"] == "+6,0 Pp."
    assert (
        shown["month_basis"]
        == "Nov. 2023: 36,4 % (609 von 1.675) · 12 Leistungen in beiden Monaten"
    )
    assert shown["provisional"] == [
        "Jan. 2024 vorläufig: 0 von 12 Leistungen gemeldet (4 mit nur einem Antragsweg)"
    ]
    counts = slides.status_table(figures.status_counts(measures)).set_index("Handlungsfeld")
    assert counts.loc["Digitale Schriftgutverwaltung", "in Vorbereitung"] == 3
    assert counts["gesamt"].sum() == 11
    field_id = int(measures.loc[measures["field"] == "Digitaler Bürgerservice", "field_id"].iloc[0])
    linked = slides.linked_services(measures, links, field_id)
    assert "Personenstandsurkunde" in linked and len(linked) == 11
    rows = slides.service_rows(uptake, ["Personenstandsurkunde", "Meldebescheinigung"], "2021-10")
    assert rows.set_index("Leistung").loc["Personenstandsurkunde"].tolist() == [
        "681",
        "203",
        "29,8 %",
    ]
    assert slides.recent(uptake, ["Meldebescheinigung"], "2021-10")["month"].tolist()[-1] == (
        "2021-10"
    )
    assert slides.overview_figures(None) is None


def test_page_steps_through_the_slides(demo, demo_url, monkeypatch):  # noqa: ANN001
    at = open_page(new_app(demo_url, monkeypatch).run(), "session.py")
    assert not at.exception
    assert [shown(h.value) for h in at.header] == ["Überblick"]
    # The overview is too tall for a projector in one: its figures, then the measures.
    assert "Folie 1a von 7" in texts(at)
    assert "(aktuelle Zahlen, nicht eingefroren)" in texts(at)
    assert at.button(key="slide_back").disabled
    at.button(key="slide_next").click().run()
    assert "Folie 1b von 7" in texts(at)
    assert [shown(h.value) for h in at.header] == ["Überblick"]
    assert "Umsetzungsstand der Maßnahmen" in [shown(h.value) for h in at.subheader]
    at.button(key="slide_next").click().run()
    assert [shown(h.value) for h in at.header] == ["Handlungsfeld 1: Digitale Schriftgutverwaltung"]
    assert "Folie 2 von 7" in texts(at)
    assert "Dokumentenmanagementsystem (DMS)" in texts(at)
    assert at.query_params["folie"] == "2"
    # The settings are for the admin only (the sidebar's login box is the only expander).
    assert "Ablauf festlegen" not in [e.label for e in at.main.expander]


def test_frozen_at_a_moment_shows_figures_as_they_stood(demo, demo_url, monkeypatch):  # noqa: ANN001
    frozen = datetime(2021, 11, 15, 17, 2)
    with begin_write(demo) as conn:
        session.save_agenda(
            conn, session.Agenda([session.OVERVIEW], ["Meldebescheinigung"], frozen)
        )
    at = open_page(new_app(demo_url, monkeypatch).run(), "session.py")
    assert not at.exception
    shown = texts(at)
    assert "Stand: 15.11.2021, 17:02 Uhr" in shown
    assert "Folie 1a von 1" in shown
    # The demo loads each month early in the next: on 15.11.2021 October 2021 was the
    # latest month, with 203 + 47 + 7 + 23 online requests over all services.
    assert "280 von 1.801 Anträgen" in shown
    assert "noch keine vollständigen Antragszahlen" not in shown
    # The measures as they stood then: their November 2021 status.
    at.button(key="slide_next").click().run()
    counts = html_table(at, 0).set_index("Handlungsfeld")
    assert counts.loc["Kommunikation und Veränderungsmanagement", "umgesetzt"] == "1"
    assert html_table(at, 0).attrs["caption"] == "Maßnahmen je Handlungsfeld und Status"


def test_admin_freezes_now_or_at_a_chosen_moment(demo, demo_url, monkeypatch):  # noqa: ANN001
    logins = make_accounts(demo, "FB 3 Bürgerservice, Bürgerbüro")
    at = new_app(demo_url, monkeypatch).run()
    at = log_in(at, logins["admin"].username, logins["admin"].password)
    at = open_page(at, "session.py")
    assert not at.exception
    assert [e.label for e in at.main.expander] == ["Ablauf festlegen", "Anderen Zeitpunkt wählen"]
    assert "Nicht eingefroren" in texts(at)
    at.button(key="freeze_now").click().run()
    assert not at.exception
    with demo.connect() as conn:
        frozen = session.load_agenda(conn).frozen_at
    assert frozen is not None and datetime.now() - frozen < timedelta(minutes=2)
    assert f"Stand: {frozen:%d.%m.%Y, %H:%M} Uhr" in texts(at)
    assert "Eingefroren" in texts(at)
    at.datetime_input(key="freeze_moment").set_value(datetime(2021, 11, 15, 17, 2)).run()
    at.button(key="freeze_at").click().run()
    assert not at.exception
    with demo.connect() as conn:
        assert session.load_agenda(conn).frozen_at == datetime(2021, 11, 15, 17, 2)
    assert "Stand: 15.11.2021, 17:02 Uhr" in texts(at)
    at.button(key="unfreeze").click().run()
    with demo.connect() as conn:
        assert session.load_agenda(conn).frozen_at is None
    # The agenda form keeps the moment it does not show.
    at.button(key="freeze_now").click().run()
    at.button(key="FormSubmitter:agenda-Speichern").click().run()
    assert not at.exception
    with demo.connect() as conn:
        assert session.load_agenda(conn).frozen_at is not None
