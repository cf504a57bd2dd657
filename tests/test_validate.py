"""Every FORMATS.md layout and tolerance rule, and every refusal with its German message."""

from datetime import date, datetime

import openpyxl
import pytest
from conftest import write_csv, write_xlsx
from xlsx_helpers import REPORT_HEADER, month_from_now, refused

from db.catalog import load_catalog
from db.german import format_month
from ingest import IngestError, load_services
from ingest.read import read_workbook
from ingest.validate import check_counts, check_measures, check_services

P, M = "Personenstandsurkunde", "Meldebescheinigung"
R, B = "Melderegisterauskunft", "Bewohnerparkausweis"
NEXT_MONTH = month_from_now(1)


def checked(engine, path) -> dict[tuple, int]:  # noqa: ANN001
    """The records a count file yields, keyed by service name instead of id."""
    with engine.connect() as conn:
        catalog = load_catalog(conn)
    result = check_counts(read_workbook(path), catalog)
    return {(catalog.names[s], m, ch, src): v for (s, m, ch, src), v in result.records.items()}


def report(name: str, month: str, online: int, office: int) -> dict[tuple, int]:
    return {(name, month, "online", "report"): online, (name, month, "office", "report"): office}


def xlsx(tmp_path, rows, sheet="Meldung", name="meldung.xlsx"):  # noqa: ANN001, ANN201
    return write_xlsx(tmp_path / name, {sheet: rows})


# ---------------------------------------------------------------- layouts


def test_report_with_month_column_below_title_rows(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Monatsmeldung Fachbereich 3"],
        ["Stand: 02.11.2021"],
        [],
        REPORT_HEADER,
        [P, "Okt. 2021", 681, 203],
        [M, "Okt. 2021", 251, 47],
        [R, "Okt. 2021", 70, 7],
    ])  # fmt: skip
    assert checked(catalog_engine, path) == {
        **report(P, "2021-10", 203, 478), **report(M, "2021-10", 47, 204),
        **report(R, "2021-10", 7, 63),
    }  # fmt: skip


def test_report_with_berichtsmonat_cell_and_office_plus_online(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Monatsmeldung Bürgerbüro"],
        ["Berichtsmonat:", "Oktober 2021"],
        [],
        ["Leistung", "vor Ort", "online"],
        [M, 204, 47],
        [R, 63, 7],
    ])  # fmt: skip
    assert checked(catalog_engine, path) == {
        **report(M, "2021-10", 47, 204), **report(R, "2021-10", 7, 63),
    }  # fmt: skip


def test_report_with_all_three_columns(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Leistung", "Monat", "Anträge gesamt", "davon vor Ort", "davon online"],
        [M, "10/2021", 251, 204, 47],
    ])  # fmt: skip
    assert checked(catalog_engine, path) == report(M, "2021-10", 47, 204)


def test_report_with_total_and_office(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [["Leistung", "Monat", "gesamt", "analog"], [M, "2021-10", 251, 204]])
    assert checked(catalog_engine, path) == report(M, "2021-10", 47, 204)


def test_several_sheets_and_non_matching_sheets_ignored(catalog_engine, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Hinweise"
    wb.active.append(["Bitte nur die gelben Felder ausfüllen."])
    wb.active.append(["Leistung", "Bemerkung"])
    for title, month, rows in (
        ("Oktober", "Oktober 2021", [[P, 681, 203], [M, 251, 47]]),
        ("November", "November 2021", [[P, 700, 210]]),
    ):
        ws = wb.create_sheet(title)
        ws.append(["Berichtsmonat", month])
        ws.append(["Leistung", "Anträge gesamt", "davon online"])
        for row in rows:
            ws.append(row)
    wb.create_chartsheet("Diagramm")
    wb.save(tmp_path / "mappe.xlsx")
    result = checked(catalog_engine, tmp_path / "mappe.xlsx")
    assert result == {
        **report(P, "2021-10", 203, 478), **report(M, "2021-10", 47, 204),
        **report(P, "2021-11", 210, 490),
    }  # fmt: skip


def test_long_table_with_every_channel_spelling(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Monat", "Leistung", "Kanal", "Anzahl"],
        ["2021-10", P, "online", 203],
        ["2021-10", P, "VOR ORT", 478],
        ["2021-10", M, "Serviceportal", 47],
        ["2021-10", M, " offline ", 204],
        ["2021-11", M, "ONLINE", 50],
        ["2021-11", M, "Analog", 190],
        ["2021-11", R, "serviceportal", 8],
        ["2021-11", R, "Vor  Ort", 60],
    ], sheet="Lang")  # fmt: skip
    assert checked(catalog_engine, path) == {
        **report(P, "2021-10", 203, 478), **report(M, "2021-10", 47, 204),
        **report(M, "2021-11", 50, 190), **report(R, "2021-11", 8, 60),
    }  # fmt: skip


def test_long_table_alternative_headers_and_month_above(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Zeitraum:", "10.2021"],
        ["Verwaltungsleistung", "Eingangskanal", "Fallzahl"],
        [M, "online", "47"],
    ])  # fmt: skip
    assert checked(catalog_engine, path) == {(M, "2021-10", "online", "report"): 47}


def test_portal_export_counts_applications_per_month(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Serviceportal – Export vom 02.11.2021"],
        ["Antragsnummer", "Dienstleistung", "Eingangsdatum", "Status", "Bezahlt"],
        ["SP-1", P, datetime(2021, 10, 1, 0, 5), "eingegangen", "ja"],
        ["SP-2", P, "15.10.2021 14:03", "in Bearbeitung", "nein"],
        ["SP-3", P, "2021-10-31T23:59:00", "erledigt", None],
        ["SP-4", "Urkunde", date(2021, 11, 2), "eingegangen", "ja"],
        ["SP-5", M, "2021-10-15T14:03:00", "erledigt", "ja"],
        [],
        ["SP-6", "meldebescheinigung", "30.09.2021", None, None],
    ], sheet="Export")  # fmt: skip
    assert checked(catalog_engine, path) == {
        (P, "2021-10", "online", "portal"): 3,
        (P, "2021-11", "online", "portal"): 1,
        (M, "2021-10", "online", "portal"): 1,
        (M, "2021-09", "online", "portal"): 1,
    }


def test_portal_export_as_csv(catalog_engine, tmp_path):
    path = write_csv(tmp_path / "export.csv", [
        ["Antragsnr.", "Leistungsschlüssel", "Leistung", "Antragsdatum"],
        ["1", "99115004000000", "", "15.10.2021 14:03"],
        ["2", "", "Meldebescheinigungen", "16.10.2021 09:00"],
    ])  # fmt: skip
    assert checked(catalog_engine, path) == {(M, "2021-10", "online", "portal"): 2}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_report_in_every_encoding(catalog_engine, tmp_path, encoding):
    path = write_csv(tmp_path / "meldung.csv", [
        ["Monatsmeldung Bürgerbüro"],
        ["Leistung", "Monat", "Anträge gesamt", "über Serviceportal"],
        ["Melderegisterauskünfte", "Okt. 2021", "70", "7"],
        ["Meldebescheinigung", "Okt. 2021", "1.251", " 47 "],
    ], encoding=encoding)  # fmt: skip
    assert checked(catalog_engine, path) == {
        **report(R, "2021-10", 7, 63), **report(M, "2021-10", 47, 1204),
    }  # fmt: skip


def test_xlsm_report(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [REPORT_HEADER, [M, "2021-10", 251, 47]], name="meldung.xlsm")
    assert checked(catalog_engine, path) == report(M, "2021-10", 47, 204)


def test_header_names_in_any_case_spacing_colon_and_line_break(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        [" LEISTUNG: ", "monat", "Anträge\ngesamt", "Davon\r\nOnline :"],
        [M, "2021-10", 251, 47],
    ])  # fmt: skip
    assert checked(catalog_engine, path) == report(M, "2021-10", 47, 204)


def test_blank_rows_and_columns_inside_and_after_the_table(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        [None, None],
        [None, "Leistung", None, "Monat", "Anträge gesamt", None, "davon online"],
        [None, P, None, "2021-10", 681, None, 203],
        [],
        [None, None, None, None, None, None, None],
        [None, M, None, "2021-10", 251, None, 47],
        [],
        [None, "Quelle: Fachverfahren", None, None, None],
        [],
    ])  # fmt: skip
    assert checked(catalog_engine, path) == {
        **report(P, "2021-10", 203, 478), **report(M, "2021-10", 47, 204),
    }  # fmt: skip


def test_every_month_spelling_in_a_month_column(catalog_engine, tmp_path):
    spellings = [
        (datetime(2021, 1, 15), "2021-01"), ("Februar 2021", "2021-02"), ("März 2021", "2021-03"),
        ("Apr. 2021", "2021-04"), ("Mai 2021", "2021-05"), ("Jun 2021", "2021-06"),
        ("07/2021", "2021-07"), ("08.2021", "2021-08"), ("2021-09", "2021-09"),
        ("01.10.2021", "2021-10"), ("2021-11-01", "2021-11"), (date(2021, 12, 31), "2021-12"),
        ("Okt. 2022", "2022-10"), ("Okt 2023", "2023-10"), ("Oktober 2020", "2020-10"),
    ]  # fmt: skip
    rows = [REPORT_HEADER] + [[M, value, 10, 1] for value, _ in spellings]
    result = checked(catalog_engine, xlsx(tmp_path, rows))
    assert {m for (_, m, _, _) in result} == {month for _, month in spellings}


def test_count_spellings(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        REPORT_HEADER,
        [P, "2021-10", 681, 203.0],
        [M, "2021-10", "1.251", " 47 "],
        [R, "2021-10", 70.0, "7"],
        [B, "2021-10", 0, 0],
    ])  # fmt: skip
    assert checked(catalog_engine, path) == {
        **report(P, "2021-10", 203, 478), **report(M, "2021-10", 47, 1204),
        **report(R, "2021-10", 7, 63), **report(B, "2021-10", 0, 0),
    }  # fmt: skip


def test_rows_without_counts_and_sum_rows_are_skipped(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        REPORT_HEADER,
        [P, "2021-10", 681, 203],
        [M, "2021-10", None, None],  # not reported this month
        ["Neue Leistung ohne Zahlen", "2021-10", "", " "],
        ["Summe", "2021-10", 681, 203],
        ["GESAMT", None, 681, 203],
        [" insgesamt ", None, 681, 203],
        ["Gesamtsumme", None, 681, 203],
        ["Summe:", None, 681, 203],
        ["Summe Bürgerbüro", "2021-10", 321, 54],  # the first word makes a total line
        ["gesamt: FB 3", None, 321, 54],
    ])  # fmt: skip
    result = checked(catalog_engine, path)
    assert result == report(P, "2021-10", 203, 478)


def test_a_service_whose_name_only_starts_like_a_total_is_a_service(engine, tmp_path):
    catalog = [["Leistung", "Fachbereich"], ["Gesamtschule Anmeldung", "FB 4"]]
    load_services(engine, write_xlsx(tmp_path / "k.xlsx", {"K": catalog}), "test")
    path = xlsx(tmp_path, [REPORT_HEADER, ["Gesamtschule Anmeldung", "2021-10", 40, 12]])
    assert checked(engine, path) == report("Gesamtschule Anmeldung", "2021-10", 12, 28)


def test_id_and_name_of_two_different_services_are_refused_naming_both(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Leistungs-ID", "Leistung", "Monat", "gesamt", "online"],
        ["99115004000000", R, "2021-10", 70, 7],  # the id is the Meldebescheinigung's
        ["99115004000000", R, "2021-11", 71, 8],
        ["99115004000000", M, "2021-10", 251, 47],  # id and name agree
    ])  # fmt: skip
    [line] = refused(catalog_engine, path)
    assert line == (
        "Blatt „Meldung“, Zeile 2, Spalte „Leistung“: Leistungs-ID und Name bezeichnen "
        "verschiedene Leistungen (auch in Zeile 3): Die Leistungs-ID „99115004000000“ gehört "
        f"zu „{M}“, der Name „{R}“ zu „{R}“. Bitte die Leistungs-ID oder den Namen berichtigen."
    )


def test_services_matched_by_id_name_and_alias(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["LeiKa", "Leistung", "Monat", "gesamt", "online"],
        [99102013000000, "", "2021-01", 10, 1],  # numeric id, no name
        ["99102013000000", "Unbekannter Name", "2021-02", 10, 2],  # the id wins
        [None, "  URKUNDEN ", "2021-03", 10, 3],  # alias, case and spaces
        [None, "personenstandsurkunde", "2021-04", 10, 4],
        [None, 99102013000000, "2021-05", 10, 5],  # an id in the service column
    ])  # fmt: skip
    assert checked(catalog_engine, path) == {
        **report(P, "2021-01", 1, 9), **report(P, "2021-02", 2, 8), **report(P, "2021-03", 3, 7),
        **report(P, "2021-04", 4, 6), **report(P, "2021-05", 5, 5),
    }  # fmt: skip


def test_repeated_spaces_inside_names_are_ignored(engine, tmp_path):
    catalog = [
        ["Leistung", "Fachbereich", "Aliase"],
        ["Anmeldung der Eheschließung", "Standesamt", "Ehe anmelden"],
    ]
    load_services(engine, xlsx(tmp_path, catalog, name="katalog.xlsx"), "test")
    path = xlsx(tmp_path, [
        REPORT_HEADER,
        ["anmeldung   DER  eheschließung", "2021-10", 55, 20],
        [" Ehe    Anmelden", "2021-11", 50, 19],
    ])  # fmt: skip
    assert checked(engine, path) == {
        **report("Anmeldung der Eheschließung", "2021-10", 20, 35),
        **report("Anmeldung der Eheschließung", "2021-11", 19, 31),
    }  # fmt: skip


# ---------------------------------------------------------------- refusals


def test_no_header_row_in_any_sheet(catalog_engine, tmp_path):
    path = write_xlsx(tmp_path / "falsch.xlsx", {
        "Tabelle1": [["Name", "Zahl"], [P, 681]],
        "Notizen": [["Leistung", "Bemerkung"]],
    })  # fmt: skip
    [line] = refused(catalog_engine, path)
    assert line.startswith(
        "Keine Kopfzeile gefunden: in keinem Blatt („Tabelle1“, „Notizen“) steht eine Zeile mit "
        "der Spalte „Leistung“ (oder „Dienstleistung“) und entweder „Anträge gesamt“ und "
        "„davon online“ (Monatsmeldung), „Monat“, „Kanal“ und „Anzahl“ (Langformat) oder "
        "„Eingangsdatum“ (Serviceportal-Export)."
    )


def test_no_header_row_in_a_csv_file(catalog_engine, tmp_path):
    path = write_csv(tmp_path / "falsch.csv", [["Name", "Zahl"], [P, "681"]])
    [line] = refused(catalog_engine, path)
    assert line.startswith("Keine Kopfzeile gefunden: in der Datei steht eine Zeile mit")


def test_future_month_in_the_month_column(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [REPORT_HEADER, [M, NEXT_MONTH, 10, 1]])
    assert refused(catalog_engine, path) == [
        f"Blatt „Meldung“, Zeile 2, Spalte „Monat“: {format_month(NEXT_MONTH)} liegt in der "
        "Zukunft. Bitte den Monat prüfen."
    ]


def test_future_month_above_the_header(catalog_engine, tmp_path):
    y, m = NEXT_MONTH.split("-")
    path = xlsx(tmp_path, [["Berichtsmonat:", f"{m}/{y}"], ["Leistung", "gesamt", "online"],
                           [M, 10, 1]])  # fmt: skip
    assert refused(catalog_engine, path) == [
        f"Blatt „Meldung“, Zeile 1: {format_month(NEXT_MONTH)} liegt in der Zukunft. Bitte den "
        "Monat prüfen."
    ]


def test_future_month_above_a_long_table(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [["Monat", NEXT_MONTH], ["Leistung", "Kanal", "Anzahl"],
                           [M, "online", 1]])  # fmt: skip
    assert refused(catalog_engine, path) == [
        f"Blatt „Meldung“, Zeile 1: {format_month(NEXT_MONTH)} liegt in der Zukunft. Bitte den "
        "Monat prüfen."
    ]


def test_future_or_missing_application_dates(catalog_engine, tmp_path):
    y, m = NEXT_MONTH.split("-")
    path = xlsx(tmp_path, [
        ["Leistung", "Eingangsdatum"],
        [M, datetime(int(y), int(m), 2, 10, 0)],
        [M, f"03.{m}.{y} 10:00"],
        [M, datetime(1985, 5, 2)],
        [None, "15.10.2021"],
        [M, None],
    ], sheet="Export")  # fmt: skip
    assert refused(catalog_engine, path) == [
        f"Blatt „Export“, Zeile 2, Spalte „Eingangsdatum“: Das Eingangsdatum 02.{m}.{y} liegt "
        "in der Zukunft. Bitte das Datum prüfen.",
        f"Blatt „Export“, Zeile 3, Spalte „Eingangsdatum“: {format_month(NEXT_MONTH)} liegt in "
        "der Zukunft. Bitte den Monat prüfen.",
        "Blatt „Export“, Zeile 4, Spalte „Eingangsdatum“: Das Eingangsdatum 02.05.1985 ist zu "
        "alt. Bitte das Datum prüfen.",
        "Blatt „Export“, Zeile 5, Spalte „Leistung“: Die Zeile hat ein Eingangsdatum, aber keine "
        "Leistung. Bitte die Leistung eintragen oder die Zeile löschen.",
        "Blatt „Export“, Zeile 6, Spalte „Eingangsdatum“: Das Eingangsdatum fehlt. Bitte das "
        "Datum eintragen oder die Zeile löschen.",
    ]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("ca. 50", "„ca. 50“ ist keine ganze Zahl"),
        ("-3", "„-3“ ist negativ; Anzahlen können nicht kleiner als 0 sein"),
        (-3, "-3 ist negativ; Anzahlen können nicht kleiner als 0 sein"),
        ("12,5", "„12,5“ ist keine ganze Zahl"),
        (12.5, "12,5 ist keine ganze Zahl"),
        ("203.0", "„203.0“ ist keine ganze Zahl"),
    ],
)
def test_invalid_counts(catalog_engine, tmp_path, cell, reason):
    path = xlsx(tmp_path, [["Titel"], REPORT_HEADER, [M, "2021-10", 251, cell]])
    assert refused(catalog_engine, path) == [
        f"Blatt „Meldung“, Zeile 3, Spalte „davon online“: {reason}. Bitte eine ganze Zahl ab 0 "
        "eintragen."
    ]


def test_some_counts_with_an_empty_count_cell(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [REPORT_HEADER, [M, "2021-10", 251, None], [R, "2021-10", " ", 7]])
    assert refused(catalog_engine, path) == [
        "Blatt „Meldung“, Zeile 2, Spalte „davon online“: Die Anzahl fehlt. Bitte eine Zahl "
        "eintragen (0, wenn es keine Anträge gab).",
        "Blatt „Meldung“, Zeile 3, Spalte „Anträge gesamt“: Die Anzahl fehlt. Bitte eine Zahl "
        "eintragen (0, wenn es keine Anträge gab).",
    ]


def test_duplicate_rows_name_both_rows(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        REPORT_HEADER,
        [M, "2021-10", 251, 47],
        [P, "2021-10", 681, 203],
        ["Meldebescheinigungen", "01.10.2021", 251, 47],
    ])  # fmt: skip
    assert refused(catalog_engine, path) == [
        "Blatt „Meldung“, Zeile 4: „Meldebescheinigung“ im Okt. 2021 steht doppelt: in Zeile 2 "
        "und in Zeile 4. Bitte eine der beiden Zeilen löschen."
    ]


def test_duplicate_rows_in_a_long_table_and_across_sheets(catalog_engine, tmp_path):
    path = write_xlsx(tmp_path / "lang.xlsx", {
        "Lang": [["Monat", "Leistung", "Kanal", "Anzahl"],
                 ["2021-10", M, "online", 47], ["2021-10", M, "Serviceportal", 47]],
        "Meldung": [REPORT_HEADER, [M, "2021-10", 251, 47]],
    })  # fmt: skip
    assert refused(catalog_engine, path) == [
        "Blatt „Lang“, Zeile 3: „Meldebescheinigung“ im Okt. 2021 (online) steht doppelt: in "
        "Zeile 2 und in Zeile 3. Bitte eine der beiden Zeilen löschen.",
        "Blatt „Meldung“, Zeile 2: „Meldebescheinigung“ im Okt. 2021 steht doppelt: in Blatt "
        "„Lang“, Zeile 2 und in Blatt „Meldung“, Zeile 2. Bitte eine der beiden Zeilen löschen.",
    ]


def test_unknown_service_with_a_close_suggestion(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        REPORT_HEADER,
        ["Meldebeschinigung", "2021-10", 251, 47],
        ["Hundesteuer", "2021-10", 45, 20],
        ["Meldebeschinigung", "2021-11", 251, 47],
    ])  # fmt: skip
    assert refused(catalog_engine, path) == [
        "Blatt „Meldung“, Zeile 2, Spalte „Leistung“: Die Leistung „Meldebeschinigung“ (auch in "
        "Zeile 4) steht nicht im Leistungskatalog. Meinten Sie „Meldebescheinigung“? Bitte den "
        "Namen aus dem Leistungskatalog verwenden oder die Leistung dort ergänzen.",
        "Blatt „Meldung“, Zeile 3, Spalte „Leistung“: Die Leistung „Hundesteuer“ steht nicht im "
        "Leistungskatalog. Bitte den Namen aus dem Leistungskatalog verwenden oder die Leistung "
        "dort ergänzen.",
    ]


def test_online_more_than_total_matches_formats_example(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [["Leistung", "Monat", "gesamt", "online"], [M, "2021-10", 251, 47],
                           [R, "2021-10", 10, 12]])  # fmt: skip
    assert refused(catalog_engine, path) == [
        "Blatt „Meldung“, Zeile 3, Spalte „online“: 12 Online-Anträge sind mehr als 10 Anträge "
        "insgesamt."
    ]


def test_office_and_online_must_add_up_to_total(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Leistung", "Monat", "gesamt", "vor Ort", "online"],
        [M, "2021-10", 251, 200, 47],
        [R, "2021-10", 1200, 1300, None],
    ])  # fmt: skip
    lines = refused(catalog_engine, path)
    assert lines[0] == (
        "Blatt „Meldung“, Zeile 2, Spalte „gesamt“: 200 Anträge vor Ort und 47 online ergeben "
        "zusammen 247, nicht 251 Anträge insgesamt. Bitte die Zahlen prüfen."
    )
    assert lines[1].startswith("Blatt „Meldung“, Zeile 3, Spalte „online“: Die Anzahl fehlt.")


def test_office_more_than_total(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [["Leistung", "Monat", "gesamt", "vor Ort"], [R, "2021-10", 1200, 1300]])
    assert refused(catalog_engine, path) == [
        "Blatt „Meldung“, Zeile 2, Spalte „vor Ort“: 1.300 Anträge vor Ort sind mehr als 1.200 "
        "Anträge insgesamt."
    ]


def test_unknown_or_missing_channel(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Monat", "Leistung", "Kanal", "Anzahl"],
        ["2021-10", M, "Telefon", 12],
        ["2021-10", M, None, 3],
    ], sheet="Lang")  # fmt: skip
    allowed = "Erlaubt sind „online“, „Serviceportal“, „vor Ort“, „offline“ und „analog“."
    assert refused(catalog_engine, path) == [
        f"Blatt „Lang“, Zeile 2, Spalte „Kanal“: Der Kanal „Telefon“ ist unbekannt. {allowed}",
        f"Blatt „Lang“, Zeile 3, Spalte „Kanal“: Der Kanal fehlt. {allowed}",
    ]


def test_missing_or_invalid_month_and_missing_service(catalog_engine, tmp_path):
    hint = "Bitte den Monat z. B. als „Okt. 2021“ oder „10/2021“ angeben."
    path = xlsx(tmp_path, [
        REPORT_HEADER,
        [M, None, 251, 47],
        [M, "Herbst 2021", 251, 47],
        [None, "2021-10", 251, 47],
    ])  # fmt: skip
    assert refused(catalog_engine, path) == [
        f"Blatt „Meldung“, Zeile 2, Spalte „Monat“: Der Monat fehlt. {hint}",
        f"Blatt „Meldung“, Zeile 3, Spalte „Monat“: „Herbst 2021“ ist kein Monat. {hint}",
        "Blatt „Meldung“, Zeile 4, Spalte „Leistung“: Die Zeile enthält Anzahlen, aber keine "
        "Leistung. Bitte die Leistung eintragen oder die Zeile löschen.",
    ]


def test_sheet_without_month_column_or_berichtsmonat(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [["Leistung", "gesamt", "online"], [M, 251, 47]])
    [line] = refused(catalog_engine, path)
    assert line.startswith("Blatt „Meldung“, Zeile 1: Kein Berichtsmonat gefunden:")


def test_csv_problems_name_the_file_where_the_sheet_would_stand(catalog_engine, tmp_path):
    path = write_csv(tmp_path / "meldung.csv", [REPORT_HEADER, [M, "2021-10", "10", "12"]])
    assert refused(catalog_engine, path) == [
        "Datei „meldung.csv“, Zeile 2, Spalte „davon online“: 12 Online-Anträge sind mehr als "
        "10 Anträge insgesamt."
    ]


def test_all_problems_are_listed_not_only_the_first(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        REPORT_HEADER,
        [M, "2021-10", "ca. 50", 47],
        [R, NEXT_MONTH, 70, 7],
        ["Urkunde", "2021-10", 10, 12],
        ["Hundesteuer", "2021-10", 45, 20],
        [M, "2021-11", -3, 0],
    ])  # fmt: skip
    lines = refused(catalog_engine, path)
    assert [line.split(":")[0] for line in lines] == [
        "Blatt „Meldung“, Zeile 2, Spalte „Anträge gesamt“",
        "Blatt „Meldung“, Zeile 3, Spalte „Monat“",
        "Blatt „Meldung“, Zeile 4, Spalte „davon online“",
        "Blatt „Meldung“, Zeile 6, Spalte „Anträge gesamt“",
        "Blatt „Meldung“, Zeile 5, Spalte „Leistung“",  # unknown services come last
    ]


def test_problems_of_every_file_are_listed(catalog_engine, tmp_path):
    good = xlsx(tmp_path, [REPORT_HEADER, [M, "2021-10", 251, 47]], name="gut.xlsx")
    bad = xlsx(tmp_path, [REPORT_HEADER, [M, "2021-10", 10, 12]], name="schlecht.xlsx")
    empty = tmp_path / "leer.csv"
    empty.write_bytes(b"")
    lines = refused(catalog_engine, good, bad, empty)
    assert lines == [
        "Blatt „Meldung“, Zeile 2, Spalte „davon online“: 12 Online-Anträge sind mehr als 10 "
        "Anträge insgesamt.",
        "Die Datei ist leer.",
    ]


def test_empty_catalog(engine, tmp_path):
    path = xlsx(tmp_path, [REPORT_HEADER, [M, "2021-10", 251, 47]])
    assert refused(engine, path) == [
        "Blatt „Meldung“: Der Leistungskatalog ist leer. Bitte zuerst den Leistungskatalog laden."
    ]


def test_header_without_counts(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [REPORT_HEADER, [M, "2021-10", None, None]])
    assert refused(catalog_engine, path) == [
        "Die Datei enthält keine Anzahlen. Bitte prüfen, ob die richtige Datei gewählt wurde."
    ]


def test_problem_list_is_capped(catalog_engine, tmp_path):
    rows = [REPORT_HEADER] + [[M, f"{m:02d}/2021", "x", 1] for m in range(1, 13)] * 30
    lines = refused(catalog_engine, xlsx(tmp_path, rows))
    assert len(lines) == 201 and lines[-1] == "… und 160 weitere Probleme."


# ---------------------------------------------------------------- catalog


def test_catalog_rows_below_title_with_aliases_online_since_and_numeric_ids(tmp_path):
    path = xlsx(tmp_path, [
        ["Leistungskatalog der Stadt"],
        [],
        ["LeiKa-Schlüssel", "Verwaltungsleistung", "Amt", "Aliase", "Online seit:"],
        [99102013000000, "Personenstandsurkunde", "FB 3", "Urkunden; Urkunde ;", "Juni 2021"],
        ["99115004000000", " Melde bescheinigung ", "FB 3", None, datetime(2021, 6, 1)],
        [None, "Baumfällgenehmigung", "FB 7", "", None],
    ], sheet="Katalog")  # fmt: skip
    rows = check_services(read_workbook(path))
    assert [(r.name, r.department, r.leika_id, r.aliases, r.online_since) for r in rows] == [
        ("Personenstandsurkunde", "FB 3", "99102013000000", ["Urkunden", "Urkunde"], "2021-06"),
        ("Melde bescheinigung", "FB 3", "99115004000000", [], "2021-06"),
        ("Baumfällgenehmigung", "FB 7", None, [], None),
    ]


def test_catalog_refusals(engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Leistung", "Fachbereich", "Leistungs-ID", "Aliase", "online seit"],
        ["Urkunde", None, None, None, None],
        ["Meldebescheinigung", "FB 3", "1", "Urkunde", None],
        ["meldebescheinigung", "FB 3", "2", None, None],
        ["Melderegisterauskunft", "FB 3", "1", None, NEXT_MONTH],
        [None, "FB 3", "3", None, None],
    ], sheet="Katalog")  # fmt: skip
    with pytest.raises(IngestError) as info:
        check_services(read_workbook(path))
    assert info.value.lines() == [
        "Blatt „Katalog“, Zeile 2, Spalte „Fachbereich“: Für „Urkunde“ fehlt der Fachbereich.",
        "Blatt „Katalog“, Zeile 4, Spalte „Leistung“: Die Leistung „meldebescheinigung“ steht "
        "doppelt (auch in Zeile 3).",
        f"Blatt „Katalog“, Zeile 5, Spalte „online seit“: {format_month(NEXT_MONTH)} liegt in "
        "der Zukunft. Bitte den Monat prüfen.",
        "Blatt „Katalog“, Zeile 5, Spalte „Leistungs-ID“: Die Leistungs-ID „1“ steht doppelt "
        "(auch in Zeile 3).",
        "Blatt „Katalog“, Zeile 6, Spalte „Leistung“: Der Name der Leistung fehlt.",
    ]


def test_catalog_alias_may_belong_to_one_service_only(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Leistung", "Fachbereich", "Aliase"],
        ["Heiratsurkunde", "FB 3", "Meldebescheinigungen"],  # stored alias of another service
        ["Sterbeurkunde", "FB 3", "Urkunde;Heiratsurkunde"],  # stored alias; name in file
    ], sheet="Katalog")  # fmt: skip
    before = load_catalog(catalog_engine.connect())
    with pytest.raises(IngestError) as info:
        check_services(read_workbook(path), before)
    assert info.value.lines() == [
        "Blatt „Katalog“, Zeile 2, Spalte „Aliase“: Der Alias von „Heiratsurkunde“ "
        "„Meldebescheinigungen“ ist schon Name oder Alias der Leistung „Meldebescheinigung“. "
        "Ein Name darf nur zu einer Leistung gehören.",
        "Blatt „Katalog“, Zeile 3, Spalte „Aliase“: Der Alias von „Sterbeurkunde“ „Urkunde“ "
        "ist schon Name oder Alias der Leistung „Personenstandsurkunde“. Ein Name darf nur zu "
        "einer Leistung gehören.",
        "Blatt „Katalog“, Zeile 3, Spalte „Aliase“: Der Alias von „Sterbeurkunde“ "
        "„Heiratsurkunde“ ist schon Name oder Alias der Leistung „Heiratsurkunde“. Ein Name "
        "darf nur zu einer Leistung gehören.",
    ]


def test_catalog_id_of_one_service_with_the_name_of_another(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        ["Leistung", "Fachbereich", "Leistungs-ID"],
        ["Meldebescheinigung", "FB 3", "99102013000000"],  # the id of Personenstandsurkunde
    ], sheet="Katalog")  # fmt: skip
    with pytest.raises(IngestError) as info:
        check_services(read_workbook(path), load_catalog(catalog_engine.connect()))
    assert info.value.lines() == [
        "Blatt „Katalog“, Zeile 2, Spalte „Leistung“: Die Leistungs-ID „99102013000000“ gehört "
        "zur Leistung „Personenstandsurkunde“, der Name „Meldebescheinigung“ aber zu einer "
        "anderen. Bitte Name und Leistungs-ID prüfen."
    ]


# ---------------------------------------------------------------- measures

MEASURE_HEADER = ["Handlungsfeld", "Maßnahme", "Status", "Verantwortlich", "Beginn", "Ende",
                  "Sachstand", "Leistungen"]  # fmt: skip


def _measures(engine, path):  # noqa: ANN001, ANN202
    with engine.connect() as conn:
        return check_measures(read_workbook(path), load_catalog(conn))


def test_measures_with_statuses_in_any_case_and_linked_services(catalog_engine, tmp_path):
    far = month_from_now(24)
    path = xlsx(tmp_path, [
        ["Umsetzungsstand der Digitalisierungsstrategie"],
        MEASURE_HEADER,
        ["Digitaler Bürgerservice", "Serviceportal", "IN UMSETZUNG", "Stabsstelle", "01/2021",
         "12/2022", "Läuft.\nZweiter Absatz.", "Urkunde; meldebescheinigung"],
        ["Digitaler Bürgerservice", "E-Payment", "Abgeschlossen", None, None, None, None, ""],
        ["Modernes Arbeiten", "Raumkonzept", "geplant", None, far, far, None, None],
        ["Modernes Arbeiten", "Sprechstunden", "zurückgestellt", None, None, None, None, None],
        ["Modernes Arbeiten", "DMS", "in vorbereitung", None, None, None, None, None],
        ["Modernes Arbeiten", "Intranet", "Umgesetzt", None, None, None, None, None],
    ], sheet="Maßnahmen")  # fmt: skip
    rows = _measures(catalog_engine, path)
    assert [(r.field, r.name, r.status) for r in rows] == [
        ("Digitaler Bürgerservice", "Serviceportal", "in_progress"),
        ("Digitaler Bürgerservice", "E-Payment", "done"),
        ("Modernes Arbeiten", "Raumkonzept", "planned"),
        ("Modernes Arbeiten", "Sprechstunden", "deferred"),
        ("Modernes Arbeiten", "DMS", "preparing"),
        ("Modernes Arbeiten", "Intranet", "done"),
    ]
    first = rows[0]
    assert (first.responsible, first.start, first.end) == ("Stabsstelle", "2021-01", "2022-12")
    assert first.note == "Läuft.\nZweiter Absatz."
    with catalog_engine.connect() as conn:
        names = load_catalog(conn).names
    assert [names[s] for s in first.service_ids] == [P, M]
    assert rows[1].service_ids == []  # column present but empty: no links
    assert rows[2].start == far  # a planned measure may start in the future


def test_measure_refusals(catalog_engine, tmp_path):
    path = xlsx(tmp_path, [
        MEASURE_HEADER,
        ["Feld", "A", "fertig", None, None, None, None, None],
        ["Feld", "B", None, None, None, None, None, "Meldebeschinigung"],
        ["Feld", "C", "geplant", None, "2022-05", "2021-12", None, None],
        ["Feld", "a", "geplant", None, None, None, None, None],
        [None, None, "geplant", None, None, None, None, None],
    ], sheet="Maßnahmen")  # fmt: skip
    with pytest.raises(IngestError) as info:
        _measures(catalog_engine, path)
    allowed = "Erlaubt sind: geplant, in Vorbereitung, in Umsetzung, umgesetzt, zurückgestellt."
    assert info.value.lines() == [
        "Blatt „Maßnahmen“, Zeile 2, Spalte „Status“: „fertig“ ist kein gültiger Status. "
        + allowed,
        f"Blatt „Maßnahmen“, Zeile 3, Spalte „Status“: Der Status fehlt. {allowed}",
        "Blatt „Maßnahmen“, Zeile 4, Spalte „Ende“: Das Ende (Dez. 2021) liegt vor dem Beginn "
        "(Mai 2022).",
        "Blatt „Maßnahmen“, Zeile 5, Spalte „Maßnahme“: Die Maßnahme „a“ steht im Handlungsfeld "
        "„Feld“ doppelt (auch in Zeile 2).",
        "Blatt „Maßnahmen“, Zeile 6, Spalte „Handlungsfeld“: Das Handlungsfeld fehlt.",
        "Blatt „Maßnahmen“, Zeile 6, Spalte „Maßnahme“: Der Name der Maßnahme fehlt.",
        "Blatt „Maßnahmen“, Zeile 3, Spalte „Leistungen“: Die Leistung „Meldebeschinigung“ steht "
        "nicht im Leistungskatalog. Meinten Sie „Meldebescheinigung“? Bitte den Namen aus dem "
        "Leistungskatalog verwenden oder die Leistung dort ergänzen.",
    ]
