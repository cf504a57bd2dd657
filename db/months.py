"""Month arithmetic on 'YYYY-MM' strings, the form months are stored in."""

import re

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def add_months(month: str, n: int) -> str:
    """'2021-10' plus n months (n may be negative)."""
    y, m = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + n, 12)
    return f"{y:04d}-{m + 1:02d}"


def months_apart(later: str, earlier: str) -> int:
    """How many months `later` lies after `earlier` ('2021-10', '2021-06' -> 4)."""
    return (int(later[:4]) - int(earlier[:4])) * 12 + int(later[5:7]) - int(earlier[5:7])


def months_between(first: str, last: str) -> list[str]:
    """Every month from first to last, both included."""
    return [add_months(first, i) for i in range(months_apart(last, first) + 1)]
