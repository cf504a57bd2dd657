"""German number, percent, month and time formats, shared by ingest messages and the dashboard."""

from datetime import datetime

MONTH_ABBR = ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
              "Nov.", "Dez."]  # fmt: skip
MONTH_FULL = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
              "September", "Oktober", "November", "Dezember"]  # fmt: skip


def format_int(n: int | None) -> str:
    """1234 -> '1.234'; None -> '–'."""
    if n is None:
        return "–"
    return f"{int(n):,}".replace(",", ".")


def format_decimal(x: float, digits: int = 1) -> str:
    """1234.5 -> '1.234,5'."""
    return f"{x:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def format_percent(share: float | None, digits: int = 1) -> str:
    """0.298 -> '29,8 %'; None -> '–'."""
    if share is None or share != share:
        return "–"
    return f"{format_decimal(share * 100, digits)} %"


def format_points(delta: float | None, digits: int = 1) -> str:
    """A change of shares in percentage points: 0.012 -> '+1,2 Pp.'."""
    if delta is None or delta != delta:
        return "–"
    number = format_decimal(abs(delta) * 100, digits)
    # The sign of what is printed: a change that rounds to nothing is "±0,0", never "−0,0".
    zero = not number.strip("0,.")
    sign = "±" if zero else ("+" if delta > 0 else "−")
    return f"{sign}{number} Pp."


def format_month(month: str, *, long: bool = False) -> str:
    """'2021-10' -> 'Okt. 2021' (or 'Oktober 2021')."""
    year, mon = month.split("-")
    names = MONTH_FULL if long else MONTH_ABBR
    return f"{names[int(mon) - 1]} {year}"


def format_duration(seconds: float) -> str:
    """A span of time: 28800 -> '8 Stunden', 5400 -> '1,5 Stunden', 90 -> '2 Minuten'."""

    def unit(value: float, one: str, many: str) -> str:
        text = format_decimal(value, 1).removesuffix(",0")
        return f"{text} {one if text == '1' else many}"

    if seconds >= 3600:
        return unit(seconds / 3600, "Stunde", "Stunden")
    if seconds >= 60:
        return unit(seconds / 60, "Minute", "Minuten")
    return unit(round(seconds), "Sekunde", "Sekunden")


def format_base(online: int, total: int) -> str:
    """The base of a share: '203 von 681'."""
    return f"{format_int(online)} von {format_int(total)}"


def format_services(n: int) -> str:
    """'1 Leistung', '12 Leistungen'."""
    return f"{format_int(n)} Leistung" + ("" if n == 1 else "en")


def format_moment(moment: datetime, *, unit: bool = True) -> str:
    """'01.12.2026, 17:02 Uhr' (without 'Uhr' in table cells under a heading that says so)."""
    return f"{moment:%d.%m.%Y, %H:%M}" + (" Uhr" if unit else "")
