"""The Sachstandsbericht from the demo data: content of the .docx and PDF, stored snapshots."""

import io
import json
from datetime import date
from pathlib import Path

import docx
import pypdf
import pypdfium2
import pytest
from accounts import make_accounts
from app_helpers import log_in, new_app, open_page, page_names, texts
from conftest import write_xlsx

from db import get_engine
from ingest import load_counts
from ingest.demo import load_demo
from report.render import file_stem, render_both, render_docx, render_pdf
from report.store import create_report, latest_before, list_reports, load_snapshot

PERIOD = {"period_start": "2021-05", "period_end": "2021-10"}
TITLE = "Sachstandsbericht November 2021"


@pytest.fixture(scope="module")
def demo_engine(make_session_db_url):  # noqa: ANN001, ANN201
    engine = get_engine(make_session_db_url("report_demo"))
    load_demo(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def november(demo_engine):  # noqa: ANN001, ANN201
    """The November 2021 report, generated once: (id, snapshot, docx, pdf)."""
    report_id, snapshot = create_report(
        demo_engine, title=TITLE, cutoff=date.today(), user="Stabsstelle", **PERIOD
    )
    return report_id, snapshot, *render_both(snapshot)


def docx_text(data: bytes) -> tuple[list[tuple[str, str]], list[list[list[str]]]]:
    """(style, text) of every paragraph, and every table as rows of cell texts."""
    document = docx.Document(io.BytesIO(data))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


def pdf_text(data: bytes) -> str:
    """The text of every page (pypdf: pure Python, no poppler needed)."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def pdf_pages(data: bytes, tmp_path: Path) -> list[Path]:
    """Every page rendered as a PNG at 60 dpi (pypdfium2, no poppler needed)."""
    pdf = pypdfium2.PdfDocument(data)
    paths = []
    for i, page in enumerate(pdf, start=1):
        path = tmp_path / f"seite-{i:02d}.png"
        page.render(scale=60 / 72).to_pil().save(path)
        paths.append(path)
    pdf.close()
    return paths


def test_docx_has_the_structure_of_the_2021_report(november):  # noqa: ANN001
    _id, _snapshot, data, _pdf = november
    paragraphs, _tables = docx_text(data)
    headings = [t for s, t in paragraphs if s.startswith("Heading 1")]
    assert headings[:3] == [
        "Inhalt dieses Berichts",
        "Überblick",
        "Handlungsfeld 1 „Digitale Schriftgutverwaltung“",
    ]
    for expected in (
        "Handlungsfeld 2 „Digitaler Bürgerservice“",
        "Handlungsfeld 5 „Kommunikation und Veränderungsmanagement“",
        "Inanspruchnahme der Online-Dienste",
        "Änderungen seit dem letzten Bericht",
        "Hinweise zu den Daten",
        "Anhang: Monatszahlen je Leistung",
    ):
        assert expected in headings
    measures = [t for s, t in paragraphs if s.startswith("Heading 2")]
    assert "Zentrales Serviceportal" in measures and "E-Payment" in measures
    assert paragraphs[1] == ("Title", TITLE)
    assert ("Normal", "Berichtszeitraum: Mai 2021 bis Oktober 2021") in paragraphs
    assert docx.Document(io.BytesIO(data)).core_properties.title == TITLE


def test_october_2021_figures_and_status_changes(november):  # noqa: ANN001
    _id, _snapshot, data, _pdf = november
    paragraphs, tables = docx_text(data)
    texts = [t for _s, t in paragraphs]
    for sentence in (
        "Personenstandsurkunde: 681 Anträge im Oktober 2021 insgesamt, davon 203 über das "
        "Serviceportal (29,8 %).",
        "Meldebescheinigung: 251 Anträge im Oktober 2021 insgesamt, davon 47 über das "
        "Serviceportal (18,7 %).",
        "Melderegisterauskunft: 70 Anträge im Oktober 2021 insgesamt, davon 7 über das "
        "Serviceportal (10,0 %).",
    ):
        assert sentence in texts
    month_table = next(t for t in tables if t[0][:2] == ["Leistung", "Fachbereich"])
    row = next(r for r in month_table if r[0] == "Personenstandsurkunde")
    assert row[2:] == ["681", "203", "29,8 %"]
    changes = next(
        t for t in tables if t[0] == ["Handlungsfeld", "Maßnahme", "bisher", "neu", "geändert am"]
    )
    assert [
        "Digitale Abwicklung von Prozessen",
        "E-Payment",
        "in Vorbereitung",
        "in Umsetzung",
        "15.11.2021",
    ] in changes
    assert len(changes) == 1 + 8  # header and the eight changes between May and Nov. 2021
    assert any(
        t.startswith(
            "Status: in Vorbereitung (geändert seit dem letzten Bericht: geplant → in "
            "Vorbereitung am 15.11.2021)"
        )
        for t in texts
    )
    assert "Status: geplant (unverändert seit dem letzten Bericht)" in texts
    assert any(
        t.startswith("Sachstand (15.11.2021): Das Serviceportal wird seit dem ersten Tag")
        for t in texts
    )
    assert "Kita-Platz-Anmeldung (seit September 2021)" in texts
    # Charts are embedded as pictures, each with alternative text.
    document = docx.Document(io.BytesIO(data))
    assert len(document.inline_shapes) >= 4
    assert all(
        s._inline.docPr.get("descr", "").startswith("Abbildung") for s in document.inline_shapes
    )


def test_pdf_has_the_same_content_and_renders_to_pages(november, tmp_path):  # noqa: ANN001
    _id, _snapshot, _docx, pdf = november
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in (
        "Sachstandsbericht November 2021",
        "Handlungsfeld 1 „Digitale Schriftgutverwaltung“",
        "Personenstandsurkunde: 681 Anträge im Oktober 2021 insgesamt, davon 203 über",
        "Änderungen seit dem letzten Bericht",
        "geplant → in Vorbereitung",
    ):
        assert expected in " ".join(text.split()), expected
    pages = pdf_pages(pdf, tmp_path)
    assert 6 <= len(pages) <= 16
    assert all(p.stat().st_size > 5_000 for p in pages)  # no blank pages


def test_stored_report_regenerates_identically_after_new_data(november, demo_engine, tmp_path):  # noqa: ANN001
    report_id, snapshot, data, pdf = november
    # A correction of the October figures arrives after the report was sent out.
    correction = write_xlsx(
        tmp_path / "korrektur.xlsx",
        {
            "Meldung": [
                ["Leistung", "Monat", "Anträge gesamt", "davon online"],
                ["Personenstandsurkunde", "2021-10", 700, 250],
            ]
        },
    )
    load_counts(demo_engine, [correction], "FB 3")
    with demo_engine.connect() as conn:
        stored = load_snapshot(conn, report_id)
        listed = list_reports(conn)
    assert stored == snapshot
    assert render_docx(stored) == data
    assert render_pdf(stored) == pdf
    paragraphs, _ = docx_text(render_docx(stored))
    assert any("681 Anträge im Oktober 2021" in t for _s, t in paragraphs)
    assert listed.loc[listed["id"] == report_id, "title"].item() == TITLE
    assert file_stem(stored) == f"Sachstandsbericht_November_2021_Stichtag_{date.today()}"

    # A new report compared with the stored one shows the new figure and the correction.
    new_id, new = create_report(
        demo_engine,
        title="Sachstandsbericht Mai 2022",
        period_start="2021-11",
        period_end="2022-04",
        cutoff=date.today(),
        user="Stabsstelle",
        previous_id=report_id,
    )
    assert new["previous"]["id"] == report_id
    assert {
        "service": "Personenstandsurkunde",
        "month": "2021-10",
        "old_total": 681,
        "old_online": 203,
        "new_total": 700,
        "new_online": 250,
    } in new["corrections"]
    assert new["status_changes"] == []  # nothing changed after the November report
    _paragraphs, tables = docx_text(render_docx(new))
    corrections = next(
        t for t in tables if t[0][0:2] == ["Leistung", "Monat"] and "bisher gesamt / online" in t[0]
    )
    assert ["Personenstandsurkunde", "Okt. 2021", "681 / 203", "700 / 250"] in corrections
    with demo_engine.connect() as conn:
        assert latest_before(conn, date(2100, 1, 1)) == new_id
        assert json.loads(json.dumps(load_snapshot(conn, new_id))) == new


@pytest.fixture(scope="module")
def page_db(make_session_db_url):  # noqa: ANN001, ANN201
    url = make_session_db_url("report_page")
    engine = get_engine(url)
    load_demo(engine)
    yield url, engine
    engine.dispose()


def test_admin_generates_and_lists_reports_in_the_page(page_db, monkeypatch):  # noqa: ANN001
    url, engine = page_db
    logins = make_accounts(engine, "FB 3 Bürgerservice, Bürgerbüro")
    at = log_in(new_app(url, monkeypatch).run(), logins["admin"].username, logins["admin"].password)
    at = open_page(at, "report.py")
    assert not at.exception
    assert "Es ist noch kein Bericht gespeichert." in texts(at)
    at.text_input[0].input(TITLE)
    at.selectbox[0].set_value("2021-05")
    at.selectbox[1].set_value("2021-10")
    at.button(key="FormSubmitter:new_report-Bericht erzeugen und speichern").click().run()
    assert not at.exception
    shown = texts(at)
    assert "wurde erzeugt und gespeichert" in shown
    assert TITLE in shown and "Zeitraum Mai 2021 bis Okt. 2021" in shown
    assert [b.proto.label for b in at.get("download_button")] == ["Word (.docx)", "PDF"]
    with engine.connect() as conn:
        (stored,) = list_reports(conn)["id"]
        snapshot = load_snapshot(conn, stored)
    assert snapshot["period_end"] == "2021-10"
    assert snapshot["previous"] is None
    # A wrong period is refused with a German message, nothing stored.
    at.selectbox[0].set_value("2021-10")
    at.selectbox[1].set_value("2021-05")
    at.button(key="FormSubmitter:new_report-Bericht erzeugen und speichern").click().run()
    assert "beginnt nach seinem Ende" in texts(at)
    with engine.connect() as conn:
        assert len(list_reports(conn)) == 1


def test_the_report_page_is_for_the_admin_only(page_db, monkeypatch):  # noqa: ANN001
    url, _engine = page_db
    at = new_app(url, monkeypatch).run()
    assert "Sachstandsbericht" not in page_names(at)  # a visitor has no such page
    assert "Sitzungsmodus" in page_names(at)


def test_reports_of_a_stichtag_before_any_data_and_of_a_provisional_month(demo_engine):  # noqa: ANN001
    _id, empty = create_report(
        demo_engine, title="Vorab", period_start="2021-01", period_end="2021-06",
        cutoff=date(2020, 6, 30), user="test",
    )  # fmt: skip
    paragraphs, _tables = docx_text(render_docx(empty))
    texts = [t for _s, t in paragraphs]
    assert "Für Juni 2021 lagen zum Stichtag keine vollständigen Antragszahlen vor." in texts
    assert render_pdf(empty).startswith(b"%PDF")
    # January 2024 has only the portal export: the report says it is not complete.
    _id, january = create_report(
        demo_engine, title="Januar", period_start="2023-08", period_end="2024-01",
        cutoff=date.today(), user="test",
    )  # fmt: skip
    paragraphs, _tables = docx_text(render_docx(january))
    overview = next(t for _s, t in paragraphs if t.startswith("Für Januar 2024"))
    assert "Stand: Jan. 2024 vorläufig: 0 von 12 Leistungen gemeldet (4 mit nur einem " in overview
    # A snapshot stored before the month states were (version 1) still renders.
    old = {k: v for k, v in january.items() if k != "months"}
    assert render_docx(old) and render_pdf(old).startswith(b"%PDF")
