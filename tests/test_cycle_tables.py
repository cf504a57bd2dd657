"""The monthly cycle's display tables and chart (pure functions, no Streamlit)."""

from datetime import date

import pandas as pd

from dashboard.charts import DEADLINE_COLORS, deadline_chart
from dashboard.cycle_tables import (
    department_table,
    mark_cell,
    mark_text,
    marks_table,
    missing_text,
    months_span,
    reminders_table,
)
from db.deadlines import LATE, NO_DEADLINE, ON_TIME, OPEN, PENDING, STATES
from db.labels import DEADLINE_LABELS
from db.reporting import Missing, record

DUE = date(2026, 11, 13)


def test_cells_and_words_for_every_state():
    assert [mark_cell(s, d, DUE) for s, d in
            ((ON_TIME, 0), (LATE, 3), (OPEN, 18), (PENDING, 4), (NO_DEADLINE, 0))] == [
        "pünktlich", "+3 T.", "offen (+18 T.)", "fällig 13.11.", "–",
    ]  # fmt: skip
    assert mark_text(LATE, 1, DUE) == "1 Tag verspätet"
    assert mark_text(LATE, 3, DUE) == "3 Tage verspätet"
    assert mark_text(OPEN, 1, DUE) == "offen, seit 1 Tag überfällig"
    assert mark_text(PENDING, 0, DUE) == "offen, heute fällig"
    assert mark_text(PENDING, 4, DUE) == "offen, fällig am 13.11.2026"


def test_missing_services_and_month_spans():
    missing = [Missing("A"), Missing("B", ("online",)), Missing("C", ("office",))]
    assert missing_text(missing) == "A, B (online fehlt), C (vor Ort fehlt)"
    assert missing_text([Missing(str(i)) for i in range(10)], 8).endswith("7 und 2 weitere")
    assert months_span(["2026-09", "2026-10"]) == "Sept. 2026, Okt. 2026"
    assert months_span([f"2026-{m:02d}" for m in range(1, 12)]) == (
        "11 Monate, Jan. 2026 bis Nov. 2026"
    )


def status_frame() -> pd.DataFrame:
    rows = [
        (1, "FB <b>1</b>", "2026-09", date(2026, 10, 14), date(2026, 10, 1), ON_TIME, 0, 1, 1, []),
        (1, "FB <b>1</b>", "2026-10", DUE, None, OPEN, 18, 1, 0, [Missing("A & B")]),
        (2, "FB 2", "2026-09", date(2026, 10, 14), date(2026, 10, 20), LATE, 6, 1, 1, []),
        (2, "FB 2", "2026-10", DUE, date(2026, 11, 30), LATE, 17, 1, 1, []),
    ]
    cols = ["department_id", "department", "month", "deadline", "arrived", "state", "days",
            "expected", "complete", "missing"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def test_marks_table_has_a_column_per_month_and_the_record():
    table = marks_table(status_frame(), record(status_frame())).set_index("Fachbereich")
    assert list(table.columns) == [
        "Sept. 2026", "Okt. 2026", "pünktlich", "verspätet", "offen", "Ø Verspätung",
    ]  # fmt: skip
    assert table.loc["FB <b>1</b>"].tolist() == ["pünktlich", "offen (+18 T.)", "1", "0", "1", "–"]
    assert table.loc["FB 2"].tolist() == ["+6 T.", "+17 T.", "0", "2", "0", "11,5 T."]


def test_department_table_newest_month_first():
    own = status_frame().iloc[:2]
    table = department_table(own)
    assert table["Monat"].tolist() == ["Okt. 2026", "Sept. 2026"]
    assert table.iloc[0].tolist() == [
        "Okt. 2026", "13.11.2026", "–", "offen, seit 18 Tagen überfällig", "0 von 1", "A & B",
    ]  # fmt: skip


def test_reminder_log_hides_people_from_visitors():
    log = pd.DataFrame(
        {
            "sent_at": [pd.Timestamp("2026-12-01 08:00")], "kind": ["department"],
            "department": ["FB 2"], "months": ["2026-09 2026-10"], "recipients": ["a@x.de"],
            "sent_by": ["cron"], "forced": [True], "state": ["failed"],
            "error": ["Der Mailserver ist nicht erreichbar."],
        }
    )  # fmt: skip
    public = reminders_table(log, with_people=False)
    assert "Empfänger" not in public.columns and "Ausgelöst von" not in public.columns
    assert public.iloc[0]["Monate"] == "Sept. 2026, Okt. 2026"
    assert public.iloc[0]["Ergebnis"] == (
        "nicht gesendet (erzwungen): Der Mailserver ist nicht erreichbar."
    )
    assert reminders_table(log, with_people=True).iloc[0]["Empfänger"] == "a@x.de"


def test_deadline_chart_colours_each_state():
    frame = pd.DataFrame(
        {"department": ["FB 2", "FB 2"], "month": ["2026-09", "2026-10"],
         "state": [DEADLINE_LABELS[LATE], DEADLINE_LABELS[OPEN]], "detail": ["x", "y"]}
    )  # fmt: skip
    spec = deadline_chart(frame).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == [DEADLINE_LABELS[s] for s in STATES]
    assert scale["range"] == DEADLINE_COLORS and len(DEADLINE_COLORS) == len(STATES)
    assert spec["encoding"]["color"]["title"] == "Meldefrist"
