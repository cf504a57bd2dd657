"""The Sitzungsmodus's slide parts ('1a', '1b', '2', ...) as the app cuts them, for tests."""

from sqlalchemy.engine import Connection

from dashboard.slide_plan import LABEL, plan_agenda
from db import asof
from db.session import load_agenda, slides


def slide_labels(conn: Connection) -> list[str]:
    """Every part of every slide of the stored agenda, in order."""
    agenda = load_agenda(conn)
    uptake = asof.uptake_as_of(conn, agenda.frozen_at)
    states = asof.month_states_as_of(conn, agenda.frozen_at, uptake)
    measures = asof.measures_as_of(conn, agenda.frozen_at)
    parts = plan_agenda(agenda, slides(conn, agenda), uptake, states, measures,
                        asof.measure_links(conn))  # fmt: skip
    return [label for label, _slide, _blocks in parts]


def slide_count(labels: list[str]) -> int:
    """How many slides the parts belong to (the 'von 7' of 'Folie 3a von 7')."""
    return len({LABEL.match(label).group(1) for label in labels})
