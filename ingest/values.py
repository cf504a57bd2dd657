"""Parsing of single cell values: months, counts, dates, names."""

import re
from datetime import date, datetime

from db.german import format_int

MONTH_NAMES = {
    "januar": 1, "jan": 1, "jänner": 1,
    "februar": 2, "feb": 2,
    "märz": 3, "maerz": 3, "mär": 3, "mrz": 3,
    "april": 4, "apr": 4,
    "mai": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "dez": 12,
}  # fmt: skip
EARLIEST_YEAR = 1990
MAX_COUNT = 100_000_000  # more requests than that in one month is a typo, not a town

_NAMED = re.compile(r"([a-zäöü]+)\.?\s*(\d{4})")
_MM_YYYY = re.compile(r"(\d{1,2})\s*[/.]\s*(\d{4})")
_YYYY_MM = re.compile(r"(\d{4})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,T]+\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_PLAIN_INT = re.compile(r"\d+")
_GERMAN_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def current_month() -> str:
    return date.today().strftime("%Y-%m")


def _month(year: int, month: int, day: int = 1) -> str:
    if not 1 <= month <= 12:
        raise ValueError(f"{month} ist kein gültiger Monat")
    if year < EARLIEST_YEAR:
        raise ValueError(f"das Jahr {year} liegt vor {EARLIEST_YEAR}")
    date(year, month, day)  # rejects 31.02.
    return f"{year:04d}-{month:02d}"


def parse_month(value: object, *, allow_day: bool = True) -> str:
    """A month as 'YYYY-MM' from any accepted spelling; ValueError with a German reason."""
    if isinstance(value, datetime | date):
        return _month(value.year, value.month)
    if not isinstance(value, str):
        raise ValueError(f"„{value}“ ist kein Monat")
    text = " ".join(value.split()).lower()
    try:
        if m := _NAMED.fullmatch(text):
            if m.group(1) not in MONTH_NAMES:
                raise ValueError(f"„{value.strip()}“ ist kein Monat")
            return _month(int(m.group(2)), MONTH_NAMES[m.group(1)])
        if m := _MM_YYYY.fullmatch(text):
            return _month(int(m.group(2)), int(m.group(1)))
        if m := _YYYY_MM.fullmatch(text):
            return _month(int(m.group(1)), int(m.group(2)))
        if allow_day and (m := _DMY.fullmatch(text)):
            return _month(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if allow_day and (m := _YMD.fullmatch(text)):
            return _month(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        if "ist kein" in str(exc) or "liegt vor" in str(exc):
            raise
        raise ValueError(f"„{value.strip()}“ ist kein gültiges Datum") from None
    raise ValueError(f"„{value.strip()}“ ist kein Monat")


def parse_date_month(value: object) -> str:
    """The month of an application date (Excel date/time or text with optional time)."""
    if isinstance(value, datetime | date):
        return _month(value.year, value.month)
    if isinstance(value, str):
        text = value.strip()
        m = _DMY.fullmatch(text)
        if m:
            return _month(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _YMD.fullmatch(text)
        if m:
            return _month(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(f"„{value}“ ist kein Datum")


def parse_count(value: object) -> int:
    """A whole number >= 0 from a numeric cell or German-formatted text."""
    if isinstance(value, bool):
        raise ValueError(f"„{value}“ ist keine Anzahl")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or not value.is_integer():  # NaN or a fraction
            raise ValueError(f"{str(value).replace('.', ',')} ist keine ganze Zahl")
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if _PLAIN_INT.fullmatch(text):
            number = int(text)
        elif _GERMAN_THOUSANDS.fullmatch(text):
            number = int(text.replace(".", ""))
        elif text.startswith("-") and _PLAIN_INT.fullmatch(text[1:].strip()):
            raise ValueError(f"„{text}“ ist negativ; Anzahlen können nicht kleiner als 0 sein")
        else:
            raise ValueError(f"„{text[:60]}“ ist keine ganze Zahl")
    else:
        raise ValueError(f"„{value}“ ist keine Anzahl")
    if number < 0:
        raise ValueError(f"{number} ist negativ; Anzahlen können nicht kleiner als 0 sein")
    if number > MAX_COUNT:
        raise ValueError(f"{format_int(number)} ist unplausibel groß")
    return number
