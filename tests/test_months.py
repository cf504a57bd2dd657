"""Month arithmetic on 'YYYY-MM' strings."""

from db.months import add_months, months_apart, months_between


def test_add_months_across_years_both_ways():
    assert add_months("2021-10", 3) == "2022-01"
    assert add_months("2022-01", -1) == "2021-12"
    assert add_months("2021-10", 0) == "2021-10"


def test_months_apart_and_between():
    assert months_apart("2021-10", "2021-06") == 4
    assert months_apart("2022-01", "2021-12") == 1
    assert months_between("2021-11", "2022-02") == ["2021-11", "2021-12", "2022-01", "2022-02"]
    assert months_between("2021-11", "2021-11") == ["2021-11"]
    assert months_between("2022-02", "2021-11") == []
