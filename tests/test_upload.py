"""The upload page in AppTest: preview, confirmation, refusals that write nothing, admin loads."""

import pytest
from accounts import make_accounts
from app_helpers import log_in, new_app, open_page, shown, texts
from conftest import CATALOG, write_csv, write_xlsx
from sqlalchemy import func, select

from dashboard.escape import md
from dashboard.loading import preview_frame, safe_file_name
from db.models import Load, Measure, MonthlyCount, Service
from ingest import preview_counts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Leistung", "Monat", "Anträge gesamt", "davon online"]


@pytest.fixture
def accounts(catalog_engine):  # noqa: ANN001, ANN201
    return make_accounts(catalog_engine)


def _xlsx(tmp_path, name: str, rows: list[list]) -> bytes:  # noqa: ANN001
    return write_xlsx(tmp_path / name, {"Meldung": [HEADER, *rows]}).read_bytes()


def _state(engine):  # noqa: ANN001, ANN202
    with engine.connect() as conn:
        return (
            conn.execute(select(MonthlyCount).order_by(*MonthlyCount.__table__.c)).all(),
            conn.scalar(select(func.count()).select_from(Load)),
        )


def _upload_page(db_url, monkeypatch, login):  # noqa: ANN001, ANN202
    at = log_in(new_app(db_url, monkeypatch).run(), login.username, login.password)
    return open_page(at, "upload.py")


def _load_button(at):  # noqa: ANN001, ANN202
    return next((b for b in at.button if b.label.startswith("Jetzt laden")), None)


def test_department_uploads_with_preview_and_confirmation(
    catalog_engine, db_url, monkeypatch, accounts, tmp_path
):
    first = _xlsx(tmp_path, "okt.xlsx", [["Meldebescheinigung", "10/2021", 251, 47]])
    at = _upload_page(db_url, monkeypatch, accounts["department"])
    at.file_uploader(key="counts_0").set_value([("okt.xlsx", first, XLSX)])
    at.run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame["Änderung"]) == ["neu"]
    # What the department typed, beside what is stored (vor Ort is derived).
    assert list(frame["Laut Datei"]) == ["gesamt 251, davon online 47"]
    assert list(frame["Wird gespeichert"]) == ["vor Ort 204, online 47 (Monatsmeldung)"]
    assert "**okt.xlsx** (Monatsmeldung, Okt. 2021): 1 neu, 0 geändert, 0 unverändert" in texts(at)
    assert _state(catalog_engine)[1] == 1  # only the catalog: nothing loaded before confirming
    _load_button(at).click()
    at.run()
    assert "Gespeichert." in texts(at) and "„okt.xlsx“: Ladevorgang" in texts(at)
    with catalog_engine.connect() as conn:
        assert conn.scalar(select(func.sum(MonthlyCount.value))) == 251
        assert conn.scalar(select(Load.loaded_by).order_by(Load.id.desc())) == "test-fb"
    # A correction shows "changed from -> to" before it is loaded.
    fixed = _xlsx(tmp_path, "okt2.xlsx", [["Meldebescheinigung", "10/2021", 260, 47]])
    at.file_uploader(key="counts_1").set_value([("okt2.xlsx", fixed, XLSX)])
    at.run()
    frame = at.dataframe[0].value
    [changed] = frame.to_dict("records")
    assert changed["Änderung"] == "geändert"
    assert changed["Laut Datei"] == "gesamt 260, davon online 47"
    assert changed["Wird gespeichert"] == "vor Ort 213, online 47 (Monatsmeldung)"
    assert changed["Bisher gespeichert"] == "vor Ort 204, online 47 (Monatsmeldung)"
    assert not _load_button(at).disabled


def test_nothing_to_change_disables_loading_and_unchanged_loads_are_not_undone(
    catalog_engine, db_url, monkeypatch, accounts, tmp_path
):
    from db.access import visible_loads
    from db.users import get_account
    from ingest import load_counts

    rows = [["Meldebescheinigung", "10/2021", 251, 47]]
    path = write_xlsx(tmp_path / "okt.xlsx", {"Meldung": [HEADER, *rows]})
    load_counts(catalog_engine, [path], "test-fb")
    again = load_counts(catalog_engine, [path], "test-fb")[0]
    assert again.state == "unchanged"
    at = _upload_page(db_url, monkeypatch, accounts["department"])
    at.file_uploader(key="counts_0").set_value([("okt.xlsx", path.read_bytes(), XLSX)])
    at.run()
    assert list(at.dataframe[0].value["Änderung"]) == ["unverändert"]
    assert _load_button(at).disabled
    assert "ändern nichts" in texts(at)
    with catalog_engine.connect() as conn:
        loads = visible_loads(conn, get_account(conn, accounts["admin"].account.id))
    by_id = {r.id: r for r in loads}
    assert by_id[again.load_id].state == "unchanged" and not by_id[again.load_id].can_undo
    assert by_id[again.load_id - 1].can_undo


def test_foreign_services_are_refused_and_nothing_is_written(
    catalog_engine, db_url, monkeypatch, accounts, tmp_path
):
    data = _xlsx(tmp_path, "fremd.xlsx", [["Meldebescheinigung", "10/2021", 251, 47],
                                          ["Bewohnerparkausweis", "10/2021", 30, 12]])  # fmt: skip
    before = _state(catalog_engine)
    at = _upload_page(db_url, monkeypatch, accounts["department"])
    at.file_uploader(key="counts_0").set_value([("fremd.xlsx", data, XLSX)])
    at.run()
    assert not at.exception
    errors = shown("\n".join(e.value for e in at.error))
    assert "„fremd.xlsx“ wurde nicht geladen" in errors
    assert "„Bewohnerparkausweis“ (FB 3 Straßenverkehr)" in errors
    assert "Es wurde nichts gespeichert" in texts(at)
    assert _load_button(at) is None
    assert _state(catalog_engine) == before


def test_problems_are_listed_with_sheet_row_and_column(
    catalog_engine, db_url, monkeypatch, accounts, tmp_path
):
    rows = [
        ["Meldebescheinigung", "10/2021", 10, 12],
        ["Melderegisterauskunft", "10/2021", "ca. 50", 7],
    ]
    bad = _xlsx(tmp_path, "fehler.xlsx", rows)
    before = _state(catalog_engine)
    at = _upload_page(db_url, monkeypatch, accounts["admin"])
    at.file_uploader(key="counts_0").set_value(
        [("fehler.xlsx", bad, XLSX), ("kaputt.xlsx", b"kein Excel", XLSX)]
    )
    at.run()
    assert not at.exception
    errors = shown("\n".join(e.value for e in at.error))
    assert "2 Probleme" in errors
    assert "Blatt „Meldung“, Zeile 2, Spalte „davon online“" in errors
    assert "Blatt „Meldung“, Zeile 3, Spalte „Anträge gesamt“" in errors
    assert "„kaputt.xlsx“ wurde nicht geladen" in errors
    assert "Traceback" not in texts(at)
    assert _state(catalog_engine) == before


def test_admin_loads_catalog_and_measures(catalog_engine, db_url, monkeypatch, accounts, tmp_path):
    catalog = write_xlsx(tmp_path / "k.xlsx", {"K": [*CATALOG, ["Hundesteuer", "FB 2", "", "",
                                                                 ""]]}).read_bytes()  # fmt: skip
    measures = write_xlsx(tmp_path / "m.xlsx", {"M": [
        ["Handlungsfeld", "Maßnahme", "Status", "Sachstand", "Leistungen"],
        ["Digitaler Bürgerservice", "Serviceportal", "in Umsetzung", "läuft", "Urkunden"],
    ]}).read_bytes()  # fmt: skip
    at = _upload_page(db_url, monkeypatch, accounts["admin"])
    at.file_uploader(key="services_0").set_value(("k.xlsx", catalog, XLSX))
    at.run()
    at.button(key="services_load").click()
    at.run()
    assert "Leistungskatalog aus „k.xlsx“ geladen" in texts(at)
    at.file_uploader(key="measures_0").set_value(("m.xlsx", measures, XLSX))
    at.run()
    at.button(key="measures_load").click()
    at.run()
    assert "Maßnahmen aus „m.xlsx“ geladen" in texts(at)
    with catalog_engine.connect() as conn:
        assert conn.scalar(select(Service.id).where(Service.name == "Hundesteuer"))
        assert conn.scalar(select(Measure.status)) == "in_progress"


def test_preview_frame_and_file_names(catalog_engine, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"M": [HEADER, ["Meldebescheinigung", "10/2021",
                                                           1234, 47]]})  # fmt: skip
    previews = preview_counts(catalog_engine, [path])
    frame = preview_frame(previews, {sid: "X" for sid in range(1, 10)})
    assert list(frame["Wird gespeichert"]) == ["vor Ort 1.187, online 47 (Monatsmeldung)"]
    assert list(frame["Laut Datei"]) == ["gesamt 1.234, davon online 47"]
    assert set(frame["Monat"]) == {"Okt. 2021"} and set(frame["Bisher gespeichert"]) == {"–"}
    assert safe_file_name("C:\\Users\\x\\..\\meldung.xlsx") == "meldung.xlsx"
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("a\x00b\n.xlsx") == "ab.xlsx"
    assert safe_file_name("") == "upload"


def test_template_tab_offers_the_template(catalog_engine, db_url, monkeypatch, accounts):
    at = _upload_page(db_url, monkeypatch, accounts["department"])
    button = at.get("download_button")[0]
    assert button.label == "Vorlage herunterladen"
    assert not at.exception  # the template's content is tested in test_template.py


def test_large_portal_export_reports_progress(
    catalog_engine, db_url, monkeypatch, accounts, tmp_path
):
    rows = [["Antragsnummer", "Dienstleistung", "Eingangsdatum"]]
    rows += [[f"SP-{i}", "Meldebescheinigung", f"{1 + i % 28:02d}.10.2021 10:00"]
             for i in range(25_000)]  # fmt: skip
    path = write_csv(tmp_path / "export.csv", rows)
    calls = []
    [preview] = preview_counts(catalog_engine, [path], progress=lambda d, t: calls.append((d, t)))
    assert calls and all(0 < done <= total for done, total in calls)
    assert calls[-1][1] >= 25_000
    assert preview.diff.new == {next(iter(preview.diff.new)): 25_000}
    # The same file through the page: the progress bar is gone, the preview is there.
    at = _upload_page(db_url, monkeypatch, accounts["department"])
    at.file_uploader(key="counts_0").set_value([("export.csv", path.read_bytes(), "text/csv")])
    at.run()
    assert not at.exception
    assert "(Serviceportal-Export, Okt. 2021): 1 neu" in texts(at)
    assert list(at.dataframe[0].value["Wird gespeichert"]) == ["online 25.000 (Serviceportal)"]
    assert list(at.dataframe[0].value["Laut Datei"]) == ["Anträge im Portal-Export 25.000"]


def test_other_pages_show_the_new_figures_after_a_load(
    catalog_engine, db_url, monkeypatch, accounts, tmp_path
):
    at = _upload_page(db_url, monkeypatch, accounts["admin"])
    open_page(at, "overview.py")
    assert "noch kein vollständiger Monat" in texts(at)
    data = _xlsx(tmp_path, "okt.xlsx", [["Meldebescheinigung", "10/2021", 251, 47],
                                        ["Melderegisterauskunft", "10/2021", 70, 7]])  # fmt: skip
    open_page(at, "upload.py")
    at.file_uploader(key="counts_0").set_value([("okt.xlsx", data, XLSX)])
    at.run()
    _load_button(at).click()
    at.run()
    open_page(at, "overview.py")
    assert not at.exception
    assert "Letzter vollständiger Monat: **Oktober 2021**" in texts(at)


def test_markup_in_files_is_shown_as_text(catalog_engine, db_url, monkeypatch, accounts, tmp_path):
    hostile = "![x](http://a.de/b.png) [k](http://x) $x$ :red[r]"  # under 50: shown in full
    data = _xlsx(tmp_path, "h.xlsx", [[hostile, "10/2021", 5, 1]])
    at = _upload_page(db_url, monkeypatch, accounts["admin"])
    at.file_uploader(key="counts_0").set_value([("**fett**.xlsx", data, XLSX)])
    at.run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    # The Markdown source escapes every special character; the reader sees the raw text.
    assert "](http" not in error and "**fett**" not in error and ":red[" not in error
    assert hostile in shown(error) and "„**fett**.xlsx“" in shown(error)


def test_md_escapes_markdown_and_streamlit_extras():
    assert md("# a *b* [c](d) $e$ :red[f] <g>") == (r"\# a \*b\* \[c\]\(d\) \$e\$ \:red\[f\] \<g\>")
    assert shown(md("x_y-1.2!")) == "x_y-1.2!"
