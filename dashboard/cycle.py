"""Page parts of the monthly cycle: the deadline, each department's marks, reminders."""

from datetime import date

import streamlit as st

from dashboard import charts, components, cycle_tables, data
from dashboard.escape import md, md_lines
from db import access, deadlines, reporting
from db.addresses import AddressError
from db.deadlines import Rules
from db.german import format_month
from db.settings import SettingError
from db.users import Account
from ingest import remind
from ingest.mail import MailError

FORCE_KEY = "remind_force"
RESULT_KEY = "remind_result"  # (ok, Markdown text) of the last run, shown after the rerun


def rules() -> Rules | None:
    """The deadline rules from the settings; None (after a German error) if they are wrong."""
    try:
        return deadlines.rules_from_settings()
    except SettingError as exc:
        st.error(f"Die Meldefristen sind falsch eingestellt: {md(exc)}", icon=":material/error:")
        return None


def deadline_notice(rules: Rules, today: date) -> None:
    """'Meldung November 2026 fällig am 14.12.2026' with how deadlines are counted."""
    st.info(
        f"**{cycle_tables.deadline_sentence(today, rules)}** · Frist: {rules.describe()}",
        icon=":material/event:",
    )


def status(rules: Rules, today: date):  # noqa: ANN201
    return data.department_status(data.version(), today, rules.workday, rules.land, rules.start)


def own_open_months(account: Account, rules: Rules, today: date) -> None:
    """On the upload page: which of the account's departments still owe which months."""
    late = reporting.overdue(status(rules, today))
    if account.role == "admin":
        if n := late["department_id"].nunique():
            st.warning(
                f"{n} Fachbereich{'e haben' if n != 1 else ' hat'} überfällige Meldungen "
                "(Seite „Datenstand“, dort auch die Erinnerungen).",
                icon=":material/schedule:",
            )
        return
    late = late[late["department_id"].isin(account.department_ids)]
    if late.empty:
        return
    lines = [
        f"{row.department}: {format_month(row.month, long=True)} "
        f"({cycle_tables.mark_text(row.state, row.days, row.deadline)}) – fehlt: "
        f"{cycle_tables.missing_text(row.missing)}"
        for row in late.itertuples()
    ]
    st.warning("**Überfällige Meldungen**\n\n" + md_lines(lines), icon=":material/schedule:")


def deadline_section(rules: Rules, today: date, department: str | None) -> None:
    """Datenstand: per department and month on time, late or open (all departments: chart
    and table with the record; one department: its months with what is missing)."""
    frame = status(rules, today)
    if frame.empty:
        st.caption("Noch keine Fachbereiche: zuerst den Leistungskatalog laden.")
        return
    # Months before the first one with a deadline say nothing: leave them out.
    dated = frame.loc[frame["state"] != deadlines.NO_DEADLINE, "month"]
    frame = frame[frame["month"] >= dated.min()] if not dated.empty else frame
    months = list(dict.fromkeys(frame["month"]))
    period = f"{format_month(months[0])} bis {format_month(months[-1])}"
    if department is None:
        title = (
            f"Meldefristen der letzten {len(months)} Monate"
            if len(months) == reporting.RECORD_MONTHS
            else f"Meldefristen seit {format_month(months[0], long=True)}"
        )
        st.subheader(title)
        components.chart(
            charts.deadline_chart, cycle_tables.chart_frame(frame),
            f"Raster Fachbereich × Monat, {period}: grün pünktlich, orange verspätet, rot offen "
            "nach Ablauf der Frist, hellblau Frist läuft, grau keine Frist. Dieselben Angaben "
            "stehen in der Tabelle darunter.",
        )  # fmt: skip
        table = cycle_tables.marks_table(frame, reporting.record(frame))
        components.show_table(table)
        st.caption(cycle_tables.LEGEND)
        components.downloads(
            cycle_tables.long_table(frame), f"Meldefristen {months[0]} bis {months[-1]}",
            key="dl_deadlines",
        )  # fmt: skip
    else:
        st.subheader(f"Meldefristen: {md(department)}")
        own = frame[frame["department"] == department]
        components.show_table(cycle_tables.department_table(own))
        components.downloads(
            cycle_tables.department_table(own), f"Meldefristen {department}", key="dl_deadlines"
        )


def reminder_log_section(signed_in: bool) -> None:
    st.subheader("Erinnerungen")
    log = data.reminder_log()
    if log.empty:
        st.caption("Noch keine Erinnerung versandt.")
        return
    components.show_table(cycle_tables.reminders_table(log, with_people=signed_in))
    st.caption(f"Die letzten {len(log)} Erinnerungen und Zusammenfassungen, die neueste zuerst.")


def reminder_panel(account: Account, rules: Rules, today: date) -> None:
    """Admin: who would be reminded now (the preview), then the button that sends."""
    if last := st.session_state.pop(RESULT_KEY, None):
        ok, text = last
        (st.success if ok else st.error)(text, icon=":material/mail:")
    with st.expander("Erinnerungen versenden", icon=":material/mail:"):
        force = st.toggle(
            "Auch Fachbereiche erinnern, die für diese Monate schon erinnert wurden",
            key=FORCE_KEY,
        )
        with data.engine().connect() as conn:
            plan = remind.make_plan(conn, today, rules, force)
        if not plan.due:
            st.success("Keine Meldung ist überfällig; es ist niemand zu erinnern.")
            return
        st.markdown("**Vorschau:** an diese Adressen ginge jetzt eine Erinnerung.")
        components.show_table(cycle_tables.plan_table(plan), key="remind_preview")
        to = ", ".join(plan.summary_to) or "niemanden (keine Adresse eingestellt)"
        st.caption(f"Die Zusammenfassung geht an {md(to)}.")
        problem = remind.smtp_problem()
        for text in ([problem] if problem else []) + plan.problems:
            st.warning(md(text), icon=":material/warning:")
        count = len(plan.to_send)
        label = f"{count} Erinnerung{'en' if count != 1 else ''} jetzt senden"
        if st.button(label, type="primary", disabled=not count or bool(problem), key="remind"):
            _send(account, rules, today, force)


def _send(account: Account, rules: Rules, today: date, force: bool) -> None:
    try:
        with data.engine().connect() as conn:
            access.require(conn, account, "admin")
        with st.spinner("Sende Erinnerungen …"):
            result = remind.run(data.engine(), account.username, today=today, force=force,
                                rules=rules)  # fmt: skip
    except PermissionError as exc:
        st.error(md(exc), icon=":material/lock:")
        return
    except (SettingError, MailError, AddressError) as exc:
        st.error(md(exc), icon=":material/error:")
        return
    lines = remind.report_lines(result, dry_run=False)[1:]
    ok = not result.failed and result.summary_state != remind.FAILED
    st.session_state[RESULT_KEY] = (ok, "**Erinnerungslauf beendet.**\n\n" + md_lines(lines))
    st.session_state.pop(FORCE_KEY, None)
    st.rerun()
