"""E-mail through SMTP with the standard library: safe headers, German errors, no secrets."""

import smtplib
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from db.addresses import AddressError, check_address, sendable
from db.settings import SmtpSettings

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
SUBJECT_LIMIT = 250
# Headers unfolded up to the SMTP limit: Python folds a long subject before an encoded word
# so that it unfolds with a doubled space. The body is quoted-printable, so 7-bit anyway.
POLICY = policy.SMTP.clone(max_line_length=998)


class MailError(Exception):
    """Mail could not be sent; the message is German and says what to check."""


@dataclass(frozen=True)
class Attachment:
    file_name: str
    data: bytes
    mime: tuple[str, str] = XLSX


def header_text(value: object, limit: int = SUBJECT_LIMIT) -> str:
    """Text that is safe in a header: every line break, tab or other control character
    (CR, LF, U+2028, NEL, ...) becomes a space, so that no name can start a header of its own."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    return " ".join(text.split())[:limit]


def sender_address(sender: str) -> Address:
    """PORTALQUOTE_MAIL_FROM ('Name <addr>' or 'addr') as an Address; MailError if invalid."""
    name, addr = parseaddr(header_text(sender, 500))
    try:
        addr = check_address(addr)
    except AddressError as exc:
        raise MailError(f"PORTALQUOTE_MAIL_FROM: {exc}") from None
    user, _, domain = sendable(addr).rpartition("@")
    return Address(display_name=header_text(name, 100), username=user, domain=domain)


def _address(addr: str) -> Address:
    user, _, domain = sendable(check_address(addr)).rpartition("@")
    return Address(username=user, domain=domain)


def build_message(
    sender: str,
    to: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    reply_to: str | None = None,
) -> EmailMessage:
    """A plain-text UTF-8 mail; every header value goes through header_text and the strict
    SMTP policy, addresses through check_address (AddressError if one is invalid)."""
    msg = EmailMessage(policy=POLICY)
    origin = sender_address(sender)
    msg["From"] = origin
    msg["To"] = [_address(a) for a in to]
    if reply_to:
        msg["Reply-To"] = _address(reply_to)
    msg["Subject"] = header_text(subject)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=origin.domain)
    # RFC 3834: out-of-office replies are not sent back to an automatic mail.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    for att in attachments:
        msg.add_attachment(
            att.data, maintype=att.mime[0], subtype=att.mime[1], filename=header_text(att.file_name)
        )
    return msg


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
    return header_text(f"{exc.smtp_code} {text}", 200)


def explain(exc: BaseException, settings: SmtpSettings) -> str:
    """A German sentence for what went wrong talking to the server (never the password)."""
    where = f"„{settings.host}:{settings.port}“"
    if isinstance(exc, socket.gaierror):
        return (
            f"Den Mailserver {where} gibt es nicht (Name unbekannt). Bitte "
            "PORTALQUOTE_SMTP_HOST prüfen."
        )
    if isinstance(exc, TimeoutError | socket.timeout):
        return (
            f"Der Mailserver {where} antwortet nicht (nach {settings.timeout} s abgebrochen). "
            "Bitte Adresse, Port und Firewall prüfen."
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"Das Zertifikat des Mailservers {where} wurde nicht anerkannt "
            f"({header_text(exc.verify_message, 120)}). Bei einem Zertifikat der eigenen "
            "Verwaltung PORTALQUOTE_SMTP_CAFILE setzen."
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"Keine verschlüsselte Verbindung mit {where} möglich ({header_text(exc, 120)}). "
            "Bitte PORTALQUOTE_SMTP_SECURITY (starttls oder ssl) und den Port prüfen."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "AUTH" in str(exc):
        return (
            f"Der Mailserver {where} bietet keine Anmeldung an. Ohne Anmeldung versenden: "
            "PORTALQUOTE_SMTP_USER leer lassen; sonst PORTALQUOTE_SMTP_SECURITY prüfen."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (
            f"Der Mailserver {where} bietet kein STARTTLS an. Bitte PORTALQUOTE_SMTP_SECURITY "
            "prüfen (ssl für Port 465)."
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"Die Anmeldung am Mailserver {where} ist fehlgeschlagen ({_reply(exc)}). Bitte "
            "PORTALQUOTE_SMTP_USER und PORTALQUOTE_SMTP_PASSWORD prüfen."
        )
    if isinstance(exc, smtplib.SMTPSenderRefused) and exc.smtp_code == 530:
        return (
            f"Der Mailserver {where} verlangt erst Verschlüsselung oder Anmeldung "
            f"({_reply(exc)}). Bitte PORTALQUOTE_SMTP_SECURITY, PORTALQUOTE_SMTP_USER und "
            "PORTALQUOTE_SMTP_PASSWORD prüfen."
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"Der Mailserver lehnt den Absender ab ({_reply(exc)}). Bitte "
            "PORTALQUOTE_MAIL_FROM prüfen."
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(exc.recipients))
        return f"Der Mailserver lehnt alle Empfänger ab: {header_text(refused, 300)}."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"Der Mailserver {where} hat die Verbindung getrennt."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"Der Mailserver {where} meldet einen Fehler: {_reply(exc)}."
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"Der Mailserver {where} ist nicht erreichbar (Verbindung abgelehnt). Bitte "
            "PORTALQUOTE_SMTP_HOST und PORTALQUOTE_SMTP_PORT prüfen."
        )
    if isinstance(exc, OSError | smtplib.SMTPException):
        return f"Der Mailserver {where} ist nicht erreichbar ({header_text(exc, 150)})."
    return f"Unerwarteter Fehler beim Versand ({type(exc).__name__})."


class Mailer:
    """An open SMTP connection: send() gives the refused recipients or raises MailError."""

    def __init__(self, smtp: smtplib.SMTP, settings: SmtpSettings) -> None:
        self._smtp = smtp
        self._settings = settings

    def send(self, msg: EmailMessage) -> dict[str, str]:
        """Send one message; {address: reason} for recipients the server refused while it
        took the others; MailError if it took none."""
        try:
            refused = self._smtp.send_message(msg)
        except Exception as exc:  # whatever it was, this mail did not go out
            raise MailError(explain(exc, self._settings)) from None
        return {addr: _reply_text(reply) for addr, reply in refused.items()}


def _reply_text(reply: tuple[int, bytes]) -> str:
    code, text = reply
    return header_text(f"{code} {text.decode(errors='replace')}", 200)


@contextmanager
def connect(settings: SmtpSettings) -> Iterator[Mailer]:
    """A connection as the settings say (STARTTLS, SSL or plain; login if a user is set);
    MailError with a German reason if it cannot be opened."""
    context = ssl.create_default_context(cafile=settings.cafile)
    try:
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(explain(exc, settings)) from None
    try:
        try:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if settings.user:
                smtp.login(settings.user, settings.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(explain(exc, settings)) from None
        yield Mailer(smtp, settings)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
