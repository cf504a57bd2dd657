"""The login throttle in the database: spacing per name and address, locks, memory."""

import pytest

from db import throttle
from db.throttle import (
    ADDRESS_FAILURES,
    ADDRESS_SPACING_SECONDS,
    MEMORY_SECONDS,
    NAME_FAILURES,
    NAME_LOCK_SECONDS,
    SPACING_SECONDS,
)
from db.writes import begin_light_write

T0 = 1_800_000_000.0


@pytest.fixture
def admit(engine):  # noqa: ANN001, ANN201
    """admit(name, address, now) in its own short transaction, as the login route does."""

    def run(fn, *args):  # noqa: ANN001, ANN202
        with begin_light_write(engine) as conn:
            return fn(conn, *args)

    run.admit = lambda name, addr, now: run(throttle.admit, name, addr, now)
    run.failed = lambda name, addr, now: run(throttle.failed, name, addr, now)
    run.succeeded = lambda name, addr: run(throttle.succeeded, name, addr)
    return run


def test_a_first_attempt_is_admitted_and_a_parallel_one_waits(admit):
    assert admit.admit("fb3", "10.0.0.1", T0).admitted
    # A second attempt while the first is still being checked: it counts already.
    second = admit.admit("other", "10.0.0.1", T0)
    assert not second.admitted and second.wait == pytest.approx(SPACING_SECONDS)
    assert admit.admit("other", "10.0.0.1", T0 + SPACING_SECONDS).admitted
    # Another address is not slowed down by this one.
    assert admit.admit("third", "10.0.0.2", T0).admitted


def test_success_takes_the_attempt_back(admit):
    assert admit.admit("fb3", "10.0.0.1", T0).admitted
    admit.succeeded("fb3", "10.0.0.1")
    # A colleague behind the same proxy address logs in right after: no waiting.
    assert admit.admit("fb4", "10.0.0.1", T0 + 0.01).admitted


def test_a_name_is_locked_after_failures_in_a_row(admit):
    now = T0
    for _ in range(NAME_FAILURES):
        assert admit.admit("fb3", "10.0.0.1", now).admitted
        admit.failed("fb3", "10.0.0.1", now)
        now += SPACING_SECONDS
    refused = admit.admit("fb3", "10.0.0.9", now)  # from anywhere
    assert not refused.admitted
    assert refused.locked == pytest.approx(NAME_LOCK_SECONDS - SPACING_SECONDS)
    assert admit.admit("fb3", "10.0.0.9", now + NAME_LOCK_SECONDS).admitted


def test_many_failures_from_one_address_space_its_attempts_further(admit):
    now = T0
    for i in range(ADDRESS_FAILURES):
        assert admit.admit(f"name{i}", "10.0.0.1", now).admitted
        admit.failed(f"name{i}", "10.0.0.1", now)
        now += SPACING_SECONDS
    assert admit.admit("next", "10.0.0.1", now).admitted
    waiting = admit.admit("after", "10.0.0.1", now + SPACING_SECONDS)
    assert waiting.wait == pytest.approx(ADDRESS_SPACING_SECONDS - SPACING_SECONDS)


def test_old_failures_are_forgotten(admit):
    for _ in range(NAME_FAILURES):
        admit.admit("fb3", "10.0.0.1", T0)
        admit.failed("fb3", "10.0.0.1", T0)
    now = T0 + NAME_LOCK_SECONDS + MEMORY_SECONDS + 1
    # A fresh series: four failures more do not lock the name again.
    for _ in range(NAME_FAILURES - 1):
        assert admit.admit("fb3", "10.0.0.1", now).admitted
        admit.failed("fb3", "10.0.0.1", now)
        now += SPACING_SECONDS
    assert admit.admit("fb3", "10.0.0.1", now).admitted
