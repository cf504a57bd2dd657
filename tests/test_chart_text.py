"""Chart text alternatives: the key figures in German, the same as the tables show them."""

import inspect

import pandas as pd
from app_helpers import new_app

from dashboard import chart_text, charts, tables
from db import figures
from ingest.demo import load_demo

ODD = "Ausweis / Pass: [neu] #1 & <Eilt> **fett**"
MONTH = pd.DataFrame(
    {
        "service": ["Personenstandsurkunde", "Baumfällgenehmigung", ODD, "Hundesteuer"],
        "department": ["FB 3"] * 4,
        "month": ["2021-10"] * 4,
        "total": pd.array([681, 12, 1234, None], dtype="Int64"),
        "online": pd.array([203, 3, 617, 5], dtype="Int64"),
        "online_share": [203 / 681, 0.25, 0.5, None],
        "online_source": ["report"] * 4,
    }
)
UPTAKE = pd.DataFrame(
    {
        "service": ["Personenstandsurkunde"] * 4 + ["Meldebescheinigung"] * 2,
        "month": ["2021-09", "2021-10", "2021-11", "2021-12", "2021-10", "2021-11"],
        "total": pd.array([600, 681, 700, None, 100, 5], dtype="Int64"),
        "online": pd.array([150, 203, 280, 90, 20, 1], dtype="Int64"),
        "online_share": [0.25, 203 / 681, 0.4, None, 0.2, 0.2],
    }
)


def test_every_chart_builder_has_a_text_alternative():
    builders = {
        fn
        for name, fn in inspect.getmembers(charts, inspect.isfunction)
        if name.endswith("_chart") and fn.__module__ == charts.__name__
    }
    assert builders == set(chart_text.TEXTS)


def test_share_by_service_names_each_service_with_share_and_base_in_the_charts_order():
    text = chart_text.describe(charts.share_by_service_chart, MONTH, target=(0.4, "2024-12"))
    assert text == (
        f"Onlinequote Okt. 2021: {ODD} 50,0 % (617 von 1.234); Personenstandsurkunde 29,8 % "
        "(203 von 681); Baumfällgenehmigung 25,0 % (3 von 12), weniger als 20 Anträge. "
        "Gesamtziel 40 % bis Dez. 2024."
    )
    assert "Hundesteuer" not in text  # no share: not in the chart either
    assert chart_text.share_by_service(MONTH.iloc[3:]) == "Keine Leistung mit vollständigen Zahlen."


def test_the_text_and_the_table_show_the_same_figures():
    table = tables.month_table(MONTH)
    text = chart_text.share_by_service(MONTH)
    for row in table[table["Onlinequote"].str.endswith("%")].itertuples():
        assert f"{row.Leistung} {row.Onlinequote} ({row[4]} von {row[3]})" in text


def test_many_services_are_counted_after_the_first_twelve():
    many = pd.DataFrame(
        {
            "service": [f"Leistung {i:02d}" for i in range(40)],
            "month": ["2023-12"] * 40,
            "total": [100] * 40,
            "online": list(range(40)),
            "online_share": [i / 100 for i in range(40)],
        }
    )
    text = chart_text.share_by_service(many)
    assert text.startswith("Onlinequote Dez. 2023: Leistung 39 39,0 % (39 von 100);")
    assert "Leistung 28 28,0 %" in text and "Leistung 27" not in text
    assert text.endswith("; und 28 weitere.")


def test_lines_give_each_series_latest_and_first_share():
    text = chart_text.share_lines(UPTAKE)
    assert text == (
        "Onlinequote Sept. 2021 bis Dez. 2021: Personenstandsurkunde: Nov. 2021 40,0 % "
        "(280 von 700), Sept. 2021 25,0 %; Meldebescheinigung: Nov. 2021 20,0 % (1 von 5), "
        "weniger als 20 Anträge, Okt. 2021 20,0 %."
    )
    projection = pd.DataFrame({"month": ["2022-01", "2022-06"], "share": [0.41, 0.5]})
    totals = UPTAKE.assign(series="Alle Leistungen")
    text = chart_text.share_lines(
        totals, series="series", target=(0.5, "2022-12"), projection=projection,
        target_name="Gesamtziel",
    )  # fmt: skip
    assert text.startswith("Onlinequote Sept. 2021 bis Dez. 2021: Alle Leistungen:")
    assert text.endswith("Gesamtziel 50 % bis Dez. 2022. Prognose für Juni 2022: 50,0 %.")
    empty = UPTAKE.assign(online_share=None)
    assert "Personenstandsurkunde: keine vollständigen Zahlen" in chart_text.share_lines(empty)


def test_one_service_also_gives_its_highest_share_and_incomplete_months():
    one = UPTAKE[UPTAKE["service"] == "Personenstandsurkunde"]
    text = chart_text.uptake(one, target=(0.5, "2022-12"))
    assert text == (
        "Onlinequote Sept. 2021 bis Dez. 2021: Personenstandsurkunde: Nov. 2021 40,0 % "
        "(280 von 700), Sept. 2021 25,0 %; höchste Quote 40,0 % im Nov. 2021; 1 Monat(e) "
        "unvollständig. Ziel 50 % bis Dez. 2022."
    )
    assert chart_text.uptake(one.iloc[:0]) == "Keine Zahlen."


def test_status_roadmap_and_coverage():
    measures = pd.DataFrame(
        {
            "field": ["Digitales", "Digitales", "Kultur"],
            "measure": ["E-Akte", "Portal <neu>", "Sprechstunde"],
            "status": ["in_progress", "done", "planned"],
            "start": ["2021-01", None, "2021-09"],
            "end": ["2022-12", "2023-01", "2021-11"],
            "responsible": ["IT", None, None],
        }
    )
    counts = tables.labelled_counts(figures.status_counts(measures))
    assert chart_text.describe(charts.status_chart, counts) == (
        "Maßnahmen je Handlungsfeld: Digitales: 1 in Umsetzung, 1 umgesetzt; Kultur: 1 geplant."
    )
    assert chart_text.describe(charts.roadmap_chart, measures, today="2021-11") == (
        "Maßnahmen: E-Akte (in Umsetzung): Jan. 2021 bis Dez. 2022; Sprechstunde (geplant): "
        "Sept. 2021 bis Nov. 2021."
    )
    grid = pd.DataFrame(
        {
            "service": ["A", "A", "A", "B", "B", "B"],
            "month": ["2021-01", "2021-02", "2021-03"] * 2,
            "state": ["vollständig", "unvollständig", "fehlt", "fehlt", "fehlt", "entfällt"],
        }
    )
    assert chart_text.describe(charts.coverage_chart, grid, row="service") == (
        "Gemeldete Monate Jan. 2021 bis März 2021: A: 1 vollständig, 1 unvollständig, 1 fehlt; "
        "B: 2 fehlt, 1 entfällt."
    )


def test_the_overview_charts_carry_their_figures(engine, db_url, monkeypatch):
    load_demo(engine)
    at = new_app(db_url, monkeypatch).run()
    assert not at.exception
    bars, status = (c.proto.alt for c in at.get("vega_lite_chart"))
    assert bars.startswith("Balkendiagramm: Onlinequote je Leistung im Dezember 2023")
    assert "Personenstandsurkunde 41,5 % (263 von 633)" in bars
    assert "Digitaler Bürgerservice: 2 in Umsetzung" in status


def test_deadlines_count_each_departments_marks():
    frame = pd.DataFrame(
        {
            "department": ["FB 2", "FB 2", "FB 3 <Bürgerbüro>"],
            "month": ["2026-01", "2026-02", "2026-01"],
            "state": ["pünktlich", "offen, Frist abgelaufen", "verspätet"],
            "detail": ["", "", ""],
        }
    )
    assert chart_text.describe(charts.deadline_chart, frame) == (
        "Meldefristen Jan. 2026 bis Feb. 2026: FB 2: 1 pünktlich, 1 offen, Frist abgelaufen; "
        "FB 3 <Bürgerbüro>: 1 verspätet."
    )
