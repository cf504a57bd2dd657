"""Services marked as no longer reported (db/stops.py, page Datenstand): who may, what changes."""

from datetime import date, datetime

import pytest
from accounts import make_accounts
from app_helpers import html_table, open_with, texts
from db_builders import _counts, _services
from sqlalchemy import update

from db import asof, figures, queries
from db.models import ReportingStop
from db.stops import StopError, clear_stop, set_stop, stops
from db.writes import begin_write, data_version


@pytest.fixture
def two_services(engine):  # noqa: ANN001, ANN201
    """A and B complete in November; in December only A: December is not complete."""
    ids = _services(engine, [("A", "FB 1", None), ("B", "FB 1", None)])
    _counts(engine, ids, {("A", "2023-11"): (10, 5), ("B", "2023-11"): (10, 2),
                          ("A", "2023-12"): (12, 6)})  # fmt: skip
    return engine, make_accounts(engine, "FB 1")


def test_a_mark_makes_the_month_without_the_service_complete(two_services):  # noqa: ANN001
    engine, logins = two_services
    with engine.connect() as conn:
        assert queries.latest_complete_month(conn) == "2023-11"
        version = data_version(conn)
    with begin_write(engine) as conn:
        set_stop(conn, logins["admin"].account, "B", "2023-12")
    with engine.connect() as conn:
        assert stops(conn) == {"B": "2023-12"}
        assert queries.latest_complete_month(conn) == "2023-12"
        assert data_version(conn) != version  # cached figures are recomputed
        head = queries.headline(conn)
    assert head.figures.current == figures.Sums("2023-12", 12, 6, 1)
    assert head.figures.previous.services == 1  # A alone is in both months
    with begin_write(engine) as conn:
        clear_stop(conn, logins["admin"].account, "B")
    with engine.connect() as conn:
        assert queries.latest_complete_month(conn) == "2023-11"


def test_only_the_admin_marks_and_wrong_input_is_refused_in_german(two_services):  # noqa: ANN001
    engine, logins = two_services
    for role in ("department", "viewer"):
        with begin_write(engine) as conn, pytest.raises(PermissionError, match="Rolle Admin"):
            set_stop(conn, logins[role].account, "B", "2023-12")
    admin = logins["admin"].account
    with begin_write(engine) as conn, pytest.raises(StopError, match="gibt es nicht"):
        set_stop(conn, admin, "C", "2023-12")
    with begin_write(engine) as conn, pytest.raises(StopError, match="Monat"):
        set_stop(conn, admin, "B", "Dezember")
    with begin_write(engine) as conn, pytest.raises(StopError, match="keine Markierung"):
        clear_stop(conn, admin, "B")
    with engine.connect() as conn:
        assert stops(conn) == {}


def test_a_mark_counts_at_a_stichtag_from_the_day_it_was_set(two_services):  # noqa: ANN001
    engine, logins = two_services
    with begin_write(engine) as conn:
        set_stop(conn, logins["admin"].account, "B", "2023-12")
        conn.execute(update(ReportingStop).values(set_at=datetime(2024, 3, 10, 12)))
    with engine.connect() as conn:
        before = asof.month_states_as_of(conn, date(2024, 3, 9))
        after = asof.month_states_as_of(conn, date(2024, 3, 10))
    assert figures.latest_complete_month(before) == "2023-11"
    assert figures.latest_complete_month(after) == "2023-12"


def test_admin_marks_on_the_datenstand_page(two_services, db_url, monkeypatch):  # noqa: ANN001
    engine, logins = two_services
    at = open_with(db_url, monkeypatch, "coverage.py", logins["viewer"].account.id)
    assert "Leistung als nicht mehr gemeldet markieren" not in texts(at)  # admins only
    at = open_with(db_url, monkeypatch, "coverage.py", logins["admin"].account.id)
    months = html_table(at, 0).set_index("Monat")
    assert months.loc["Dez. 2023"].tolist() == ["vorläufig", "1 von 2 Leistungen", "B"]
    at.selectbox(key="stop_service").set_value("B")
    at.selectbox(key="stop_month").set_value("2023-12")
    at.button(key="FormSubmitter:stop_set-Markieren").click().run()
    assert not at.exception
    assert "„B“ wird ab Dez. 2023 nicht mehr erwartet." in texts(at)
    months = html_table(at, 0).set_index("Monat")
    assert months.loc["Dez. 2023"].tolist() == ["vollständig", "1 von 1 Leistung", "–"]
    marks = html_table(at, 3)
    assert marks.iloc[0][["Leistung", "nicht mehr gemeldet ab"]].tolist() == ["B", "Dez. 2023"]
    assert marks.iloc[0]["am"] == f"{date.today():%d.%m.%Y}"
