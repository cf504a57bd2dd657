"""Reminders: who is late, one German mail per late department, the log, the summary."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, Engine

from db import reminders, settings
from db.addresses import AddressError, parse_addresses
from db.contacts import admin_addresses, recipients
from db.deadlines import LANDS, Rules, rules_from_settings
from db.german import format_int, format_month
from db.reminders import FAILED, SENT, log_result
from db.reporting import Missing, department_status, overdue
from db.writes import begin_write
from ingest import template
from ingest.mail import Attachment, MailError, build_message, connect, header_text

MAX_NAMED = 40  # services named per month in a mail; the rest are counted
SEND, ALREADY, NO_ADDRESS = "send", "already", "no_address"
UPLOAD_PAGE, COVERAGE_PAGE = "upload", "coverage"


@dataclass
class Due:
    """A department with overdue months: what a reminder would say and whether it goes out."""

    department_id: int
    department: str
    recipients: list[str]
    months: list[str]  # overdue and incomplete, oldest first
    deadlines: dict[str, date]
    overdue_days: dict[str, int]
    missing: dict[str, list[Missing]]
    reminded: set[str] = field(default_factory=set)  # months a reminder already went out for
    last_reminded: datetime | None = None
    action: str = SEND

    @property
    def new_months(self) -> list[str]:
        return [m for m in self.months if m not in self.reminded]


@dataclass
class Plan:
    today: date
    rules: Rules
    forced: bool
    due: list[Due]
    summary_to: list[str]
    upload_url: str | None
    problems: list[str] = field(default_factory=list)  # settings to fix, in German

    @property
    def to_send(self) -> list[Due]:
        return [d for d in self.due if d.action == SEND]


@dataclass
class Outcome:
    due: Due
    state: str  # SENT or FAILED
    error: str | None = None


@dataclass
class Result:
    plan: Plan
    outcomes: list[Outcome] = field(default_factory=list)
    summary_state: str | None = None  # None: no summary was due
    summary_error: str | None = None

    @property
    def sent(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state == SENT]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state == FAILED]


# ---------------------------------------------------------------- who is due


def summary_addresses(conn: Connection) -> list[str]:
    """PORTALQUOTE_MAIL_SUMMARY_TO, else the active admin accounts with an address."""
    configured = settings.summary_recipients()
    return parse_addresses(configured) if configured else admin_addresses(conn)


def smtp_problem() -> str | None:
    """Why mail cannot be sent with the current settings (German), or None."""
    try:
        settings.smtp_settings()
    except settings.SettingError as exc:
        return str(exc)
    return None


def _upload_url() -> tuple[str | None, list[str]]:
    """PORTALQUOTE_PUBLIC_URL, and what is wrong with it."""
    try:
        url = settings.public_url()
    except settings.SettingError as exc:
        return None, [str(exc)]
    if url is None:
        return None, [
            "PORTALQUOTE_PUBLIC_URL ist nicht gesetzt: die Mails enthalten keinen Link zur "
            "Seite „Daten hochladen“."
        ]
    return url, []


def make_plan(
    conn: Connection, today: date, rules: Rules | None = None, force: bool = False
) -> Plan:
    """Every department with months open after their deadline (within the record's months),
    who its reminder goes to, and whether it goes out now: not if every one of its overdue
    months was named in an earlier reminder (unless forced), not without an address."""
    rules = rules or rules_from_settings()
    status = department_status(conn, today, rules)
    late = overdue(status)
    to = recipients(conn)
    reminded = reminders.reminded(conn)
    due = []
    for (dep_id, dep), rows in late.groupby(["department_id", "department"], sort=False):
        seen, last = reminded.get(dep_id, (set(), None))
        item = Due(
            department_id=int(dep_id),
            department=dep,
            recipients=to.get(dep_id, []),
            months=list(rows["month"]),
            deadlines=dict(zip(rows["month"], rows["deadline"], strict=True)),
            overdue_days=dict(zip(rows["month"], rows["days"].astype(int), strict=True)),
            missing=dict(zip(rows["month"], rows["missing"], strict=True)),
            reminded=seen & set(rows["month"]),
            last_reminded=last,
        )
        if not item.recipients:
            item.action = NO_ADDRESS
        elif not item.new_months and not force:
            item.action = ALREADY
        due.append(item)
    url, problems = _upload_url()
    try:
        summary_to = summary_addresses(conn)
    except AddressError as exc:
        summary_to, problems = [], [*problems, f"PORTALQUOTE_MAIL_SUMMARY_TO: {exc}"]
    return Plan(today, rules, force, due, summary_to, url, problems)


# ---------------------------------------------------------------- the German texts


def _days(n: int) -> str:
    return "1 Tag" if n == 1 else f"{format_int(n)} Tagen"


def _lacking(item: Missing) -> str:
    if len(item.channels) == 2:
        return item.service
    what = "die Online-Zahl" if item.channels == ("online",) else "die Zahl vor Ort"
    return f"{item.service} (es fehlt {what})"


def months_text(months: list[str]) -> str:
    names = [format_month(m, long=True) for m in months]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " und " + names[-1]


def reminder_subject(due: Due) -> str:
    months = due.months
    what = (
        f"Monatsmeldung {format_month(months[0], long=True)} fehlt"
        if len(months) == 1
        else f"{len(months)} Monatsmeldungen fehlen (zuletzt {format_month(months[-1], long=True)})"
    )
    return header_text(f"Erinnerung: {what} – {due.department}")


def link(base: str | None, page: str) -> str | None:
    return f"{base}/{page}" if base else None


def reminder_body(due: Due, plan: Plan) -> str:
    lines = [
        "Guten Tag,",
        "",
        f"für den Fachbereich „{header_text(due.department, 200)}“ fehlen in Portalquote noch "
        "Antragszahlen:",
        "",
    ]
    for month in due.months:
        lines.append(
            f"{format_month(month, long=True)} – fällig am {due.deadlines[month]:%d.%m.%Y}, "
            f"seit {_days(due.overdue_days[month])} überfällig:"
        )
        items = due.missing[month]
        lines += [f"  - {header_text(_lacking(m), 300)}" for m in items[:MAX_NAMED]]
        if len(items) > MAX_NAMED:
            lines.append(f"  - und {format_int(len(items) - MAX_NAMED)} weitere Leistungen")
        lines.append("")
    one = len(due.months) == 1
    upload = link(plan.upload_url, UPLOAD_PAGE)
    lines.append(
        ("Angehängt ist die Vorlage (Excel)" if one else
         "Angehängt sind die Vorlagen (Excel, eine je Monat)")
        + " mit den Leistungen des Fachbereichs. Bitte nur die gelben Zellen ausfüllen "
        f"(Anträge gesamt und davon online) und {'die Datei' if one else 'die Dateien'} "
        + ("hier hochladen:" if upload else "in Portalquote auf der Seite „Daten hochladen“ "
           "hochladen.")
    )  # fmt: skip
    if upload:
        lines.append(upload)
    lines += [
        "",
        f"Die Meldung eines Monats ist jeweils am {plan.rules.workday}. Arbeitstag des "
        "Folgemonats fällig (Montag bis Freitag, ohne die Feiertage in "
        f"{LANDS[plan.rules.land]}).",
        "",
        "Diese E-Mail wurde automatisch von Portalquote versandt. Wurden die Zahlen inzwischen "
        "geschickt, ist sie gegenstandslos. Bei Fragen hilft die Stabsstelle Digitalisierung.",
        "",
        "Mit freundlichen Grüßen",
        "Stabsstelle Digitalisierung",
    ]
    return "\n".join(lines) + "\n"


def _attachments(conn: Connection, due: Due) -> list[Attachment]:
    return [
        Attachment(
            template.template_file_name(due.department, month),
            template.report_template(conn, due.department_id, month),
        )
        for month in due.months
    ]


def summary_subject(result: Result) -> str:
    still = len(result.plan.due)
    return header_text(
        f"Portalquote: Erinnerungen vom {result.plan.today:%d.%m.%Y} – "
        f"{len(result.sent)} Fachbereich{'e' if len(result.sent) != 1 else ''} erinnert, "
        f"{still} mit fehlenden Meldungen"
    )


def summary_body(result: Result) -> str:
    plan = result.plan
    lines = [
        f"Erinnerungslauf vom {plan.today:%d.%m.%Y}" + (" (erzwungen)" if plan.forced else ""),
        "",
    ]

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.extend([title, *items, ""])

    section(
        "Erinnert:",
        [f"- {o.due.department}: {months_text(o.due.months)} (an {', '.join(o.due.recipients)})"
         for o in result.sent],
    )  # fmt: skip
    section(
        "Nicht zugestellt (wird beim nächsten Lauf erneut versucht):",
        [f"- {o.due.department}: {o.error}" for o in result.failed],
    )
    section(
        "Fehlen noch, schon früher erinnert:",
        [f"- {d.department}: {months_text(d.months)} (zuletzt erinnert am "
         f"{d.last_reminded:%d.%m.%Y})" for d in plan.due if d.action == ALREADY],
    )  # fmt: skip
    section(
        "Fehlen noch, ohne E-Mail-Adresse (bitte auf der Seite „Benutzer“ eintragen):",
        [f"- {d.department}: {months_text(d.months)}" for d in plan.due if d.action == NO_ADDRESS],
    )
    if page := link(plan.upload_url, COVERAGE_PAGE):
        lines += [f"Datenstand: {page}", ""]
    lines.append(f"Fristen: {plan.rules.describe()}.")
    return "\n".join(header_text(line, 2000) for line in lines) + "\n"


# ---------------------------------------------------------------- the run


def _finish(engine: Engine, results: list[tuple[int, str, str | None]]) -> None:
    with begin_write(engine) as conn:
        for rid, state, error in results:
            log_result(conn, rid, state, error)


def _missing_text(due: Due) -> str:
    return "\n".join(
        f"{format_month(m)}: {'; '.join(_lacking(x) for x in due.missing[m])}" for m in due.months
    )


def run(
    engine: Engine,
    user: str,
    *,
    today: date | None = None,
    dry_run: bool = False,
    force: bool = False,
    rules: Rules | None = None,
    smtp: settings.SmtpSettings | None = None,
) -> Result:
    """Remind every department that is due (see make_plan) and send the summary.

    Dry run: only the plan, nothing sent or written. Otherwise the reminders are written to
    the log as "sending" in the same transaction that found them due (so two runs at once
    never both send), then sent, then marked sent or failed; a failed one is due again next
    time. SettingError if the mail settings are incomplete.
    """
    today = today or date.today()
    rules = rules or rules_from_settings()
    if dry_run:
        with engine.connect() as conn:
            plan = make_plan(conn, today, rules, force)
        if smtp is None and (problem := smtp_problem()):
            plan.problems.insert(0, problem)
        return Result(plan)
    smtp = smtp or settings.smtp_settings()
    with begin_write(engine) as conn:
        plan = make_plan(conn, today, rules, force)
        sender = smtp.sender
        pending = []  # (log id, due, message)
        for due in plan.to_send:
            msg = build_message(
                sender, due.recipients, reminder_subject(due), reminder_body(due, plan),
                _attachments(conn, due),
            )  # fmt: skip
            rid = reminders.log_sending(
                conn, department_id=due.department_id, department=due.department,
                months=due.months, missing=_missing_text(due), recipients=due.recipients,
                subject=str(msg["Subject"]), user=user, forced=force,
            )  # fmt: skip
            pending.append((rid, due, msg))
    result = Result(plan)
    if not pending:
        return result
    done: list[tuple[int, str, str | None]] = []
    try:
        with connect(smtp) as mailer:
            for rid, due, msg in pending:
                try:
                    refused = mailer.send(msg)
                except MailError as exc:
                    result.outcomes.append(Outcome(due, FAILED, str(exc)))
                    done.append((rid, FAILED, str(exc)))
                    continue
                note = "; ".join(f"{a} abgelehnt: {r}" for a, r in refused.items()) or None
                result.outcomes.append(Outcome(due, SENT, note))
                done.append((rid, SENT, note))
            _finish(engine, done)
            _send_summary(engine, result, user, smtp, mailer.send)
    except MailError as exc:  # the connection could not be opened: nothing went out
        sent_ids = {rid for rid, _s, _e in done}
        for rid, due, _msg in pending:
            if rid not in sent_ids:
                result.outcomes.append(Outcome(due, FAILED, str(exc)))
                done.append((rid, FAILED, str(exc)))
        _finish(engine, done)
        if result.summary_state is None:
            result.summary_state, result.summary_error = FAILED, str(exc)
    return result


def _send_summary(
    engine: Engine, result: Result, user: str, smtp: settings.SmtpSettings,
    send: Callable,
) -> None:  # fmt: skip
    to = result.plan.summary_to
    if not to:
        result.summary_error = (
            "Keine Adresse für die Zusammenfassung: PORTALQUOTE_MAIL_SUMMARY_TO setzen oder "
            "einem Admin-Konto eine E-Mail-Adresse geben."
        )
        return
    msg = build_message(smtp.sender, to, summary_subject(result), summary_body(result))
    with begin_write(engine) as conn:
        rid = reminders.log_sending(
            conn, department_id=None, department=None, months=[], missing="",
            recipients=to, subject=str(msg["Subject"]), user=user, forced=result.plan.forced,
        )  # fmt: skip
    try:
        send(msg)
    except MailError as exc:
        result.summary_state, result.summary_error = FAILED, str(exc)
    else:
        result.summary_state = SENT
    _finish(engine, [(rid, result.summary_state, result.summary_error)])


# ---------------------------------------------------------------- what the command line says

ACTION_LABELS = {
    SEND: "wird erinnert",
    ALREADY: "schon erinnert",
    NO_ADDRESS: "keine E-Mail-Adresse",
}


def due_state(due: Due, outcome: Outcome | None = None) -> str:
    """What happens (or happened) to a department's reminder, in German."""
    if outcome is not None:
        return "gesendet" if outcome.state == SENT else "nicht gesendet"
    state = ACTION_LABELS[due.action]
    if due.action == ALREADY and due.last_reminded:
        state += f" am {due.last_reminded:%d.%m.%Y}"
    return state


def due_line(due: Due, outcome: Outcome | None = None) -> str:
    """'FB 3 Bürgerbüro: Okt. 2026 (3 Leistungen) → a@x.de – wird erinnert'."""
    parts = []
    for month in due.months:
        n = len(due.missing[month])
        parts.append(f"{format_month(month)} ({n} Leistung{'en' if n != 1 else ''})")
    to = f" → {', '.join(due.recipients)}" if due.recipients else ""
    line = f"{due.department}: {', '.join(parts)}{to} – {due_state(due, outcome)}"
    return f"{line} ({outcome.error})" if outcome is not None and outcome.error else line


def summary_line(result: Result, dry_run: bool) -> str | None:
    """Who the summary goes (went) to and how it went; None if none is due."""
    if not (result.plan.to_send or result.summary_state):
        return None
    to = ", ".join(result.plan.summary_to) or "niemand"
    if dry_run:
        state = "würde gesendet"
    else:
        state = {SENT: "gesendet", FAILED: "nicht gesendet", None: "nicht gesendet"}[
            result.summary_state
        ]
    line = f"Zusammenfassung an {to}: {state}"
    return f"{line} ({result.summary_error})" if result.summary_error else line


def report_lines(result: Result, dry_run: bool) -> list[str]:
    """The German account of a run (or of a dry run's plan) for the command line."""
    plan = result.plan
    head = f"Erinnerungen am {plan.today:%d.%m.%Y} (Frist: {plan.rules.describe()})"
    lines = [head + (" – Probelauf, es wird nichts gesendet:" if dry_run else ":")]
    if not plan.due:
        lines.append("Keine Meldung ist überfällig; es ist niemand zu erinnern.")
    outcome = {o.due.department_id: o for o in result.outcomes}
    lines += [f"  {due_line(d, outcome.get(d.department_id))}" for d in plan.due]
    if summary := summary_line(result, dry_run):
        lines.append(summary)
    lines += [f"Hinweis: {p}" for p in plan.problems]
    return lines
