"""What a checked file hands to the writes: plain records (no database imports, so that the
reading worker can build them)."""

from dataclasses import dataclass, field

# (service_id, month 'YYYY-MM', channel, source) -> count
CountKey = tuple[int, str, str, str]


@dataclass
class ServiceRow:
    name: str
    department: str
    leika_id: str | None = None
    aliases: list[str] = field(default_factory=list)
    online_since: str | None = None
    emails: list[str] = field(default_factory=list)  # the department's contact addresses


@dataclass
class MeasureRow:
    field: str
    name: str
    status: str
    group: str | None = None
    responsible: str | None = None
    start: str | None = None
    end: str | None = None
    note: str | None = None
    service_ids: list[int] | None = None  # None: leave links as they are
