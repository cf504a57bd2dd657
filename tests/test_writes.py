"""The database writes: counts with their load log and undo, the catalog, measures, the view."""

from datetime import date

import pytest
from sqlalchemy import func, select, text
from xlsx_helpers import snapshot, stored_counts, uptake

from db.catalog import load_catalog
from db.models import CountChange, Load, Measure, MeasureUpdate, measure_services
from db.writes import (
    LoadInfo,
    MeasureRow,
    ServiceRow,
    UndoError,
    apply_counts,
    apply_measures,
    apply_services,
    begin_write,
    data_version,
    undo_load,
)

P, M = "Personenstandsurkunde", "Meldebescheinigung"


def _ids(engine) -> dict[str, int]:  # noqa: ANN001
    with engine.connect() as conn:
        return {name: sid for sid, name in load_catalog(conn).names.items()}


def _counts(engine, records: dict, name: str = "datei.xlsx", user: str = "Frau Schulz"):  # noqa: ANN001, ANN202
    with begin_write(engine) as conn:
        return apply_counts(conn, records, LoadInfo(name, "c" * 64, user, len(records)))


def _undo(engine, load_id: int) -> str:  # noqa: ANN001
    with begin_write(engine) as conn:
        return undo_load(conn, load_id, "Herr Meier")


def _version(engine) -> str:  # noqa: ANN001
    with engine.connect() as conn:
        return data_version(conn)


def _report(sid: int, month: str, online: int, office: int) -> dict:
    return {(sid, month, "online", "report"): online, (sid, month, "office", "report"): office}


# ---------------------------------------------------------------- counts and the load log


def test_counts_are_stored_and_the_load_logged(catalog_engine):
    ids = _ids(catalog_engine)
    version = _version(catalog_engine)
    result = _counts(catalog_engine, _report(ids[M], "2021-10", 47, 204), user="Frau Schulz")
    assert (result.state, result.summary) == ("loaded", "2 neu, 0 geändert, 0 unverändert")
    assert stored_counts(catalog_engine) == {
        (M, "2021-10", "online", "report"): 47,
        (M, "2021-10", "office", "report"): 204,
    }
    with catalog_engine.connect() as conn:
        load = conn.execute(select(Load).where(Load.id == result.load_id)).one()
        changes = conn.execute(select(CountChange)).all()
    assert (load.kind, load.file_name, load.checksum, load.loaded_by, load.rows, load.state) == (
        "counts", "datei.xlsx", "c" * 64, "Frau Schulz", 2, "loaded",
    )  # fmt: skip
    assert load.loaded_at.date() == date.today()
    assert {(c.channel, c.old_value, c.new_value) for c in changes} == {
        ("online", None, 47), ("office", None, 204),
    }  # fmt: skip
    assert int(_version(catalog_engine)) == int(version) + 1


def test_same_counts_again_change_nothing(catalog_engine):
    ids = _ids(catalog_engine)
    records = _report(ids[M], "2021-10", 47, 204)
    _counts(catalog_engine, records)
    before, version = snapshot(catalog_engine), _version(catalog_engine)
    result = _counts(catalog_engine, records)
    assert (result.state, result.summary) == ("unchanged", "0 neu, 0 geändert, 2 unverändert")
    after = snapshot(catalog_engine)
    assert after["monthly_counts"] == before["monthly_counts"]
    assert after["count_changes"] == before["count_changes"]
    assert len(after["loads"]) == len(before["loads"]) + 1  # logged all the same
    assert _version(catalog_engine) == version


def test_latest_load_wins_and_keeps_what_it_replaced(catalog_engine):
    ids = _ids(catalog_engine)
    first = _counts(catalog_engine, _report(ids[M], "2021-10", 47, 204))
    second = _counts(catalog_engine, {(ids[M], "2021-10", "online", "report"): 50})
    assert second.summary == "0 neu, 1 geändert, 0 unverändert"
    assert stored_counts(catalog_engine)[(M, "2021-10", "online", "report")] == 50
    assert stored_counts(catalog_engine)[(M, "2021-10", "office", "report")] == 204
    with catalog_engine.connect() as conn:
        change = conn.execute(
            select(CountChange).where(CountChange.load_id == second.load_id)
        ).one()
    assert (change.old_value, change.old_load_id, change.new_value) == (47, first.load_id, 50)


def test_undo_restores_replaced_values_and_removes_new_ones(catalog_engine):
    ids = _ids(catalog_engine)
    first = _counts(catalog_engine, _report(ids[M], "2021-10", 47, 204))
    after_first = snapshot(catalog_engine)["monthly_counts"]
    second = _counts(
        catalog_engine,
        {**_report(ids[M], "2021-10", 50, 210), **_report(ids[P], "2021-10", 203, 478)},
        name="korrektur.xlsx",
    )
    message = _undo(catalog_engine, second.load_id)
    assert message == (
        f"Ladevorgang {second.load_id} („korrektur.xlsx“) wurde rückgängig gemacht: 2 Zahlen auf "
        "den vorherigen Stand zurückgesetzt, 2 neu geladene Zahlen entfernt."
    )
    assert snapshot(catalog_engine)["monthly_counts"] == after_first
    with catalog_engine.connect() as conn:
        load = conn.execute(select(Load).where(Load.id == second.load_id)).one()
    assert (load.state, load.undone_by) == ("undone", "Herr Meier") and load.undone_at
    _undo(catalog_engine, first.load_id)
    assert stored_counts(catalog_engine) == {}


def test_undo_refused_while_a_later_load_changed_the_same_counts(catalog_engine):
    ids = _ids(catalog_engine)
    first = _counts(catalog_engine, _report(ids[M], "2021-10", 47, 204))
    second = _counts(catalog_engine, {(ids[M], "2021-10", "online", "report"): 50})
    before = snapshot(catalog_engine)
    with pytest.raises(UndoError) as info:
        _undo(catalog_engine, first.load_id)
    assert str(info.value) == (
        f"Ladevorgang {first.load_id} kann nicht rückgängig gemacht werden: der spätere "
        f"Ladevorgang {second.load_id} hat dieselben Zahlen noch einmal geändert. Bitte zuerst "
        "diesen rückgängig machen."
    )
    assert snapshot(catalog_engine) == before
    _undo(catalog_engine, second.load_id)
    _undo(catalog_engine, first.load_id)  # now it can
    assert stored_counts(catalog_engine) == {}


def test_undo_of_an_unrelated_earlier_load_is_allowed(catalog_engine):
    ids = _ids(catalog_engine)
    first = _counts(catalog_engine, _report(ids[M], "2021-10", 47, 204))
    _counts(catalog_engine, _report(ids[M], "2021-11", 50, 190))
    _undo(catalog_engine, first.load_id)
    assert {k[1] for k in stored_counts(catalog_engine)} == {"2021-11"}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("twice", "Ladevorgang {id} wurde bereits rückgängig gemacht."),
        ("unknown", "Es gibt keinen Ladevorgang Nr. {id}."),
        ("unchanged", "Ladevorgang {id} hat keine Zahlen geändert (die Datei war schon geladen); "
                      "es gibt nichts rückgängig zu machen."),
        ("services", "Ladevorgang {id} hat den Leistungskatalog geladen; rückgängig machen lassen "
                     "sich nur Ladevorgänge mit Antragszahlen. Bitte die korrigierte Datei "
                     "erneut laden."),
    ],
)  # fmt: skip
def test_undo_refusals(catalog_engine, case, expected):
    ids = _ids(catalog_engine)
    first = _counts(catalog_engine, _report(ids[M], "2021-10", 47, 204))
    load_id = {
        "twice": first.load_id,
        "unknown": 999,
        "unchanged": _counts(catalog_engine, _report(ids[M], "2021-10", 47, 204)).load_id,
        "services": 1,  # the catalog fixture's load
    }[case]
    if case == "twice":
        _undo(catalog_engine, load_id)
    before = snapshot(catalog_engine)
    with pytest.raises(UndoError) as info:
        _undo(catalog_engine, load_id)
    assert str(info.value) == expected.format(id=load_id)
    assert snapshot(catalog_engine) == before


# ---------------------------------------------------------------- the monthly_uptake view


def test_view_rows_and_null_rules(catalog_engine):
    ids = _ids(catalog_engine)
    _counts(
        catalog_engine,
        {
            **_report(ids[M], "2021-10", 47, 204),
            **_report(ids[P], "2021-10", 0, 0),  # nothing at all that month
            (ids[P], "2021-11", "online", "portal"): 70,  # only the portal export came in
            (ids[M], "2021-11", "office", "report"): 190,  # only the office count
        },
    )
    assert uptake(catalog_engine) == {
        (M, "2021-10"): (251, 47, pytest.approx(47 / 251)),
        (P, "2021-10"): (0, 0, None),
        (P, "2021-11"): (None, 70, None),
        (M, "2021-11"): (None, None, None),
    }
    with catalog_engine.connect() as conn:
        departments = conn.execute(
            text("SELECT DISTINCT department FROM monthly_uptake WHERE service = :s"), {"s": M}
        ).all()
    assert departments == [("FB 3 Bürgerbüro",)]


def test_view_takes_online_from_the_portal(catalog_engine):
    ids = _ids(catalog_engine)
    _counts(catalog_engine, _report(ids[M], "2021-10", 61, 179))
    assert uptake(catalog_engine)[(M, "2021-10")][:2] == (240, 61)
    _counts(catalog_engine, {(ids[M], "2021-10", "online", "portal"): 70})
    assert uptake(catalog_engine)[(M, "2021-10")] == (249, 70, pytest.approx(70 / 249))


# ---------------------------------------------------------------- catalog


def _services(engine, rows: list[ServiceRow]):  # noqa: ANN001, ANN202
    with begin_write(engine) as conn:
        return apply_services(conn, rows, LoadInfo("katalog.xlsx", "k" * 64, "test", len(rows)))


def _catalog(engine) -> dict[str, tuple]:  # noqa: ANN001
    sql = text(
        "SELECT s.name, d.name, s.leika_id, s.online_since FROM services s "
        "JOIN departments d ON d.id = s.department_id"
    )
    with engine.connect() as conn:
        rows = {n: (d, leika, since) for n, d, leika, since in conn.execute(sql)}
        aliases = conn.execute(
            text(
                "SELECT s.name, a.alias FROM service_aliases a "
                "JOIN services s ON s.id = a.service_id"
            )
        ).all()
    return {n: (*v, sorted(a for s, a in aliases if s == n)) for n, v in rows.items()}


def test_catalog_reload_updates_by_id_or_name_and_never_deletes(catalog_engine):
    ids = _ids(catalog_engine)
    _counts(catalog_engine, _report(ids[M], "2021-10", 47, 204))
    result = _services(catalog_engine, [
        # by id: renamed, new department
        ServiceRow("Personenstandsurkunden", "FB 3 Standesamt neu", "99102013000000",
                   ["Urkunden"], "2021-07"),
        # by name, in another case: new id, the name's spelling of the file
        ServiceRow("MELDEBESCHEINIGUNG", "FB 3 Bürgerbüro", "4711", [], None),
        ServiceRow("Hundesteuer", "FB 2", None, ["Hund"], None),
    ])  # fmt: skip
    assert (result.state, result.summary) == ("loaded", "1 neu, 2 geändert, 0 unverändert")
    catalog = _catalog(catalog_engine)
    assert catalog["Personenstandsurkunden"] == (
        "FB 3 Standesamt neu", "99102013000000", "2021-07", ["Urkunden"],
    )  # fmt: skip
    assert catalog["MELDEBESCHEINIGUNG"] == ("FB 3 Bürgerbüro", "4711", None, [])
    assert catalog["Hundesteuer"] == ("FB 2", None, None, ["Hund"])
    # Services missing from the file stay, and so do counts of renamed ones.
    assert {"Melderegisterauskunft", "Bewohnerparkausweis"} <= catalog.keys()
    assert _ids(catalog_engine)["MELDEBESCHEINIGUNG"] == ids[M]
    assert stored_counts(catalog_engine)[("MELDEBESCHEINIGUNG", "2021-10", "online", "report")]


def test_catalog_reload_without_changes_is_unchanged(catalog_engine):
    rows = [
        ServiceRow("Personenstandsurkunde", "FB 3 Standesamt", "99102013000000",
                   ["Urkunden", "Urkunde", "personenstandsurkunde"], "2021-06"),
    ]  # fmt: skip
    version = _version(catalog_engine)
    result = _services(catalog_engine, rows)
    assert (result.state, result.summary) == ("unchanged", "0 neu, 0 geändert, 1 unverändert")
    assert _version(catalog_engine) == version


def test_catalog_alias_can_move_to_another_service_in_one_load(catalog_engine):
    _services(catalog_engine, [
        ServiceRow("Meldebescheinigung", "FB 3 Bürgerbüro", "99115004000000",
                   ["Urkunde"], "2021-06"),
        ServiceRow("Personenstandsurkunde", "FB 3 Standesamt", "99102013000000",
                   ["Urkunden"], "2021-06"),
    ])  # fmt: skip
    catalog = _catalog(catalog_engine)
    assert catalog[M][3] == ["Urkunde"] and catalog[P][3] == ["Urkunden"]


# ---------------------------------------------------------------- measures


def _measures(engine, rows: list[MeasureRow], on: date | None = None):  # noqa: ANN001, ANN202
    with begin_write(engine) as conn:
        info = LoadInfo("massnahmen.xlsx", "m" * 64, "Stabsstelle", len(rows))
        return apply_measures(conn, rows, info, changed_on=on)


def _history(engine) -> list[tuple]:  # noqa: ANN001
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    Measure.name,
                    MeasureUpdate.changed_on,
                    MeasureUpdate.previous_status,
                    MeasureUpdate.status,
                    MeasureUpdate.note,
                )
                .join(Measure, Measure.id == MeasureUpdate.measure_id)
                .order_by(MeasureUpdate.id)
            )
        ]


def test_measure_status_changes_are_recorded_with_their_date(catalog_engine):
    ids = _ids(catalog_engine)
    may = [
        MeasureRow("Bürgerservice", "Serviceportal", "planned", note="Start", service_ids=[ids[P]]),
        MeasureRow("Bürgerservice", "E-Payment", "preparing"),
    ]
    first = _measures(catalog_engine, may, date(2021, 5, 17))
    assert (first.state, first.summary) == (
        "loaded",
        "2 neu, 0 Statusänderungen, 1 neue Sachstände",
    )
    nov = [
        MeasureRow("bürgerservice", "SERVICEPORTAL", "in_progress", note="Läuft",
                   service_ids=[ids[P], ids[M]]),
        MeasureRow("Bürgerservice", "E-Payment", "preparing"),
    ]  # fmt: skip
    second = _measures(catalog_engine, nov)  # the date of the import: today
    assert second.summary == "0 neu, 1 Statusänderungen, 1 neue Sachstände"
    assert _history(catalog_engine) == [
        ("SERVICEPORTAL", date(2021, 5, 17), None, "planned", "Start"),  # renamed
        ("E-Payment", date(2021, 5, 17), None, "preparing", None),
        ("SERVICEPORTAL", date.today(), "planned", "in_progress", "Läuft"),
    ]
    with catalog_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Measure)) == 2  # matched by name
        linked = set(conn.scalars(select(measure_services.c.service_id)))
    assert linked == {ids[P], ids[M]}
    third = _measures(catalog_engine, nov)
    assert (third.state, third.summary) == (
        "unchanged",
        "0 neu, 0 Statusänderungen, 0 neue Sachstände",
    )
    assert len(_history(catalog_engine)) == 3


def test_measure_changes_without_new_status_are_a_change(catalog_engine):
    _measures(catalog_engine, [MeasureRow("Feld", "DMS", "planned")])
    result = _measures(catalog_engine, [MeasureRow("Feld", "DMS", "planned", end="2024-12")])
    assert result.state == "loaded"
    with catalog_engine.connect() as conn:
        assert conn.scalar(select(Measure.end_month)) == "2024-12"


def test_catalog_departments_match_ignoring_case(catalog_engine):
    ids = _ids(catalog_engine)
    with catalog_engine.connect() as conn:
        dep_before = load_catalog(conn).department_of[ids[M]]
    result = _services(catalog_engine, [
        ServiceRow(M, "FB 3 BÜRGERBÜRO", "99115004000000", ["Meldebescheinigungen"], "2021-06"),
        ServiceRow("Wohngeld", "fb 3 bürgerbüro", None, [], None),
    ])  # fmt: skip
    assert result.summary == "1 neu, 0 geändert, 1 unverändert, 1 Fachbereich umbenannt"
    with catalog_engine.connect() as conn:
        catalog = load_catalog(conn)
    new_id = {n: s for s, n in catalog.names.items()}["Wohngeld"]
    assert catalog.department_of[ids[M]] == dep_before == catalog.department_of[new_id]
    assert catalog.departments[dep_before] == "FB 3 BÜRGERBÜRO"  # the file's first spelling
