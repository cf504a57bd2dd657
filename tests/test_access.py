"""Roles checked inside the writes: a department head only loads and undoes their own counts."""

import pytest
from accounts import make_accounts
from conftest import write_xlsx
from sqlalchemy import func, select

from db.access import apply_counts_as, require, undo_load_as, visible_loads, writable_departments
from db.models import Load, MonthlyCount, Service
from db.users import create_user, set_active
from db.writes import LoadInfo, begin_write
from ingest import IngestErrors, load_counts, preview_counts, undo

HEADER = ["Leistung", "Monat", "Anträge gesamt", "davon online"]


@pytest.fixture
def accounts(catalog_engine):  # noqa: ANN001, ANN201
    return make_accounts(catalog_engine)


def _own_file(tmp_path, name="eigen.xlsx", total=251):  # noqa: ANN001, ANN202
    rows = [HEADER, ["Meldebescheinigung", "10/2021", total, 47],
            ["Melderegisterauskunft", "10/2021", 70, 7]]  # fmt: skip
    return write_xlsx(tmp_path / name, {"Meldung": rows})


def _mixed_file(tmp_path):  # noqa: ANN001, ANN202
    rows = [HEADER, ["Meldebescheinigung", "10/2021", 260, 50],
            ["Bewohnerparkausweis", "10/2021", 30, 12],
            ["Personenstandsurkunde", "10/2021", 681, 203]]  # fmt: skip
    return write_xlsx(tmp_path / "gemischt.xlsx", {"Meldung": rows})


def _in_tx(engine, fn, *args):  # noqa: ANN001, ANN002, ANN202
    with begin_write(engine) as conn:
        return fn(conn, *args)


def _snapshot(engine):  # noqa: ANN001, ANN202
    with engine.connect() as conn:
        counts = conn.execute(select(MonthlyCount).order_by(*MonthlyCount.__table__.c)).all()
        return counts, conn.scalar(select(func.count()).select_from(Load))


def test_department_loads_own_services(catalog_engine, accounts, tmp_path):
    fb = accounts["department"].account
    with catalog_engine.connect() as conn:
        allowed = writable_departments(conn, fb)
    results = load_counts(catalog_engine, [_own_file(tmp_path)], fb.username,
                          allowed_departments=allowed)  # fmt: skip
    assert results[0].state == "loaded"
    with catalog_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(MonthlyCount)) == 4


def test_foreign_services_refused_and_nothing_written(catalog_engine, accounts, tmp_path):
    fb = accounts["department"].account
    before = _snapshot(catalog_engine)
    with catalog_engine.connect() as conn:
        allowed = writable_departments(conn, fb)
    for call in (
        lambda: preview_counts(catalog_engine, [_mixed_file(tmp_path)],
                               allowed_departments=allowed),
        lambda: load_counts(catalog_engine, [_own_file(tmp_path), _mixed_file(tmp_path)],
                            fb.username, allowed_departments=allowed),
    ):  # fmt: skip
        with pytest.raises(IngestErrors) as exc:
            call()
        report = exc.value.report()
        assert "„Bewohnerparkausweis“ (FB 3 Straßenverkehr)" in report
        assert "„Personenstandsurkunde“ (FB 3 Standesamt)" in report
        assert "Meldebescheinigung" not in report.split("Leistungen anderer")[1]
        assert "„FB 3 Bürgerbüro“" in report
    assert _snapshot(catalog_engine) == before


def test_write_functions_check_the_account_directly(catalog_engine, accounts):
    fb, viewer = accounts["department"].account, accounts["viewer"].account
    with catalog_engine.connect() as conn:
        services = dict(conn.execute(select(Service.name, Service.id)).all())
    own, foreign = services["Meldebescheinigung"], services["Bewohnerparkausweis"]
    info = LoadInfo("direkt", "x", "wird ersetzt", 1)
    before = _snapshot(catalog_engine)
    with pytest.raises(PermissionError, match="Bewohnerparkausweis.*FB 3 Straßenverkehr"):
        _in_tx(
            catalog_engine, apply_counts_as, fb, {(foreign, "2021-10", "online", "report"): 5}, info
        )
    with pytest.raises(PermissionError, match="Rolle Admin oder Fachbereich.*Lesezugriff"):
        _in_tx(
            catalog_engine, apply_counts_as, viewer, {(own, "2021-10", "online", "report"): 5}, info
        )
    with pytest.raises(PermissionError, match="anmelden"):
        _in_tx(
            catalog_engine, apply_counts_as, None, {(own, "2021-10", "online", "report"): 5}, info
        )
    assert _snapshot(catalog_engine) == before
    with begin_write(catalog_engine) as conn:
        result = apply_counts_as(conn, fb, {(own, "2021-10", "online", "report"): 5}, info)
    with catalog_engine.connect() as conn:
        assert conn.scalar(select(Load.loaded_by).where(Load.id == result.load_id)) == "test-fb"


def test_department_cannot_undo_foreign_load(catalog_engine, accounts, tmp_path):
    fb, admin = accounts["department"].account, accounts["admin"].account
    [mixed] = load_counts(catalog_engine, [_mixed_file(tmp_path)], admin.username)
    before = _snapshot(catalog_engine)
    with catalog_engine.connect() as conn:
        allowed = writable_departments(conn, fb)
    with pytest.raises(PermissionError, match="anderer Fachbereiche.*FB 3 Standesamt"):
        undo(catalog_engine, mixed.load_id, fb.username, allowed_departments=allowed)
    with pytest.raises(PermissionError, match="anderer Fachbereiche"):
        _in_tx(catalog_engine, undo_load_as, fb, mixed.load_id)
    assert _snapshot(catalog_engine) == before
    # The admin may; then the department head's own load can be undone by them.
    with begin_write(catalog_engine) as conn:
        assert "rückgängig gemacht" in undo_load_as(conn, admin, mixed.load_id)
    [own] = load_counts(catalog_engine, [_own_file(tmp_path)], fb.username,
                        allowed_departments=allowed)  # fmt: skip
    with begin_write(catalog_engine) as conn:
        undo_load_as(conn, fb, own.load_id)
    with catalog_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(MonthlyCount)) == 0


def test_department_undoes_only_loads_of_accounts_of_its_departments(
    catalog_engine, accounts, tmp_path
):
    """What was seen: a department account was offered, and could run, the undo of a load
    an admin made (of its own department's services only)."""
    fb, admin = accounts["department"].account, accounts["admin"].account
    with begin_write(catalog_engine) as conn:
        colleague = create_user(conn, "fb-kollegin", "geheim-geheim-1", "department",
                                departments=["FB 3 Bürgerbüro"])  # fmt: skip
        stranger = create_user(conn, "fb-strasse", "geheim-geheim-2", "department",
                               departments=["FB 3 Straßenverkehr"])  # fmt: skip
    by_admin = load_counts(catalog_engine, [_own_file(tmp_path, "a.xlsx", 251)], admin.username)
    by_cli = load_counts(catalog_engine, [_own_file(tmp_path, "c.xlsx", 252)], "root")
    by_stranger = load_counts(catalog_engine, [_own_file(tmp_path, "s.xlsx", 253)],
                              stranger.username)  # fmt: skip
    by_colleague = load_counts(catalog_engine, [_own_file(tmp_path, "k.xlsx", 254)],
                               colleague.username)  # fmt: skip
    with catalog_engine.connect() as conn:
        rows = {r.id: r for r in visible_loads(conn, fb)}
    for [result] in (by_admin, by_cli, by_stranger):
        row = rows[result.load_id]
        assert not row.can_undo and "nicht von einem Konto Ihrer Fachbereiche" in row.undo_refused
        before = _snapshot(catalog_engine)
        with pytest.raises(PermissionError, match="nur die Stabsstelle"):
            _in_tx(catalog_engine, undo_load_as, fb, result.load_id)
        assert _snapshot(catalog_engine) == before
    # A colleague's load (same department) may be undone, and so may one's own.
    assert rows[by_colleague[0].load_id].can_undo
    with begin_write(catalog_engine) as conn:
        assert "rückgängig gemacht" in undo_load_as(conn, fb, by_colleague[0].load_id)


def test_disabled_account_loses_rights_at_once(catalog_engine, accounts):
    fb = accounts["department"].account
    with begin_write(catalog_engine) as conn:
        set_active(conn, fb.username, False)
    with catalog_engine.connect() as conn, pytest.raises(PermissionError, match="deaktiviert"):
        require(conn, fb, "admin", "department")


def test_visible_loads_per_role(catalog_engine, accounts, tmp_path):
    fb, admin = accounts["department"].account, accounts["admin"].account
    [mixed] = load_counts(catalog_engine, [_mixed_file(tmp_path)], admin.username)
    standesamt = write_xlsx(
        tmp_path / "sta.xlsx", {"M": [HEADER, ["Personenstandsurkunde", "09/2021", 600, 180]]}
    )
    [other] = load_counts(catalog_engine, [standesamt], admin.username)
    [own] = load_counts(catalog_engine, [_own_file(tmp_path, total=300)], fb.username)
    with catalog_engine.connect() as conn:
        admin_view = {r.id: r for r in visible_loads(conn, admin)}
        fb_view = {r.id: r for r in visible_loads(conn, fb)}
        with pytest.raises(PermissionError):
            visible_loads(conn, accounts["viewer"].account)
    assert {mixed.load_id, other.load_id, own.load_id} <= admin_view.keys()
    assert all(r.can_undo for r in admin_view.values() if r.kind == "counts")
    assert other.load_id not in fb_view  # Standesamt only: not the department's business
    assert fb_view[own.load_id].can_undo
    assert not fb_view[mixed.load_id].can_undo
    assert "FB 3 Standesamt" in fb_view[mixed.load_id].undo_refused
    assert fb_view[mixed.load_id].departments == (
        "FB 3 Bürgerbüro", "FB 3 Standesamt", "FB 3 Straßenverkehr",
    )  # fmt: skip
