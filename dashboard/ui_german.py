"""Streamlit's own interface texts in German: its scripts rewritten as the server sends them.

Streamlit writes the texts of its widgets ("Drag and drop files here", "Choose options",
"Show data", sizes like "6.0KB") into its JavaScript bundle, in English only, and offers no
setting for another language. The middleware here replaces those texts, each an exact
piece of the installed bundle, in the scripts on their way to the browser (ASGI, no
inline script: a Content-Security-Policy without 'unsafe-inline' stays possible). Nothing
of Streamlit on disk changes.

A text that Streamlit moves or rewords in a later version is simply not found:
tests/test_ui_german.py checks that every entry matches the installed Streamlit, so an
upgrade shows at once which entries to adjust, and the Chromium test of every page catches
what is still English.
"""

import gzip
import hashlib
import re
from pathlib import Path

import streamlit
from starlette.types import ASGIApp, Receive, Scope, Send

SCRIPTS_DIR = Path(streamlit.__file__).resolve().parent / "static" / "static" / "js"
SCRIPTS_PATH = "/static/js/"
_NAME = re.compile(r"^[\w.-]+\.js$")

# (English piece of the bundle, German piece). Backticks are the bundle's template literals;
# "${...}" keeps the bundle's own expressions. Where a piece holds a minified name (y, J,
# T, D), it is the narrowest piece that is unique.
TRANSLATIONS: list[tuple[str, str]] = [
    # File upload (FileUploader, utils): every file reaches the app, which refuses wrong
    # types and sizes with its own German message; the hint names no transport limit.
    ("`Drag and drop a file here`", "`Datei hierher ziehen`"),
    ("`Drag and drop files here`", "`Dateien hierher ziehen`"),
    ("`Drag and drop directories here`", "`Ordner hierher ziehen`"),
    ("`Upload directories`:`Upload`", "`Ordner hochladen`:`Datei auswählen`"),
    ("`Add files`", "`Weitere Dateien hinzufügen`"),
    ("`${T(t,D.Byte,0)} per file`", "`oder hierher ziehen`"),
    ("`${e.type} files are not allowed.`", "`Dateien vom Typ ${e.type} sind nicht erlaubt.`"),
    (
        "`${e.toFixed(n)}${t.toUpperCase()}`",
        "`${e.toFixed(n).replace(`.`,`,`)}\u00a0${t.toUpperCase()}`",
    ),
    ("`File must be ${$(n,`b`)} or smaller.`", "`Die Datei darf höchstens ${$(n,`b`)} groß sein.`"),
    ("`Upload failed`", "`Hochladen fehlgeschlagen`"),
    ("`Cancel upload of ${e.name}`", "`Hochladen von ${e.name} abbrechen`"),
    ("`Remove ${e.name}`", "`${e.name} entfernen`"),
    ("`Click to retry upload`", "`Klicken, um erneut hochzuladen`"),
    ("`Unexpected error. Please try again.`", "`Unerwarteter Fehler. Bitte erneut versuchen.`"),
    ("`Error: `", "`Fehler: `"),
    ('"aria-label":`file upload`', '"aria-label":`Datei hochladen`'),
    ("`Only one file is allowed.`", "`Nur eine Datei ist erlaubt.`"),
    ("`Too many files`", "`Zu viele Dateien`"),
    ("`Error uploading file`", "`Fehler beim Hochladen`"),
    ("`Error deleting file`", "`Fehler beim Entfernen der Datei`"),
    # Placeholders of choice widgets (utils), multiselect and selectbox.
    ("`Add options`:`Add an option`", "`Optionen hinzufügen`:`Option hinzufügen`"),
    ("`No options to select`", "`Keine Auswahl möglich`"),
    (
        "`Choose or add options`:`Choose or add an option`",
        "`Auswählen oder hinzufügen`:`Auswählen oder hinzufügen`",
    ),
    ("`Choose options`:`Choose an option`", "`Bitte auswählen`:`Bitte auswählen`"),
    ("`No results`", "`Keine Treffer`"),
    ("`option`:`options`", "`Eintrag`:`Einträge`"),
    (
        "`You can only select up to ${t.maxSelections} ${e}. Remove an option first.`",
        "`Höchstens ${t.maxSelections} ${e} wählbar. Bitte zuerst einen entfernen.`",
    ),
    ("`Clear all`", "`Alle entfernen`"),
    ("`Select all`", "`Alle auswählen`"),
    ("`Multiselect options`", "`Auswahlmöglichkeiten`"),
    ("`Selectbox options`", "`Auswahlmöglichkeiten`"),
    ("`Selected values`", "`Ausgewählt`"),
    ('"aria-label":`Open`', '"aria-label":`Auswahl öffnen`'),
    ("`Clear value`", "`Auswahl löschen`"),
    ('"aria-label":`Remove ${e}`', '"aria-label":`${e} entfernen`'),
    ("`Remove ${t||`option`}`", "`${t||`Eintrag`} entfernen`"),
    # Date fields, selectboxes and multiselects take month and day names, the names of the
    # date parts and the calendar's buttons from React Aria, which Streamlit sets to English.
    ("locale:`en-US`", "locale:`de-DE`"),
    ('"aria-label":`Previous month`', '"aria-label":`Voriger Monat`'),
    ('"aria-label":`Next month`', '"aria-label":`Nächster Monat`'),
    # An icon's name ("add icon") read out beside a button's own label: said by nothing.
    (
        "return`Loading`;let{pack:t,icon:n}=h(e);return t===`material`&&n?`${n} icon`",
        "return`Wird geladen`;let{pack:t,icon:n}=h(e);return t===`material`&&n?``",
    ),
    # Date and time input (the moment of freezing the slides).
    ("`Choose date and time`", "`Datum und Uhrzeit wählen`"),
    ("`Clear date and time`", "`Datum und Uhrzeit löschen`"),
    (
        "`Use arrow keys to navigate. Enter to select. Tab to switch between calendar and time. "
        "Escape to close.`",
        "`Pfeiltasten wechseln den Tag, Eingabetaste wählt, Tab wechselt zwischen Kalender und "
        "Uhrzeit, Esc schließt.`",
    ),
    (
        "`**Error**: Date and time set outside allowed range. Please select a date and time "
        "between ${t} and ${n}.`",
        "`**Fehler**: Datum und Uhrzeit liegen außerhalb des erlaubten Bereichs. Bitte einen "
        "Zeitpunkt zwischen ${t} und ${n} wählen.`",
    ),
    (
        "`**Error**: Date and time set outside allowed range. Please select a date and time on "
        "or after ${t}.`",
        "`**Fehler**: Datum und Uhrzeit liegen außerhalb des erlaubten Bereichs. Bitte einen "
        "Zeitpunkt ab ${t} wählen.`",
    ),
    (
        "`**Error**: Date and time set outside allowed range. Please select a date and time on "
        "or before ${n}.`",
        "`**Fehler**: Datum und Uhrzeit liegen außerhalb des erlaubten Bereichs. Bitte einen "
        "Zeitpunkt bis ${n} wählen.`",
    ),
    # Date input.
    ("`Choose date range`", "`Zeitraum wählen`"),
    ("`Choose date`", "`Datum wählen`"),
    ("`Clear dates`", "`Daten löschen`"),
    ("`Clear date`", "`Datum löschen`"),
    ("`Date range`", "`Zeitraum`"),
    ("`Quick select a date range`", "`Zeitraum schnell wählen`"),
    (
        "`Use arrow keys to navigate dates. Enter to select. Escape to close.`",
        "`Pfeiltasten wechseln den Tag, Eingabetaste wählt, Esc schließt.`",
    ),
    # Text and number inputs.
    ("`Clear entry`", "`Eingabe löschen`"),
    ("`Show password`", "`Passwort anzeigen`"),
    ("`Hide password`", "`Passwort verbergen`"),
    ("`Invalid input.`", "`Ungültige Eingabe.`"),
    ("`Number is above the allowed range.`", "`Die Zahl ist größer als erlaubt.`"),
    ("`Number is below the allowed range.`", "`Die Zahl ist kleiner als erlaubt.`"),
    ("`submit form`:`apply`", "`Formular abzusenden`:`zu übernehmen`"),
    ("`Press ${r()?`⌘`:`Ctrl`}+Enter to ${e}`", "`${r()?`⌘`:`Strg`}+Eingabetaste, um ${e}`"),
    ("`Press Enter to ${e}`", "`Eingabetaste, um ${e}`"),
    # Charts: Streamlit's chart toolbar keeps only "Vollbild"; "Show data" (raw English field
    # names), "Download as PNG" and "Copy Vega-Lite spec" give way to the German PNG and SVG
    # buttons under each chart (dashboard/components.py).
    ("y&&r(C,{label:`Show data`", "!1&&r(C,{label:`Daten anzeigen`"),
    ("J&&r(C,{label:`Download as PNG`", "!1&&r(C,{label:`Als PNG herunterladen`"),
    ("`Show chart`", "`Diagramm anzeigen`"),
    (
        "Oe&&r(C,{label:Te?`Copied!`:`Copy Vega-Lite spec`",
        "!1&&r(C,{label:Te?`Kopiert`:`Vega-Lite-Beschreibung kopieren`",
    ),
    ("`Close fullscreen`", "`Vollbild beenden`"),
    ("label:`Fullscreen`", "label:`Vollbild`"),
    # Data grid (long tables).
    ("label:`Download as CSV`", "label:`Als CSV herunterladen`"),
    ("label:`Search`", "label:`Suchen`"),
    ("`Type to search`", "`Suchbegriff eingeben`"),
    ('"aria-label":`Close Search`', '"aria-label":`Suche schließen`'),
    ('"aria-label":`Next Result`', '"aria-label":`Nächster Treffer`'),
    ('"aria-label":`Previous Result`', '"aria-label":`Voriger Treffer`'),
    ("label:`Show/hide columns`", "label:`Spalten ein- und ausblenden`"),
    ("`Sort ascending`", "`Aufsteigend sortieren`"),
    ("`Sort descending`", "`Absteigend sortieren`"),
    ("`Pin column`", "`Spalte fixieren`"),
    ("`Unpin column`", "`Spalte lösen`"),
    ("`Hide column`", "`Spalte ausblenden`"),
    ("`Autosize`", "`Breite anpassen`"),
    ("`Copy column name`", "`Spaltennamen kopieren`"),
    ('"aria-label":`Dataframe column menu`', '"aria-label":`Spaltenmenü`'),
    ("`Loading...`", "`Wird geladen …`"),
    ("`No data`", "`Keine Daten`"),
    # The page frame: skip link, sidebar, status, connection.
    ("children:`Skip to main content`", "children:`Zum Inhalt springen`"),
    ('"aria-label":`Link to heading`', '"aria-label":`Link zu dieser Überschrift`'),
    ("`view less`:`view more`", "`weniger anzeigen`:`mehr anzeigen`"),
    ('"aria-label":`Sidebar`', '"aria-label":`Seitenleiste`'),
    ('"aria-label":`Main menu`', '"aria-label":`Hauptmenü`'),
    ('"aria-label":`Navigate to home page`', '"aria-label":`Zur Startseite`'),
    ('"aria-label":`Notifications`', '"aria-label":`Benachrichtigungen`'),
    ('"aria-label":`Scroll tabs left`', '"aria-label":`Reiter nach links blättern`'),
    ('"aria-label":`Scroll tabs right`', '"aria-label":`Reiter nach rechts blättern`'),
    ('"aria-label":`Collapse sidebar`', '"aria-label":`Seitenleiste einklappen`'),
    ('"aria-label":`Expand sidebar`', '"aria-label":`Seitenleiste ausklappen`'),
    ('"aria-label":`App pages`', '"aria-label":`Seiten`'),
    ("`View less`:`View ${x-m} more`", "`Weniger anzeigen`:`${x-m} weitere anzeigen`"),
    ('"aria-label":`Running...`', '"aria-label":`Läuft …`'),
    ("`Running...`", "`Läuft …`"),
    ("`Stopping...`", "`Wird angehalten …`"),
    ("`Stop`", "`Anhalten`"),
    ("`Rerun`", "`Neu ausführen`"),
    ("`Always rerun`", "`Immer neu ausführen`"),
    ("`Connecting`", "`Verbinde`"),
    ("`Please wait...`", "`Bitte warten …`"),
    ("`Connection error`", "`Verbindungsfehler`"),
    ("`Unable to connect to Streamlit server`", "`Keine Verbindung zum Server`"),
    ("`Reconnected to server.`", "`Wieder mit dem Server verbunden.`"),
    ("`Close`", "`Schließen`"),
    ("`Dismiss`", "`Ausblenden`"),
    ("`Copy to clipboard`", "`In die Zwischenablage kopieren`"),
    ('"aria-label":`Shortcut ${l}`', '"aria-label":`Tastenkürzel ${l}`'),
    (
        r"`Help`:`Help for ${t.replaceAll(/\s+/g,` `)}`",
        r"`Hilfe`:`Hilfe zu ${t.replaceAll(/\s+/g,` `)}`",
    ),
]


def translate(script: bytes) -> bytes:
    """The script with every English piece of TRANSLATIONS replaced by its German one."""
    for english, german in _ENCODED:
        if english in script:
            script = script.replace(english, german)
    return script


_ENCODED = [(e.encode(), g.encode()) for e, g in TRANSLATIONS]
_CACHE: dict[str, tuple[bytes, bytes, str] | None] = {}


def _translated(name: str) -> tuple[bytes, bytes, str] | None:
    """(script, gzipped script, etag) of a bundle file that has English pieces; None if it
    has none (Streamlit serves it as usual)."""
    if name not in _CACHE:
        path = SCRIPTS_DIR / name
        original = path.read_bytes() if _NAME.match(name) and path.is_file() else b""
        script = translate(original)
        _CACHE[name] = (
            (script, gzip.compress(script, 6, mtime=0),
             f'"{hashlib.sha256(script).hexdigest()[:20]}"')
            if script != original else None
        )  # fmt: skip
    return _CACHE[name]


class GermanScripts:
    """ASGI middleware: Streamlit's scripts that hold English interface texts are sent in
    German (cached in memory; revalidated by the browser, so a new translation arrives)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        found = _translated(path[len(SCRIPTS_PATH) :]) if path.startswith(SCRIPTS_PATH) else None
        if found is None:
            await self.app(scope, receive, send)
            return
        script, packed, etag = found
        headers = {k.lower(): v for k, v in scope["headers"]}
        common = [(b"etag", etag.encode()), (b"cache-control", b"no-cache"),
                  (b"vary", b"accept-encoding")]  # fmt: skip
        if headers.get(b"if-none-match", b"") == etag.encode():
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        body, extra = script, []
        if b"gzip" in headers.get(b"accept-encoding", b""):
            body, extra = packed, [(b"content-encoding", b"gzip")]
        await send({
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/javascript; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()), *common, *extra],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body})
