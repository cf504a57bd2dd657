"""Dashboard queries against a real SQLite file: the demo data and small crafted cases."""

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from db import figures, get_engine, queries
from db.models import Service, monthly_uptake
from db.writes import LoadInfo, MeasureRow, apply_counts, apply_measures, begin_write, undo_load
from ingest.demo import MEASURES, SERVICES, load_demo


@pytest.fixture(scope="module")
def demo(make_session_db_url):  # noqa: ANN001, ANN201
    """The demo data (SQLite or PostgreSQL, as the session runs), read-only for the module."""
    eng = get_engine(make_session_db_url("queries"))
    load_demo(eng)
    yield eng
    eng.dispose()


def _ids(engine) -> dict[str, int]:  # noqa: ANN001
    with engine.connect() as conn:
        return dict(conn.execute(select(Service.name, Service.id)).all())


def _counts(engine, rows: dict[tuple[str, str, str, str], int], name: str = "t.xlsx") -> int:  # noqa: ANN001
    """Store counts {(service, month, channel, source): value} as one load; its id."""
    ids = _ids(engine)
    records = {(ids[s], m, c, src): v for (s, m, c, src), v in rows.items()}
    with begin_write(engine) as conn:
        return apply_counts(conn, records, LoadInfo(name, name, "test", len(rows))).load_id


def test_uptake_has_the_report_figures_and_their_source(demo):
    with demo.connect() as conn:
        df = queries.uptake(
            conn, ["Personenstandsurkunde", "Meldebescheinigung"], "2021-10", "2021-10"
        )
    got = {r.service: (r.total, r.online, round(r.online_share, 3), r.online_source)
           for r in df.itertuples()}  # fmt: skip
    assert got == {
        "Personenstandsurkunde": (681, 203, 0.298, "report"),
        "Meldebescheinigung": (251, 47, 0.187, "report"),
    }
    assert str(df["total"].dtype) == "Int64"


def test_uptake_filters_months_and_marks_the_portal_only_month(demo):
    with demo.connect() as conn:
        df = queries.uptake(conn, ["Personenstandsurkunde"], "2023-11")
    assert list(df["month"]) == ["2023-11", "2023-12", "2024-01"]
    jan = df[df["month"] == "2024-01"].iloc[0]
    # Only the portal export came in: no total, no share, never a made-up 100 %.
    assert pd.isna(jan["total"]) and pd.isna(jan["online_share"])
    assert jan["online"] > 0 and jan["online_source"] == "portal"


def test_monthly_totals_sum_complete_services_only(demo):
    with demo.connect() as conn:
        totals = queries.monthly_totals(conn)
        dept = queries.monthly_totals(conn, "FB 3 Bürgerservice, Bürgerbüro")
        oct21 = queries.uptake(conn, None, "2021-10", "2021-10")
    assert "2024-01" not in set(totals["month"])  # nothing complete in the portal-only month
    row = totals.set_index("month").loc["2021-10"]
    assert row["total"] == oct21["total"].sum() and row["services"] == len(SERVICES)
    assert row["online_share"] == pytest.approx(oct21["online"].sum() / oct21["total"].sum())
    d = dept.set_index("month").loc["2021-10"]
    assert (d["total"], d["online"], d["services"]) == (251 + 70, 47 + 7, 2)


def test_month_range_and_services(demo):
    with demo.connect() as conn:
        months = queries.month_range(conn)
        catalog = queries.services(conn)
    assert months[0] == "2021-01" and months[-1] == "2024-01" and len(months) == 37
    assert len(catalog) == len(SERVICES)
    row = catalog.set_index("service").loc["Personenstandsurkunde"]
    assert (row["department"], row["online_since"]) == ("FB 3 Bürgerservice, Standesamt", "2021-06")


def test_measures_with_latest_sachstand_history_and_links(demo):
    with demo.connect() as conn:
        measures = queries.measures(conn)
        history = queries.measure_history(conn)
        links = queries.measure_links(conn)
    assert len(measures) == len(MEASURES)
    portal = measures.set_index("measure").loc["Zentrales Serviceportal"]
    assert portal["status"] == "in_progress" and portal["field"] == "Digitaler Bürgerservice"
    assert portal["note"].startswith("Das Serviceportal wird seit dem ersten Tag")
    assert portal["noted_on"] == date(2021, 11, 15)
    own = history[history["measure_id"] == portal["measure_id"]]
    assert list(own["changed_on"]) == [date(2021, 5, 17), date(2021, 11, 15)]
    linked = set(links.loc[links["measure_id"] == portal["measure_id"], "service"])
    assert linked == {"Personenstandsurkunde", "Meldebescheinigung", "Melderegisterauskunft"}
    # Display order: action fields in their order, measures in theirs.
    assert measures["field_position"].is_monotonic_increasing


def test_service_events_are_status_changes_of_linked_measures(demo):
    with demo.connect() as conn:
        events = queries.service_events(conn, ["Personenstandsurkunde"])
        none = queries.service_events(conn, ["Baumfällgenehmigung"])
    assert set(events["measure"]) == {"E-Payment", "Online-Verwaltungsdienstleistungen"}
    assert set(events["changed_on"]) == {date(2021, 11, 15)}
    assert (events["previous_status"] != events["status"]).all()
    assert none.empty  # not online, linked to nothing


def test_coverage_states_and_the_complete_months(demo):
    with demo.connect() as conn:
        cov = queries.coverage(conn, "FB 3 Bürgerservice, Standesamt", "2023-12", "2024-01")
        states = queries.month_states(conn)
        latest = queries.latest_complete_month(conn)
        head = queries.headline(conn)
    complete = {(r.service, r.month): r.complete for r in cov.itertuples()}
    assert complete[("Personenstandsurkunde", "2023-12")] is True
    assert complete[("Personenstandsurkunde", "2024-01")] is False
    # January 2024 has only the portal export of four services: provisional, not complete.
    assert latest == "2023-12" and head.month == "2023-12"
    jan = figures.state_of(states, "2024-01")
    assert (jan.expected, jan.reported, jan.partial, jan.complete) == (12, 0, 4, False)
    assert head.later == [jan]
    assert head.figures.current.services == len(SERVICES)
    assert head.figures.previous.services == len(SERVICES)


def test_department_loads_and_load_log(catalog_engine):
    _counts(catalog_engine, {("Meldebescheinigung", "2023-01", "office", "report"): 10,
                             ("Meldebescheinigung", "2023-01", "online", "report"): 5})  # fmt: skip
    undone = _counts(catalog_engine, {("Personenstandsurkunde", "2023-02", "office", "report"): 3})
    with begin_write(catalog_engine) as conn:
        undo_load(conn, undone, "test")
    with catalog_engine.connect() as conn:
        loads = queries.department_loads(conn).set_index("department")
        log = queries.load_log(conn)
    assert loads.loc["FB 3 Bürgerbüro", "last_month"] == "2023-01"
    assert loads.loc["FB 3 Bürgerbüro", "services"] == 2
    assert loads.loc["FB 3 Standesamt", "last_load"] is None or pd.isna(
        loads.loc["FB 3 Standesamt", "last_load"]
    )  # its only load was undone
    assert list(log["kind"]) == ["counts", "counts", "services"]
    assert list(log["state"])[0] == "undone"


def test_incomplete_month_with_office_only(catalog_engine):
    _counts(catalog_engine, {("Meldebescheinigung", "2023-03", "office", "report"): 12})
    with catalog_engine.connect() as conn:
        df = queries.uptake(conn, ["Meldebescheinigung"])
        cov = queries.coverage(conn)
        totals = queries.monthly_totals(conn)
    assert pd.isna(df.iloc[0]["total"]) and pd.isna(df.iloc[0]["online"])
    assert cov.iloc[0]["complete"] == False  # noqa: E712
    assert totals.empty


def test_grouped_strategy_keeps_group_and_order(catalog_engine):
    rows = [
        MeasureRow("Leitprojekt 5 Mobile Services", "App", "planned",
                   group="Elektronische Bürgerservices"),
        MeasureRow("Leitprojekt 6 Online Services", "Portal", "in_progress",
                   group="Elektronische Bürgerservices"),
        MeasureRow("Leitprojekt 1 Zentrales DMS", "DMS", "done",
                   group="Elektronische Verwaltungsservices"),
    ]  # fmt: skip
    with begin_write(catalog_engine) as conn:
        apply_measures(conn, rows, LoadInfo("m.xlsx", "x", "test", 3), date(2024, 1, 5))
    with catalog_engine.connect() as conn:
        m = queries.measures(conn)
    assert list(m["group"]) == ["Elektronische Bürgerservices"] * 2 + [
        "Elektronische Verwaltungsservices"
    ]
    assert list(m["measure"]) == ["App", "Portal", "DMS"]


def test_empty_database_gives_empty_frames(engine):
    with engine.connect() as conn:
        assert queries.month_range(conn) == []
        assert queries.latest_complete_month(conn) is None and queries.headline(conn) is None
        for frame in (
            queries.services(conn),
            queries.uptake(conn),
            queries.monthly_totals(conn),
            queries.measures(conn),
            queries.measure_history(conn),
            queries.measure_links(conn),
            queries.service_events(conn, ["x"]),
            queries.coverage(conn),
            queries.service_months(conn),
            queries.month_states(conn),
            queries.department_loads(conn),
            queries.load_log(conn),
            queries.targets(conn),
        ):
            assert frame.empty


def _view_rows(conn, names=None, start=None, end=None) -> list[tuple]:  # noqa: ANN001
    v = monthly_uptake.c
    stmt = select(*v).order_by(v.service, v.month)
    if names is not None:
        stmt = stmt.where(v.service.in_(names))
    if start:
        stmt = stmt.where(v.month >= start)
    if end:
        stmt = stmt.where(v.month <= end)
    return [_rounded(r) for r in conn.execute(stmt)]


def _rounded(row) -> tuple:  # noqa: ANN001
    """A row with NaN as None and floats rounded (the two databases' float text differs)."""
    return tuple(
        None if x is None or (isinstance(x, float) and x != x)
        else round(x, 12) if isinstance(x, float) else x
        for x in row
    )  # fmt: skip


def _uptake_rows(df: pd.DataFrame) -> list[tuple]:
    rows = df[queries.UPTAKE_COLUMNS].astype(object).itertuples(index=False)
    return [_rounded(None if pd.isna(x) else x for x in row) for row in rows]


def test_uptake_gives_exactly_the_rows_of_the_view(catalog_engine):
    """uptake() groups before it filters, unlike the view: both must still agree, also for a
    month with 0 requests, a portal-only month and portal and report figures side by side."""
    _counts(catalog_engine, {
        ("Personenstandsurkunde", "2021-10", "office", "report"): 478,
        ("Personenstandsurkunde", "2021-10", "online", "report"): 203,
        ("Personenstandsurkunde", "2021-10", "online", "portal"): 210,
        ("Meldebescheinigung", "2021-10", "office", "report"): 0,
        ("Meldebescheinigung", "2021-10", "online", "report"): 0,
        ("Meldebescheinigung", "2021-11", "online", "portal"): 12,
        ("Melderegisterauskunft", "2021-11", "office", "report"): 63,
    })  # fmt: skip
    with catalog_engine.connect() as conn:
        for names, start, end in [
            (None, None, None),
            (["Meldebescheinigung"], None, None),
            (["Personenstandsurkunde", "Melderegisterauskunft"], "2021-11", None),
            (None, None, "2021-10"),
        ]:
            rows = _uptake_rows(queries.uptake(conn, names, start, end))
            assert rows == _view_rows(conn, names, start, end)
        df = queries.uptake(conn)
    assert len(df) == 4
    urkunde = df[df["service"] == "Personenstandsurkunde"].iloc[0]
    assert (urkunde["total"], urkunde["online"], urkunde["online_source"]) == (688, 210, "portal")
    office_only = df[df["service"] == "Melderegisterauskunft"].iloc[0]
    assert pd.isna(office_only["online"]) and pd.isna(office_only["online_source"])
