"""The example data: the figures of the November 2021 report, three years, five fields."""

import pytest
from conftest import write_xlsx
from sqlalchemy import func, select
from xlsx_helpers import snapshot, uptake

from db import get_engine
from db.models import ActionField, Load, Measure, MeasureUpdate, Service, Setting
from ingest import IngestError, preview_counts
from ingest.demo import FIELDS, MEASURES, PORTAL_ONLY_MONTH, SERVICES, load_demo


@pytest.fixture(scope="module")
def demo_engine(make_session_db_url):  # noqa: ANN001, ANN201
    engine = get_engine(make_session_db_url("demo_ingest"))
    load_demo(engine)
    yield engine
    engine.dispose()


def test_october_2021_figures_of_the_progress_report(demo_engine):
    view = uptake(demo_engine)
    assert view[("Personenstandsurkunde", "2021-10")][:2] == (681, 203)
    assert view[("Meldebescheinigung", "2021-10")][:2] == (251, 47)
    assert view[("Melderegisterauskunft", "2021-10")][:2] == (70, 7)


def test_three_years_for_a_dozen_services_and_an_incomplete_month(demo_engine):
    view = uptake(demo_engine)
    assert len(SERVICES) == 12
    months = {m for _, m in view}
    assert min(months) == "2021-01" and max(months) == PORTAL_ONLY_MONTH
    complete = {(s, m) for (s, m), (total, *_rest) in view.items() if total is not None}
    assert len(complete) == 12 * 36
    incomplete = [(s, v) for (s, m), v in view.items() if m == PORTAL_ONLY_MONTH]
    assert incomplete and all(total is None and online > 0 for _, (total, online, _s) in incomplete)
    for total, online, share in view.values():
        assert total is None or 0 <= online <= total
        assert share is None or 0 <= share <= 1


def test_five_fields_with_measures_and_their_status_history(demo_engine):
    with demo_engine.connect() as conn:
        fields = conn.scalars(select(ActionField.name).order_by(ActionField.position)).all()
        measures = conn.scalar(select(func.count()).select_from(Measure))
        portal = conn.scalar(
            select(Measure.status).where(Measure.name == "Zentrales Serviceportal")
        )
        dates = conn.scalars(select(MeasureUpdate.changed_on).distinct()).all()
        changes = conn.scalar(
            select(func.count())
            .select_from(MeasureUpdate)
            .where(MeasureUpdate.previous_status.is_not(None))
            .where(MeasureUpdate.previous_status != MeasureUpdate.status)
        )
    assert fields == FIELDS and len(fields) == 5
    assert measures == len(MEASURES) == 11
    assert portal == "in_progress"
    assert sorted(d.isoformat() for d in dates) == ["2021-05-17", "2021-11-15"]
    assert changes == sum(early != late for *_, early, late, _s, _n in MEASURES)


def test_clearly_marked_as_example_data(demo_engine):
    with demo_engine.connect() as conn:
        flag = conn.scalar(select(Setting.value).where(Setting.key == "demo"))
        loads = conn.execute(select(Load.loaded_by, Load.file_name)).all()
        services = conn.scalar(select(func.count()).select_from(Service))
    assert flag == "1" and services == 12
    assert {by for by, _ in loads} == {"Beispieldaten"}
    assert all(name.startswith("Beispieldaten") for _, name in loads)


def test_demo_never_mixes_with_existing_data(demo_engine):
    before = snapshot(demo_engine)
    assert "keine Beispieldaten geladen" in load_demo(demo_engine, only_if_empty=True)
    with pytest.raises(IngestError, match="nur in eine leere Datenbank"):
        load_demo(demo_engine)
    assert snapshot(demo_engine) == before


def test_demo_only_into_an_empty_database(catalog_engine, tmp_path):
    # A database with a real load (here: the catalog) gets no example data.
    before = snapshot(catalog_engine)
    assert "keine Beispieldaten" in load_demo(catalog_engine, only_if_empty=True)
    assert snapshot(catalog_engine) == before


def test_demo_catalog_and_counts_match_an_ordinary_file(demo_engine, tmp_path):
    header = ["Leistung", "Monat", "Anträge gesamt", "davon online"]
    path = write_xlsx(
        tmp_path / "m.xlsx", {"Meldung": [header, ["Urkunden", "Okt. 2021", 681, 203]]}
    )
    [preview] = preview_counts(demo_engine, [path])
    assert preview.diff.summary() == "0 neu, 0 geändert, 2 unverändert"
