"""One number, one place: Übersicht, Ziele, Leistungen, Sitzungsmodus and Sachstandsbericht
print the same figures for the same data and Stichtag, rounding and the sign of zero included.

The data is made for the cases where presenters used to disagree: a change that rounds to
zero from below (-0,04 Pp.), a service that joins in the latest month (the change compares
the two services both months have), and a newer month that one department has reported ahead
(never the headline).
"""

import io
from datetime import date, datetime

import docx
import pytest
from accounts import make_accounts
from app_helpers import html_table, open_with, shown, texts
from db_builders import _counts, _measures, _services
from streamlit.testing.v1 import AppTest

from db import get_engine, queries
from db.german import format_int, format_percent, format_points
from db.session import OVERVIEW, SERVICES, Agenda, save_agenda
from db.writes import MeasureRow, begin_write
from report.render import render_docx
from report.store import create_report

M1, M2, B = "Meldebescheinigung", "Melderegisterauskunft", "Baumfällgenehmigung"
FIGURES = {
    (M1, "2023-01"): (2000, 500), (M2, "2023-01"): (2000, 400),
    (M1, "2023-12"): (2500, 1000), (M2, "2023-12"): (2500, 750),
    (M1, "2024-01"): (2500, 1000), (M2, "2024-01"): (2500, 748), (B, "2024-01"): (200, 100),
    (M1, "2024-02"): (2600, 1100),  # reported ahead by one department only
}  # fmt: skip
# What every presenter must print (computed from FIGURES by hand).
SHARE, TOTAL, ONLINE = "35,5 %", "5.200", "1.848"  # 1.848 of 5.200 over three services
MONTH_CHANGE = "±0,0 Pp."  # 1.748/5.000 against 1.750/5.000 over the two: -0,04 Pp.
YEAR_CHANGE = "+12,5 Pp."  # 1.748/5.000 against 900/4.000: +12,46 Pp.
M2_SHARE = "29,9 %"  # 748 of 2.500
IN_BOTH = "2 Leistungen in beiden Monaten"
PROVISIONAL = "Feb. 2024 vorläufig: 1 von 3 Leistungen gemeldet"


@pytest.fixture(scope="module")
def made(make_session_db_url):  # noqa: ANN001, ANN201
    url = make_session_db_url("same_figures")
    engine = get_engine(url)
    ids = _services(
        engine,
        [
            (M1, "FB 3 Bürgerbüro", "2021-06"),
            (M2, "FB 3 Bürgerbüro", "2021-06"),
            (B, "FB 7 Umwelt", None),
        ],
    )
    _counts(engine, ids, FIGURES, datetime(2024, 3, 1, 9))
    _measures(engine, [
        MeasureRow("Digitaler Bürgerservice", "Portal", "in_progress", service_ids=[ids[M1]]),
        MeasureRow("Digitaler Bürgerservice", "Sprechstunde", "done"),
        MeasureRow("Digitale Verwaltung", "DMS", "planned"),
    ])  # fmt: skip
    with begin_write(engine) as conn:  # the session frozen at today: the same data
        save_agenda(conn, Agenda([OVERVIEW, SERVICES], [M2], datetime.now()))
    logins = make_accounts(engine, "FB 3 Bürgerbüro")
    _id, snapshot = create_report(
        engine, title="Bericht", period_start="2023-08", period_end="2024-01",
        cutoff=date.today(), user="test",
    )  # fmt: skip
    with engine.connect() as conn:
        head = queries.headline(conn)
    engine.dispose()
    return url, logins, snapshot, head


def test_the_core_gives_these_figures(made):  # noqa: ANN001
    *_, head = made
    fig = head.figures
    assert head.month == "2024-01"
    assert (format_percent(fig.current.share), format_int(fig.current.total)) == (SHARE, TOTAL)
    assert format_points(fig.previous.points) == MONTH_CHANGE and fig.previous.services == 2
    assert format_points(fig.year.points) == YEAR_CHANGE and fig.year.services == 2


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _status(table) -> dict[str, str]:  # noqa: ANN001
    return dict(zip(table["Handlungsfeld"], table["gesamt"], strict=True))


def test_every_presenter_prints_the_same_values(made, monkeypatch):  # noqa: ANN001
    url, logins, snapshot, _head = made

    overview = open_with(url, monkeypatch, "overview.py")
    assert _metrics(overview) == {
        "Onlinequote Jan. 2024": SHARE, "zum Vormonat": MONTH_CHANGE,
        "zum Vorjahresmonat": YEAR_CHANGE, "Anträge Jan. 2024": TOTAL,
    }  # fmt: skip
    text = texts(overview)
    assert f"{ONLINE} von {TOTAL} Anträgen online, 3 Leistungen" in text
    assert (
        f"Dez. 2023: 35,0 % (1.750 von 5.000) · {IN_BOTH} (Jan. 2024 über dieselben: 35,0 %)"
        in (text)
    )
    assert PROVISIONAL in text
    month = html_table(overview, 0).set_index("Leistung")
    assert month.loc[M2, "Onlinequote"] == M2_SHARE
    status = _status(html_table(overview, 1))

    targets = open_with(url, monkeypatch, "targets.py")
    first = html_table(targets, 0).iloc[0]  # newest complete month first
    assert first[["Monat", "Anträge gesamt", "davon online", "Onlinequote"]].tolist() == [
        "Jan. 2024", TOTAL, ONLINE, SHARE,
    ]  # fmt: skip

    services = open_with(
        url, monkeypatch, "services.py", fachbereich="FB 3 Bürgerbüro", leistung=M2
    )
    rows = html_table(services, -1).set_index("Monat")  # the figures under the chart
    assert rows.index[-1] == "Jan. 2024"  # the default range ends at the complete month
    assert rows.loc["Jan. 2024", "Onlinequote"] == M2_SHARE

    slide = open_with(url, monkeypatch, "session.py", folie="1")  # the overview's figures
    assert _metrics(slide) == {
        "Onlinequote Januar 2024": SHARE, "zum Vormonat": MONTH_CHANGE,
        "zum Vorjahresmonat": YEAR_CHANGE, "Anträge gesamt": TOTAL,
    }  # fmt: skip
    slide_text = texts(slide)
    assert IN_BOTH in slide_text and PROVISIONAL in slide_text
    slide = open_with(url, monkeypatch, "session.py", folie="1b")  # and its measures
    assert _status(html_table(slide, 0)) == status
    slide = open_with(url, monkeypatch, "session.py", folie="2")
    assert html_table(slide, 0).set_index("Leistung").loc[M2, "Onlinequote"] == M2_SHARE

    document = docx.Document(io.BytesIO(render_docx(snapshot)))
    report = "\n".join(p.text for p in document.paragraphs)
    assert (
        f"insgesamt {TOTAL} Anträge gestellt, davon {ONLINE} über das Serviceportal ({SHARE})"
        in report
    )
    assert f"zum Vormonat: {MONTH_CHANGE} ({IN_BOTH})" in report
    assert f"zum Vorjahresmonat: {YEAR_CHANGE} ({IN_BOTH})" in report
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    counts = next(t for t in tables if t[0][0] == "Handlungsfeld")
    assert {r[0]: r[-1] for r in counts[1:] if r[0] != "Gesamt"} == status
    month_rows = next(t for t in tables if t[0][:2] == ["Leistung", "Fachbereich"])
    assert next(r for r in month_rows if r[0] == M2)[-1] == M2_SHARE


def test_the_report_page_opens_with_a_complete_default_period(made, monkeypatch):  # noqa: ANN001
    """What was seen: the Sachstandsbericht did not open when the default start month (the
    latest month minus DEFAULT_MONTHS) was not a month with complete figures."""
    url, logins, *_ = made
    at = open_with(url, monkeypatch, "report.py", logins["admin"].account.id)
    boxes = {b.label: b.value for b in at.selectbox}
    assert (boxes["Berichtszeitraum von"], boxes["bis"]) == ("2023-08", "2024-01")
    assert PROVISIONAL in texts(at)
    assert shown(at.title[0].value) == "Sachstandsbericht"


def test_one_department_ahead_leaves_the_overview_and_the_target_chart(made, monkeypatch):  # noqa: ANN001
    """What was seen: a newer month of one service became the 'Letzter vollständiger Monat'
    (44,0 % from '1 Leistungen', +7,7 Pp. against twelve services), and the Ziele chart
    jumped the same way."""
    url, *_ = made
    at = open_with(url, monkeypatch, "overview.py")
    assert "Letzter vollständiger Monat: **Januar 2024**" in texts(at)
    targets = open_with(url, monkeypatch, "targets.py")
    assert "Feb. 2024" not in html_table(targets, 0)["Monat"].tolist()
    [chart] = [c for c in targets.get("vega_lite_chart")]
    assert "2024-02" not in chart.proto.spec and "Feb. 2024" not in str(chart.proto.datasets)
