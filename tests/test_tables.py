"""Display tables and exports: German formats, notes, grids, and export = what is shown."""

import io
from datetime import date, datetime

import openpyxl
import pandas as pd

from dashboard import tables
from dashboard.export import to_csv_bytes, to_xlsx_bytes
from db import figures
from db.months import months_between

UPTAKE = pd.DataFrame(
    {
        "service": ["Personenstandsurkunde"] * 3 + ["Baumfällgenehmigung"],
        "department": ["FB 3 Standesamt"] * 3 + ["FB 7 Umwelt"],
        "month": ["2021-10", "2021-11", "2024-01", "2021-10"],
        "total": pd.array([681, 1234, None, 12], dtype="Int64"),
        "online": pd.array([203, 400, 70, 3], dtype="Int64"),
        "online_share": [203 / 681, 400 / 1234, None, 0.25],
        "online_source": ["report", "report", "portal", "report"],
    }
)


def test_uptake_table_in_german_with_source_and_notes():
    t = tables.uptake_table(UPTAKE)
    assert list(t.columns) == ["Leistung", "Monat", "Anträge gesamt", "davon online",
                               "Onlinequote", "Quelle online", "Hinweis"]  # fmt: skip
    assert t.iloc[0].tolist() == ["Personenstandsurkunde", "Okt. 2021", "681", "203", "29,8 %",
                                  "Monatsmeldung", ""]  # fmt: skip
    assert t.iloc[1]["Anträge gesamt"] == "1.234"
    portal_only = t.iloc[2]
    assert (portal_only["Anträge gesamt"], portal_only["Onlinequote"]) == ("–", "unvollständig")
    assert portal_only["Quelle online"] == "Serviceportal"
    assert portal_only["Hinweis"] == "nur Online-Zahl gemeldet"
    assert t.iloc[3]["Hinweis"] == "weniger als 20 Anträge"
    assert tables.is_small(UPTAKE).tolist() == [False, False, False, True]


def test_export_has_exactly_the_rows_and_columns_shown_with_numbers():
    shown, export = tables.uptake_table(UPTAKE), tables.uptake_export(UPTAKE)
    assert len(export) == len(shown)
    assert [c.replace(" in %", "") for c in export.columns] == list(shown.columns)
    assert export["Monat"].tolist() == shown["Monat"].tolist()
    assert export.iloc[0]["Anträge gesamt"] == 681 and export.iloc[0]["Onlinequote in %"] == 29.8
    assert pd.isna(export.iloc[2]["Anträge gesamt"])
    month_export = tables.month_export(UPTAKE.iloc[:2])
    assert month_export["davon online"].tolist() == [203, 400]


def test_month_table_keeps_service_and_department():
    t = tables.month_table(UPTAKE.iloc[[0, 3]])
    assert t["Fachbereich"].tolist() == ["FB 3 Standesamt", "FB 7 Umwelt"]
    assert t["Onlinequote"].tolist() == ["29,8 %", "25,0 %"]


def test_status_table_labels_fields_with_their_group():
    measures = pd.DataFrame(
        {
            "measure_id": [1, 2, 3],
            "group": ["Elektronische Bürgerservices", "Elektronische Bürgerservices", None],
            "field": ["Online Services", "Online Services", "DMS"],
            "status": ["in_progress", "done", "planned"],
        }
    )
    counts = tables.labelled_counts(figures.status_counts(measures))
    assert counts["field"].unique().tolist() == [
        "Elektronische Bürgerservices › Online Services", "DMS",
    ]  # fmt: skip
    assert len(counts) == 2 * 5  # every status, also those with no measure
    table = tables.status_table(counts)
    assert table.columns.tolist() == [
        "Handlungsfeld", "geplant", "in Vorbereitung", "in Umsetzung", "umgesetzt",
        "zurückgestellt", "gesamt",
    ]  # fmt: skip
    assert table.iloc[0][["in Umsetzung", "umgesetzt", "gesamt"]].tolist() == [1, 1, 2]


def test_measures_and_history_tables():
    measures = pd.DataFrame(
        {
            "measure_id": [7],
            "group": [None],
            "field": ["Digitaler Bürgerservice"],
            "measure": ["Zentrales Serviceportal"],
            "status": ["in_progress"],
            "responsible": [None],
            "start": ["2021-01"],
            "end": [None],
        }
    )
    links = pd.DataFrame({"measure_id": [7, 7], "service": ["A", "B"]})
    t = tables.measures_table(measures, links)
    assert t.iloc[0].tolist() == ["Digitaler Bürgerservice", "Zentrales Serviceportal",
                                  "in Umsetzung", "–", "Jan. 2021", "–", "A, B"]  # fmt: skip
    history = pd.DataFrame(
        {
            "measure_id": [7, 7],
            "changed_on": [date(2021, 5, 17), date(2021, 11, 15)],
            "previous_status": [None, "preparing"],
            "status": ["preparing", "in_progress"],
            "note": ["vorbereitet", "läuft"],
            "changed_by": ["Beispieldaten"] * 2,
        }
    )
    h = tables.history_table(history)
    assert h["Datum"].tolist() == ["15.11.2021", "17.05.2021"]  # newest first
    assert h["Status"].tolist() == ["in Vorbereitung → in Umsetzung", "in Vorbereitung"]


CATALOG = pd.DataFrame(
    {"service": ["A", "B", "C"], "department": ["FB 1", "FB 1", "FB 2"]}
)  # fmt: skip


def _service_months(rows: list[tuple[str, str, bool]], stops=None) -> pd.DataFrame:  # noqa: ANN001
    coverage = pd.DataFrame(rows, columns=["service", "month", "complete"])
    return figures.service_months(coverage, stops)


def test_coverage_grid_fills_missing_months_and_marks_stopped_services():
    sm = _service_months([("A", "2023-12", True), ("A", "2024-01", False),
                          ("B", "2023-12", True)])  # fmt: skip
    months = months_between("2023-11", "2024-01")
    grid = tables.coverage_grid(sm, CATALOG[CATALOG["department"] == "FB 1"], {}, months)
    states = {(r.service, r.month): r.state for r in grid.itertuples()}
    assert states[("A", "2023-11")] == "fehlt"
    assert states[("A", "2023-12")] == "vollständig"
    assert states[("A", "2024-01")] == "unvollständig"
    assert states[("B", "2024-01")] == "fehlt"
    table = tables.grid_table(grid, "service", "Leistung")
    assert table.columns.tolist() == ["Leistung", "Nov. 2023", "Dez. 2023", "Jan. 2024"]
    assert table.iloc[0].tolist() == ["A", "–", "✓", "½"]
    stopped = tables.coverage_grid(sm, CATALOG, {"B": "2024-01"}, months)
    assert stopped.set_index(["service", "month"]).loc[("B", "2024-01"), "state"] == "entfällt"
    assert tables.grid_table(stopped, "service", "Leistung").iloc[1, -1] == "/"


def test_department_grid_counts_the_expected_services():
    sm = _service_months([("A", "2023-12", True), ("B", "2023-12", True),
                          ("A", "2024-01", True), ("B", "2024-01", False)])  # fmt: skip
    grid = tables.department_grid(sm, CATALOG, {}, ["2023-12", "2024-01"])
    got = {(r.department, r.month): (r.state, r.detail) for r in grid.itertuples()}
    assert got[("FB 1", "2023-12")] == ("vollständig", "2 von 2 vollständig")
    assert got[("FB 1", "2024-01")] == ("unvollständig", "1 von 2 vollständig, 1 unvollständig")
    assert got[("FB 2", "2024-01")][0] == "fehlt"
    # B no longer reported from January on: FB 1 is complete with A alone.
    sm = _service_months([("A", "2023-12", True), ("B", "2023-12", True),
                          ("A", "2024-01", True)], {"B": "2024-01"})  # fmt: skip
    grid = tables.department_grid(sm, CATALOG[CATALOG["service"] != "C"], {"B": "2024-01"},
                                  ["2024-01"])  # fmt: skip
    assert grid.iloc[0][["state", "detail"]].tolist() == ["vollständig", "1 von 1 vollständig"]


def test_months_table_says_what_is_missing():
    sm = _service_months([("A", "2023-12", True), ("B", "2023-12", True),
                          ("A", "2024-01", True), ("B", "2024-01", False)])  # fmt: skip
    states = figures.month_states(sm)
    t = tables.months_table(states, sm, ["2024-01", "2023-12"], "2023-12")
    assert t.values.tolist() == [
        ["Jan. 2024", "vorläufig", "1 von 2 Leistungen", "B"],
        ["Dez. 2023", "vollständig", "2 von 2 Leistungen", "–"],
    ]


def test_load_tables_hide_the_user_unless_signed_in():
    log = pd.DataFrame(
        {
            "id": [2],
            "kind": ["counts"],
            "file_name": ["=cmd.xlsx"],
            "loaded_by": ["m.muster"],
            "loaded_at": [datetime(2024, 2, 3, 9, 5)],
            "rows": [1234],
            "state": ["undone"],
            "summary": ["4 neu"],
        }
    )
    public = tables.load_log_table(log, with_user=False)
    assert "Geladen von" not in public.columns
    assert public.iloc[0][["Geladen am", "Art", "Zeilen", "Stand"]].tolist() == [
        "03.02.2024, 09:05", "Antragszahlen", "1.234", "rückgängig gemacht",
    ]  # fmt: skip
    assert tables.load_log_table(log, with_user=True).iloc[0]["Geladen von"] == "m.muster"
    loads = pd.DataFrame({"department": ["FB 1", "FB 2"], "services": [3, 1],
                          "last_load": [datetime(2024, 2, 3, 9, 5), None],
                          "last_month": ["2024-01", None]})  # fmt: skip
    t = tables.department_loads_table(loads)
    assert t["Zuletzt geladen"].tolist() == ["03.02.2024, 09:05 Uhr", "noch nie"]
    assert t["Neuester Monat"].tolist() == ["Jan. 2024", "–"]


def test_service_markers_in_the_range_sorted_and_numbered():
    events = pd.DataFrame(
        {
            "service": ["A"] * 3,
            "measure": ["E-Payment", "DMS", "Portal"],
            "changed_on": [date(2021, 11, 15), date(2021, 8, 2), date(2020, 3, 1)],
            "previous_status": ["preparing", "planned", "planned"],
            "status": ["in_progress", "preparing", "done"],
        }
    )
    markers = tables.service_markers("2021-06", events, "2021-01", "2021-12")
    assert markers.values.tolist() == [
        [1, "2021-06", "Leistung online verfügbar"],
        [2, "2021-08", "Maßnahme „DMS“: geplant → in Vorbereitung"],
        [3, "2021-11", "Maßnahme „E-Payment“: in Vorbereitung → in Umsetzung"],
    ]  # Portal (2020) is outside the range
    t = tables.markers_table(markers)
    assert t.columns.tolist() == ["Nr.", "Monat", "Ereignis"]
    assert t["Monat"].tolist() == ["Juni 2021", "Aug. 2021", "Nov. 2021"]  # one date format
    assert tables.service_markers("2021-06", events, "2021-07", "2021-10")["nr"].tolist() == [1]
    assert tables.service_markers(None, events.iloc[:0], "2021-01", "2021-12").empty
    # A service without "online seit" (None, or NaN as pandas' string columns give it).
    for missing in (None, float("nan"), ""):
        shown = tables.service_markers(missing, events, "2021-01", "2021-12")
        assert shown["month"].tolist() == ["2021-08", "2021-11"]


def test_exports_write_counts_as_whole_numbers_also_with_an_incomplete_month():
    """What was seen: the CSV wrote '75,0' when a month with one channel was in the range."""
    df = pd.DataFrame({
        "service": ["A", "A"], "department": ["FB"] * 2, "month": ["2023-12", "2024-01"],
        "total": [100.0, float("nan")], "online": [30.0, 75.0], "online_share": [0.3, None],
        "online_source": ["report", "portal"],
    })  # fmt: skip
    for export in (tables.uptake_export(df), tables.month_export(df)):
        csv = to_csv_bytes(export).decode("utf-8-sig").splitlines()
        assert ";100;30;" in csv[1] and ";;75;" in csv[2] and "75,0" not in csv[2]
        sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(export))).active
        cells = [sheet["C2"].value, sheet["D2"].value, sheet["C3"].value, sheet["D3"].value]
        assert cells == [100, 30, None, 75] and {type(v) for v in cells} == {int, type(None)}


def test_html_table_escapes_names_aligns_numbers_greys_small_shares_and_has_a_caption():
    shown = tables.uptake_table(UPTAKE).iloc[[0, 3]]
    shown.loc[shown.index[0], "Leistung"] = "<img src=x> **fett** https://example.org"
    out = tables.html_table(shown, caption="Zahlen <&>", grey=tables.is_small(UPTAKE).iloc[[0, 3]])
    assert "<caption>Zahlen &lt;&amp;&gt;</caption>" in out
    assert (
        '<div class="pq-scroll" role="region" tabindex="0" aria-label="Zahlen &lt;&amp;&gt;">'
        in out
    )
    assert "<img" not in out and "&lt;img src=x&gt; **fett** https://example.org" in out
    assert "<a " not in out  # plain text, nothing for Markdown to turn into a link
    assert '<th scope="col" class="num">Anträge gesamt</th>' in out
    assert '<th scope="col">Leistung</th>' in out
    assert '<th scope="row">&lt;img src=x&gt; **fett** https://example.org</th>' in out
    assert '<td class="num">29,8 %</td>' in out
    assert '<td class="num pq-grey">25,0 %</td>' in out
    assert '<td class="pq-grey">weniger als 20 Anträge</td>' in out
    monthly = tables.html_table(tables.uptake_table(UPTAKE), caption="Je Monat", row_header="Monat")
    assert '<td class="num">1.234</td>' in monthly
    assert (
        '<th scope="row">Okt. 2021</th>' in monthly and "<td>Personenstandsurkunde</td>" in monthly
    )


def test_share_matrix_and_its_export():
    shown = tables.share_matrix(UPTAKE)
    assert shown.columns.tolist() == ["Monat", "Personenstandsurkunde", "Baumfällgenehmigung"]
    assert shown["Monat"].tolist() == ["Okt. 2021", "Nov. 2021", "Jan. 2024"]
    assert shown.iloc[0].tolist() == ["Okt. 2021", "29,8 % (203 von 681)", "25,0 % (3 von 12)"]
    assert shown.iloc[2].tolist() == ["Jan. 2024", "unvollständig", "–"]
    export = tables.share_matrix_export(UPTAKE)
    assert len(export) == len(shown) and export["Monat"].tolist() == shown["Monat"].tolist()
    assert export.iloc[0, 1:].tolist() == [29.8, 25.0]


def test_linked_table_is_narrow():
    t = tables.linked_table(UPTAKE.iloc[[0, 3]])
    assert t.values.tolist() == [
        ["Personenstandsurkunde", "29,8 %", "203 von 681", ""],
        ["Baumfällgenehmigung", "25,0 %", "3 von 12", "weniger als 20 Anträge"],
    ]
    assert tables.linked_table(UPTAKE.iloc[[0]]).columns.tolist() == [
        "Leistung", "Onlinequote", "Basis",
    ]  # fmt: skip
