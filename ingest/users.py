"""Command line for accounts: python -m ingest users add|list|disable|enable|password."""

import argparse
import getpass
import sys

from sqlalchemy import Engine

from db.addresses import AddressError
from db.contacts import set_user_email
from db.german import format_int
from db.models import ROLES
from db.users import ROLE_LABELS, UserError, create_user, list_users, set_active, set_password
from db.writes import begin_write

EXIT_OK, EXIT_REFUSED = 0, 1


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `users` and its subcommands on the main parser's subcommands."""
    users = sub.add_parser("users", parents=[common], help="Benutzer verwalten")
    cmds = users.add_subparsers(dest="users_command", required=True, metavar="AKTION")
    roles = ", ".join(f"{r} ({ROLE_LABELS[r]})" for r in ROLES)
    p = cmds.add_parser("add", parents=[common], help="Benutzer anlegen")
    p.add_argument("username", metavar="NAME", help="Benutzername (bei SSO: die E-Mail-Adresse)")
    p.add_argument("--role", required=True, choices=ROLES, help=f"Rolle: {roles}")
    p.add_argument(
        "--department",
        action="append",
        default=[],
        metavar="FACHBEREICH",
        help="Fachbereich (bei Rolle department; mehrfach möglich)",
    )
    p.add_argument("--display-name", metavar="TEXT", help="angezeigter Name")
    p.add_argument("--email", metavar="ADRESSE", help="E-Mail-Adresse für Erinnerungen")
    _password_args(p)
    p.add_argument(
        "--sso-only",
        action="store_true",
        help="kein Passwort: Anmeldung nur über Single Sign-on (OIDC)",
    )
    cmds.add_parser("list", parents=[common], help="Benutzer auflisten")
    for name, text in (("disable", "Benutzer sperren"), ("enable", "Benutzer entsperren")):
        p = cmds.add_parser(name, parents=[common], help=text)
        p.add_argument("username", metavar="NAME")
    p = cmds.add_parser("password", parents=[common], help="Passwort neu setzen")
    p.add_argument("username", metavar="NAME")
    _password_args(p)


def _password_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="Passwort aus der ersten Zeile der Standardeingabe lesen (für Skripte)",
    )


def _read_password(args: argparse.Namespace) -> str:
    """From stdin with --password-stdin, else asked twice without echo (never an argument)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Passwort: ")
    if getpass.getpass("Passwort wiederholen: ") != first:
        raise UserError("Die beiden Passwörter stimmen nicht überein. Nichts wurde geändert.")
    return first


def run(engine: Engine, args: argparse.Namespace) -> int:
    try:
        return _run(engine, args)
    except (UserError, AddressError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED


def _run(engine: Engine, args: argparse.Namespace) -> int:
    cmd = args.users_command
    if cmd == "list":
        with engine.connect() as conn:
            _print_users(list_users(conn))
        return EXIT_OK
    if cmd == "add":
        if args.sso_only and args.password_stdin:
            raise UserError("--sso-only und --password-stdin schließen sich aus.")
        password = None if args.sso_only else _read_password(args)
        with begin_write(engine) as conn:
            account = create_user(
                conn, args.username, password, args.role, args.display_name, args.department
            )
            set_user_email(conn, account.username, args.email)
        deps = f" für {', '.join(account.department_names)}" if account.departments else ""
        print(f"Benutzer „{account.username}“ angelegt: {account.role_label}{deps}.")
    elif cmd in ("disable", "enable"):
        with begin_write(engine) as conn:
            set_active(conn, args.username, cmd == "enable")
        state = "entsperrt" if cmd == "enable" else "gesperrt"
        print(f"Benutzer „{args.username}“ {state}.")
    elif cmd == "password":
        password = _read_password(args)
        with begin_write(engine) as conn:
            set_password(conn, args.username, password)
        print(f"Passwort von „{args.username}“ neu gesetzt.")
    return EXIT_OK


def _print_users(rows: list) -> None:
    if not rows:
        print("Noch keine Benutzer. Anlegen mit: python -m ingest users add NAME --role admin")
        return
    print(f"{'Benutzer':28}  {'Rolle':12}  {'Stand':8}  {'Letzte Anmeldung':16}  Fachbereiche")
    for u in rows:
        last = f"{u.last_login:%d.%m.%Y %H:%M}" if u.last_login else "nie"
        state = "aktiv" if u.active else "gesperrt"
        print(
            f"{u.username:28}  {ROLE_LABELS[u.role]:12}  {state:8}  {last:16}  "
            f"{', '.join(u.departments) or '–'}{f'  <{u.email}>' if u.email else ''}"
        )
    print(f"{format_int(len(rows))} Benutzer.")
