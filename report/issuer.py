"""Who issues the report: town, unit and logo on the cover (stored settings, env defaults)."""

import base64
import io

from PIL import Image, UnidentifiedImageError
from sqlalchemy import Connection, Engine, delete, select

from db import access
from db.german import format_int
from db.models import Setting
from db.settings import REPORT_LOGO_MAX_KB, REPORT_TOWN, REPORT_UNIT
from db.text import clean
from db.users import Account
from db.writes import set_setting

TOWN, UNIT, LOGO, LOGO_MIME = "report_town", "report_unit", "report_logo", "report_logo_mime"
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_LOGO_PIXELS = 4000  # per side: a logo, not a poster
KEEP = object()  # save_issuer: leave the stored logo as it is


class IssuerError(ValueError):
    """A setting that cannot be saved; the message is German and says why."""


def issuer(conn: Connection) -> dict:
    """{'town', 'unit', 'logo' (base64 or None), 'logo_mime'} as the cover shows them."""
    stored = dict(
        conn.execute(
            select(Setting.key, Setting.value).where(Setting.key.in_([TOWN, UNIT, LOGO, LOGO_MIME]))
        ).all()
    )
    return {
        "town": stored.get(TOWN, REPORT_TOWN),
        "unit": stored.get(UNIT, REPORT_UNIT),
        "logo": stored.get(LOGO),
        "logo_mime": stored.get(LOGO_MIME),
    }


def check_logo(data: bytes) -> str:
    """The logo's MIME type; IssuerError (German) unless it is a PNG or JPEG of sane size."""
    if len(data) > REPORT_LOGO_MAX_KB * 1024:
        raise IssuerError(
            f"Das Logo ist {format_int(len(data) // 1024)} KB groß; erlaubt sind höchstens "
            f"{format_int(REPORT_LOGO_MAX_KB)} KB. Bitte eine kleinere PNG- oder JPEG-Datei "
            "wählen."
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, size = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise IssuerError(
            "Das Logo ist kein lesbares Bild. Bitte eine PNG- oder JPEG-Datei wählen."
        ) from None
    if kind not in LOGO_TYPES:
        raise IssuerError(f"Das Logo ist eine {kind}-Datei; bitte PNG oder JPEG verwenden.")
    if max(size) > MAX_LOGO_PIXELS or min(size) < 1:
        raise IssuerError(
            f"Das Logo ist {size[0]} × {size[1]} Pixel groß; erlaubt sind höchstens "
            f"{MAX_LOGO_PIXELS} Pixel je Seite."
        )
    return LOGO_TYPES[kind]


def save_issuer(
    engine: Engine, account: Account | None, *, town: str, unit: str, logo: object = KEEP
) -> None:
    """Store town and unit (and the logo: bytes to set, None to remove, KEEP); admins only."""
    town, unit = (" ".join(clean(v).split())[:200] for v in (town, unit))
    mime = check_logo(logo) if isinstance(logo, bytes) else None
    with access.write_as(engine, account, "admin") as conn:
        set_setting(conn, TOWN, town)
        set_setting(conn, UNIT, unit)
        if logo is None:
            conn.execute(delete(Setting).where(Setting.key.in_([LOGO, LOGO_MIME])))
        elif isinstance(logo, bytes):
            set_setting(conn, LOGO, base64.b64encode(logo).decode("ascii"))
            set_setting(conn, LOGO_MIME, mime)
