"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): plain, STARTTLS or SSL, with login."""

import email
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from net import free_port, self_signed_certificate

from db.settings import SmtpSettings

SENDER = "Stabsstelle Digitalisierung <digitalisierung@stadt.example>"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    """What the server received, one entry per SMTP transaction (envelope and parsed mail)."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """The server's certificate (trusted by the tests' client as its CA) and key."""
    return self_signed_certificate(directory / "smtp-cert.pem", directory / "smtp-key.pem")


@dataclass
class Server:
    inbox: Inbox
    settings: SmtpSettings


@contextmanager
def smtp_server(
    security: str = "none",
    cert: tuple[Path, Path] | None = None,
    login: tuple[str, str] | None = None,
) -> Iterator[Server]:
    """A running server; `settings` point Portalquote at it (SmtpSettings as from the env)."""
    inbox = Inbox()
    port = free_port()
    kwargs: dict = {}
    if security != "none":
        assert cert is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*cert)
        kwargs["ssl_context" if security == "ssl" else "tls_context"] = context
        if security == "starttls":
            kwargs["require_starttls"] = True
    if login is not None:

        def check(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
            ok = (
                isinstance(auth_data, LoginPassword)
                and (
                    auth_data.login.decode(),
                    auth_data.password.decode(),
                )
                == login
            )
            return AuthResult(success=ok, handled=False)  # handled=False: answer 535

        # aiosmtpd does not count an SSL connection as TLS for AUTH; it is encrypted all the same.
        kwargs.update(authenticator=check, auth_required=True, auth_require_tls=security != "ssl")
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    user, password = login or (None, None)
    settings = SmtpSettings(
        host="127.0.0.1",
        port=port,
        security=security,
        user=user,
        password=password,
        sender=SENDER,
        timeout=10,
        cafile=str(cert[0]) if cert else None,
    )
    try:
        yield Server(inbox, settings)
    finally:
        controller.stop()
