"""Slides cut to the projector: text estimates, packing into parts, labels, and every part of
databases in awkward states within a 1280×720 screen (the estimates; Chromium measures the
demo in tests/test_browser_presentation.py)."""

import re

import pandas as pd
import pytest
from db_builders import STATES
from sqlalchemy import select

from dashboard import export
from dashboard import slide_plan as plan
from dashboard.charts import share_by_service_chart, share_lines_chart
from db import asof, get_engine
from db.models import Service
from db.session import Slide, default_agenda, load_agenda, save_agenda, slides
from db.writes import LoadInfo, MeasureRow, apply_measures, begin_write


def test_text_lines_wrap_at_words_and_break_long_words():
    assert plan.text_lines("", 500) == 1
    assert plan.text_lines("kurz", 500) == 1
    line = "Die Erhebung des Anforderungsprofils an ein geeignetes DMS wird abgeschlossen."
    one = plan.text_lines(line, 2000)
    assert one == 1 and plan.text_lines(line, 300) >= 3
    assert plan.text_lines(f"{line}\n{line}", 2000) == 2  # each paragraph on its own lines
    long = "x" * 400  # one word wider than a line is broken over as many lines as it needs
    assert plan.text_lines(long, 500) == -(-plan.text_width(long) // 500)
    # Wide characters take more room than narrow ones.
    assert plan.text_width("WWWW") > plan.text_width("iiii") * 2
    assert plan.text_width("日本語") >= 3 * plan.BODY


def test_split_text_keeps_every_word_in_order():
    text = " ".join(f"Wort{i}" for i in range(300))
    pieces = plan.split_text(text, 600, 3)
    assert " ".join(pieces) == text
    assert all(plan.text_lines(p, 600) <= 3 for p in pieces)


def _block(height: float, **kw) -> plan.Block:  # noqa: ANN003
    return plan.Block("text", height, "x", **kw)


def test_pack_fills_parts_in_order_and_never_overfills():
    blocks = [_block(h) for h in (200, 150, 140, 300, 90, 90)]
    parts = plan.pack(blocks, 520)
    assert [[b.height for b in p] for p in parts] == [[200, 150, 140], [300, 90, 90]]
    for part in parts:
        assert sum(b.height for b in part) + plan.GAP * (len(part) - 1) <= 520


def test_a_heading_never_ends_a_part_and_a_chart_gives_room():
    heading = plan.Block("heading", 40, "Titel", keep_with_next=True)
    parts = plan.pack([_block(400), heading, _block(200)], 520)
    assert [[b.kind for b in p] for p in parts] == [["text"], ["heading", "text"]]
    chart = plan.Block("chart", 360, {}, shrink=120)
    parts = plan.pack([chart, _block(200)], 520)  # the chart shrinks for what follows it
    assert len(parts) == 1 and parts[0][0].height == 520 - 200 - plan.GAP
    parts = plan.pack([chart, _block(400)], 520)  # not below its least height
    assert len(parts) == 2 and parts[0][0].height == 360


def test_a_block_taller_than_a_part_gets_one_of_its_own():
    parts = plan.pack([_block(100), _block(900), _block(100)], 520)
    assert [[b.height for b in p] for p in parts] == [[100], [900], [100]]


def test_a_long_table_continues_with_its_header():
    table = pd.DataFrame(
        {"Leistung": [f"Leistung {i}" for i in range(30)], "Quote": ["1,0 %"] * 30}
    )
    blocks = plan.table_blocks(table, "t", "Tabelle", 520)
    parts = plan.pack(blocks, 520)
    assert len(parts) > 1 and all(len(p) == 1 and p[0].kind == "table" for p in parts)
    frames = [p[0].data["frame"] for p in parts]
    assert pd.concat(frames)["Leistung"].tolist() == table["Leistung"].tolist()
    assert all(p[0].height <= 520 for p in parts)
    short = plan.table_blocks(table.head(3), "t", "Tabelle", 520)
    assert len(short) == 1  # a table that fits a part is never cut


def test_labels_and_finding_a_part():
    assert plan.part_labels(3, 1) == ["3"]
    assert plan.part_labels(3, 3) == ["3a", "3b", "3c"]
    labels = ["1a", "1b", "2", "3a", "3b"]
    assert plan.find(labels, "3b") == 4
    assert plan.find(labels, "3") == 3  # a slide's number: its first part
    assert plan.find(labels, "1") == 0
    assert plan.find(labels, "9") == 4  # past the end: the last
    assert plan.find(labels, "2c") == 2  # a part the slide no longer has: its first
    assert [plan.find(labels, w) for w in (None, "", "abc", "-1", "0")] == [0] * 5


def _parts_of(url: str) -> list[tuple[str, Slide, list[plan.Block]]]:
    engine = get_engine(url)
    with engine.connect() as conn:
        agenda = load_agenda(conn)
        at = agenda.frozen_at
        uptake = asof.uptake_as_of(conn, at)
        parts = plan.plan_agenda(
            agenda, slides(conn, agenda), uptake, asof.month_states_as_of(conn, at, uptake),
            asof.measures_as_of(conn, at), asof.measure_links(conn),
        )  # fmt: skip
    engine.dispose()
    return parts


def _fits(parts) -> None:  # noqa: ANN001
    for label, slide, blocks in parts:
        used = sum(b.height for b in blocks) + plan.GAP * (len(blocks) - 1)
        assert used <= plan.budget(slide.title), (label, used, [(b.kind, b.height) for b in blocks])


@pytest.mark.parametrize("name", list(STATES))
def test_every_part_fits_in_every_state(make_session_db_url, name):  # noqa: ANN001
    url = make_session_db_url(f"plan_{name}")
    STATES[name](get_engine(url))
    parts = _parts_of(url)
    assert parts and [p[0] for p in parts] == list(dict.fromkeys(p[0] for p in parts))
    _fits(parts)


def test_the_demo_is_cut_where_it_does_not_fit(make_session_db_url):  # noqa: ANN001
    url = make_session_db_url("plan_demo_cut")
    STATES["demo"](get_engine(url))
    labels = [label for label, _s, _b in _parts_of(url)]
    assert labels == ["1a", "1b", "2", "3a", "3b", "3c", "4a", "4b", "5", "6", "7a", "7b"]


def test_a_field_with_long_notes_and_many_services_is_cut_into_fitting_parts(
    make_session_db_url,
):  # noqa: ANN001
    url = make_session_db_url("plan_long")
    engine = get_engine(url)
    STATES["many_services"](engine)
    note = " ".join(["Ein sehr langer Sachstand mit vielen Wörtern."] * 120)
    with begin_write(engine) as conn:
        ids = list(conn.scalars(select(Service.id).order_by(Service.id)))
        rows = [MeasureRow("Feld", f"Maßnahme {i}", "in_progress", note=note if i < 2 else "kurz",
                           service_ids=ids[:30]) for i in range(9)]  # fmt: skip
        apply_measures(conn, rows, LoadInfo("m.xlsx", "x", "test", len(rows)))
        save_agenda(conn, default_agenda(conn))
    parts = _parts_of(url)
    _fits(parts)
    field = [(label, blocks) for label, slide, blocks in parts if slide.kind == "field"]
    assert len(field) > 5  # the notes and the thirty services' bars go on over many parts
    shown = " ".join(b.data for _l, blocks in field for b in blocks if b.kind == "text")
    assert shown.count("Ein sehr langer Sachstand") > 100  # nothing of the notes is lost
    bars = [b for _l, blocks in field for b in blocks if b.kind == "chart"]
    assert sum(len(b.data["frame"]) for b in bars) == 30


def test_slide_charts_are_drawn_in_projector_type():
    frame = pd.DataFrame(
        {"service": ["A", "A", "B", "B"], "month": ["2023-11", "2023-12"] * 2,
         "total": [100, 120, 80, 90], "online": [30, 40, 20, 25],
         "online_share": [0.3, 1 / 3, 0.25, 25 / 90], "department": ["FB"] * 4}
    )  # fmt: skip
    for chart in (share_lines_chart(frame, big=True), share_by_service_chart(frame, big=True)):
        svg = export.chart_svg_bytes(chart).decode()
        sizes = {float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)}
        assert sizes and min(sizes) >= 20  # axis and legend 21 px, labels on the bars 20 px
