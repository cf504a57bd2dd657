"""The figures core (db/figures.py): complete months, headline, changes, sums, status counts.

Pure pandas, no database: examples for each rule, then property tests (hypothesis, fixed
seed) that pin the invariants the pages rely on.
"""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import figures
from db.german import format_points
from db.months import add_months, months_between

COLUMNS = ["service", "department", "month", "total", "online", "online_share"]


def uptake(rows: list[tuple[str, str, int | None, int | None]]) -> pd.DataFrame:
    """monthly_uptake-like rows from (service, month, total, online); total None = one
    channel only (online None too: only the office figure)."""
    df = pd.DataFrame(
        [(s, "FB", m, t, o, o / t if t and o is not None else None) for s, m, t, o in rows],
        columns=COLUMNS,
    )  # fmt: skip
    for c in ("total", "online"):
        df[c] = pd.array(df[c], dtype="Int64")
    df["online_share"] = df["online_share"].astype(float)
    return df


def states_of(df: pd.DataFrame, stops: dict[str, str] | None = None) -> pd.DataFrame:
    coverage = df.assign(complete=df["total"].notna())
    return figures.month_states(figures.service_months(coverage, stops))


# ---------------------------------------------------------------- examples

TWELVE = [f"Leistung {i:02d}" for i in range(12)]


def test_a_newer_month_of_one_department_is_provisional_not_the_headline():
    """What was seen: one service's newer month became 'Letzter vollständiger Monat' with
    44,0 % from '1 Leistungen', compared with twelve services a month earlier."""
    rows = [(s, m, 100, 30) for s in TWELVE for m in ("2023-11", "2023-12")]
    rows.append((TWELVE[0], "2024-01", 100, 44))
    df = uptake(rows)
    states = states_of(df)
    head = figures.headline(df, states)
    assert head.month == "2023-12"
    assert head.figures.current == figures.Sums("2023-12", 1200, 360, 12)
    assert head.later == [figures.MonthState("2024-01", 12, 1, 0, 1, False)]
    # A second month ahead from the same department does not become complete either.
    df2 = uptake([*rows, (TWELVE[0], "2024-02", 100, 45)])
    assert figures.headline(df2, states_of(df2)).month == "2023-12"


def test_first_months_expect_those_that_reported():
    # January: A only online (portal export), B both: not complete. February: B both: A was
    # never complete, so only B is expected.
    df = uptake([("A", "2023-01", None, 5), ("B", "2023-01", 10, 2), ("B", "2023-02", 10, 3),
                 ("A", "2023-02", None, 6)])  # fmt: skip
    states = states_of(df)
    assert figures.complete_months(states) == ["2023-02"]
    assert figures.state_of(states, "2023-01") == figures.MonthState("2023-01", 2, 1, 1, 1, False)


def test_a_gap_month_is_not_complete_and_a_stop_makes_a_month_complete():
    df = uptake([("A", "2023-01", 10, 1), ("B", "2023-01", 10, 2), ("A", "2023-03", 10, 3)])
    states = states_of(df)
    assert list(states["month"]) == ["2023-01", "2023-02", "2023-03"]
    assert figures.complete_months(states) == ["2023-01"]  # Feb.: nothing; March: B missing
    stopped = states_of(df, {"B": "2023-03"})
    assert figures.complete_months(stopped) == ["2023-01", "2023-03"]
    assert figures.state_of(stopped, "2023-03").expected == 1


def test_changes_compare_the_same_services_and_say_how_many():
    # C joins in December: the change to November is measured over A and B only.
    df = uptake([("A", "2023-11", 2500, 1000), ("B", "2023-11", 2500, 750),
                 ("A", "2023-12", 2500, 1000), ("B", "2023-12", 2500, 748),
                 ("C", "2023-12", 100, 90)])  # fmt: skip
    fig = figures.month_figures(df, states_of(df), "2023-12")
    assert fig.current == figures.Sums("2023-12", 5100, 1838, 3)
    change = fig.previous
    assert change.services == 2 and change.then == figures.Sums("2023-11", 5000, 1750, 2)
    assert change.now == figures.Sums("2023-12", 5000, 1748, 2)
    assert change.points == 0.0 and format_points(change.points) == "±0,0 Pp."  # -0.0004
    assert fig.year is None  # no figures a year before


def test_monthly_sums_and_the_complete_series():
    df = uptake([("A", "2023-01", 10, 1), ("B", "2023-01", 10, 2), ("A", "2023-02", 20, 5)])
    sums = figures.monthly_sums(df)
    assert sums.values.tolist() == [["2023-01", 20, 3, 0.15, 2], ["2023-02", 20, 5, 0.25, 1]]
    assert figures.complete_series(df, states_of(df))["month"].tolist() == ["2023-01"]
    assert figures.monthly_sums(df.iloc[:0]).empty


def test_service_period_sums_and_change():
    df = uptake([("A", "2023-01", 10, 1), ("A", "2023-02", 10, None), ("A", "2023-03", 10, 4)])
    df.loc[1, ["total", "online"]] = pd.NA
    period = figures.service_period(df, "2023-01", "2023-03")
    assert period.values.tolist() == [["A", 20, 5, 0.25, 0.3]]


def test_status_counts_every_status_of_every_field_in_order():
    measures = pd.DataFrame(
        {"group": [None, "G", "G"], "field": ["Z", "A", "A"], "field_position": [0, 1, 1],
         "status": ["done", "planned", "planned"]}
    )  # fmt: skip
    counts = figures.status_counts(measures)
    assert list(dict.fromkeys(counts["field"])) == ["Z", "A"]
    assert len(counts) == 2 * 5
    got = counts.set_index(["field", "status"])["count"]
    assert (got["Z", "done"], got["A", "planned"], got["A", "done"]) == (1, 2, 0)
    assert counts.loc[counts["field"] == "A", "group"].unique().tolist() == ["G"]
    assert figures.status_counts(measures.iloc[:0]).empty


@pytest.mark.parametrize(
    ("now", "then", "text"),
    [(0.3496, 0.35, "±0,0 Pp."), (0.35, 0.3496, "±0,0 Pp."), (0.3, 0.2, "+10,0 Pp."),
     (0.2, 0.3, "−10,0 Pp."), (0.3494, 0.35, "−0,1 Pp.")],
)  # fmt: skip
def test_points_are_rounded_once_and_never_minus_zero(now, then, text):
    assert format_points(figures.points(now, then)) == text


# ---------------------------------------------------------------- properties

SERVICES = ["A", "B", "C", "D", "E"]
# Per service and month: nothing, both channels, only online, only office.
CELL = st.sampled_from(["none", "both", "both", "online", "office"])


@st.composite
def histories(draw, months: int = 8) -> pd.DataFrame:  # noqa: ANN001
    """Random monthly figures of up to five services over up to `months` months."""
    n = draw(st.integers(1, months))
    rows = []
    for month in months_between("2023-01", add_months("2023-01", n - 1)):
        for s in SERVICES:
            kind = draw(CELL)
            total = draw(st.integers(0, 500))
            online = draw(st.integers(0, total))
            if kind == "both":
                rows.append((s, month, total, online))
            elif kind == "online":
                rows.append((s, month, None, online))
            elif kind == "office":
                rows.append((s, month, None, None))
    if not rows:
        rows.append(("A", "2023-01", 10, 1))
    return uptake(rows)


def _expected_next(df: pd.DataFrame, stops: dict[str, str], month: str) -> set[str]:
    sm = figures.service_months(df.assign(complete=df["total"].notna()), stops)
    ever = set(sm.loc[sm["complete"], "service"])
    return {s for s in ever if not (s in stops and stops[s] <= month)}


PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, database=None)


@PROPERTY
@given(df=histories(), data=st.data())
def test_a_partly_reported_later_month_never_changes_the_headline(df, data):
    states = states_of(df)
    before = figures.headline(df, states)
    last = str(df["month"].max())
    later = add_months(last, data.draw(st.integers(1, 3)))
    expected = _expected_next(df, {}, later)
    rows = []
    if expected:
        # Every expected service but at least one reports both channels; others may join.
        missing = data.draw(st.sampled_from(sorted(expected)))
        for s in SERVICES:
            if s == missing:
                kind = data.draw(st.sampled_from(["none", "online", "office"]))
            else:
                kind = data.draw(CELL) if s not in expected else "both"
            rows.append((s, kind))
    else:  # nothing ever complete: those that report the month are expected
        rows = [("A", "online"), *((s, data.draw(CELL)) for s in SERVICES[1:])]
    extra = [
        (s, later, 100, 40) if k == "both" else (s, later, None, 7 if k == "online" else None)
        for s, k in rows
        if k != "none"
    ]
    grown = pd.concat([df, uptake(extra)], ignore_index=True)
    grown_states = states_of(grown)
    after = figures.headline(grown, grown_states)
    assert not figures.state_of(grown_states, later).complete
    if before is None:
        assert after is None
    else:
        assert after.figures == before.figures
        if extra:
            assert after.later[-1].month == later
    # Months up to the old last month keep their state.
    old = grown_states[grown_states["month"] <= last].reset_index(drop=True)
    pd.testing.assert_frame_equal(old, states, check_dtype=False)


@PROPERTY
@given(df=histories())
def test_a_fully_reported_later_month_becomes_the_headline(df):
    later = add_months(str(df["month"].max()), 1)
    expected = _expected_next(df, {}, later) or {"A"}
    grown = pd.concat(
        [df, uptake([(s, later, 200, 50) for s in sorted(expected)])], ignore_index=True
    )
    head = figures.headline(grown, states_of(grown))
    assert head.month == later and head.later == []
    assert head.figures.current == figures.Sums(later, 200 * len(expected), 50 * len(expected),
                                                len(expected))  # fmt: skip


@PROPERTY
@given(df=histories(), data=st.data())
def test_complete_means_every_expected_service_has_both_and_stops_act_from_their_month(df, data):
    months = sorted(set(df["month"]))
    stop_service = data.draw(st.sampled_from(SERVICES))
    stop_month = data.draw(st.sampled_from(months))
    stops = {stop_service: stop_month}
    sm = figures.service_months(df.assign(complete=df["total"].notna()), stops)
    states = figures.month_states(sm)
    for r in states.itertuples():
        exp = sm[(sm["month"] == r.month) & sm["expected"]]
        assert r.expected == len(exp)
        assert r.complete == (len(exp) > 0 and bool(exp["complete"].all()))
        if r.month >= stop_month:
            assert stop_service not in set(exp["service"])
    # Before its month, a stop changes nothing.
    plain = states_of(df)
    pd.testing.assert_frame_equal(
        states[states["month"] < stop_month].reset_index(drop=True),
        plain[plain["month"] < stop_month].reset_index(drop=True),
    )


@PROPERTY
@given(df=histories(months=14))
def test_changes_rest_on_the_same_services_and_one_sum(df):
    states = states_of(df)
    series = figures.monthly_sums(df).set_index("month")
    for month in sorted(set(df["month"])):
        fig = figures.month_figures(df, states, month)
        if fig.current.services:
            row = series.loc[month]
            assert (fig.current.total, fig.current.online, fig.current.services) == (
                row["total"],
                row["online"],
                row["services"],
            )  # the headline and the series are one sum
        for change, back in ((fig.previous, 1), (fig.year, 12)):
            if change is None:
                continue
            assert change.now.services == change.then.services
            assert change.then.month == add_months(month, -back)
            reverse = figures.compare(
                df[df["month"] == change.then.month], df[df["month"] == month]
            )
            assert reverse.points == (-change.points + 0.0 if change.points is not None else None)
            assert not format_points(change.points).startswith("−0,0")


@PROPERTY
@given(delta=st.floats(-1, 1, allow_nan=False))
def test_printed_sign_matches_printed_digits(delta):
    text = format_points(delta)
    digits = text[1:].removesuffix(" Pp.")
    if digits.strip("0,.") == "":
        assert text.startswith("±")
    else:
        assert text[0] == ("+" if delta > 0 else "−")
