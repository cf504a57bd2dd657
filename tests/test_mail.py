"""Mail through a real SMTP server on 127.0.0.1 (aiosmtpd): TLS, login, errors, safe headers."""

from dataclasses import replace

import pytest
from net import free_port
from smtp_server import SENDER, self_signed, smtp_server

from db import settings
from db.settings import SettingError, smtp_settings
from ingest.mail import Attachment, MailError, build_message, connect

LOGIN = ("portalquote", "ein-langes-geheimnis")


@pytest.fixture(scope="module")
def cert(tmp_path_factory):  # noqa: ANN001, ANN201
    return self_signed(tmp_path_factory.mktemp("tls"))


def message(to: list[str] | None = None, subject: str = "Test", **kwargs):  # noqa: ANN003, ANN201
    return build_message(SENDER, to or ["fb3@stadt.example"], subject, "Grüße\n", **kwargs)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_encrypted_with_login(cert, security):
    with smtp_server(security, cert, LOGIN) as server:
        with connect(server.settings) as mailer:
            assert mailer.send(message(["fb3@stadt.example", "b@stadt-köln.de"])) == {}
        (got,) = server.inbox.received
    assert got.mail_from == "digitalisierung@stadt.example"
    assert got.rcpt_tos == ["fb3@stadt.example", "b@xn--stadt-kln-67a.de"]
    assert got.message["From"] == SENDER
    assert got.message["Auto-Submitted"] == "auto-generated"
    assert got.message.get_content().splitlines() == ["Grüße"]


def test_a_wrong_password_is_explained(cert):
    with smtp_server("starttls", cert, LOGIN) as server:
        wrong = replace(server.settings, password="falsch")
        with pytest.raises(MailError, match="Die Anmeldung am Mailserver .* ist fehlgeschlagen"):
            connect(wrong).__enter__()
        assert server.inbox.received == []


def test_an_unknown_certificate_is_refused(cert):
    with smtp_server("starttls", cert, LOGIN) as server:
        untrusted = replace(server.settings, cafile=None)
        with pytest.raises(MailError, match="Zertifikat .* wurde nicht anerkannt .*SMTP_CAFILE"):
            connect(untrusted).__enter__()


def test_a_server_that_wants_encryption(cert):
    with smtp_server("starttls", cert) as server:
        plain = replace(server.settings, security="none")
        with connect(plain) as mailer, pytest.raises(MailError, match="verlangt erst Verschl"):
            mailer.send(message())


def test_starttls_on_a_server_without_it():
    with smtp_server("none") as server:
        wants_tls = replace(server.settings, security="starttls")
        with pytest.raises(MailError, match="bietet kein STARTTLS an"):
            connect(wants_tls).__enter__()


def test_an_unreachable_server():
    with smtp_server("none") as server:
        nobody = replace(server.settings, port=free_port())
    with pytest.raises(MailError, match="ist nicht erreichbar \\(Verbindung abgelehnt\\)"):
        connect(nobody).__enter__()


def test_refused_recipients():
    with smtp_server("none") as server:
        server.inbox.refuse = {"weg@stadt.example"}
        with connect(server.settings) as mailer:
            refused = mailer.send(message(["fb3@stadt.example", "weg@stadt.example"]))
            assert list(refused) == ["weg@stadt.example"] and "550" in refused["weg@stadt.example"]
            with pytest.raises(MailError, match="lehnt alle Empfänger ab: weg@stadt.example"):
                mailer.send(message(["weg@stadt.example"]))
        assert [r.rcpt_tos for r in server.inbox.received] == [["fb3@stadt.example"]]


def test_line_breaks_in_names_cannot_start_a_header():
    with smtp_server("none") as server:
        msg = message(
            subject="Erinnerung – FB 9\r\nBcc: alle@evil.example\u2028X-Evil: 1",
            attachments=[Attachment("Vorlage\r\nX-Evil: 2.xlsx", b"PK")],
        )
        with connect(server.settings) as mailer:
            mailer.send(msg)
        (got,) = server.inbox.received
    assert got.rcpt_tos == ["fb3@stadt.example"]
    assert got.message["Bcc"] is None and got.message["X-Evil"] is None
    assert got.message["Subject"] == "Erinnerung – FB 9 Bcc: alle@evil.example X-Evil: 1"
    (attachment,) = got.message.iter_attachments()
    assert attachment.get_filename() == "Vorlage X-Evil: 2.xlsx"
    assert attachment["X-Evil"] is None


def test_an_invalid_sender_is_named():
    with pytest.raises(MailError, match="PORTALQUOTE_MAIL_FROM: „stabsstelle“ ist keine"):
        build_message("stabsstelle", ["fb3@stadt.example"], "x", "y")


def test_settings_from_the_environment(monkeypatch):
    for name in ("PORTALQUOTE_SMTP_HOST", "PORTALQUOTE_MAIL_FROM", "PORTALQUOTE_SMTP_USER"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(
        SettingError, match="PORTALQUOTE_SMTP_HOST und PORTALQUOTE_MAIL_FROM fehlen"
    ):
        smtp_settings()
    monkeypatch.setenv("PORTALQUOTE_SMTP_HOST", "mail.stadt.example")
    monkeypatch.setenv("PORTALQUOTE_MAIL_FROM", SENDER)
    assert (smtp_settings().port, smtp_settings().security) == (587, "starttls")
    monkeypatch.setenv("PORTALQUOTE_SMTP_SECURITY", "SSL")
    assert smtp_settings().port == 465
    monkeypatch.setenv("PORTALQUOTE_SMTP_SECURITY", "tls")
    with pytest.raises(SettingError, match="erlaubt sind starttls, ssl, none"):
        smtp_settings()
    monkeypatch.setenv("PORTALQUOTE_SMTP_SECURITY", "none")
    monkeypatch.setenv("PORTALQUOTE_SMTP_USER", "portalquote")
    with pytest.raises(SettingError, match="PORTALQUOTE_SMTP_PASSWORD nicht"):
        smtp_settings()
    monkeypatch.setenv("PORTALQUOTE_SMTP_PASSWORD", "geheim")
    with pytest.raises(SettingError, match="unverschlüsselt"):
        smtp_settings()
    monkeypatch.setenv("PORTALQUOTE_SMTP_SECURITY", "starttls")
    assert "geheim" not in repr(smtp_settings())  # the password never shows in a log line
    monkeypatch.setenv("PORTALQUOTE_PUBLIC_URL", "portalquote.stadt.example")
    with pytest.raises(SettingError, match="bitte die volle Adresse"):
        settings.public_url()
