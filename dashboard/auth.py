"""Who is signed in (login cookie or OIDC), the login and logout forms, and role checks.

A password login is made by the form POST to /anmelden (dashboard/login_routes.py), which
sets an HttpOnly cookie with a session token. Every page run checks that token against the
database (db.logins), so a login lasts across reloads, tabs and links, and a logout, a
disabled account or a new password end it in every tab and process at their next action.
"""

import threading
import time
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

import streamlit as st
from sqlalchemy.exc import IntegrityError
from streamlit.errors import StreamlitAuthError, StreamlitMissingAuthlibError

from dashboard import data
from dashboard.escape import md
from dashboard.login_routes import COOKIE, form_html, logout_html
from db import logins
from db.german import format_duration
from db.settings import require_login, session_idle, session_max_age
from db.users import ROLE_LABELS, Account, account_for_sso, get_account, user_count
from db.writes import begin_light_write

SSO_KEY = "portalquote_sso"  # (e-mail, local account id or None), mapped once per tab


def ended_message(reason: str) -> str:
    """Why this browser is no longer signed in, in German."""
    again = "Bitte melden Sie sich erneut an."
    if reason == logins.EXPIRED_IDLE:
        idle = format_duration(session_idle().total_seconds())
        return f"Ihre Anmeldung ist abgelaufen ({idle} ohne Aktivität). {again}"
    if reason == logins.EXPIRED_MAX:
        most = format_duration(session_max_age().total_seconds())
        return f"Ihre Anmeldung ist abgelaufen (sie gilt höchstens {most}). {again}"
    return {
        logins.LOGOUT: "Sie wurden abgemeldet (in diesem oder einem anderen Fenster).",
        logins.DISABLED: "Ihr Zugang wurde gesperrt. Bitte an die Stabsstelle Digitalisierung "
        "wenden.",
        logins.NEW_PASSWORD: "Ihr Passwort wurde geändert. Bitte mit dem neuen Passwort anmelden.",
    }.get(reason, f"Ihre Anmeldung ist nicht mehr gültig. {again}")


def session_token() -> str | None:
    """The login token the browser sent with this page's connection (HttpOnly cookie)."""
    token = st.context.cookies.get(COOKIE)
    return token if isinstance(token, str) else None  # AppTest has no cookies at all


# ---------------------------------------------------------------- activity


_touched: dict[int, float] = {}
_touch_lock = threading.Lock()


def _touch(session_id: int) -> None:
    """Write the session's last activity in the background: a page run never waits for it
    (on SQLite a long load holds the only write lock)."""
    with _touch_lock:
        since = time.monotonic() - _touched.get(session_id, -1e9)
        if since < logins.touch_interval(session_idle()) / 2:
            return
        if len(_touched) > 10_000:  # sessions of days ago: forget them
            _touched.clear()
        _touched[session_id] = time.monotonic()

    def work() -> None:
        try:
            with begin_light_write(data.engine()) as conn:
                logins.touch(conn, session_id)
        except Exception:  # a lost touch only shortens the idle time by a minute
            with _touch_lock:
                _touched.pop(session_id, None)

    threading.Thread(target=work, daemon=True).start()


# ---------------------------------------------------------------- who is signed in


def sso_provider() -> str | None:
    """'' for the one OIDC provider in secrets.toml, its name if several; None: no SSO."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets.toml at all: no SSO
        return None
    if not auth:
        return None
    if "client_id" in auth:
        return ""
    names = [k for k, v in auth.items() if hasattr(v, "get") and "client_id" in v]
    return names[0] if names else None


def _sso_signed_in() -> bool:
    # st.user has no is_logged_in at all when no [auth] section was ever configured.
    return sso_provider() is not None and bool(getattr(st.user, "is_logged_in", False))


def _sso_check() -> logins.Check:
    """The session of the OIDC sign-in: mapped to its local account once per tab, then
    checked like a password session (so that logging out ends it everywhere)."""
    email = str(st.user.get("email") or "")
    mapped = st.session_state.get(SSO_KEY)
    if mapped is None or mapped[0] != email:
        name = st.user.get("preferred_username")
        with begin_light_write(data.engine()) as conn:
            account = account_for_sso(conn, email, str(name) if name else None)
        mapped = (email, account.id if account else None)
        st.session_state[SSO_KEY] = mapped
    if mapped[1] is None:
        return logins.Check(None)
    try:  # the ID token's issue time names this sign-in at the identity provider
        signed_in = datetime.fromtimestamp(float(st.user.get("iat")), UTC).replace(tzinfo=None)
    except (TypeError, ValueError):
        signed_in = st.session_state.setdefault(f"{SSO_KEY}_since", logins.utc_now())
    token = logins.sso_token(str(st.user.get("sub") or email), signed_in)
    idle, max_age = session_idle(), session_max_age()
    with data.engine().connect() as conn:
        check = logins.check(conn, token, idle, max_age)
    if check.reason == logins.UNKNOWN:  # first sight of this sign-in, in any process
        try:
            with begin_light_write(data.engine()) as conn:
                logins.start_sso(conn, mapped[1], token, signed_in, max_age)
        except IntegrityError:  # another process was quicker: its row is as good
            pass
        with data.engine().connect() as conn:
            check = logins.check(conn, token, idle, max_age)
    return check if check.user_id in (None, mapped[1]) else logins.Check(None, logins.UNKNOWN)


def _check() -> logins.Check:
    if _sso_signed_in():
        return _sso_check()
    with data.engine().connect() as conn:
        return logins.check(conn, session_token(), session_idle(), session_max_age())


def _login() -> tuple[Account | None, logins.Check]:
    check = _check()
    if check.user_id is None:
        return None, check
    with data.engine().connect() as conn:
        account = get_account(conn, check.user_id)
    if account is None:
        return None, logins.Check(None, logins.DISABLED)
    if check.stale and check.session_id is not None:
        _touch(check.session_id)
    return account, check


def current_user() -> Account | None:
    """The signed-in account as stored now (a disabled account is signed out at once)."""
    return _login()[0]


def current_role() -> str | None:
    """The role the navigation is built for: None means a login is needed first."""
    account = current_user()
    if account is not None:
        return account.role
    return None if require_login() else "viewer"


def can(*roles: str) -> bool:
    """Whether the current user has one of the roles (for showing an edit form or not)."""
    account = current_user()
    return account is not None and account.role in roles


def require_role(*roles: str) -> Account:
    """For pages that write: the account if it has one of the roles, else a message and stop.

    The write functions check the role again; this keeps a page from even showing its forms.
    """
    account = current_user()
    if account is None or account.role not in roles:
        allowed = " oder ".join(ROLE_LABELS[r] for r in roles)
        st.error(
            f"Diese Seite ist nur für Benutzer mit der Rolle {allowed}. Bitte in der "
            "Seitenleiste anmelden.",
            icon=":material/lock:",
        )
        st.stop()
    return account


# ---------------------------------------------------------------- forms


def here() -> str:
    """This page's path with its filters: where the login and logout lead back to."""
    path = urlsplit(st.context.url or "/").path or "/"
    query = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    return path + (f"?{urlencode(query)}" if query else "")


def _ended_notice() -> None:
    """Say why a login this browser still presents is no longer valid."""
    account, check = _login()
    if account is None and check.reason is not None:
        st.info(ended_message(check.reason), icon=":material/info:")


def login_form(key: str = "login", notice: bool = True) -> None:
    """The password form (and the SSO button if configured), in the current container;
    above it, why an earlier login of this browser ended (unless notice is False)."""
    if notice:
        _ended_notice()
    provider = sso_provider()
    if provider is not None:
        if _sso_signed_in() and current_user() is None:
            st.warning(
                f"Ihr Single-Sign-on-Zugang ({md(st.user.get('email') or 'ohne E-Mail')}) ist hier "
                "nicht freigeschaltet. Bitte an die Stabsstelle Digitalisierung wenden."
            )
        elif st.button("Mit Single Sign-on anmelden", icon=":material/key:", key=f"sso_{key}"):
            try:
                st.login(provider or None)
            except StreamlitAuthError as exc:
                missing = isinstance(exc, StreamlitMissingAuthlibError)
                st.error(
                    "Single Sign-on ist nicht vollständig eingerichtet"
                    + (" (es fehlt das Paket: pip install -e '.[sso]')" if missing else "")
                    + ". Bitte die IT informieren; die Anmeldung mit Passwort geht weiter."
                )
    st.html(form_html(here(), key))
    with data.engine().connect() as conn:
        empty = user_count(conn) == 0
    if empty:
        st.caption(
            "Es gibt noch keine Benutzer. Den ersten Admin legt die IT an: "
            "`python -m ingest users add NAME --role admin`"
        )


def _sso_logout(account: Account) -> None:
    with begin_light_write(data.engine()) as conn:
        logins.end_sessions(conn, account.id, logins.LOGOUT)
    st.session_state.pop(SSO_KEY, None)
    st.logout()
    st.rerun()


def sidebar(role: str | None) -> None:
    """Who is signed in, with a logout button; or the login form for the read-only visitor."""
    account = current_user()
    with st.sidebar:
        if account is not None:
            deps = f" · {md(', '.join(account.department_names))}" if account.departments else ""
            st.markdown(
                f"Angemeldet als **{md(account.label)}**  \n{ROLE_LABELS[account.role]}{deps}"
            )
            if _sso_signed_in():
                if st.button("Abmelden", icon=":material/logout:", key="logout"):
                    _sso_logout(account)
            else:
                st.html(logout_html(here()))
        elif role is not None:  # public reading; the login page itself shows the form
            _ended_notice()
            with st.expander("Anmelden", icon=":material/login:"):
                login_form(notice=False)


def restricted_page(title: str, roles: set[str]) -> None:
    """What the address of a page shows to someone whose role may not use it."""
    st.title(title)
    allowed = " oder ".join(ROLE_LABELS[r] for r in ("admin", "department", "viewer") if r in roles)
    account = current_user()
    if account is not None:
        st.error(
            f"Diese Seite ist nur für die Rolle {allowed}; Sie sind als "
            f"{ROLE_LABELS[account.role]} angemeldet.",
            icon=":material/lock:",
        )
        return
    st.info(
        f"Diese Seite ist nur nach Anmeldung zugänglich (Rolle {allowed}).", icon=":material/lock:"
    )
    with st.container(width=420):
        login_form(key="login_page")
