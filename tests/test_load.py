"""The ingest library on real files: loading twice, corrections, the portal, undo, refusals."""

import io
from datetime import date, datetime

import msoffcrypto.format.ooxml
import pytest
from conftest import write_csv, write_xlsx
from sqlalchemy import select
from xlsx_helpers import REPORT_HEADER, refused, snapshot, stored_counts, uptake

from db import queries
from db.models import Load, Measure, MeasureUpdate
from db.writes import UndoError
from ingest import (
    IngestError,
    history,
    load_counts,
    load_measures,
    load_services,
    preview_counts,
    undo,
)

P, M, R = "Personenstandsurkunde", "Meldebescheinigung", "Melderegisterauskunft"


def _report(tmp_path, rows, name="meldung.xlsx"):  # noqa: ANN001, ANN202
    return write_xlsx(tmp_path / name, {"Meldung": [REPORT_HEADER, *rows]})


def _portal(tmp_path, rows, name="export.xlsx"):  # noqa: ANN001, ANN202
    header = ["Antragsnummer", "Leistung", "Eingangsdatum", "Status"]
    return write_xlsx(tmp_path / name, {"Export": [header, *rows]})


def _applications(name: str, n: int, day: datetime) -> list[list]:
    return [[f"SP-{i}", name, day, "eingegangen"] for i in range(n)]


def test_loading_the_same_file_twice(catalog_engine, tmp_path):
    path = _report(tmp_path, [[P, "Okt. 2021", 681, 203], [M, "Okt. 2021", 251, 47]])
    [first] = load_counts(catalog_engine, [path], "test")
    counts = stored_counts(catalog_engine)
    [second] = load_counts(catalog_engine, [path], "test")
    assert (first.state, second.state) == ("loaded", "unchanged")
    assert second.summary == "0 neu, 0 geändert, 4 unverändert"
    assert stored_counts(catalog_engine) == counts
    logged = history(catalog_engine)
    assert [(ld.kind, ld.state, ld.rows) for ld in logged[:2]] == [
        ("counts", "unchanged", 2), ("counts", "loaded", 2),
    ]  # fmt: skip
    assert logged[0].checksum == logged[1].checksum and logged[0].file_name == "meldung.xlsx"


def test_correction_latest_wins_other_channels_untouched(catalog_engine, tmp_path):
    load_counts(catalog_engine, [_report(tmp_path, [[M, "Okt. 2021", 251, 47],
                                                    [R, "Okt. 2021", 70, 7]])], "test")  # fmt: skip
    correction = write_xlsx(tmp_path / "korrektur.xlsx", {"Lang": [
        ["Monat", "Leistung", "Kanal", "Anzahl"], ["2021-10", M, "online", 50],
    ]})  # fmt: skip
    [result] = load_counts(catalog_engine, [correction], "test")
    assert result.summary == "0 neu, 1 geändert, 0 unverändert"
    view = uptake(catalog_engine)
    assert view[(M, "2021-10")][:2] == (254, 50)  # office 204 kept
    assert view[(R, "2021-10")][:2] == (70, 7)


def test_portal_is_the_authority_for_online_after_a_report(catalog_engine, tmp_path):
    load_counts(catalog_engine, [_report(tmp_path, [[M, "Okt. 2021", 240, 61]])], "test")
    portal = _portal(tmp_path, _applications(M, 70, datetime(2021, 10, 15, 9, 30)))
    load_counts(catalog_engine, [portal], "test")
    assert uptake(catalog_engine)[(M, "2021-10")] == (249, 70, pytest.approx(70 / 249))
    assert stored_counts(catalog_engine) == {
        (M, "2021-10", "office", "report"): 179,
        (M, "2021-10", "online", "report"): 61,
        (M, "2021-10", "online", "portal"): 70,
    }
    with catalog_engine.connect() as conn:  # what the dashboard says about the source
        sources = queries.uptake(conn, start="2021-10", end="2021-10")
    assert sources.set_index("service")["online_source"].to_dict() == {M: "portal"}


def test_portal_first_then_report(catalog_engine, tmp_path):
    portal = _portal(tmp_path, _applications(M, 70, datetime(2021, 10, 15, 9, 30)))
    load_counts(catalog_engine, [portal], "test")
    assert uptake(catalog_engine)[(M, "2021-10")] == (None, 70, None)  # incomplete month
    load_counts(catalog_engine, [_report(tmp_path, [[M, "Okt. 2021", 240, 61]])], "test")
    assert uptake(catalog_engine)[(M, "2021-10")] == (249, 70, pytest.approx(70 / 249))


def test_a_second_portal_export_replaces_the_first(catalog_engine, tmp_path):
    day = datetime(2021, 10, 15, 9, 30)
    load_counts(catalog_engine, [_portal(tmp_path, _applications(M, 70, day), "a.xlsx")], "t")
    load_counts(catalog_engine, [_portal(tmp_path, _applications(M, 72, day), "b.xlsx")], "t")
    assert stored_counts(catalog_engine)[(M, "2021-10", "online", "portal")] == 72


def test_several_files_in_one_call_are_separate_loads(catalog_engine, tmp_path):
    a = _report(tmp_path, [[M, "Okt. 2021", 251, 47]], "a.xlsx")
    b = write_csv(tmp_path / "b.csv", [REPORT_HEADER, [R, "Okt. 2021", "70", "7"]])
    results = load_counts(catalog_engine, [a, (b.read_bytes(), "upload b.csv")], "test")
    assert [r.state for r in results] == ["loaded", "loaded"]
    assert [ld.file_name for ld in history(catalog_engine)[:2]] == ["upload b.csv", "a.xlsx"]
    assert len(stored_counts(catalog_engine)) == 4


def test_several_files_all_or_nothing(catalog_engine, tmp_path):
    good = _report(tmp_path, [[M, "Okt. 2021", 251, 47]], "gut.xlsx")
    bad = _report(tmp_path, [[R, "Okt. 2021", 70, "ca. 7"]], "schlecht.xlsx")
    [line] = refused(catalog_engine, good, bad)
    assert line.startswith("Blatt „Meldung“, Zeile 2, Spalte „davon online“: „ca. 7“")
    assert stored_counts(catalog_engine) == {}


def _encrypted(tmp_path) -> bytes:  # noqa: ANN001
    plain = _report(tmp_path, [[M, "Okt. 2021", 251, 47]], "plain.xlsx")
    out = io.BytesIO()
    with open(plain, "rb") as fh:
        msoffcrypto.format.ooxml.OOXMLFile(fh).encrypt("geheim", out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "start"),
    [
        (_encrypted, "geschützt.xlsx", "Die Datei ist kennwortgeschützt"),
        (lambda _: b"", "leer.xlsx", "Die Datei ist leer."),
        (lambda p: _report(p, [[M, "Okt. 2021", 1, 1]]).read_bytes()[:900], "kaputt.xlsx",
         "Die Excel-Datei ist beschädigt"),
        (lambda _: b"%PDF-1.4 ...", "meldung.pdf", "Dateityp „.pdf“ wird nicht unterstützt."),
    ],
)  # fmt: skip
def test_unreadable_files_write_nothing(catalog_engine, tmp_path, make, name, start):
    [line] = refused(catalog_engine, (make(tmp_path), name))
    assert line.startswith(start)


def test_preview_shows_changes_without_writing(catalog_engine, tmp_path):
    load_counts(catalog_engine, [_report(tmp_path, [[M, "Okt. 2021", 251, 47]], "a.xlsx")], "t")
    before = snapshot(catalog_engine)
    path = _report(tmp_path, [[M, "Okt. 2021", 251, 50], [R, "Okt. 2021", 70, 7]], "b.xlsx")
    [preview] = preview_counts(catalog_engine, [path])
    assert preview.diff.summary() == "2 neu, 2 geändert, 0 unverändert"
    assert preview.file.layouts == [("Meldung", "Monatsmeldung")]
    assert snapshot(catalog_engine) == before


def test_undo_through_the_library(catalog_engine, tmp_path):
    [first] = load_counts(catalog_engine, [_report(tmp_path, [[M, "Okt. 2021", 251, 47]])], "t")
    [second] = load_counts(
        catalog_engine, [_report(tmp_path, [[M, "Okt. 2021", 260, 50]], "neu.xlsx")], "t"
    )
    with pytest.raises(UndoError, match="der spätere Ladevorgang"):
        undo(catalog_engine, first.load_id, "t")
    assert "wurde rückgängig gemacht" in undo(catalog_engine, second.load_id, "t")
    assert uptake(catalog_engine)[(M, "2021-10")][:2] == (251, 47)
    with pytest.raises(UndoError, match="bereits rückgängig gemacht"):
        undo(catalog_engine, second.load_id, "t")
    assert history(catalog_engine)[0].state == "undone"


def test_progress_is_reported_for_large_files(catalog_engine, tmp_path):
    rows = [["Leistung", "Eingangsdatum"]] + [[M, "15.10.2021 10:00"]] * 45_000
    path = write_csv(tmp_path / "export.csv", rows)
    calls, notes = [], []
    [result] = load_counts(
        catalog_engine, [path], "t", progress=lambda *a: calls.append(a), notify=notes.append
    )
    assert result.state == "loaded"
    assert calls == [(20_000, 45_001), (40_000, 45_001)]
    assert notes == ["Lese „export.csv“ (1,6 MB) …", "Prüfe „export.csv“ (45.001 Zeilen) …"]
    assert stored_counts(catalog_engine) == {(M, "2021-10", "online", "portal"): 45_000}


# ---------------------------------------------------------------- catalog and measures


def test_catalog_load_and_reload(engine, tmp_path):
    header = ["Leistung", "Fachbereich", "Leistungs-ID", "Aliase", "online seit"]
    first = write_xlsx(tmp_path / "k1.xlsx", {"Katalog": [
        header, [P, "FB 3", 99102013000000, "Urkunden", "Juni 2021"], [M, "FB 3", None, "", None],
    ]})  # fmt: skip
    assert load_services(engine, first, "t").summary == "2 neu, 0 geändert, 0 unverändert"
    load_counts(engine, [_report(tmp_path, [["Urkunden", "Okt. 2021", 681, 203]])], "t")
    second = write_xlsx(tmp_path / "k2.xlsx", {"Katalog": [
        header, ["Personenstandsurkunden", "FB 3", "99102013000000", "Urkunden", "Juni 2021"],
    ]})  # fmt: skip
    result = load_services(engine, second, "t")
    assert (result.state, result.summary) == ("loaded", "0 neu, 1 geändert, 0 unverändert")
    assert load_services(engine, second, "t").state == "unchanged"
    counts = stored_counts(engine)
    assert counts[("Personenstandsurkunden", "2021-10", "online", "report")] == 203
    assert {n for n, *_ in counts} == {"Personenstandsurkunden"}
    assert uptake(engine).keys() == {("Personenstandsurkunden", "2021-10")}


def test_catalog_refusal_writes_nothing(catalog_engine, tmp_path):
    path = write_xlsx(tmp_path / "k.xlsx", {"Katalog": [
        ["Leistung", "Fachbereich", "Aliase"], ["Heiratsurkunde", "FB 3", "Urkunde"],
    ]})  # fmt: skip
    before = snapshot(catalog_engine)
    with pytest.raises(IngestError) as info:
        load_services(catalog_engine, path, "t")
    assert "ist schon Name oder Alias der Leistung „Personenstandsurkunde“" in info.value.lines()[0]
    assert snapshot(catalog_engine) == before


MEASURES = ["Handlungsfeld", "Maßnahme", "Status", "Sachstand", "Leistungen"]


def test_measures_file_records_status_changes_with_the_import_date(catalog_engine, tmp_path):
    may = write_xlsx(tmp_path / "mai.xlsx", {"Maßnahmen": [
        MEASURES, ["Bürgerservice", "Serviceportal", "In Vorbereitung", "Start", "Urkunde"],
    ]})  # fmt: skip
    nov = write_xlsx(tmp_path / "nov.xlsx", {"Maßnahmen": [
        MEASURES, ["Bürgerservice", "Serviceportal", "abgeschlossen", "Fertig", "Urkunde"],
    ]})  # fmt: skip
    load_measures(catalog_engine, may, "t", changed_on=date(2021, 5, 17))
    result = load_measures(catalog_engine, nov, "t")
    assert result.summary == "0 neu, 1 Statusänderungen, 1 neue Sachstände"
    with catalog_engine.connect() as conn:
        assert conn.scalar(select(Measure.status)) == "done"
        updates = conn.execute(
            select(MeasureUpdate.changed_on, MeasureUpdate.previous_status, MeasureUpdate.status)
            .order_by(MeasureUpdate.id)
        ).all()  # fmt: skip
        kinds = conn.scalars(select(Load.kind).order_by(Load.id)).all()
    assert [tuple(u) for u in updates] == [
        (date(2021, 5, 17), None, "preparing"), (date.today(), "preparing", "done"),
    ]  # fmt: skip
    assert kinds[-2:] == ["measures", "measures"]


def test_invalid_measure_status_writes_nothing(catalog_engine, tmp_path):
    path = write_xlsx(tmp_path / "m.xlsx", {"Maßnahmen": [
        MEASURES, ["Feld", "A", "geplant", None, None], ["Feld", "B", "erledigt", None, None],
    ]})  # fmt: skip
    before = snapshot(catalog_engine)
    with pytest.raises(IngestError) as info:
        load_measures(catalog_engine, path, "t")
    assert info.value.lines() == [
        "Blatt „Maßnahmen“, Zeile 3, Spalte „Status“: „erledigt“ ist kein gültiger Status. "
        "Erlaubt sind: geplant, in Vorbereitung, in Umsetzung, umgesetzt, zurückgestellt."
    ]
    assert snapshot(catalog_engine) == before


def test_files_of_one_load_must_not_contradict_each_other(catalog_engine, tmp_path):
    first = write_xlsx(tmp_path / "a.xlsx", {"Mai": [
        REPORT_HEADER, ["Meldebescheinigung", "2021-10", 251, 47], ["Urkunde", "2021-10", 9, 1],
    ]})  # fmt: skip
    second = write_xlsx(tmp_path / "b.xlsx", {"Juni": [
        REPORT_HEADER, ["Personenstandsurkunde", "2021-10", 9, 1],  # the same: fine
        ["Meldebescheinigung", "2021-10", 260, 47],
    ]})  # fmt: skip
    lines = refused(catalog_engine, first, second)
    assert lines == [
        "„Meldebescheinigung“ im Okt. 2021 (vor Ort, Meldung): 213 in dieser Datei (Blatt "
        "„Juni“, Zeile 3), aber 204 in „a.xlsx“ (Blatt „Mai“, Zeile 2). Dateien, die zusammen "
        "geladen werden, dürfen sich nicht widersprechen: bitte eine der beiden berichtigen "
        "oder die Dateien einzeln nacheinander laden."
    ]
    # The same two files one after the other: the later one wins, as always.
    load_counts(catalog_engine, [first], "t")
    load_counts(catalog_engine, [second], "t")
    assert (
        stored_counts(catalog_engine)[("Meldebescheinigung", "2021-10", "office", "report")] == 213
    )


def test_identical_repeats_in_two_files_are_fine(catalog_engine, tmp_path):
    rows = [REPORT_HEADER, ["Meldebescheinigung", "2021-10", 251, 47]]
    a = write_xlsx(tmp_path / "a.xlsx", {"M": rows})
    b = write_xlsx(tmp_path / "b.xlsx", {"M": rows})
    results = load_counts(catalog_engine, [a, b], "t")
    assert [r.state for r in results] == ["loaded", "unchanged"]
