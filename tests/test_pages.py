"""The dashboard pages in Streamlit's AppTest: demo data, an empty database, the figures."""

import json
from datetime import date

import pytest
from accounts import make_accounts
from app_helpers import html_table as table
from app_helpers import log_in, new_app, open_with, texts
from sqlalchemy import select
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from db import get_engine, queries
from db.deadlines import closed_months
from db.german import format_month
from db.models import Service
from db.writes import LoadInfo, MeasureRow, apply_counts, apply_measures, begin_write
from ingest.demo import load_demo

PAGES = ["overview.py", "services.py", "measures.py", "coverage.py", "targets.py"]


@pytest.fixture(scope="module")
def demo_url(make_session_db_url) -> str:  # noqa: ANN001
    """The demo data, shared read-only by this module's tests."""
    url = make_session_db_url("pages")
    eng = get_engine(url)
    load_demo(eng)
    eng.dispose()
    return url


def specs(at: AppTest) -> list[str]:
    """Each chart's Vega-Lite spec with its data (Streamlit sends the data apart, as Arrow),
    as text with German letters unescaped."""
    out = []
    for chart in at.get("vega_lite_chart"):
        parts = [json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)]
        for dataset in chart.proto.datasets:
            frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
            parts.append(frame.to_json(orient="records", force_ascii=False))
        out.append("\n".join(parts))
    return out


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# ---------------------------------------------------------------- empty database


@pytest.mark.parametrize("page", PAGES)
def test_every_page_explains_an_empty_database(engine, db_url, monkeypatch, page):
    at = open_with(db_url, monkeypatch, page)
    text = texts(at)
    assert "Über die Daten" in [e.label for e in at.expander]
    if page == "measures.py":
        assert "noch keine Maßnahmen der Strategie geladen" in text
    elif page == "targets.py":
        assert "noch kein Gesamtziel" in text and "Es sind noch keine Daten geladen" in text
    else:
        assert "Es sind noch keine Daten geladen" in text
        assert "python -m ingest services" in text
    assert not specs(at)


@pytest.mark.parametrize("page", ["overview.py", "services.py", "coverage.py", "targets.py"])
def test_pages_with_a_catalog_but_no_counts_say_what_to_load(catalog_engine, db_url, monkeypatch,
                                                            page):  # fmt: skip
    at = open_with(db_url, monkeypatch, page)
    text = texts(at)
    assert "Der Leistungskatalog (4 Leistungen) ist geladen" in text
    assert "python -m ingest counts" in text
    if page == "coverage.py":  # the deadlines: with a catalog, months are due
        assert len(specs(at)) == 1 and '"title": "Meldefrist"' in specs(at)[0]
    else:
        assert not specs(at)


# ---------------------------------------------------------------- Übersicht


def test_overview_tiles_ranking_and_measures(demo_url, monkeypatch):
    at = open_with(demo_url, monkeypatch, "overview.py")
    got = metrics(at)
    assert got["Onlinequote Dez. 2023"] == "36,3 %"
    assert got["zum Vormonat"] == "±0,0 Pp."
    assert got["zum Vorjahresmonat"] == "+6,0 Pp."
    assert got["Anträge Dez. 2023"] == "1.695"
    text = texts(at)
    assert "616 von 1.695 Anträgen online, 12 Leistungen" in text
    assert "Nov. 2023: 36,4 % (609 von 1.675)" in text
    assert "Dez. 2022: 30,4 % (504 von 1.659)" in text
    month = table(at, 0).set_index("Leistung")
    assert month.loc["Personenstandsurkunde", "Onlinequote"] == "41,5 %"
    assert month.loc["Personenstandsurkunde", "Anträge gesamt"] == "633"
    ranking, status = specs(at)
    assert "41,5 % · 263 von 633" in ranking
    assert "Kommunikation und Veränderungsmanagement" in status
    status_table = table(at, 1).set_index("Handlungsfeld")
    assert status_table.loc["Digitale Schriftgutverwaltung", "in Vorbereitung"] == "3"
    # PNG and SVG under each of the two charts, CSV and Excel under the table.
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["PNG", "SVG", "CSV", "Excel", "PNG", "SVG"]


def test_overview_department_filter_from_the_address(demo_url, monkeypatch):
    at = open_with(demo_url, monkeypatch, "overview.py",
                   fachbereich="FB 3 Bürgerservice, Bürgerbüro")  # fmt: skip
    assert table(at, 0)["Leistung"].tolist() == ["Meldebescheinigung", "Melderegisterauskunft"]
    assert "Personenstandsurkunde" not in specs(at)[0]


# ---------------------------------------------------------------- Leistungen


def test_services_page_shows_the_october_2021_report_figures(demo_url, monkeypatch):
    at = open_with(
        demo_url,
        monkeypatch,
        "services.py",
        fachbereich="FB 3 Bürgerservice, Standesamt",
        leistung="Personenstandsurkunde",
        zeitraum=["Sept. 2021", "Nov. 2021"],
    )
    assert [s.value for s in at.subheader] == ["Personenstandsurkunde"]
    events, figures = table(at, 0), table(at, 1)
    # The marks of the range, numbered as in the chart (both in November 2021).
    assert events["Nr."].tolist() == ["1", "2"] and set(events["Monat"]) == {"Nov. 2021"}
    assert "Maßnahme „E-Payment“: in Vorbereitung → in Umsetzung" in events["Ereignis"].tolist()
    row = figures.set_index("Monat").loc["Okt. 2021"]
    assert (row["Anträge gesamt"], row["davon online"], row["Onlinequote"]) == (
        "681",
        "203",
        "29,8 %",
    )
    assert row["Quelle online"] == "Monatsmeldung"
    assert figures["Monat"].tolist() == ["Sept. 2021", "Okt. 2021", "Nov. 2021"]
    [spec] = specs(at)
    assert '"label":"1, 2"' in spec and '"quote":"29,8 %"' in spec
    assert "Quelle der Online-Zahlen: Monatsmeldung" in texts(at)


def test_services_page_several_services_and_the_portal_month(demo_url, monkeypatch):
    params = {
        "fachbereich": "FB 3 Bürgerservice, Bürgerbüro",
        "leistung": ["Meldebescheinigung", "Melderegisterauskunft"],
        "zeitraum": ["Dez. 2023", "Jan. 2024"],
    }
    at = open_with(demo_url, monkeypatch, "services.py", **params)
    assert [s.value for s in at.subheader] == ["Onlinequote im Vergleich"]
    assert [t.label for t in at.tabs] == ["Meldebescheinigung", "Melderegisterauskunft"]
    assert len(specs(at)) == 2  # the comparison and the open tab's chart only
    compare = table(at, 0).set_index("Monat")
    assert compare.loc["Dez. 2023", "Meldebescheinigung"] == "33,2 % (83 von 250)"
    assert compare.loc["Jan. 2024", "Melderegisterauskunft"] == "unvollständig"
    assert "Auf der Zeitachse markiert" not in texts(at)  # no marks in these two months
    jan = table(at, 1).set_index("Monat").loc["Jan. 2024"]
    assert (jan["Onlinequote"], jan["Quelle online"]) == ("unvollständig", "Serviceportal")
    assert "Monatsmeldung und Serviceportal" in texts(at)
    # PNG, SVG, CSV and Excel under the comparison and under the open tab.
    assert [b.label for b in at.get("download_button")] == ["PNG", "SVG", "CSV", "Excel"] * 2

    # The open tab is part of the address, too.
    at = open_with(demo_url, monkeypatch, "services.py", detail="Melderegisterauskunft", **params)
    figures = table(at, 1)
    assert figures["Leistung"].unique().tolist() == ["Melderegisterauskunft"]


def test_services_page_compares_services_of_several_departments(demo_url, monkeypatch):
    """The department narrows the list to choose from; what is chosen stays chosen."""
    at = open_with(demo_url, monkeypatch, "services.py")
    assert at.selectbox(key="fachbereich").value == "Alle Fachbereiche"
    assert at.multiselect(key="leistung").value == ["Anmeldung der Eheschließung"]
    at.selectbox(key="fachbereich").select("FB 8 Wirtschaftsförderung").run()
    picker = at.multiselect(key="leistung")
    assert picker.value == ["Anmeldung der Eheschließung"]
    assert picker.options == ["Anmeldung der Eheschließung", "Gewerbeabmeldung", "Gewerbeanmeldung"]
    picker.select("Gewerbeabmeldung").run()
    at.selectbox(key="fachbereich").select("FB 3 Bürgerservice, Bürgerbüro").run()
    at.multiselect(key="leistung").select("Meldebescheinigung").run()
    assert not at.exception
    chosen = ["Anmeldung der Eheschließung", "Gewerbeabmeldung", "Meldebescheinigung"]
    assert sorted(at.multiselect(key="leistung").value) == chosen
    assert [s.value for s in at.subheader] == ["Onlinequote im Vergleich"]
    assert sorted(table(at, 0).columns[1:]) == chosen  # three departments, one chart


def test_services_page_small_numbers_are_greyed_with_a_note(catalog_engine, db_url, monkeypatch):
    with catalog_engine.connect() as conn:
        sid = conn.scalar(select(Service.id).where(Service.name == "Meldebescheinigung"))
    counts = {("2023-01", "office"): 9, ("2023-01", "online"): 3,
              ("2023-02", "office"): 70, ("2023-02", "online"): 30}  # fmt: skip
    records = {(sid, month, channel, "report"): n for (month, channel), n in counts.items()}
    with begin_write(catalog_engine) as conn:
        apply_counts(conn, records, LoadInfo("m.xlsx", "x", "test", 2))
    at = open_with(db_url, monkeypatch, "services.py", fachbereich="FB 3 Bürgerbüro",
                   leistung="Meldebescheinigung")  # fmt: skip
    assert "Auf der Zeitachse markiert" not in texts(at)  # online since 2021: not in range
    figures = table(at, 0).set_index("Monat")
    assert figures.loc["Jan. 2023", "Onlinequote"] == "25,0 %"
    assert figures.loc["Jan. 2023", "Hinweis"] == "weniger als 20 Anträge"
    assert figures.loc["Feb. 2023", "Hinweis"] == ""
    html = [h.proto.body for h in at.get("html") if "<table" in h.proto.body][0]
    assert '<td class="num pq-grey">25,0 %</td>' in html
    assert '<td class="num">30,0 %</td>' in html
    assert "Grau: 1 Quote(n) aus weniger als 20 Anträgen" in texts(at)
    assert "Quote aus weniger als 20 Anträgen" in specs(at)[0]  # hollow grey point, in the legend


# ---------------------------------------------------------------- Maßnahmen


def test_measures_tree_roadmap_and_an_opened_measure(demo_url, monkeypatch):
    eng = get_engine(demo_url)
    with eng.connect() as conn:
        ids = queries.measures(conn).set_index("measure")["measure_id"]
    eng.dispose()
    at = open_with(demo_url, monkeypatch, "measures.py",
                   **{f"massnahme_{ids['Zentrales Serviceportal']}": "true"})  # fmt: skip
    labels = [e.label for e in at.expander]
    assert "**Zentrales Serviceportal** :blue-badge[in Umsetzung]" in labels
    assert "**Offene Sprechstunden** :green-badge[umgesetzt]" in labels
    text = texts(at)
    assert "#### Digitaler Bürgerservice" in text
    assert "Verantwortlich: Stabsstelle Digitalisierung" in text
    assert "Sachstand vom 15.11.2021" in text
    assert "im Oktober 681 Urkunden (davon 203 online)" in text
    history = table(at, 1)
    assert history["Datum"].tolist() == ["15.11.2021", "17.05.2021"]
    linked = table(at, 2).set_index("Leistung")
    assert linked.loc["Personenstandsurkunde", "Onlinequote"] == "41,5 %"
    roadmap = specs(at)[0]
    assert "Kommunikation und Veränderungsmanagement" in roadmap and '"facet"' in roadmap
    assert len(specs(at)) == 2  # only the opened measure draws its uptake chart


def test_measures_status_filter_from_the_address(demo_url, monkeypatch):
    at = open_with(demo_url, monkeypatch, "measures.py", status="umgesetzt")
    assert [e.label for e in at.expander if "badge" in e.label] == [
        "**Offene Sprechstunden** :green-badge[umgesetzt]"
    ]


def test_measures_of_a_strategy_with_groups(engine, db_url, monkeypatch):
    rows = [
        MeasureRow("Leitprojekt 1 Zentrales DMS", "DMS-Einführung", "in_progress",
                   group="Elektronische Verwaltungsservices", start="2015-01", end="2018-12"),
        MeasureRow("Leitprojekt 6 Online Services", "Serviceportal", "planned",
                   group="Elektronische Bürgerservices", responsible="Abt. 10"),
        MeasureRow("Leitprojekt 7 Telefonischer Service", "Servicecenter", "done",
                   group="Elektronische Bürgerservices", start="2016-01", end="2017-06"),
    ]  # fmt: skip
    with begin_write(engine) as conn:
        apply_measures(conn, rows, LoadInfo("m.xlsx", "x", "test", 3), date(2016, 2, 1))
    at = open_with(db_url, monkeypatch, "measures.py")
    assert [h.value for h in at.header] == [
        "Elektronische Verwaltungsservices", "Elektronische Bürgerservices",
    ]  # fmt: skip
    text = texts(at)
    assert "#### Leitprojekt 6 Online Services" in text
    assert "Ohne Beginn oder Ende nicht im Zeitplan: Serviceportal." in text
    roadmap = specs(at)[0]
    assert "Elektronische Bürgerservices › Leitprojekt 7 Telefonischer Service" in roadmap


# ---------------------------------------------------------------- Datenstand


def test_coverage_grid_per_department_and_service(demo_url, monkeypatch):
    at = open_with(demo_url, monkeypatch, "coverage.py")
    text = texts(at)
    assert "Letzter vollständiger Monat: **Dezember 2023**" in text
    months = table(at, 0).set_index("Monat")
    assert months.loc["Jan. 2024"].tolist() == ["vorläufig", "0 von 12 Leistungen",
                                                "Anmeldung der Eheschließung, Baumfällgenehmigung,"
                                                " Bewohnerparkausweis, Gewerbeabmeldung, "
                                                "Gewerbeanmeldung und 7 weitere"]  # fmt: skip
    assert months.loc["Dez. 2023"].tolist() == ["vollständig", "12 von 12 Leistungen", "–"]
    assert "**77** vollständig · **2** unvollständig · **5** fehlt (Fachbereich × Monat)" in text
    grid = table(at, 1).set_index("Fachbereich")
    assert grid.loc["FB 3 Bürgerservice, Standesamt", "Jan. 2024"] == "½"
    assert grid.loc["FB 2 Finanzen, Steueramt", "Jan. 2024"] == "–"
    assert grid.loc["FB 2 Finanzen, Steueramt", "Dez. 2023"] == "✓"
    loads = table(at, 2).set_index("Fachbereich")
    assert loads.loc["FB 3 Bürgerservice, Standesamt", "Neuester Monat"] == "Jan. 2024"
    first = format_month(closed_months(date.today(), 12)[0])
    assert list(table(at, 3).columns[:2]) == ["Fachbereich", first]  # the deadlines
    log = table(at, 4)
    assert "Geladen von" not in log.columns  # who loaded is shown to signed-in users only
    numbers = [int(n) for n in log["Nr."]]
    assert numbers == sorted(numbers, reverse=True) and 0 < len(numbers) <= 20
    assert set(log["Art"]) <= {"Leistungskatalog", "Antragszahlen", "Maßnahmen"}

    at = open_with(
        demo_url,
        monkeypatch,
        "coverage.py",
        fachbereich="FB 3 Bürgerservice, Standesamt",
        zeitraum=["Dez. 2023", "Jan. 2024"],
    )
    grid = table(at, 1).set_index("Leistung")
    assert grid.loc["Personenstandsurkunde"].tolist() == ["✓", "½"]
    assert "**2** vollständig · **2** unvollständig · **0** fehlt (Leistung × Monat)" in texts(at)


# ---------------------------------------------------------------- Ziele


def test_targets_set_by_an_admin_show_on_the_pages(db_url, monkeypatch):
    url = db_url
    eng = get_engine(url)
    load_demo(eng)
    logins = make_accounts(eng, "FB 3 Bürgerservice, Bürgerbüro")
    eng.dispose()
    at = new_app(url, monkeypatch).run()
    log_in(at, logins["admin"].username, logins["admin"].password)
    at.switch_page("dashboard/pages/targets.py").run()
    assert "noch kein Gesamtziel" in texts(at)
    at.number_input[0].set_value(40)
    at.selectbox[1].select(12)  # Dezember
    at.number_input[1].set_value(2024)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    text = texts(at)
    assert "Ziel gespeichert: Alle Leistungen (Gesamtziel) 40 % bis Dez. 2024." in text
    assert "Ziel 40 % bis Dez. 2024; beim derzeitigen Trend erreicht im" in text
    assert any("badge[" in m.value and "Ziel:" in m.value for m in at.markdown)
    assert "Gesamtziel 40 % bis Dez. 2024" in specs(at)[0]

    at.switch_page("dashboard/pages/overview.py").run()
    assert "Ziel 40 % bis Dez. 2024" in texts(at)
    assert '"Ziel 40 % bis Dez. 2024"' in specs(at)[0]


def test_targets_page_without_admin_shows_no_form(demo_url, monkeypatch):
    at = open_with(demo_url, monkeypatch, "targets.py")
    assert "Ziele legt die Stabsstelle Digitalisierung fest" in texts(at)
    assert not at.number_input
    assert len(specs(at)) == 1  # the overall trend
    assert table(at, 0).iloc[0].tolist() == ["Dez. 2023", "1.695", "616", "36,3 %", "12"]
