"""The figures and texts of a report as of its cut-off date, frozen as plain JSON data."""

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Connection

from db import asof
from db.months import add_months
from db.queries import is_demo, targets

# 2: the month states ("months": which months were complete at the cut-off) are stored.
# 3: the issuing town and unit with their logo, the author, and the targets are stored.
SNAPSHOT_VERSION = 3
CHART_MONTHS = 24  # the charts show this many months up to the end of the period


def _iso(d: object) -> str | None:
    return None if d is None or d is pd.NaT or (isinstance(d, float) and d != d) else str(d)


def _text(v: object) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _int(v: object) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _float(v: object) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def uptake_records(uptake: pd.DataFrame) -> list[dict]:
    return [
        {
            "service": r.service,
            "department": r.department,
            "month": r.month,
            "total": _int(r.total),
            "online": _int(r.online),
            "online_share": _float(r.online_share),
        }
        for r in uptake.itertuples(index=False)
    ]


def state_records(states: pd.DataFrame) -> list[dict]:
    """db.figures.month_states as plain JSON rows."""
    return [
        {"month": str(r.month), "expected": int(r.expected), "reported": int(r.reported),
         "partial": int(r.partial), "services": int(r.services), "complete": bool(r.complete)}
        for r in states.itertuples(index=False)
    ]  # fmt: skip


def _corrections(previous: dict, uptake: pd.DataFrame) -> list[dict]:
    """Figures the previous report printed that have since been corrected by later loads."""
    now = {(r["service"], r["month"]): r for r in uptake_records(uptake)}
    out = []
    for old in previous["uptake"]:
        new = now.get((old["service"], old["month"]))
        new_total = new["total"] if new else None
        new_online = new["online"] if new else None
        if (old["total"], old["online"]) != (new_total, new_online):
            out.append(
                {
                    "service": old["service"],
                    "month": old["month"],
                    "old_total": old["total"],
                    "old_online": old["online"],
                    "new_total": new_total,
                    "new_online": new_online,
                }
            )
    return out


def build_snapshot(
    conn: Connection,
    *,
    title: str,
    period_start: str,
    period_end: str,
    cutoff: date,
    previous: dict | None = None,
    previous_id: int | None = None,
    generated_at: datetime | None = None,
    issuer: dict | None = None,
    author: str | None = None,
) -> dict:
    """Everything the report shows, read as of the end of the cut-off day.

    previous is the snapshot of the previous report (changes are counted from its cut-off
    and its figures are compared with today's); without one, from the start of the period.
    issuer (town, unit, logo, logo_mime) is what the cover shows, author the person named in
    the document properties. The targets are those set when the report is generated (a
    target keeps no history); they are measured against the figures of the cut-off day.
    """
    if period_start > period_end:
        raise ValueError("Der Berichtszeitraum beginnt nach seinem Ende.")
    # With the server's UTC offset: the document properties give the real moment.
    generated_at = (generated_at or datetime.now()).replace(microsecond=0).astimezone()
    after = (
        date.fromisoformat(previous["cutoff"])
        if previous
        else date.fromisoformat(period_start + "-01") - timedelta(days=1)
    )
    measures = asof.measures_as_of(conn, cutoff)
    links = asof.measure_links(conn)
    linked = links.groupby("measure_id")["service"].apply(list).to_dict()
    fields: list[dict] = []
    for (_pos, name), group in measures.groupby(["field_position", "field"], sort=True):
        fields.append(
            {
                "name": name,
                "group": _text(group["group"].iloc[0]),
                "measures": [
                    {
                        "id": int(m.measure_id),
                        "name": m.measure,
                        "status": m.status,
                        "status_since": _iso(m.status_since),
                        "responsible": _text(m.responsible),
                        "start": _text(m.start),
                        "end": _text(m.end),
                        "note": _text(m.note),
                        "note_date": _iso(m.note_date),
                        "services": linked.get(m.measure_id, []),
                    }
                    for m in group.itertuples(index=False)
                ],
            }
        )
    changes = asof.status_changes(conn, after, cutoff)
    uptake = asof.uptake_as_of(conn, cutoff)
    # Which months were complete rests on all months before: computed here, stored as is.
    states = asof.month_states_as_of(conn, cutoff, uptake)
    first = min(add_months(period_end, -(CHART_MONTHS - 1)), period_start)
    shown = uptake[(uptake["month"] >= first) & (uptake["month"] <= period_end)]
    prev_info = None
    corrections: list[dict] = []
    if previous:
        prev_info = {
            "id": previous_id,
            "title": previous["title"],
            "cutoff": previous["cutoff"],
            "period_end": previous["period_end"],
            # Its rows of its last month: the comparison counts the services both months have.
            "uptake": [r for r in previous["uptake"] if r["month"] == previous["period_end"]],
        }
        corrections = _corrections(previous, uptake)
    return {
        "version": SNAPSHOT_VERSION,
        "title": title,
        "period_start": period_start,
        "period_end": period_end,
        "cutoff": cutoff.isoformat(),
        "generated_at": generated_at.isoformat(),
        "demo": is_demo(conn),
        "changes_after": after.isoformat(),
        "previous": prev_info,
        "fields": fields,
        "status_changes": [
            {
                "field": c.field,
                "measure": c.measure,
                "measure_id": int(c.measure_id),
                "changed_on": _iso(c.changed_on),
                "previous_status": c.previous_status,
                "status": c.status,
            }
            for c in changes.itertuples(index=False)
        ],
        "services": [
            {
                "service": s.service,
                "department": s.department,
                "online_since": _text(s.online_since),
            }
            for s in asof.services(conn).itertuples(index=False)
        ],
        "uptake": uptake_records(shown),
        "months": state_records(states[states["month"].between(first, period_end)]),
        "corrections": corrections,
        "issuer": issuer or {"town": "", "unit": "", "logo": None, "logo_mime": None},
        "author": author or "",
        "targets": [
            {"service": _text(t.service), "share": float(t.share), "due_month": t.due_month}
            for t in targets(conn).itertuples(index=False)
        ],
    }
