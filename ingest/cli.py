"""Command line: python -m ingest [--db URL] COMMAND (loads, history, undo, demo, users, remind,
backup, check)."""

import argparse
import getpass
import os
import sys
import traceback

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from db import get_engine
from db.addresses import AddressError
from db.german import format_int
from db.labels import LOAD_KIND_LABELS, LOAD_STATE_LABELS
from db.settings import SettingError, database_url
from db.writes import UndoError
from ingest import check, demo, load, users
from ingest.errors import IngestError, IngestErrors
from ingest.mail import MailError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

# argparse's own words, in German (it looks them up through its module-level `_`).
_GERMAN = {
    "usage: ": "Aufruf: ",
    "positional arguments": "Argumente",
    "options": "Optionen",
    "show this help message and exit": "diese Hilfe anzeigen und beenden",
    "the following arguments are required: %s": "diese Angaben fehlen: %s",
    "unrecognized arguments: %s": "unbekannte Angaben: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "unbekannter Befehl %(value)r (möglich: %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "ungültiger Wert: %(value)r",
    "expected one argument": "erwartet einen Wert",
    "expected at least one argument": "erwartet mindestens einen Wert",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "mehrdeutige Angabe: %(option)s passt zu %(matches)s"
    ),
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
}
argparse._ = lambda text: _GERMAN.get(text, text)  # type: ignore[attr-defined]


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="Datenbank-URL (Standard: $DATABASE_URL oder data/portalquote.db)",
    )
    common.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="wer lädt (Standard: Benutzername des Systems)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        parents=[common],
        description="Lädt Leistungskatalog, Antragszahlen und Maßnahmen in die Datenbank.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")
    p = sub.add_parser("services", parents=[common], help="Leistungskatalog laden")
    p.add_argument("file", metavar="DATEI")
    p = sub.add_parser(
        "counts",
        parents=[common],
        help="Antragszahlen laden (eine oder mehrere "
        "Dateien: Monatsmeldung, Langformat, Serviceportal-Export, CSV)",
    )
    p.add_argument("files", metavar="DATEI", nargs="+")
    p = sub.add_parser("measures", parents=[common], help="Maßnahmen der Strategie laden")
    p.add_argument("file", metavar="DATEI")
    p = sub.add_parser("history", parents=[common], help="Ladeprotokoll anzeigen")
    p.add_argument("--limit", type=int, default=50, help="Anzahl Einträge (Standard: 50)")
    p = sub.add_parser("undo", parents=[common], help="einen Ladevorgang rückgängig machen")
    p.add_argument("load_id", metavar="NR", type=int, help="Nummer aus dem Ladeprotokoll")
    p = sub.add_parser("demo", parents=[common], help="Beispieldaten laden")
    p.add_argument(
        "--if-empty", action="store_true", help="nur laden, wenn die Datenbank noch leer ist"
    )
    users.add_parser(sub, common)
    p = sub.add_parser(
        "remind",
        parents=[common],
        help="Fachbereiche mit überfälligen Monatsmeldungen per E-Mail erinnern",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="nur anzeigen, wer erinnert würde; nichts senden"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="auch Fachbereiche erneut erinnern, die für diese Monate schon erinnert wurden",
    )
    p = sub.add_parser(
        "backup", parents=[common], help="Sicherung der Datenbank schreiben (im laufenden Betrieb)"
    )
    p.add_argument("file", metavar="DATEI", help="Zieldatei, z. B. sicherung-2026-11-22.db")
    check.add_parser(sub, common)
    return parser


class _Progress:
    """Progress of a long check on stderr: a bar on a terminal, a line per quarter otherwise.

    Also the `notify` of the load (one line per file), which ends a bar left open."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = -1
        self.bar_open = False

    def __call__(self, done: int, total: int) -> None:
        pct = int(100 * done / max(total, 1))
        rows = f"{format_int(done)} von {format_int(total)} Zeilen"
        if self.tty:
            bar = "#" * (pct // 5)
            print(f"\r  [{bar:<20}] {pct:3d} % ({rows})", end="", file=sys.stderr, flush=True)
            self.bar_open = True
            return
        if pct // 25 < self.last:  # the next sheet of the file starts
            self.last = -1
        if pct // 25 > self.last:
            self.last = pct // 25
            print(f"  {pct} % geprüft ({rows})", file=sys.stderr, flush=True)

    def say(self, text: str) -> None:
        self.end()
        self.last = -1  # a new file starts at 0 %
        print(text, file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.bar_open:
            print(file=sys.stderr, flush=True)
            self.bar_open = False


class _DatabaseError(Exception):
    """The database could not be opened; the message is German, the exit status attached."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _engine(url: str | None) -> Engine:
    try:
        shown = make_url(database_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        raise _DatabaseError(
            "Die Datenbank-Angabe ist keine gültige URL. Beispiele: "
            "sqlite:///data/portalquote.db oder postgresql+psycopg://benutzer@host/datenbank",
            EXIT_USAGE,
        ) from None
    try:
        return get_engine(url)
    except NoSuchModuleError:
        raise _DatabaseError(
            f"Die Datenbankart in „{shown}“ wird nicht unterstützt (SQLite oder PostgreSQL).",
            EXIT_USAGE,
        ) from None
    except (SQLAlchemyError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        raise _DatabaseError(
            f"Die Datenbank „{shown}“ lässt sich nicht öffnen ({str(reason).strip()[:200]}). "
            "Bitte die Angabe --db bzw. DATABASE_URL prüfen.",
            EXIT_REFUSED,
        ) from None


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":  # reads only: no migration, and its own exit codes
        return check.main(getattr(args, "db", None), args.warn_days, args.crit_days)
    engine = _engine(getattr(args, "db", None))
    user = getattr(args, "user", None) or getpass.getuser()

    if args.command == "services":
        result = load.load_services(engine, args.file, user)
        print(f"Leistungskatalog geladen (Ladevorgang {result.load_id}): {result.summary}.")
    elif args.command == "counts":
        progress = _Progress()
        try:
            results = load.load_counts(engine, args.files, user, progress, progress.say)
        finally:
            progress.end()
        for result, name in zip(results, args.files, strict=True):
            state = LOAD_STATE_LABELS[result.state]
            print(f"„{name}“ {state} (Ladevorgang {result.load_id}): {result.summary}.")
    elif args.command == "measures":
        result = load.load_measures(engine, args.file, user)
        print(f"Maßnahmen geladen (Ladevorgang {result.load_id}): {result.summary}.")
    elif args.command == "history":
        _print_history(load.history(engine, args.limit))
    elif args.command == "undo":
        print(load.undo(engine, args.load_id, user))
    elif args.command == "demo":
        print(demo.load_demo(engine, only_if_empty=args.if_empty))
    elif args.command == "users":
        return users.run(engine, args)
    elif args.command == "remind":
        from ingest import remind

        result = remind.run(engine, user, dry_run=args.dry_run, force=args.force)
        print("\n".join(remind.report_lines(result, args.dry_run)))
        failed = result.failed or result.summary_state == remind.FAILED
        return EXIT_REFUSED if failed else EXIT_OK
    elif args.command == "backup":
        from ingest import backup

        return backup.main(engine, args.file)
    return EXIT_OK


def _print_history(loads: list) -> None:
    if not loads:
        print("Noch nichts geladen.")
        return
    print(f"{'Nr.':>5}  {'Zeitpunkt':16}  {'Art':16}  {'Stand':18}  {'Zeilen':>8}  Von / Datei")
    for ld in loads:
        state = LOAD_STATE_LABELS[ld.state]
        print(
            f"{ld.id:>5}  {ld.loaded_at:%d.%m.%Y %H:%M}  {LOAD_KIND_LABELS[ld.kind]:16}  "
            f"{state:18}  {format_int(ld.rows):>8}  {ld.loaded_by} / {ld.file_name}"
        )
        if ld.summary:
            print(f"{'':>7}{ld.summary}")
        if ld.undone_at:
            print(f"{'':>7}rückgängig gemacht am {ld.undone_at:%d.%m.%Y %H:%M} von {ld.undone_by}")


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv)
    except SystemExit as exc:  # argparse: --help (0) or wrong usage (2, message printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except _DatabaseError as exc:
        print(str(exc), file=sys.stderr)
        return exc.status
    except (IngestError, IngestErrors) as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_REFUSED
    except (UndoError, SettingError, MailError, AddressError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("\nAbgebrochen, nichts wurde gespeichert.", file=sys.stderr)
        return EXIT_REFUSED
    except OperationalError as exc:  # the server went away mid-load, or a lock outlasted waiting
        reason = (str(exc.orig).strip().splitlines() or [""])[0][:200]
        print(
            f"Die Verbindung zur Datenbank ist abgebrochen oder sie war zu lange gesperrt "
            f"({reason}). Es wurde nichts gespeichert. Bitte erneut versuchen.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    except Exception as exc:  # never a traceback in front of a user
        if os.environ.get("PORTALQUOTE_DEBUG"):
            traceback.print_exc()
        print(
            f"Unerwarteter Fehler ({type(exc).__name__}): {str(exc)[:300]}\n"
            "Es wurde nichts gespeichert. Bitte die Meldung an die Stabsstelle "
            "Digitalisierung weitergeben.",
            file=sys.stderr,
        )
        return EXIT_REFUSED
