"""Parsing of single cell values: months, counts, dates, names."""

import re
from datetime import date, datetime

from db.german import format_int
from db.text import clean

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
_NEGATIVE_INT = re.compile(r"-\s*\d+")
_GERMAN_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def is_empty(value: object) -> bool:
    """No value, or only spaces and invisible characters."""
    return value is None or (isinstance(value, str) and not clean(value).strip())


def current_month() -> str:
    return date.today().strftime("%Y-%m")


def shown(value: object) -> str:
    """A cell value as Excel shows it to the person who typed it (German decimals, dates)."""
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    if isinstance(value, datetime) and (value.hour or value.minute):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, datetime | date):
        return f"{value:%d.%m.%Y}"
    return " ".join(clean(str(value)).split())[:60]


def _month(year: int, month: int, day: int, value: object) -> str:
    if not 1 <= month <= 12:
        raise ValueError(f"{month} ist kein gültiger Monat")
    if year < EARLIEST_YEAR:
        raise ValueError(f"das Jahr {year} liegt vor {EARLIEST_YEAR}")
    try:
        date(year, month, day)  # rejects 31.02.
    except ValueError:
        raise ValueError(f"„{shown(value)}“ ist kein gültiges Datum") from None
    return f"{year:04d}-{month:02d}"


def _dated_month(value: object, text: str) -> str | None:
    """The month of a date written as text (01.10.2021, 2021-10-01, with optional time)."""
    if m := _DMY.fullmatch(text):
        return _month(int(m.group(3)), int(m.group(2)), int(m.group(1)), value)
    if m := _YMD.fullmatch(text):
        return _month(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
    return None


def parse_month(value: object) -> str:
    """A month as 'YYYY-MM' from any accepted spelling; ValueError with a German reason."""
    if isinstance(value, datetime | date):
        return _month(value.year, value.month, 1, value)
    if isinstance(value, str):
        text = " ".join(clean(value).split()).lower()
        if (m := _NAMED.fullmatch(text)) and m.group(1) in MONTH_NAMES:
            return _month(int(m.group(2)), MONTH_NAMES[m.group(1)], 1, value)
        if m := _MM_YYYY.fullmatch(text):
            return _month(int(m.group(2)), int(m.group(1)), 1, value)
        if m := _YYYY_MM.fullmatch(text):
            return _month(int(m.group(1)), int(m.group(2)), 1, value)
        if month := _dated_month(value, text):
            return month
    raise ValueError(f"„{shown(value)}“ ist kein Monat")


def parse_date_month(value: object) -> str:
    """The month of an application date (Excel date/time or text with optional time)."""
    if isinstance(value, datetime | date):
        return _month(value.year, value.month, 1, value)
    if isinstance(value, str) and (month := _dated_month(value, clean(value).strip())):
        return month
    raise ValueError(f"„{shown(value)}“ ist kein Datum")


def parse_count(value: object) -> int:
    """A whole number >= 0 from a numeric cell or German-formatted text."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float):
        if value != value or not value.is_integer():  # NaN or a fraction
            raise ValueError(f"{shown(value)} ist keine ganze Zahl")
        number = int(value)
    elif isinstance(value, str):
        text = clean(value).strip()
        if len(text) > 20 and (_PLAIN_INT.fullmatch(text) or _GERMAN_THOUSANDS.fullmatch(text)):
            # int() refuses over 4,300 digits with an English message; no count is that long.
            raise ValueError(f"„{shown(text)}“ ist unplausibel groß")
        if _PLAIN_INT.fullmatch(text):
            number = int(text)
        elif _GERMAN_THOUSANDS.fullmatch(text):
            number = int(text.replace(".", ""))
        elif _NEGATIVE_INT.fullmatch(text):
            raise ValueError(
                f"„{shown(text)}“ ist negativ; Anzahlen können nicht kleiner als 0 sein"
            )
        else:
            raise ValueError(f"„{shown(text)}“ ist keine ganze Zahl")
    elif isinstance(value, datetime | date):
        raise ValueError(f"„{shown(value)}“ ist ein Datum, keine Anzahl")
    else:
        raise ValueError(f"„{shown(value)}“ ist keine Anzahl")
    if number < 0:
        raise ValueError(f"{number} ist negativ; Anzahlen können nicht kleiner als 0 sein")
    if number > MAX_COUNT:
        raise ValueError(f"{format_int(number)} ist unplausibel groß")
    return number
