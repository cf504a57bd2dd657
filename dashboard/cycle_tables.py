"""The monthly cycle as German display tables: deadline marks, record, reminders (no Streamlit)."""

from datetime import date

import pandas as pd

from db.deadlines import LATE, ON_TIME, OPEN, PENDING, Rules, next_due
from db.german import format_decimal, format_moment, format_month
from db.labels import DEADLINE_LABELS, REMINDER_KIND_LABELS, REMINDER_STATE_LABELS
from db.reporting import Missing
from ingest.remind import Plan, due_state

LEGEND = (
    "pünktlich: bis zur Frist vollständig · +3 T.: drei Tage nach der Frist vollständig · "
    "offen (+18 T.): noch unvollständig, Frist seit 18 Tagen abgelaufen · fällig 14.12.: "
    "Frist läuft noch · –: keine Frist (vor dem ersten Monat mit Frist)"
)


def _days(n: int) -> str:
    return f"{n} T."


def mark_cell(state: str, days: int, deadline: date) -> str:
    """The short text of a grid cell ('pünktlich', '+3 T.', 'offen (+18 T.)', 'fällig 14.12.')."""
    if state == ON_TIME:
        return "pünktlich"
    if state == LATE:
        return f"+{_days(days)}"
    if state == OPEN:
        return f"offen (+{_days(days)})"
    if state == PENDING:
        return f"fällig {deadline:%d.%m.}"
    return "–"


def mark_text(state: str, days: int, deadline: date) -> str:
    """The same in words ('3 Tage verspätet', 'offen, seit 18 Tagen überfällig')."""
    plural = "Tag" if days == 1 else "Tage"
    if state == ON_TIME:
        return "pünktlich"
    if state == LATE:
        return f"{days} {plural} verspätet"
    if state == OPEN:
        return f"offen, seit {days} {'Tag' if days == 1 else 'Tagen'} überfällig"
    if state == PENDING:
        return "offen, heute fällig" if days == 0 else f"offen, fällig am {deadline:%d.%m.%Y}"
    return "keine Frist"


def deadline_sentence(today: date, rules: Rules) -> str:
    """'Meldung November 2026 fällig am 14.12.2026' for the report due next."""
    month, due = next_due(today, rules)
    return f"Meldung {format_month(month, long=True)} fällig am {due:%d.%m.%Y}"


def missing_text(missing: list[Missing], limit: int = 8) -> str:
    """'Meldebescheinigung, Melderegisterauskunft (online fehlt) und 3 weitere'."""
    names = []
    for m in missing[:limit]:
        if len(m.channels) == 1:
            names.append(
                f"{m.service} ({'online' if m.channels[0] == 'online' else 'vor Ort'} fehlt)"
            )
        else:
            names.append(m.service)
    more = f" und {len(missing) - limit} weitere" if len(missing) > limit else ""
    return ", ".join(names) + more


def chart_frame(status: pd.DataFrame) -> pd.DataFrame:
    """department, month, state (German label) and detail: what the deadline chart draws."""
    detail = [
        mark_text(s, d, dl) + (f" – fehlt: {missing_text(m, 4)}" if m else "")
        for s, d, dl, m in zip(
            status["state"], status["days"], status["deadline"], status["missing"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "department": status["department"].to_numpy(),
            "month": status["month"].to_numpy(),
            "state": status["state"].map(DEADLINE_LABELS).to_numpy(),
            "detail": detail,
        }
    )


def _mean_days(value: float) -> str:
    return "–" if pd.isna(value) else f"{format_decimal(value)} T."


def marks_table(status: pd.DataFrame, record: pd.DataFrame) -> pd.DataFrame:
    """One row per department: a short mark per month, then its record over these months
    (pünktlich, verspätet, offen, mean delay)."""
    months = list(dict.fromkeys(status["month"]))
    cells = status.assign(
        cell=[
            mark_cell(s, d, dl)
            for s, d, dl in zip(status["state"], status["days"], status["deadline"], strict=True)
        ]
    )
    wide = cells.pivot(index="department_id", columns="month", values="cell")
    wide = wide.reindex(index=record["department_id"], columns=months)
    out = pd.DataFrame({"Fachbereich": record["department"].to_numpy()})
    for month in months:
        out[format_month(month)] = wide[month].to_numpy()
    out["pünktlich"] = record[ON_TIME].astype(str).to_numpy()
    out["verspätet"] = record[LATE].astype(str).to_numpy()
    out["offen"] = (record[OPEN] + record[PENDING]).astype(str).to_numpy()
    out["Ø Verspätung"] = record["late_days"].map(_mean_days).to_numpy()
    return out


def department_table(status: pd.DataFrame) -> pd.DataFrame:
    """One department's months, newest first: Frist, complete on, state, what is missing."""
    rows = status.iloc[::-1]
    return pd.DataFrame(
        {
            "Monat": rows["month"].map(format_month).to_numpy(),
            "Frist": [f"{d:%d.%m.%Y}" for d in rows["deadline"]],
            "Vollständig am": ["–" if a is None else f"{a:%d.%m.%Y}" for a in rows["arrived"]],
            "Stand": [
                mark_text(s, d, dl)
                for s, d, dl in zip(rows["state"], rows["days"], rows["deadline"], strict=True)
            ],
            "Leistungen": [
                f"{c} von {e}" for c, e in zip(rows["complete"], rows["expected"], strict=True)
            ],
            "Es fehlt": [missing_text(m) or "–" for m in rows["missing"]],
        }
    )


def long_table(status: pd.DataFrame) -> pd.DataFrame:
    """Every department and month (for the download): Fachbereich, Monat, Frist, ... ."""
    table = department_table(status.iloc[::-1])
    table.insert(0, "Fachbereich", status["department"].to_numpy())
    return table


def months_span(months: list[str]) -> str:
    """'Okt. 2026', 'Sept. 2026, Okt. 2026' or '11 Monate, Dez. 2025 bis Okt. 2026'."""
    if len(months) <= 3:
        return ", ".join(format_month(m) for m in months)
    return f"{len(months)} Monate, {format_month(months[0])} bis {format_month(months[-1])}"


def plan_table(plan: Plan) -> pd.DataFrame:
    """The preview of a reminder run: who gets what, or why not."""
    services = [len({m.service for ms in d.missing.values() for m in ms}) for d in plan.due]
    return pd.DataFrame(
        {
            "Fachbereich": [d.department for d in plan.due],
            "Überfällig": [months_span(d.months) for d in plan.due],
            "Fehlende Leistungen": [f"{n} Leistung{'en' if n != 1 else ''}" for n in services],
            "Empfänger": [", ".join(d.recipients) or "–" for d in plan.due],
            "Erinnerung": [due_state(d) for d in plan.due],
        }
    )


def reminders_table(log: pd.DataFrame, *, with_people: bool) -> pd.DataFrame:
    """The reminder log, newest first; recipients and sender only for signed-in users."""
    out = pd.DataFrame(
        {
            "Zeitpunkt": [format_moment(v, unit=False) for v in log["sent_at"]],
            "Art": log["kind"].map(REMINDER_KIND_LABELS).to_numpy(),
            "Fachbereich": log["department"].fillna("–").to_numpy(),
            "Monate": [
                ", ".join(format_month(m) for m in ms.split()) or "–" for ms in log["months"]
            ],
            "Ergebnis": [
                REMINDER_STATE_LABELS[s] + (" (erzwungen)" if f else "") + (f": {e}" if e else "")
                for s, f, e in zip(
                    log["state"], log["forced"], log["error"].fillna(""), strict=True
                )
            ],
        }
    )
    if with_people:
        out.insert(4, "Empfänger", log["recipients"].to_numpy())
        out.insert(5, "Ausgelöst von", log["sent_by"].to_numpy())
    return out
