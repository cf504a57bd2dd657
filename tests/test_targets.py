"""Targets: saving (admin only, checked against the database), projection and status."""

import pandas as pd
import pytest
from accounts import make_accounts

from db import queries
from db import targets as tg
from db.writes import begin_write, data_version


@pytest.fixture
def accounts(catalog_engine):  # noqa: ANN001, ANN201
    return make_accounts(catalog_engine)


def test_admin_sets_overall_and_service_targets_one_each(catalog_engine, accounts):
    admin = accounts["admin"].account
    with begin_write(catalog_engine) as conn:
        before = data_version(conn)
        tg.save_target(conn, admin, share=0.5, due_month="2025-12")
        first = tg.save_target(
            conn, admin, share=0.4, due_month="2024-12", service="Meldebescheinigung"
        )
        again = tg.save_target(
            conn, admin, share=0.45, due_month="2025-06", service="Meldebescheinigung"
        )
        after = data_version(conn)
    with catalog_engine.connect() as conn:
        df = queries.targets(conn)
    assert first == again  # saving again replaces the service's target
    assert len(df) == 2
    overall = df[df["service"].isna()].iloc[0]
    own = df[df["service"] == "Meldebescheinigung"].iloc[0]
    assert (overall["share"], overall["due_month"]) == (0.5, "2025-12")
    assert (own["share"], own["due_month"], own["created_by"]) == (0.45, "2025-06", "test-admin")
    assert after != before  # cached pages refresh


@pytest.mark.parametrize("role", ["department", "viewer", None])
def test_only_admins_may_set_or_delete_targets(catalog_engine, accounts, role):
    account = accounts[role].account if role else None
    with begin_write(catalog_engine) as conn:
        target_id = tg.save_target(conn, accounts["admin"].account, share=0.5, due_month="2025-12")
    with begin_write(catalog_engine) as conn, pytest.raises(PermissionError):
        tg.save_target(conn, account, share=0.9, due_month="2025-12")
    with begin_write(catalog_engine) as conn, pytest.raises(PermissionError):
        tg.delete_target(conn, account, target_id)
    with catalog_engine.connect() as conn:
        assert list(queries.targets(conn)["share"]) == [0.5]


INVALID = [
    (0.0, "2025-12", None, "größer als 0"),
    (1.2, "2025-12", None, "höchstens 100"),
    (0.5, "2025-13", None, "Zielmonat"),
    (0.5, "Dez 2025", None, "Zielmonat"),
    (0.5, "2025-12", "Gibt es nicht", "gibt es nicht"),
]


def test_invalid_targets_are_refused_in_german(catalog_engine, accounts):
    for share, due, service, message in INVALID:
        with begin_write(catalog_engine) as conn, pytest.raises(tg.TargetError, match=message):
            tg.save_target(
                conn, accounts["admin"].account, share=share, due_month=due, service=service
            )
    with catalog_engine.connect() as conn:
        assert queries.targets(conn).empty


def test_delete_target(catalog_engine, accounts):
    admin = accounts["admin"].account
    with begin_write(catalog_engine) as conn:
        target_id = tg.save_target(conn, admin, share=0.5, due_month="2025-12")
        tg.delete_target(conn, admin, target_id)
        with pytest.raises(tg.TargetError, match="gibt es nicht"):
            tg.delete_target(conn, admin, target_id)
    with catalog_engine.connect() as conn:
        assert queries.targets(conn).empty


def test_projection_of_a_straight_line():
    months = ["2023-01", "2023-02", "2023-03", "2023-04"]
    shares = [0.20, 0.21, 0.22, 0.23]  # one percentage point a month
    p = tg.project(months, shares, 0.30, until="2023-12")
    assert p.slope == pytest.approx(0.01)
    assert p.reach_month == "2023-11"  # 0.23 + 7 x 0.01
    assert p.months == ["2023-04", "2023-11"]
    assert p.shares == pytest.approx([0.23, 0.30])


def test_projection_respects_gaps_and_uses_the_last_twelve_months():
    months = ["2020-01", "2022-01", "2022-03", "2022-05"]  # 2020 is outside a 3-month window
    p = tg.project(months, [0.9, 0.10, 0.12, 0.14], 0.2, window=3)
    assert p.slope == pytest.approx(0.01)
    assert p.reach_month == "2022-11"


def test_projection_without_rise_or_data():
    assert tg.project(["2023-01", "2023-02"], [0.1, 0.2], 0.5) is None  # too few months
    flat = tg.project(["2023-01", "2023-02", "2023-03"], [0.2, 0.2, 0.2], 0.5, until="2025-12")
    assert flat.reach_month is None and not flat.rising
    assert flat.months[-1] == "2025-12"  # drawn to the due month
    far = tg.project(["2023-01", "2023-02", "2023-03"], [0.1, 0.1001, 0.1002], 0.9)
    assert far.reach_month is None  # beyond ten years
    assert far.months[-1] == "2024-03"  # the line is drawn one year ahead


def test_status_traffic_light():
    p = tg.project(["2023-01", "2023-02", "2023-03"], [0.20, 0.21, 0.22], 0.30)
    assert p.reach_month == "2023-11"
    assert tg.status(0.31, 0.30, "2023-06", "2023-03", p).key == "reached"
    assert tg.status(0.22, 0.30, "2023-12", "2023-03", p).key == "on_track"
    assert tg.status(0.22, 0.30, "2023-10", "2023-03", p).key == "late"
    assert tg.status(0.22, 0.30, "2023-03", "2023-03", p).key == "missed"
    flat = tg.project(["2023-01", "2023-02", "2023-03"], [0.2, 0.2, 0.2], 0.3)
    assert tg.status(0.2, 0.30, "2025-12", "2023-03", flat).key == "off_track"
    assert tg.status(None, 0.30, "2025-12", None, None).key == "unknown"
    # Never colour alone: every status has a German word.
    assert {s.label for s in tg.STATUSES.values()} >= {"erreicht", "auf Kurs", "verzögert"}


def test_evaluate_and_describe():
    history = pd.DataFrame(
        {
            "month": ["2023-01", "2023-02", "2023-03", "2023-04"],
            "total": [100, 100, 100, pd.NA],
            "online": [20, 21, 22, 30],
            "online_share": [0.20, 0.21, 0.22, None],  # April incomplete
        }
    )
    ev = tg.evaluate(0.3, "2023-12", history)
    assert (ev.month, ev.current, ev.online, ev.total) == ("2023-03", 0.22, 22, 100)
    assert ev.status.key == "on_track"
    assert (
        ev.text
        == "Ziel 30 % bis Dez. 2023; beim derzeitigen Trend erreicht im Nov. 2023 (Prognose)."
    )
    assert tg.evaluate(0.3, "2023-12", history.iloc[:0]).status.key == "unknown"
