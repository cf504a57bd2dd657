"""The Erklärung zur Barrierefreiheit: public, reached from every page, its contacts from
the settings with the defaults marked as such."""

from accounts import make_accounts
from app_helpers import log_in, new_app, open_page, texts

from db.settings import STATEMENT_DEFAULTS, statement_settings


def _statement(at) -> str:  # noqa: ANN001
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Erklärung zur Barrierefreiheit"]
    return texts(at)


def test_defaults_are_marked_and_the_federal_arbitration_body_named(engine, db_url, monkeypatch):
    for name in STATEMENT_DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    at = open_page(new_app(db_url, monkeypatch).run(), "accessibility.py")
    text = _statement(at)
    assert "teilweise vereinbar" in text and "WCAG 2.1" in text
    assert "Stabsstelle Digitalisierung *(Voreinstellung)*" in text
    assert "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz (§ 16 BGG)" in text
    assert "Mauerstraße 53, 10117 Berlin *(Voreinstellung)*" in text
    assert "https://www.schlichtungsstelle-bgg.de" in text
    assert "Texte aus Streamlit" in [s.value for s in at.subheader]
    assert "Sachstandsbericht als PDF" not in [s.value for s in at.subheader]  # tagged now
    assert not at.warning  # the note on what to set is for admins only


def test_the_towns_own_contacts_replace_the_defaults(engine, db_url, monkeypatch):
    monkeypatch.setenv("PORTALQUOTE_A11Y_BODY", "Die Stadt Musterstadt")
    monkeypatch.setenv("PORTALQUOTE_A11Y_CONTACT", "Amt 10 [Organisation] <IT>")
    monkeypatch.setenv("PORTALQUOTE_A11Y_EMAIL", "barrierefrei@musterstadt.de")
    monkeypatch.setenv("PORTALQUOTE_A11Y_PHONE", "02161 25-0")
    monkeypatch.setenv("PORTALQUOTE_A11Y_ARBITRATION", "Ombudsstelle des Landes, Düsseldorf")
    monkeypatch.setenv("PORTALQUOTE_A11Y_ARBITRATION_URL", "https://ombudsstelle.example")
    monkeypatch.setenv("PORTALQUOTE_A11Y_REVIEWED", "2027-03-15")
    at = open_page(new_app(db_url, monkeypatch).run(), "accessibility.py")
    text = _statement(at)
    assert "Voreinstellung" not in text
    assert "Die Stadt Musterstadt ist bemüht" in text
    assert "Amt 10 [Organisation] <IT>" in text  # shown as written, not as a link or tag
    assert "(mailto:barrierefrei@musterstadt.de)" in text and "02161 25-0" in text
    assert "Ombudsstelle des Landes, Düsseldorf" in text and "am 15.03.2027" in text
    assert all(not s.default for s in statement_settings().values())


def test_admins_are_told_which_settings_are_defaults(catalog_engine, db_url, monkeypatch):
    monkeypatch.delenv("PORTALQUOTE_A11Y_EMAIL", raising=False)
    admin = make_accounts(catalog_engine)["admin"]
    at = log_in(new_app(db_url, monkeypatch).run(), admin.username, admin.password)
    at = open_page(at, "accessibility.py")
    _statement(at)
    assert "PORTALQUOTE_A11Y_EMAIL" in at.warning[0].value


def test_the_statement_is_public_where_a_login_is_required(engine, db_url, monkeypatch):
    monkeypatch.setenv("PORTALQUOTE_REQUIRE_LOGIN", "1")
    at = open_page(new_app(db_url, monkeypatch).run(), "accessibility.py")
    assert "Barrieren melden: Kontakt" in [h.value for h in at.header]
