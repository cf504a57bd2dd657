"""The ingest as a library: check files, preview, load, undo; used by the CLI and the app."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from db.access import check_undo, refused_services
from db.catalog import load_catalog
from db.german import format_decimal, format_int
from db.models import Load
from db.writes import (
    CountDiff,
    LoadInfo,
    LoadResult,
    apply_counts,
    apply_measures,
    apply_services,
    begin_write,
    diff_counts,
    undo_load,
)
from ingest.errors import IngestError, IngestErrors
from ingest.read import Workbook, read_workbook
from ingest.validate import CountsFile, Progress, check_counts, check_measures, check_services

Source = str | Path | bytes
# A file to load: a path, or (bytes, file name) as an upload delivers it.
FileArg = Source | tuple[bytes, str]
Notify = Callable[[str], None]
# From this size on, reading alone takes a noticeable moment: say so before it starts.
LARGE_FILE_BYTES = 1_000_000


def _size(file: FileArg) -> int:
    """Size in bytes of a file given by path (0 for uploads and unreadable paths)."""
    try:
        return Path(file).stat().st_size if isinstance(file, str | Path) else 0
    except OSError:
        return 0


def _read(file: FileArg) -> Workbook:
    if isinstance(file, tuple):
        return read_workbook(file[0], file[1])
    return read_workbook(file)


def check_count_files(
    engine: Engine, files: Sequence[FileArg], progress: Progress | None = None,
    notify: Notify | None = None, allowed_departments: Collection[int] | None = None,
) -> list[CountsFile]:  # fmt: skip
    """Read and check every file; IngestErrors with every refused file's problems.

    allowed_departments: the department ids a user may load counts for (None: all); a file
    with services of other departments is refused.
    """
    with engine.connect() as conn:
        catalog = load_catalog(conn)
    checked, errors = [], []
    for file in files:
        try:
            if notify and (size := _size(file)) >= LARGE_FILE_BYTES:
                notify(f"Lese „{Path(file).name}“ ({format_decimal(size / 2**20)} MB) …")
            workbook = _read(file)
            if notify:
                rows = sum(len(s.rows) for s in workbook.sheets)
                notify(f"Prüfe „{workbook.file_name}“ ({format_int(rows)} Zeilen) …")
            counts = check_counts(workbook, catalog, progress)
            if allowed_departments is not None and (
                refusal := refused_services(catalog, counts.records, allowed_departments)
            ):
                raise IngestError(counts.file_name, refusal)
            checked.append(counts)
        except IngestError as exc:
            errors.append(exc)
    if errors:
        raise IngestErrors(errors)
    return checked


@dataclass
class Preview:
    file: CountsFile
    diff: CountDiff


def preview_counts(
    engine: Engine, files: Sequence[FileArg], progress: Progress | None = None,
    allowed_departments: Collection[int] | None = None,
) -> list[Preview]:  # fmt: skip
    """What loading these files would change, without writing anything."""
    checked = check_count_files(engine, files, progress, None, allowed_departments)
    with engine.connect() as conn:
        return [Preview(f, diff_counts(conn, f.records)) for f in checked]


def load_counts(
    engine: Engine, files: Sequence[FileArg], user: str,
    progress: Progress | None = None, notify: Notify | None = None,
    allowed_departments: Collection[int] | None = None,
) -> list[LoadResult]:  # fmt: skip
    """Check all files, then load each as its own logged load, all in one transaction."""
    checked = check_count_files(engine, files, progress, notify, allowed_departments)
    with begin_write(engine) as conn:
        return [
            apply_counts(conn, f.records, LoadInfo(f.file_name, f.checksum, user, f.rows))
            for f in checked
        ]


def load_services(engine: Engine, file: FileArg, user: str) -> LoadResult:
    workbook = _read(file)
    with begin_write(engine) as conn:
        # Checked against the catalog inside the write, so no other load can slip between.
        rows = check_services(workbook, load_catalog(conn))
        return apply_services(conn, rows, _info(workbook, user, len(rows)))


def load_measures(
    engine: Engine, file: FileArg, user: str, changed_on: date | None = None
) -> LoadResult:
    workbook = _read(file)
    with engine.connect() as conn:
        catalog = load_catalog(conn)
    rows = check_measures(workbook, catalog)
    with begin_write(engine) as conn:
        return apply_measures(conn, rows, _info(workbook, user, len(rows)), changed_on)


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


def _info(workbook: Workbook, user: str, rows: int) -> LoadInfo:
    return LoadInfo(workbook.file_name, workbook.checksum, user, rows)
