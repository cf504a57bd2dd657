"""The Sachstandsbericht from the demo data: content of the .docx and PDF, stored snapshots."""

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pdf_ua
import pypdf
import pypdfium2
import pytest
from accounts import make_accounts
from app_helpers import log_in, new_app, open_page, page_names, texts
from conftest import write_xlsx
from PIL import Image
from sqlalchemy import select

from db import get_engine
from db import targets as tg
from db.models import Report
from db.writes import begin_write
from ingest import load_counts
from ingest.demo import load_demo
from report import content, issuer
from report.layout import text_width_cm
from report.render import file_stem, render_both, render_docx, render_pdf
from report.store import (
    create_report,
    delete_report,
    latest_before,
    list_reports,
    load_snapshot,
    report_log,
    same_report,
)

PERIOD = {"period_start": "2021-05", "period_end": "2021-10"}
TITLE = "Sachstandsbericht November 2021"
TOWN, UNIT, AUTHOR = "Stadt Bergisch Gladbach", "Stabsstelle Digitalisierung", "Anna Schmidt"


def logo_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (240, 120), (0, 90, 160)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def demo_engine(make_session_db_url):  # noqa: ANN001, ANN201
    engine = get_engine(make_session_db_url("report_demo"))
    load_demo(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def logins(demo_engine):  # noqa: ANN001, ANN201
    return make_accounts(demo_engine, "FB 3 Bürgerservice, Bürgerbüro")


@pytest.fixture(scope="module")
def admin(logins):  # noqa: ANN001, ANN201
    return logins["admin"].account


@pytest.fixture(scope="module")
def november(demo_engine, admin):  # noqa: ANN001, ANN201
    """The November 2021 report, generated once, with the town's cover and two targets: (id,
    snapshot, docx, pdf)."""
    issuer.save_issuer(demo_engine, admin, town=TOWN, unit=UNIT, logo=logo_png())
    with begin_write(demo_engine) as conn:
        tg.save_target(conn, admin, share=0.5, due_month="2023-12")
        tg.save_target(conn, admin, share=0.25, due_month="2021-12", service="Meldebescheinigung")
    report_id, snapshot = create_report(
        demo_engine, title=TITLE, cutoff=date.today(), user="Stabsstelle",
        author=AUTHOR, **PERIOD,
    )  # fmt: skip
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
    assert headings[:4] == [
        "Inhalt dieses Berichts",
        "Überblick",
        "Ziele",
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
    assert ("Title", TITLE) in paragraphs
    cover = [t for _s, t in paragraphs[: paragraphs.index(("Title", TITLE))] if t]
    assert cover == [TOWN, UNIT]
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
    charts = list(document.inline_shapes)[1:]  # after the logo
    assert len(charts) >= 4
    assert all(s._inline.docPr.get("title", "").startswith("Abbildung") for s in charts)
    assert all(len(s._inline.docPr.get("descr", "")) > 80 for s in charts)


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


@pytest.fixture(scope="module")
def page_admin(page_db):  # noqa: ANN001, ANN201
    return make_accounts(page_db[1], "FB 3 Bürgerservice, Bürgerbüro")["admin"]


def test_admin_generates_and_lists_reports_in_the_page(page_db, page_admin, monkeypatch):  # noqa: ANN001
    url, engine = page_db
    at = log_in(new_app(url, monkeypatch).run(), page_admin.username, page_admin.password)
    at = open_page(at, "report.py")
    assert not at.exception
    assert "Es ist noch kein Bericht gespeichert." in texts(at)
    at.text_input(key="report_title").input(TITLE)
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


# ---------------------------------------------------------------- a report that goes out as is


def test_the_pdf_is_tagged_and_accessible(november):  # noqa: ANN001
    """PDF/UA-1 as far as a machine can tell (tests/pdf_ua.py lists the checks)."""
    _id, snapshot, _docx, pdf = november
    assert pdf_ua.problems(pdf, title=TITLE) == []
    tags = pdf_ua.tags(pdf)
    for tag in ("/H1", "/H2", "/P", "/L", "/LI", "/Table", "/TH", "/TD", "/Figure", "/Caption"):
        assert tag in tags, tag
    alts = pdf_ua.alt_texts(pdf)
    figures = [b for b in content.build_blocks(snapshot) if isinstance(b, content.Figure)]
    assert len(alts) == len(figures) + 1  # and the logo
    assert alts[0] == f"Logo: {TOWN}"
    assert any(a.startswith("Liniendiagramm der Onlinequote je Monat") and "29,8 %" in a
               for a in alts)  # fmt: skip
    assert any(a.startswith("Kleine Flächendiagramme") and "derselben Skala" in a for a in alts)


def test_document_properties_name_the_author_and_the_real_creation_date(november):  # noqa: ANN001
    _id, snapshot, data, pdf = november
    created = content.generated_at(snapshot)
    assert abs((datetime.now(UTC) - created).total_seconds()) < 600
    info = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert info.title == TITLE and info.author == AUTHOR
    assert info.creation_date.replace(tzinfo=info.creation_date.tzinfo) == created
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.author == AUTHOR and props.title == TITLE
    assert props.created == created.astimezone(UTC)
    assert props.created.year >= 2026


def test_the_cover_names_town_unit_and_shows_the_logo(november, tmp_path):  # noqa: ANN001
    _id, _snapshot, data, pdf = november
    first = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert TOWN in first and UNIT in first and TITLE.split()[0] in first
    assert "Erstellt am:" in first
    document = docx.Document(io.BytesIO(data))
    assert document.inline_shapes[0]._inline.docPr.get("descr") == f"Logo: {TOWN}"
    cover = pdf_pages(pdf, tmp_path)[0]
    with Image.open(cover) as image:  # the logo's blue is on the first page
        assert (0, 90, 160) in {c for _n, c in image.convert("RGB").getcolors(1 << 20)}


def test_targets_with_traffic_light_and_projection(november):  # noqa: ANN001
    _id, snapshot, data, pdf = november
    _paragraphs, tables = docx_text(data)
    table = next(t for t in tables if t[0][:2] == ["Ziel für", "Zielquote"])
    rows = {r[0]: r for r in table[1:]}
    assert set(rows) == {"Alle Leistungen (Gesamtziel)", "Meldebescheinigung"}
    uptake = content._uptake_frame(snapshot)
    evaluated = dict(
        tg.evaluate_all(
            [(None, 0.5, "2023-12"), ("Meldebescheinigung", 0.25, "2021-12")],
            uptake, content._states(snapshot, uptake),
        )
    )  # fmt: skip
    for name, key in (
        ("Alle Leistungen (Gesamtziel)", None),
        ("Meldebescheinigung", "Meldebescheinigung"),
    ):
        assert rows[name][4] == evaluated[key].status.label
        assert evaluated[key].month == "2021-10"
    # Meldebescheinigung: 18,7 % in October 2021, rising fast: the trend reaches 25 % soon.
    assert rows["Meldebescheinigung"][3] == "18,7 % (Okt. 2021)"
    assert rows["Meldebescheinigung"][5].startswith("erreicht ")
    assert "Ziele mit Stand (Ampel) und Prognose" in " ".join(pdf_text(pdf).split())


def test_overdue_measures_are_listed_and_flagged(november):  # noqa: ANN001
    _id, snapshot, data, _pdf = november
    paragraphs, tables = docx_text(data)
    table = next(t for t in tables if t[0][:3] == ["Handlungsfeld", "Maßnahme", "Status"]
                 and "Ende geplant" in t[0])  # fmt: skip
    month = snapshot["cutoff"][:7]
    expected = [
        (f["name"], m["name"])
        for f in snapshot["fields"]
        for m in f["measures"]
        if m["end"] and m["end"] < month and m["status"] != "done"
    ]
    assert expected and sorted((r[0], r[1]) for r in table[1:]) == sorted(expected)
    assert all(r[2] != "umgesetzt" for r in table[1:])
    flagged = [t for _s, t in paragraphs if t.endswith("– Ende überschritten")]
    assert len(flagged) == len(expected)


def test_small_multiples_share_one_scale(november):  # noqa: ANN001
    _id, snapshot, _docx, _pdf = november
    from report import charts

    uptake = content._uptake_frame(snapshot)
    spec = charts.share_facets(uptake[uptake["online"].fillna(0) > 0]).to_dict()
    assert spec["resolve"]["scale"]["y"] == "shared"
    assert spec["spec"]["encoding"]["y"]["scale"]["domain"] == [0, 0.3]  # 29,8 % is the top


def test_footnote_markers_match_what_they_explain(november):  # noqa: ANN001
    _id, snapshot, _docx, _pdf = november
    blocks = content.build_blocks(snapshot)
    notes = [i for i, b in enumerate(blocks) if getattr(b, "text", None) == content.SMALL_NOTE]
    assert [i - 1 for i in notes] == [i for i, b in enumerate(blocks) if content.marked(b)]
    # A month on a small base: each block that prints its marked share gets the note after it.
    small = json.loads(json.dumps(snapshot))
    for row in small["uptake"]:
        if row["service"] == "Meldebescheinigung" and row["month"] == "2021-10":
            row.update(total=12, online=4, online_share=4 / 12)
    blocks = content.build_blocks(small)
    marked = [i for i, b in enumerate(blocks) if content.marked(b)]
    notes = [i for i, b in enumerate(blocks) if getattr(b, "text", None) == content.SMALL_NOTE]
    assert len(marked) >= 2 and notes == [i + 1 for i in marked]
    text = pdf_text(render_pdf(small))
    assert text.count("(33,3 %)*") >= 2 and text.count("* Onlinequote auf Grundlage") == len(marked)


def test_table_columns_fit_their_longest_words(november):  # noqa: ANN001
    """.docx: fixed column widths from the content, every word fits its column; PDF: every
    service name stays whole on one line."""
    _id, snapshot, data, pdf = november
    document = docx.Document(io.BytesIO(data))
    for table in document.tables:
        grid = [c.width.cm for c in table.columns]
        assert len(set(round(w, 2) for w in grid)) > 1  # not equal widths
        assert sum(grid) <= 16.6 + 0.05
        size = table.rows[0].cells[0].paragraphs[0].runs[0].font.size.pt
        for row in table.rows:
            for width, cell in zip(grid, row.cells, strict=True):
                for word in cell.text.split():
                    bold = row is table.rows[0]
                    assert text_width_cm(word, size, bold=bold) + 0.19 * 2 <= width + 1e-6, word
    lines = pdf_text(pdf).splitlines()
    for name in {r["service"] for r in snapshot["uptake"]}:
        assert any(name in line for line in lines), name


def test_same_title_and_stichtag_replaces_only_when_asked(demo_engine, admin):  # noqa: ANN001
    cutoff = date(2022, 1, 31)
    first, _ = create_report(demo_engine, title="Bericht Januar", period_start="2021-07",
                             period_end="2021-12", cutoff=cutoff, user="test-admin")  # fmt: skip
    with demo_engine.connect() as conn:
        assert same_report(conn, "  bericht   JANUAR ", cutoff) == first
        assert same_report(conn, "Bericht Januar", date(2022, 2, 1)) is None
    with pytest.raises(ValueError, match="nicht diesen Titel"):
        create_report(demo_engine, title="Anderer Titel", period_start="2021-07",
                      period_end="2021-12", cutoff=cutoff, user="x", replace_id=first)  # fmt: skip
    again, snapshot = create_report(
        demo_engine, title="Bericht Januar", period_start="2021-08", period_end="2021-12",
        cutoff=cutoff, user="test-admin", replace_id=first,
    )  # fmt: skip
    with demo_engine.connect() as conn:
        stored = load_snapshot(conn, first)
        same = [r for r in list_reports(conn).itertuples() if r.title == "Bericht Januar"]
        log = report_log(conn)
    assert again == first and len(same) == 1 and stored == snapshot
    assert stored["period_start"] == "2021-08"
    # Replaced with the report itself chosen for comparison (the page's default): it is
    # compared with what the replaced one was compared with.
    base, _ = create_report(demo_engine, title="Basis", period_start="2021-01",
                            period_end="2021-06", cutoff=date(2021, 7, 31), user="a")  # fmt: skip
    create_report(demo_engine, title="Bericht Januar", period_start="2021-07",
                  period_end="2021-12", cutoff=cutoff, user="a", previous_id=base,
                  replace_id=first)  # fmt: skip
    _, replaced = create_report(
        demo_engine, title="Bericht Januar", period_start="2021-07", period_end="2021-12",
        cutoff=cutoff, user="a", previous_id=first, replace_id=first,
    )  # fmt: skip
    assert replaced["previous"]["id"] == base and replaced["previous"]["title"] == "Basis"
    assert list(log.loc[log["report_id"] == first, "action"])[:2] == ["replaced", "created"]


def test_an_admin_deletes_a_report_and_it_is_logged(demo_engine, admin, logins, caplog):  # noqa: ANN001
    first, _ = create_report(demo_engine, title="Zum Löschen", period_start="2021-07",
                             period_end="2021-12", cutoff=date(2022, 3, 1), user="a")  # fmt: skip
    later, _ = create_report(demo_engine, title="Danach", period_start="2022-01",
                             period_end="2022-02", cutoff=date(2022, 3, 2), user="a",
                             previous_id=first)  # fmt: skip
    with pytest.raises(PermissionError):
        delete_report(demo_engine, logins["viewer"].account, first)
    with caplog.at_level("INFO", logger="portalquote"):
        assert delete_report(demo_engine, admin, first) == "Zum Löschen"
    assert any("Bericht Nr." in r.getMessage() and "gelöscht" in r.getMessage()
               for r in caplog.records)  # fmt: skip
    with demo_engine.connect() as conn:
        assert first not in set(list_reports(conn)["id"])
        assert conn.scalar(select(Report.previous_report_id).where(Report.id == later)) is None
        line = report_log(conn).iloc[0]
        kept = load_snapshot(conn, later)
    assert (line["report_id"], line["action"], line["done_by"]) == (
        first,
        "deleted",
        admin.username,
    )
    assert kept["previous"]["title"] == "Zum Löschen"  # what the later report printed stays
    assert render_pdf(kept).startswith(b"%PDF")
    with pytest.raises(KeyError):
        delete_report(demo_engine, admin, first)


def test_the_logo_and_cover_settings_refuse_bad_input(demo_engine, admin):  # noqa: ANN001
    with pytest.raises(issuer.IssuerError, match="kein lesbares Bild"):
        issuer.check_logo(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    with pytest.raises(issuer.IssuerError, match="höchstens 1.024 KB"):
        issuer.check_logo(b"\x89PNG" + b"0" * (1025 * 1024))
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(issuer.IssuerError, match="GIF"):
        issuer.check_logo(gif.getvalue())
    assert issuer.check_logo(logo_png()) == "image/png"


def test_the_page_asks_before_replacing_and_deletes_after_asking(page_db, page_admin, monkeypatch):  # noqa: ANN001
    url, engine = page_db
    with engine.connect() as conn:
        reports_before = len(list_reports(conn))
    at = log_in(new_app(url, monkeypatch).run(), page_admin.username, page_admin.password)
    at = open_page(at, "report.py")
    submit = "FormSubmitter:new_report-Bericht erzeugen und speichern"

    def generate() -> None:
        at.text_input(key="report_title").input("Doppelt")
        at.selectbox[0].set_value("2021-05")
        at.selectbox[1].set_value("2021-10")
        at.button(key=submit).click().run()
        assert not at.exception

    generate()
    with engine.connect() as conn:
        first = same_report(conn, "Doppelt", date.today())
    assert first is not None
    generate()  # the same title and Stichtag again: a question, nothing stored yet
    assert "Es gibt schon einen Bericht „Doppelt“" in texts(at)
    with engine.connect() as conn:
        assert len(list_reports(conn)) == reports_before + 1
    at.button(key="report_replace_cancel").click().run()
    assert "Es gibt schon einen Bericht" not in texts(at)
    generate()
    at.button(key="report_replace").click().run()
    assert not at.exception, at.exception
    assert f"Bericht Nr. {first} wurde ersetzt." in texts(at)
    with engine.connect() as conn:
        assert len(list_reports(conn)) == reports_before + 1
    # Delete: a question first, then gone and in the log.
    at.button(key=f"delete_{first}").click().run()
    assert "endgültig löschen?" in texts(at)
    at.button(key=f"delete_sure_{first}").click().run()
    assert not at.exception
    assert f"Bericht Nr. {first} „Doppelt“ wurde gelöscht." in texts(at)
    with engine.connect() as conn:
        assert first not in set(list_reports(conn)["id"])
        assert list(report_log(conn)["action"])[:3] == ["deleted", "replaced", "created"]


def test_odd_names_are_printed_literally_in_the_pdf(november):  # noqa: ANN001
    """Title, town and names with markup characters: text in the PDF, never markup."""
    _id, snapshot, _docx, _pdf = november
    odd = json.loads(json.dumps(snapshot))
    title = 'Bericht </style><script>x</script> & "Q3" \\ [1] #2 :: <b>'
    odd["title"] = title
    odd["issuer"]["town"] = "Stadt <Nord> & Süd"
    odd["fields"][0]["measures"][0]["name"] = "**fett** <i>kursiv</i>"
    pdf = render_pdf(odd)
    text = " ".join(pdf_text(pdf).split())
    assert title in text and "Stadt <Nord> & Süd" in text and "**fett** <i>kursiv</i>" in text
    assert f"{title} – Seite 2 von" in text  # the footer
    assert pdf_ua.problems(pdf, title=title) == []
