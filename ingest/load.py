"""The ingest as a library: check files, preview, load, undo; used by the CLI and the app.

Every file is read and checked in a worker process with memory and time limits
(ingest.worker); what comes back are normalized records, written here in one transaction.
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from db.access import check_undo, refused_services
from db.catalog import Catalog, load_catalog
from db.german import format_decimal, format_int, format_month
from db.models import Load
from db.records import CountKey
from db.writes import (
    CountDiff,
    LoadInfo,
    LoadResult,
    apply_counts,
    apply_measures,
    apply_services,
    begin_write,
    diff_counts,
    log_refusal,
    undo_load,
)
from ingest import worker
from ingest.errors import IngestError, IngestErrors, Problems
from ingest.read import checksum, file_bytes
from ingest.validate import CountsFile, Progress, check_service_names

Source = str | Path | bytes
# A file to load: a path, or (bytes, file name) as an upload delivers it.
FileArg = Source | tuple[bytes, str]
Notify = Callable[[str], None]
# From this size on, reading alone takes a noticeable moment: say so before it starts.
LARGE_FILE_BYTES = 1_000_000
CHANNEL_WORDS = {"online": "online", "office": "vor Ort"}
SOURCE_WORDS = {"report": "Meldung", "portal": "Serviceportal"}


def _bytes(file: FileArg) -> tuple[bytes, str]:
    if isinstance(file, tuple):
        return file_bytes(file[0], file[1])
    return file_bytes(file)


def _checked(
    engine: Engine, kind: str, file: FileArg, catalog: Catalog, user: str | None, **kw: object
) -> tuple[object, LoadInfo]:
    """One file read and checked by the worker, and what its load log entry will say;
    IngestError if it is refused. A file the worker could not read safely is also logged as
    refused (who tried what, and why)."""
    data, name = _bytes(file)
    info = LoadInfo(name, checksum(data), user or "unbekannt", 0)
    try:
        result = worker.run(kind, data, name, catalog, **kw)
    except worker.UnsafeFile as exc:
        with begin_write(engine) as conn:
            log_refusal(conn, kind, info, exc.lines()[0])
        raise
    if isinstance(result, IngestError):
        raise result
    if isinstance(result, CountsFile):
        result.checksum = info.checksum  # computed here: the worker's word is not needed
    return result, info


def check_count_files(
    engine: Engine, files: Sequence[FileArg], progress: Progress | None = None,
    notify: Notify | None = None, allowed_departments: Collection[int] | None = None,
    user: str | None = None,
) -> list[CountsFile]:  # fmt: skip
    """Read and check every file; IngestErrors with every refused file's problems.

    allowed_departments: the department ids a user may load counts for (None: all); a file
    with services of other departments is refused. Files loaded together must not
    contradict each other (the same count with two values).
    """
    with engine.connect() as conn:
        catalog = load_catalog(conn)
    checked, errors = [], []
    for file in files:
        try:
            name = file[1] if isinstance(file, tuple) else Path(file).name
            if notify and (size := _size(file)) >= LARGE_FILE_BYTES:
                notify(f"Lese „{name}“ ({format_decimal(size / 2**20)} MB) …")
            rows_read = (lambda n, name=name: notify(f"Prüfe „{name}“ ({format_int(n)} Zeilen) …")
                         ) if notify else None  # fmt: skip
            counts, _info = _checked(
                engine, "counts", file, catalog, user, progress=progress, rows_read=rows_read
            )
            if allowed_departments is not None and (
                refusal := refused_services(catalog, counts.records, allowed_departments)
            ):
                raise IngestError(counts.file_name, refusal)
            checked.append(counts)
        except IngestError as exc:
            errors.append(exc)
    errors += _contradictions(checked, catalog)
    if errors:
        raise IngestErrors(errors)
    return checked


def _size(file: FileArg) -> int:
    """Size in bytes of a file given by path (0 for uploads and unreadable paths)."""
    try:
        return Path(file).stat().st_size if isinstance(file, str | Path) else 0
    except OSError:
        return 0


def _contradictions(files: list[CountsFile], catalog: Catalog) -> list[IngestError]:
    """Files of one load that give the same count (service, month, channel, source) two
    different values: the later file is refused, naming both places. Identical repeats are
    fine."""
    first: dict[CountKey, tuple[int, CountsFile]] = {}
    errors = []
    for f in files:
        problems = Problems()
        for key, value in f.records.items():
            if key not in first:
                first[key] = (value, f)
                continue
            other_value, other = first[key]
            if other_value == value:
                continue
            sid, month, channel, source = key
            problems.add(
                f"„{catalog.names[sid]}“ im {format_month(month)} "
                f"({CHANNEL_WORDS[channel]}, {SOURCE_WORDS[source]}): {format_int(value)} in "
                f"dieser Datei ({f.origin.get(key, '–')}), aber {format_int(other_value)} in "
                f"„{other.file_name}“ ({other.origin.get(key, '–')}). Dateien, die zusammen "
                "geladen werden, dürfen sich nicht widersprechen: bitte eine der beiden "
                "berichtigen oder die Dateien einzeln nacheinander laden."
            )
        if problems:
            errors.append(IngestError(f.file_name, problems))
    return errors


@dataclass
class Preview:
    file: CountsFile
    diff: CountDiff


def preview_counts(
    engine: Engine, files: Sequence[FileArg], progress: Progress | None = None,
    allowed_departments: Collection[int] | None = None, user: str | None = None,
) -> list[Preview]:  # fmt: skip
    """What loading these files would change, without writing anything (but the log entry
    of a file that could not be read safely)."""
    checked = check_count_files(engine, files, progress, None, allowed_departments, user)
    with engine.connect() as conn:
        return [Preview(f, diff_counts(conn, f.records)) for f in checked]


def load_counts(
    engine: Engine, files: Sequence[FileArg], user: str,
    progress: Progress | None = None, notify: Notify | None = None,
    allowed_departments: Collection[int] | None = None,
) -> list[LoadResult]:  # fmt: skip
    """Check all files, then load each as its own logged load, all in one transaction."""
    checked = check_count_files(engine, files, progress, notify, allowed_departments, user)
    with begin_write(engine) as conn:
        return [
            apply_counts(conn, f.records, LoadInfo(f.file_name, f.checksum, user, f.rows))
            for f in checked
        ]


def load_services(engine: Engine, file: FileArg, user: str) -> LoadResult:
    with engine.connect() as conn:
        catalog = load_catalog(conn)
    checked, info = _checked(engine, "services", file, catalog, user)
    info.user, info.rows = user, len(checked.rows)
    with begin_write(engine) as conn:
        # Checked again against the catalog inside the write, so no other load can slip
        # between the check and the write.
        check_service_names(info.file_name, checked.rows, checked.places, load_catalog(conn))
        return apply_services(conn, checked.rows, info)


def load_measures(
    engine: Engine, file: FileArg, user: str, changed_on: date | None = None
) -> LoadResult:
    with engine.connect() as conn:
        catalog = load_catalog(conn)
    rows, info = _checked(engine, "measures", file, catalog, user)
    info.user, info.rows = user, len(rows)
    with begin_write(engine) as conn:
        return apply_measures(conn, rows, info, changed_on)


def undo(
    engine: Engine, load_id: int, user: str, allowed_departments: Collection[int] | None = None
) -> str:
    """Undo a counts load (UndoError with a German reason if it can't be; PermissionError
    if it changed counts outside allowed_departments)."""
    with begin_write(engine) as conn:
        check_undo(conn, load_id, allowed_departments, user)
        return undo_load(conn, load_id, user)


def history(engine: Engine, limit: int = 50) -> list:
    with engine.connect() as conn:
        return conn.execute(select(Load).order_by(Load.id.desc()).limit(limit)).all()
