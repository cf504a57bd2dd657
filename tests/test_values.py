"""Single cell values: every accepted month, count and date spelling, and the refusals."""

from datetime import date, datetime

import pytest

from ingest.values import is_empty, parse_count, parse_date_month, parse_month


@pytest.mark.parametrize(
    "value",
    [
        datetime(2021, 10, 15, 14, 3),
        date(2021, 10, 31),
        "Oktober 2021",
        "oktober 2021",
        "Okt. 2021",
        "Okt 2021",
        "OKT.2021",
        "  Okt.   2021 ",
        "10/2021",
        "10.2021",
        "2021-10",
        "01.10.2021",
        "2021-10-01",
        "2021-10-01 00:00:00",
    ],
)
def test_every_month_spelling(value):
    assert parse_month(value) == "2021-10"


@pytest.mark.parametrize(
    ("value", "month"),
    [
        ("März 2022", "2022-03"),
        ("Mrz. 2022", "2022-03"),
        ("Sept. 2022", "2022-09"),
        ("Dez 2022", "2022-12"),
        ("Januar 2023", "2023-01"),
        ("1/2023", "2023-01"),
        ("2023-1", "2023-01"),
    ],
)
def test_other_months(value, month):
    assert parse_month(value) == month


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Oktobr 2021", "„Oktobr 2021“ ist kein Monat"),
        ("13/2021", "13 ist kein gültiger Monat"),
        ("31.02.2021", "„31.02.2021“ ist kein gültiges Datum"),
        ("10/1921", "das Jahr 1921 liegt vor 1990"),
        ("Herbst", "„Herbst“ ist kein Monat"),
        (202110.0, "„202110“ ist kein Monat"),
        (datetime(1989, 12, 1), "das Jahr 1989 liegt vor 1990"),
    ],
)
def test_month_refusals_say_why(value, reason):
    with pytest.raises(ValueError) as info:
        parse_month(value)
    assert str(info.value) == reason


@pytest.mark.parametrize(
    "value",
    [datetime(2021, 10, 15, 14, 3), "15.10.2021", "15.10.2021 14:03", "2021-10-15T14:03:00",
     "2021-10-15 14:03", "2021-10-15T14:03:00.250"],
)  # fmt: skip
def test_application_dates(value):
    assert parse_date_month(value) == "2021-10"


@pytest.mark.parametrize(
    ("value", "reason"),
    [("Okt. 2021", "„Okt. 2021“ ist kein Datum"), ("gestern", "„gestern“ ist kein Datum"),
     (44484.5, "„44484,5“ ist kein Datum"), ("15.10.21", "„15.10.21“ ist kein Datum"),
     ("31.09.2021 10:00", "„31.09.2021 10:00“ ist kein gültiges Datum")],
)  # fmt: skip
def test_application_date_refusals(value, reason):
    with pytest.raises(ValueError) as info:
        parse_date_month(value)
    assert str(info.value) == reason


@pytest.mark.parametrize(
    ("value", "number"),
    [(203, 203), (203.0, 203), (0, 0), ("1.234", 1234), ("1.234.567", 1234567), (" 47 ", 47),
     ("0", 0), ("47", 47)],
)  # fmt: skip
def test_counts(value, number):
    assert parse_count(value) == number


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("ca. 50", "„ca. 50“ ist keine ganze Zahl"),
        ("- 3", "„- 3“ ist negativ; Anzahlen können nicht kleiner als 0 sein"),
        ("-3", "„-3“ ist negativ; Anzahlen können nicht kleiner als 0 sein"),
        (-3.0, "-3 ist negativ; Anzahlen können nicht kleiner als 0 sein"),
        ("12,5", "„12,5“ ist keine ganze Zahl"),
        (12.5, "12,5 ist keine ganze Zahl"),
        ("203.0", "„203.0“ ist keine ganze Zahl"),
        ("1.23", "„1.23“ ist keine ganze Zahl"),
        ("1234.567.8", "„1234.567.8“ ist keine ganze Zahl"),
        (True, "„WAHR“ ist keine Anzahl"),
        (datetime(2021, 1, 1), "„01.01.2021“ ist ein Datum, keine Anzahl"),
        (10**9, "1.000.000.000 ist unplausibel groß"),
    ],
)
def test_count_refusals_say_why(value, reason):
    with pytest.raises(ValueError) as info:
        parse_count(value)
    assert str(info.value) == reason


def test_empty_cells():
    assert is_empty(None) and is_empty("") and is_empty("  \n")
    assert not is_empty(0) and not is_empty("0")
