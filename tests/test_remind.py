"""Reminder runs against a real SMTP server on 127.0.0.1: who gets what, once, and the log."""

import io
import threading
from dataclasses import replace
from datetime import date

import openpyxl
import pytest
from cycle_data import (
    BUERGERBUERO,
    PUBLIC_URL,
    STANDESAMT,
    SUMMARY_TO,
    build_cycle,
    load_catalog_with_mail,
    on,
    report,
)
from net import free_port
from smtp_server import smtp_server
from sqlalchemy import select, text, update

from db.deadlines import Rules
from db.models import Department, DepartmentContact, Reminder
from db.reminders import reminder_log
from db.writes import begin_write
from ingest import remind

TODAY = date(2026, 12, 1)  # October (due 13.11.2026) is overdue, November is due on 14.12.
NW = Rules()


@pytest.fixture
def cycle_engine(engine, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("PORTALQUOTE_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("PORTALQUOTE_MAIL_SUMMARY_TO", SUMMARY_TO)
    load_catalog_with_mail(engine, tmp_path)
    build_cycle(engine, TODAY)
    return engine


@pytest.fixture
def server():  # noqa: ANN201
    with smtp_server("none") as srv:
        yield srv


def run(engine, server, today: date = TODAY, **kwargs) -> remind.Result:  # noqa: ANN001, ANN003
    return remind.run(engine, "stabsstelle", today=today, rules=NW, smtp=server.settings, **kwargs)


def mails(server, subject_part: str) -> list:  # noqa: ANN001
    return [r for r in server.inbox.received if subject_part in r.message["Subject"]]


def log(engine) -> list:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(select(Reminder).order_by(Reminder.id)).all()


def test_one_reminder_per_late_department_with_its_template(cycle_engine, server):
    result = run(cycle_engine, server)
    assert [o.due.department for o in result.sent] == ["FB 3 Bürgerbüro"]
    (mail,) = mails(server, "Erinnerung: ")
    assert mail.rcpt_tos == BUERGERBUERO
    assert mail.message["To"] == ", ".join(BUERGERBUERO)
    assert mail.message["Subject"] == (
        "Erinnerung: Monatsmeldung Oktober 2026 fehlt – FB 3 Bürgerbüro"
    )
    body = mail.message.get_body(("plain",)).get_content()
    assert "für den Fachbereich „FB 3 Bürgerbüro“ fehlen in Portalquote noch" in body
    assert "Oktober 2026 – fällig am 13.11.2026, seit 18 Tagen überfällig:" in body
    assert "  - Melderegisterauskunft" in body
    assert "Meldebescheinigung" not in body  # it came in
    assert f"{PUBLIC_URL}/upload" in body
    assert "10. Arbeitstag des Folgemonats fällig (Montag bis Freitag, ohne die Feiertage in " \
        "Nordrhein-Westfalen)" in body.replace("\r\n", " ").replace("\n", " ")  # fmt: skip
    (attachment,) = mail.message.iter_attachments()
    assert attachment.get_filename() == "Monatsmeldung_FB-3-Buergerbuero_2026-10.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))["Meldung"]
    assert (sheet["B2"].value, sheet["B3"].value) == ("FB 3 Bürgerbüro", "Oktober 2026")
    assert [sheet["A7"].value, sheet["A8"].value] == ["Meldebescheinigung", "Melderegisterauskunft"]


def test_the_summary_names_who_was_reminded_and_who_is_still_missing(cycle_engine, server):
    result = run(cycle_engine, server)
    assert result.summary_state == "sent"
    (summary,) = mails(server, "Portalquote: Erinnerungen")
    assert summary.rcpt_tos == [SUMMARY_TO]
    assert summary.message["Subject"] == (
        "Portalquote: Erinnerungen vom 01.12.2026 – 1 Fachbereich erinnert, 2 mit fehlenden "
        "Meldungen"
    )
    body = summary.message.get_content().replace("\r\n", "\n")
    assert "Erinnert:\n- FB 3 Bürgerbüro: Oktober 2026 (an buergerbuero@stadt.example, " in body
    assert (
        "Fehlen noch, ohne E-Mail-Adresse (bitte auf der Seite „Benutzer“ eintragen):\n"
        "- FB 3 Straßenverkehr: Oktober 2026"
    ) in body
    assert f"Datenstand: {PUBLIC_URL}/coverage" in body
    assert "FB 3 Standesamt" not in body  # its October came, late but complete


def test_every_reminder_is_logged(cycle_engine, server):
    run(cycle_engine, server)
    dep, summary = log(cycle_engine)
    assert (dep.kind, dep.department, dep.months, dep.state, dep.forced) == (
        "department", "FB 3 Bürgerbüro", "2026-10", "sent", False,
    )  # fmt: skip
    assert dep.recipients == ", ".join(BUERGERBUERO) and dep.sent_by == "stabsstelle"
    assert dep.missing == "Okt. 2026: Melderegisterauskunft"
    assert dep.subject.startswith("Erinnerung: Monatsmeldung Oktober 2026")
    assert (summary.kind, summary.state, summary.recipients) == ("summary", "sent", SUMMARY_TO)
    with cycle_engine.connect() as conn:
        assert list(reminder_log(conn)["kind"]) == ["summary", "department"]


def test_nothing_is_sent_twice_unless_forced(cycle_engine, server):
    started = date.today()
    run(cycle_engine, server)
    again = run(cycle_engine, server)
    assert len(server.inbox.received) == 2  # the reminder and the summary of the first run
    assert again.outcomes == [] and again.summary_state is None
    (bb,) = [d for d in again.plan.due if d.department == "FB 3 Bürgerbüro"]
    # The day it was really sent (the log's time), whatever day the plan was made for.
    sent = bb.last_reminded.date()
    assert sent in {started, date.today()}
    assert bb.action == remind.ALREADY
    assert remind.due_state(bb) == f"schon erinnert am {sent:%d.%m.%Y}"
    forced = run(cycle_engine, server, force=True)
    assert [o.due.department for o in forced.sent] == ["FB 3 Bürgerbüro"]
    assert len(mails(server, "Erinnerung: ")) == 2
    assert log(cycle_engine)[-2].forced is True


def test_a_newly_overdue_month_brings_a_new_reminder(cycle_engine, server):
    run(cycle_engine, server)
    # 5 January 2027: November (due 14.12.2026) is overdue too; Standesamt owes it alone.
    later = run(cycle_engine, server, today=date(2027, 1, 5))
    assert sorted(o.due.department for o in later.sent) == ["FB 3 Bürgerbüro", "FB 3 Standesamt"]
    (bb,) = mails(server, "2 Monatsmeldungen fehlen (zuletzt November 2026) – FB 3 Bürgerbüro")
    assert [a.get_filename() for a in bb.message.iter_attachments()] == [
        "Monatsmeldung_FB-3-Buergerbuero_2026-10.xlsx",
        "Monatsmeldung_FB-3-Buergerbuero_2026-11.xlsx",
    ]
    body = bb.message.get_body(("plain",)).get_content()
    assert "November 2026 – fällig am 14.12.2026, seit 22 Tagen überfällig:" in body
    (sa,) = mails(server, "FB 3 Standesamt")
    assert sa.rcpt_tos == STANDESAMT


def test_a_department_that_reported_is_not_reminded(cycle_engine, server):
    report(cycle_engine, "2026-10", on(date(2026, 11, 30)), ["Melderegisterauskunft"])
    result = run(cycle_engine, server)
    assert result.outcomes == [] and [d.department for d in result.plan.due] == [
        "FB 3 Straßenverkehr"
    ]
    assert server.inbox.received == []  # nobody reminded: no summary either


def test_a_dry_run_sends_and_writes_nothing(cycle_engine, server):
    result = run(cycle_engine, server, dry_run=True)
    assert [d.action for d in result.plan.due] == [remind.SEND, remind.NO_ADDRESS]
    lines = remind.report_lines(result, dry_run=True)
    assert lines[0].startswith("Erinnerungen am 01.12.2026 (Frist: 10. Arbeitstag")
    assert "Probelauf, es wird nichts gesendet" in lines[0]
    assert (
        "  FB 3 Bürgerbüro: Okt. 2026 (1 Leistung) → buergerbuero@stadt.example, "
        "leitung.buergerbuero@stadt.example – wird erinnert"
    ) in lines
    assert "  FB 3 Straßenverkehr: Okt. 2026 (1 Leistung) – keine E-Mail-Adresse" in lines
    assert f"Zusammenfassung an {SUMMARY_TO}: würde gesendet" in lines
    assert server.inbox.received == [] and log(cycle_engine) == []


def test_an_unreachable_server_marks_nothing_as_sent(cycle_engine, server):
    nobody = replace(server.settings, port=free_port())
    result = remind.run(cycle_engine, "stabsstelle", today=TODAY, rules=NW, smtp=nobody)
    assert result.sent == [] and [o.due.department for o in result.failed] == ["FB 3 Bürgerbüro"]
    assert "ist nicht erreichbar (Verbindung abgelehnt)" in result.failed[0].error
    assert result.summary_state == "failed"
    lines = remind.report_lines(result, dry_run=False)
    assert any("FB 3 Bürgerbüro" in line and "nicht gesendet" in line for line in lines)
    (entry,) = log(cycle_engine)
    assert entry.state == "failed" and "nicht erreichbar" in entry.error
    # The next run with the server back sends it.
    retry = run(cycle_engine, server)
    assert [o.due.department for o in retry.sent] == ["FB 3 Bürgerbüro"]
    assert len(mails(server, "Erinnerung: ")) == 1


def test_a_refused_mailbox_is_logged_as_a_failure(cycle_engine, server):
    server.inbox.refuse = set(BUERGERBUERO)
    result = run(cycle_engine, server)
    assert [o.due.department for o in result.failed] == ["FB 3 Bürgerbüro"]
    assert "lehnt alle Empfänger ab" in result.failed[0].error
    assert log(cycle_engine)[0].state == "failed"
    server.inbox.refuse = {BUERGERBUERO[1]}
    result = run(cycle_engine, server)
    assert result.sent[0].error.startswith(f"{BUERGERBUERO[1]} abgelehnt: 550")
    assert log(cycle_engine)[2].state == "sent"


def test_line_breaks_in_a_department_name_cannot_add_recipients(cycle_engine, server):
    with begin_write(cycle_engine) as conn:
        conn.execute(
            update(Department)
            .where(Department.name == "FB 3 Straßenverkehr")
            .values(name="FB 3\r\nBcc: alle@evil.example\nX-Evil: ja")
        )
        dep_id = conn.scalar(select(Department.id).where(Department.name.like("FB 3\r%")))
        conn.execute(
            DepartmentContact.__table__.insert().values(
                department_id=dep_id, email="verkehr@stadt.example"
            )
        )
    run(cycle_engine, server)
    evil = [r for r in server.inbox.received if "verkehr@stadt.example" in r.rcpt_tos]
    (mail,) = evil
    assert mail.rcpt_tos == ["verkehr@stadt.example"]
    assert mail.message["Bcc"] is None and mail.message["X-Evil"] is None
    assert mail.message["Subject"].endswith("– FB 3 Bcc: alle@evil.example X-Evil: ja")
    assert all("evil" not in addr for r in server.inbox.received for addr in r.rcpt_tos)
    (attachment,) = mail.message.iter_attachments()
    assert "\n" not in attachment.get_filename()


def test_two_runs_at_once_send_each_reminder_once(cycle_engine, server):
    results: list[remind.Result] = []
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        results.append(run(cycle_engine, server))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(len(r.sent) for r in results) == [0, 1]
    assert len(mails(server, "Erinnerung: ")) == 1


def test_an_interrupted_run_is_not_repeated(cycle_engine, server):
    """A run that died after writing 'sending' (the mail may have gone out) is not resent."""
    with begin_write(cycle_engine) as conn:
        conn.execute(
            text(
                "INSERT INTO reminders (kind, department_id, department, months, missing, "
                "recipients, subject, sent_by, sent_at, forced, state) SELECT 'department', id, "
                "name, '2026-10', '', 'x', 'x', 'cron', :at, false, 'sending' FROM departments "
                "WHERE name = 'FB 3 Bürgerbüro'"
            ),
            {"at": on(TODAY)},
        )
    result = run(cycle_engine, server)
    assert result.sent == [] and server.inbox.received == []
