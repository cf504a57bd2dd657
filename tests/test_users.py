"""Local accounts: argon2 hashes, login, roles, departments, the last admin."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from accounts import make_accounts
from app_helpers import log_in, new_app, open_page, texts
from sqlalchemy import select

from db.models import User
from db.users import (
    UserError,
    account_for_sso,
    create_user,
    departments,
    get_account,
    list_users,
    set_active,
    set_departments,
    set_password,
    set_role,
    verify_login,
)
from db.writes import begin_write

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def accounts(catalog_engine):  # noqa: ANN001, ANN201
    return make_accounts(catalog_engine)


def test_password_is_stored_as_argon2_hash_only(catalog_engine, accounts):
    with catalog_engine.connect() as conn:
        stored = conn.scalar(select(User.password_hash).where(User.username == "test-admin"))
    assert stored.startswith("$argon2id$")
    assert accounts["admin"].password not in stored


def test_login_with_right_and_wrong_password(catalog_engine, accounts):
    fb = accounts["department"]
    with begin_write(catalog_engine) as conn:
        account = verify_login(conn, " Test-FB ", fb.password)
        assert account is not None and account.role == "department"
        assert account.department_names == ["FB 3 Bürgerbüro"]
        assert verify_login(conn, "test-fb", fb.password + "x") is None
        assert verify_login(conn, "nobody", fb.password) is None
        last = conn.scalar(select(User.last_login).where(User.username == "test-fb"))
    assert last is not None


def test_disabled_account_cannot_log_in(catalog_engine, accounts):
    fb = accounts["department"]
    with begin_write(catalog_engine) as conn:
        set_active(conn, "test-fb", False)
        assert verify_login(conn, "test-fb", fb.password) is None
        assert get_account(conn, fb.account.id) is None
        set_active(conn, "test-fb", True)
        assert verify_login(conn, "test-fb", fb.password) is not None


def test_refusals_are_german(catalog_engine, accounts):
    pw = secrets.token_urlsafe(16)
    with begin_write(catalog_engine) as conn:
        with pytest.raises(UserError, match="gibt es schon"):
            create_user(conn, "TEST-ADMIN", pw, "admin")
        with pytest.raises(UserError, match="zu kurz"):
            create_user(conn, "neu", "kurz", "admin")
        with pytest.raises(UserError, match="mindestens einen Fachbereich"):
            create_user(conn, "neu", pw, "department")
        with pytest.raises(UserError, match="Unbekannter Fachbereich: „FB 99“.*FB 3 Standesamt"):
            create_user(conn, "neu", pw, "department", departments=["FB 99"])
        with pytest.raises(UserError, match="Unbekannte Rolle"):
            create_user(conn, "neu", pw, "chef")
        with pytest.raises(UserError, match="nicht erlaubt"):
            create_user(conn, "a b/c", pw, "viewer")


def test_last_admin_cannot_be_disabled_or_demoted(catalog_engine, accounts):
    with begin_write(catalog_engine) as conn:
        with pytest.raises(UserError, match="letzte aktive Admin"):
            set_active(conn, "test-admin", False)
        with pytest.raises(UserError, match="letzte aktive Admin"):
            set_role(conn, "test-admin", "viewer")
        create_user(conn, "admin2", secrets.token_urlsafe(16), "admin")
        set_active(conn, "test-admin", False)  # now there is another admin
        assert not next(u for u in list_users(conn) if u.username == "test-admin").active


def test_departments_and_password_change(catalog_engine, accounts):
    fb = accounts["department"]
    new_pw = secrets.token_urlsafe(16)
    with begin_write(catalog_engine) as conn:
        set_departments(conn, "test-fb", ["fb 3 standesamt", "FB 3 Bürgerbüro"])
        account = get_account(conn, fb.account.id)
        assert account.department_names == ["FB 3 Bürgerbüro", "FB 3 Standesamt"]
        set_password(conn, "test-fb", new_pw)
        assert verify_login(conn, "test-fb", fb.password) is None
        assert verify_login(conn, "test-fb", new_pw) is not None
        set_role(conn, "test-fb", "viewer")
        assert get_account(conn, fb.account.id).departments == ()
        rows = {u.username: u for u in list_users(conn)}
    assert rows["test-fb"].role == "viewer" and rows["test-fb"].departments == ()
    assert rows["test-admin"].has_password


def test_sso_maps_to_local_account_by_email_or_username(catalog_engine, accounts):
    with begin_write(catalog_engine) as conn:
        create_user(conn, "anna.schmidt@stadt.example", None, "admin", "Anna Schmidt")
        by_mail = account_for_sso(conn, "Anna.Schmidt@stadt.example", None)
        assert by_mail is not None and by_mail.role == "admin"
        assert account_for_sso(conn, "fremd@example.org", "test-viewer").role == "viewer"
        assert account_for_sso(conn, "fremd@example.org", "fremd") is None
        # An SSO-only account has no password: a password login must fail.
        assert verify_login(conn, "anna.schmidt@stadt.example", "") is None


def _cli(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest", "--db", db_url, "users", *args],
        input=stdin, capture_output=True, text=True, cwd=PROJECT, timeout=120,
    )  # fmt: skip


def test_cli_add_list_disable(catalog_engine, db_url):
    pw = secrets.token_urlsafe(16)
    ok = _cli(db_url, "add", "Chefin", "--role", "admin", "--password-stdin", stdin=pw + "\n")
    assert ok.returncode == 0, ok.stderr
    assert "„chefin“ angelegt: Admin" in ok.stdout
    dep = _cli(db_url, "add", "fb3", "--role", "department", "--department", "FB 3 Bürgerbüro",
               "--department", "FB 3 Standesamt", "--password-stdin", stdin=pw)  # fmt: skip
    assert dep.returncode == 0, dep.stderr
    with catalog_engine.connect() as conn:
        assert verify_login(conn, "chefin", pw) is not None
        stored = conn.scalar(select(User.password_hash).where(User.username == "chefin"))
    assert pw not in stored
    listing = _cli(db_url, "list")
    assert listing.returncode == 0
    assert "fb3" in listing.stdout and "FB 3 Bürgerbüro, FB 3 Standesamt" in listing.stdout
    assert "$argon2" not in listing.stdout and pw not in listing.stdout
    assert _cli(db_url, "disable", "fb3").returncode == 0
    assert "gesperrt" in _cli(db_url, "list").stdout
    last = _cli(db_url, "disable", "chefin")
    assert last.returncode == 1 and "letzte aktive Admin" in last.stderr


def test_cli_refusals(catalog_engine, db_url):
    short = _cli(db_url, "add", "x1", "--role", "admin", "--password-stdin", stdin="kurz\n")
    assert short.returncode == 1 and "zu kurz" in short.stderr
    unknown = _cli(db_url, "add", "x2", "--role", "department", "--department", "FB 99",
                   "--password-stdin", stdin=secrets.token_urlsafe(16))  # fmt: skip
    assert unknown.returncode == 1 and "Unbekannter Fachbereich: „FB 99“" in unknown.stderr
    assert "Traceback" not in short.stderr + unknown.stderr
    # There is no option to give the password on the command line.
    assert _cli(db_url, "add", "x3", "--role", "admin", "--password", "abc").returncode == 2
    with catalog_engine.connect() as conn:
        assert list_users(conn) == []


def test_users_page_creates_and_disables(catalog_engine, db_url, monkeypatch, accounts):
    at = log_in(new_app(db_url, monkeypatch).run(), "test-admin", accounts["admin"].password)
    open_page(at, "users.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["Benutzer"]) == {"test-admin", "test-fb", "test-viewer"}
    assert "$argon2" not in table.to_csv()
    pw = secrets.token_urlsafe(16)
    form = [t for t in at.text_input if t.form_id == "new_user"]
    by_label = {t.label.split(" (")[0]: t for t in form}
    by_label["Benutzername"].input("Neue.Leitung")
    by_label["Angezeigter Name"].input("Neue Leitung")
    by_label["Passwort"].input(pw)
    by_label["Passwort wiederholen"].input(pw)
    deps = next(m for m in at.multiselect if m.form_id == "new_user")
    with catalog_engine.connect() as conn:
        standesamt = next(i for i, n in departments(conn).items() if n == "FB 3 Standesamt")
    deps.select(standesamt)
    next(b for b in at.button if b.label == "Benutzer anlegen").click().run()
    assert "Benutzer „neue.leitung“ angelegt" in texts(at)
    with catalog_engine.connect() as conn:
        account = verify_login(conn, "neue.leitung", pw)
    assert account.role == "department" and account.department_names == ["FB 3 Standesamt"]
    # A mismatching repetition is refused before anything is saved.
    form = {t.label.split(" (")[0]: t for t in at.text_input if t.form_id == "new_user"}
    form["Benutzername"].input("noch.einer")
    form["Passwort"].input(pw)
    form["Passwort wiederholen"].input(pw + "x")
    next(b for b in at.button if b.label == "Benutzer anlegen").click().run()
    assert "stimmen nicht überein" in texts(at)
    # Disable the department head.
    at.selectbox(key="edit_user").set_value("test-fb").run()
    next(b for b in at.button if b.label == "„test-fb“ sperren").click().run()
    assert "„test-fb“ gesperrt" in texts(at)
    with catalog_engine.connect() as conn:
        assert verify_login(conn, "test-fb", accounts["department"].password) is None
        assert "noch.einer" not in {u.username for u in list_users(conn)}
