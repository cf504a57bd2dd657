"""Test accounts created at run time: no password or hash of a real account in the repository."""

import secrets
from dataclasses import dataclass

from sqlalchemy import Engine

from db.users import Account, create_user
from db.writes import begin_write

# The department the test department head reports for (from the test catalog in conftest).
OWN_DEPARTMENT = "FB 3 Bürgerbüro"


@dataclass(frozen=True)
class Login:
    account: Account
    password: str

    @property
    def username(self) -> str:
        return self.account.username


def make_accounts(engine: Engine, department: str | None = OWN_DEPARTMENT) -> dict[str, Login]:
    """An admin, a department head (not without a department) and a viewer, each with a
    fresh random password."""
    logins = {}
    with begin_write(engine) as conn:
        for role, name, deps in (
            ("admin", "test-admin", []),
            ("department", "test-fb", [department]),
            ("viewer", "test-viewer", []),
        ):
            if role == "department" and department is None:
                continue
            password = secrets.token_urlsafe(16)
            account = create_user(conn, name, password, role, f"Test {role}", deps)
            logins[role] = Login(account, password)
    return logins
