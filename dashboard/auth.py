"""Login (local accounts or OIDC), the current user, and role checks for pages."""

import threading
import time
from collections.abc import Callable

import streamlit as st
from streamlit.errors import StreamlitAuthError, StreamlitMissingAuthlibError

from dashboard import data
from dashboard.escape import md
from db.settings import require_login
from db.users import ROLE_LABELS, Account, account_for_sso, get_account, user_count, verify_login
from db.writes import begin_write

SESSION_KEY = "portalquote_account_id"
SSO_KEY = "portalquote_sso_email"
MAX_FAILURES = 5  # failed logins in a row before a user name is locked for a while
MAX_FAILURES_PER_ADDRESS = 20  # from one client address, over any user names ...
ADDRESS_DELAY_SECONDS = 5.0  # ... after which every attempt from there waits this long
LOCK_SECONDS = 300
FAIL_DELAY_SECONDS = 1.0  # every failed login waits this long: guessing gets slow


class LoginThrottle:
    """Failed logins per key (user name or address), shared by all sessions of the process."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        lock_seconds: float = LOCK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # name -> (count, time of last)
        self._lock = threading.Lock()

    def locked_for(self, username: str) -> float:
        """Seconds until the name may try again (0: it may now)."""
        with self._lock:
            count, last = self._failures.get(username, (0, 0.0))
            if count < self.max_failures:
                return 0.0
            return max(0.0, last + self.lock_seconds - self.clock())

    def failed(self, username: str) -> None:
        with self._lock:
            count, last = self._failures.get(username, (0, 0.0))
            if self.clock() >= last + self.lock_seconds:
                count = 0  # the lock ran out, or the last failure is long ago: a fresh series
            self._failures[username] = (count + 1, self.clock())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username, None)


@st.cache_resource(show_spinner=False)
def _throttle() -> tuple[LoginThrottle, LoginThrottle]:
    """(per user name, per client address): guessing one name, or many names from one place."""
    return LoginThrottle(), LoginThrottle(max_failures=MAX_FAILURES_PER_ADDRESS)


def _locked_message(wait: float) -> str:
    minutes = max(1, round(wait / 60))
    return (
        f"Zu viele fehlgeschlagene Anmeldungen. Bitte in {minutes} "
        f"Minute{'n' if minutes > 1 else ''} erneut versuchen."
    )


def log_in(username: str, password: str) -> str | None:
    """Check name and password; on success remember the account in the session.

    Returns None on success, else a German message (which does not say whether the name exists).
    """
    by_name, by_address = _throttle()
    key = " ".join(username.split()).casefold()
    address = st.context.ip_address or "unbekannt"
    if not key or not password:
        return "Bitte Benutzername und Passwort eingeben."
    if wait := by_name.locked_for(key):
        return _locked_message(wait)
    if by_address.locked_for(address):
        # Many failures from one address (maybe many names): slow it down rather than lock,
        # since a whole town hall may reach the server through one proxy address.
        time.sleep(ADDRESS_DELAY_SECONDS)
    with begin_write(data.engine()) as conn:
        account = verify_login(conn, key, password)
    if account is None:
        by_name.failed(key)
        by_address.failed(address)
        time.sleep(FAIL_DELAY_SECONDS)
        return "Benutzername oder Passwort ist falsch, oder der Zugang ist gesperrt."
    by_name.succeeded(key)
    st.session_state[SESSION_KEY] = account.id
    return None


def log_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(SSO_KEY, None)


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
    return bool(getattr(st.user, "is_logged_in", False))


def _sync_sso() -> None:
    """Map an OIDC sign-in to its local account, once per session (and per e-mail)."""
    if sso_provider() is None or not _sso_signed_in():
        return
    email = str(st.user.get("email") or "")
    if st.session_state.get(SSO_KEY) != email:
        name = st.user.get("preferred_username")
        with begin_write(data.engine()) as conn:
            account = account_for_sso(conn, email, str(name) if name else None)
        st.session_state[SSO_KEY] = email
        st.session_state[SESSION_KEY] = account.id if account else None


def current_user() -> Account | None:
    """The signed-in account as stored now (a disabled account is signed out at once)."""
    _sync_sso()
    account_id = st.session_state.get(SESSION_KEY)
    if account_id is None:
        return None
    with data.engine().connect() as conn:
        account = get_account(conn, account_id)
    if account is None:
        st.session_state.pop(SESSION_KEY, None)
    return account


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


def login_form(key: str = "login") -> None:
    """The password form (and the SSO button if configured), in the current container."""
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
    with st.form(key, clear_on_submit=False, border=False):
        username = st.text_input("Benutzername", autocomplete="username")
        password = st.text_input("Passwort", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Anmelden", icon=":material/login:")
    if submitted:
        error = log_in(username, password)
        if error:
            st.error(error)
        else:
            st.rerun()
    with data.engine().connect() as conn:
        empty = user_count(conn) == 0
    if empty:
        st.caption(
            "Es gibt noch keine Benutzer. Den ersten Admin legt die IT an: "
            "`python -m ingest users add NAME --role admin`"
        )


def sidebar(role: str | None) -> None:
    """Who is signed in, with a logout button; or the login form for the read-only visitor."""
    account = current_user()
    with st.sidebar:
        if account is not None:
            deps = f" · {md(', '.join(account.department_names))}" if account.departments else ""
            st.markdown(
                f"Angemeldet als **{md(account.label)}**  \n{ROLE_LABELS[account.role]}{deps}"
            )
            if st.button("Abmelden", icon=":material/logout:", key="logout"):
                log_out()
                if sso_provider() is not None and _sso_signed_in():
                    st.logout()
                st.rerun()
        elif role is not None:  # public reading; the login page itself shows the form
            with st.expander("Anmelden", icon=":material/login:"):
                login_form()


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
