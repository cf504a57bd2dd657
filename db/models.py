"""SQLAlchemy models of the schema (the migrations in db/migrations create them)."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.labels import STATUS_LABELS

CHANNELS = ("online", "office")
# "report": a department's monthly report or long table; "portal": the portal export.
SOURCES = ("report", "portal")
STATUSES = tuple(STATUS_LABELS)
LOAD_KINDS = ("services", "counts", "measures")
LOAD_STATES = ("loaded", "unchanged", "undone", "refused")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _now() -> datetime:
    """The time stamps of writes: local time, whole seconds (like a load's loaded_at)."""
    return datetime.now().replace(microsecond=0)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Department(Base):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    services: Mapped[list["Service"]] = relationship(back_populates="department")


class Service(Base):
    __tablename__ = "services"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    leika_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    online_since: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    department: Mapped[Department] = relationship(back_populates="services")
    aliases: Mapped[list["ServiceAlias"]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )


class ServiceAlias(Base):
    __tablename__ = "service_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(300))
    # Lower-cased, spaces collapsed: what names in files are matched against.
    alias_key: Mapped[str] = mapped_column(String(300), unique=True)
    service: Mapped[Service] = relationship(back_populates="aliases")


class Load(Base):
    __tablename__ = "loads"
    __table_args__ = (
        CheckConstraint(_in("kind", LOAD_KINDS), name="kind"),
        CheckConstraint(_in("state", LOAD_STATES), name="state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64))
    loaded_by: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
    rows: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text, default="")
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(200))


class MonthlyCount(Base):
    """One count per service, month, channel and source; the latest load wins."""

    __tablename__ = "monthly_counts"
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("source", SOURCES), name="source"),
        CheckConstraint("value >= 0", name="value"),
    )
    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="RESTRICT"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True, index=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    load_id: Mapped[int] = mapped_column(ForeignKey("loads.id"), index=True)


class CountChange(Base):
    """What a load changed: enough to undo it (old_value NULL means the count was new)."""

    __tablename__ = "count_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("loads.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    # Indexed for when counts first arrived (db/reporting.py: the deadline marks).
    month: Mapped[str] = mapped_column(String(7), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10))
    old_value: Mapped[int | None] = mapped_column(Integer)
    old_load_id: Mapped[int | None] = mapped_column(Integer)
    new_value: Mapped[int] = mapped_column(Integer)


class ActionField(Base):
    __tablename__ = "action_fields"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    # Optional grouping above action fields (e.g. "Elektronische Bürgerservices").
    group_name: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    measures: Mapped[list["Measure"]] = relationship(back_populates="action_field")


measure_services = Table(
    "measure_services",
    Base.metadata,
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class Measure(Base):
    __tablename__ = "measures"
    __table_args__ = (
        UniqueConstraint("action_field_id", "name", name="uq_measures_field_name"),
        CheckConstraint(_in("status", STATUSES), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    action_field_id: Mapped[int] = mapped_column(ForeignKey("action_fields.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    responsible: Mapped[str | None] = mapped_column(String(300))
    start_month: Mapped[str | None] = mapped_column(String(7))
    end_month: Mapped[str | None] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer, default=0)
    action_field: Mapped[ActionField] = relationship(back_populates="measures")
    services: Mapped[list[Service]] = relationship(secondary=measure_services)
    updates: Mapped[list["MeasureUpdate"]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureUpdate.id"
    )


class MeasureUpdate(Base):
    """A dated Sachstand of a measure with the status it had then (the status history)."""

    __tablename__ = "measure_updates"
    __table_args__ = (CheckConstraint(_in("status", STATUSES), name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measures.id", ondelete="CASCADE"), index=True
    )
    changed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    previous_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(200))
    load_id: Mapped[int | None] = mapped_column(ForeignKey("loads.id"))
    # When the update was written (changed_on is the day it is dated, which may be earlier):
    # slides frozen at a moment leave out what was recorded after it.
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    measure: Mapped[Measure] = relationship(back_populates="updates")


class Setting(Base):
    """Small key/value facts about the database (demo flag, data version)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# The reporting view (created by the migrations from db.figures.uptake_select, not by
# create_all): one row per service and month; total and online_share NULL where a channel
# is missing.
monthly_uptake = Table(
    "monthly_uptake",
    MetaData(),
    Column("service", String),
    Column("department", String),
    Column("month", String),
    Column("total", Integer),
    Column("online", Integer),
    Column("online_share", Float),
)


ROLES = ("admin", "department", "viewer")


class Target(Base):
    """A target online share, for one service or (service_id NULL) for all services."""

    __tablename__ = "targets"
    __table_args__ = (CheckConstraint("share > 0 AND share <= 1", name="share"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    share: Mapped[float] = mapped_column(Float)
    due_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


user_departments = Table(
    "user_departments",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    # argon2 hash; NULL for accounts that only sign in through OIDC.
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login: Mapped[datetime | None] = mapped_column(DateTime)
    # Where reminders for the user's departments go too (department accounts).
    email: Mapped[str | None] = mapped_column(String(320))
    departments: Mapped[list[Department]] = relationship(secondary=user_departments)


class Report(Base):
    """A generated progress report; the snapshot (JSON) lets it be regenerated identically."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[str] = mapped_column(String(7))
    period_end: Mapped[str] = mapped_column(String(7))
    cutoff: Mapped[date] = mapped_column(Date)
    previous_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    snapshot: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


REPORT_ACTIONS = ("created", "replaced", "deleted")


class ReportLog(Base):
    """One line per report created, replaced or deleted (kept after the report is gone)."""

    __tablename__ = "report_log"
    __table_args__ = (CheckConstraint(_in("action", REPORT_ACTIONS), name="action"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    cutoff: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(20))
    done_by: Mapped[str] = mapped_column(String(200))
    done_at: Mapped[datetime] = mapped_column(DateTime)


class LoginSession(Base):
    """A browser's login: only the SHA-256 of its random token is stored, never the token.

    Ended sessions stay until they would have expired anyway, so that a tab still holding
    one learns why it was signed out (logout elsewhere, account disabled, new password).
    Times are UTC.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (CheckConstraint(_in("kind", ("password", "sso")), name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    end_reason: Mapped[str | None] = mapped_column(String(20))


class LoginThrottle(Base):
    """Recent login attempts per user name or client address, shared by every app process.

    `failures` counts attempts that have not succeeded (an attempt counts from the moment it
    is admitted, so parallel attempts see each other); `next_attempt` is the earliest moment
    (Unix time) at which the next password check for this key may start.
    """

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    updated: Mapped[float] = mapped_column(Float)
    next_attempt: Mapped[float] = mapped_column(Float)


class DepartmentContact(Base):
    """An address that a department's reminders go to (catalog column E-Mail, Benutzer page)."""

    __tablename__ = "department_contacts"
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(320), primary_key=True)


REMINDER_KINDS = ("department", "summary")
# "sending" is written before a mail goes out: a run that died mid-way is never repeated.
REMINDER_STATES = ("sending", "sent", "failed")


class Reminder(Base):
    """One reminder mail (or the summary of a run): who, when, what, to whom, the result."""

    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint(_in("kind", REMINDER_KINDS), name="kind"),
        CheckConstraint(_in("state", REMINDER_STATES), name="state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    department: Mapped[str | None] = mapped_column(String(200))  # the name when it was sent
    months: Mapped[str] = mapped_column(Text, default="")  # 'YYYY-MM' separated by spaces
    missing: Mapped[str] = mapped_column(Text, default="")  # what the mail named, one per line
    recipients: Mapped[str] = mapped_column(Text)  # separated by ", "
    subject: Mapped[str] = mapped_column(String(300))
    sent_by: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    forced: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)


class ReportingStop(Base):
    """A service an admin marked as no longer reported from a month on: from that month it
    is not expected, so its missing figures no longer keep months from being complete."""

    __tablename__ = "reporting_stops"
    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    from_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime)
