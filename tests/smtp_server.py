"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): plain, STARTTLS or SSL, with login."""

import datetime
import email
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from db.settings import SmtpSettings

SENDER = "Stabsstelle Digitalisierung <digitalisierung@stadt.example>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    """A certificate for 127.0.0.1 and its key (cryptography), valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


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
