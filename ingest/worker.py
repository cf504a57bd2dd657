"""Reading and checking an untrusted file in a process of its own, with memory and time limits.

A file from an upload or the command line is read (calamine, Rust) and checked in a child
process that limits its own address space and CPU time before it looks at the file. A crash,
a limit hit or a hang ends only the child: the caller gets a German IngestError, nothing is
written, and the server with all its other sessions carries on. The child receives the
file's bytes and a copy of the catalog (pickled by the parent, which it trusts) and hands
back the normalized records as JSON (never pickled: the child has handled untrusted data);
never open files or database handles. Writing stays in the main process.

Protocol: the request is one pickle on stdin; the child answers with JSON lines on stdout:
{"progress": [done, total]} while checking, {"rows": n} once the file is read, and finally
{"result": ...} or {"refused": ...}.
"""

import json
import os
import pickle
import queue
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from db.german import format_int
from db.names import Catalog
from db.records import MeasureRow, ServiceRow
from db.settings import PROJECT_DIR, READ_MEMORY_MB, READ_SECONDS
from ingest import validate
from ingest.errors import IngestError, Problem, Problems
from ingest.read import read_workbook

# The child: `python -m ingest.worker` (tests put a misbehaving stand-in here).
COMMAND = [sys.executable, "-m", "ingest.worker"]
EXIT_MEMORY, EXIT_CRASH = 3, 4  # the child's own exit codes when it catches its failure
PASSED_ENVIRONMENT = {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "HOME", "TMPDIR", "PYTHONPATH",
                      "VIRTUAL_ENV", "PYTHONHOME"}  # fmt: skip
UNSAFE = (
    "Die Datei konnte nicht sicher gelesen werden: {reason} Meist hilft es, nur die Tabelle "
    "in eine neue Excel-Datei zu kopieren und diese hochzuladen; sonst die Datei an die "
    "Stabsstelle Digitalisierung geben."
)


class UnsafeFile(IngestError):
    """The reading worker crashed, ran out of its memory or time, or answered nonsense."""


@dataclass
class Limits:
    memory_mb: int = READ_MEMORY_MB
    seconds: float = READ_SECONDS


@dataclass
class ServicesResult:
    rows: list[ServiceRow]
    places: list  # per row: ingest.validate.Place (sheet, row number, csv, header labels)


Progress = Callable[[int, int], None]
Notify = Callable[[int], None]  # the number of rows read, once the file is read


# ---------------------------------------------------------------- parent side


def run(
    kind: str,
    data: bytes,
    file_name: str,
    catalog: Catalog,
    *,
    progress: Progress | None = None,
    rows_read: Notify | None = None,
    limits: Limits | None = None,
) -> object:
    """Read and check one file in a worker process: CountsFile, ServicesResult or a list of
    MeasureRow; IngestError for a refused file, UnsafeFile when the worker failed."""
    limits = limits or Limits()
    request = pickle.dumps(
        {"kind": kind, "data": data, "file_name": file_name, "catalog": catalog,
         "memory_mb": limits.memory_mb, "seconds": limits.seconds},
        protocol=pickle.HIGHEST_PROTOCOL,
    )  # fmt: skip
    with tempfile.TemporaryFile() as errors:  # the child's stderr (a Rust backtrace, say)
        proc = subprocess.Popen(
            COMMAND,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            cwd=PROJECT_DIR,
            env=_environment(),
            close_fds=True,
        )
        try:
            answer = _converse(proc, request, limits, progress, rows_read, file_name)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    return _decode(answer, kind, file_name)


def _environment() -> dict[str, str]:
    """What the child needs to run Python, and nothing else: no database URL, no passwords
    (the child handles untrusted data and needs neither)."""
    keep = {k: v for k, v in os.environ.items() if k in PASSED_ENVIRONMENT}
    return {**keep, "PYTHONUNBUFFERED": "1", "RUST_BACKTRACE": "0"}


def _converse(
    proc: subprocess.Popen,
    request: bytes,
    limits: Limits,
    progress: Progress | None,
    rows_read: Notify | None,
    file_name: str,
) -> dict:
    """Send the request, relay progress, return the final message; UnsafeFile on failure."""
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.put(line)
        lines.put(None)

    def write() -> None:
        try:
            proc.stdin.write(request)  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            pass  # the child died early: its exit status says why

    threading.Thread(target=write, daemon=True).start()
    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + limits.seconds
    while True:
        left = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(left, 0.01))
        except queue.Empty:
            proc.kill()
            raise UnsafeFile(
                file_name,
                UNSAFE.format(
                    reason=f"Das Lesen dauerte länger als {format_int(round(limits.seconds))} "
                    "Sekunden und wurde abgebrochen."
                ),
            ) from None
        if line is None:
            break
        try:
            message = json.loads(line)
        except ValueError:
            continue  # not ours (a library printing to stdout)
        if not isinstance(message, dict):
            continue
        if "progress" in message and progress:
            done, total = message["progress"]
            progress(int(done), int(total))
        elif "rows" in message and rows_read:
            rows_read(int(message["rows"]))
        elif "result" in message or "refused" in message:
            return message
    code = proc.wait()
    raise UnsafeFile(file_name, UNSAFE.format(reason=_why(code, limits)))


def _why(code: int, limits: Limits) -> str:
    """Why the worker ended without an answer, for a department head."""
    if code in (EXIT_MEMORY, -signal.SIGABRT, -signal.SIGKILL):
        # Rust aborts when an allocation fails under the limit; the kernel may kill too.
        return (
            f"Beim Lesen war die Speichergrenze von {format_int(limits.memory_mb)} MB erreicht "
            "(etwa durch sehr viele oder sehr lange Zellen)."
        )
    if code == -signal.SIGXCPU:
        return f"Das Lesen dauerte länger als {format_int(round(limits.seconds))} Sekunden."
    return f"Das Leseprogramm ist beim Lesen abgestürzt (Code {code})."


def _decode(message: dict, kind: str, file_name: str) -> object:
    """The worker's JSON answer as the objects the load expects (UnsafeFile if malformed)."""
    try:
        if "refused" in message:
            refused = message["refused"]
            items = [Problem(str(m), s, r, c, bool(csv)) for m, s, r, c, csv in refused["items"]]
            problems = Problems(items=items, dropped=int(refused["dropped"]))
            return IngestError(str(refused["file_name"]), problems)
        result = message["result"]
        if kind == "counts":
            return validate.CountsFile(
                file_name=str(result["file_name"]),
                checksum=str(result["checksum"]),
                records={(int(s), str(m), str(c), str(src)): int(v)
                         for s, m, c, src, v in result["records"]},
                rows=int(result["rows"]),
                layouts=[(str(a), str(b)) for a, b in result["layouts"]],
                origin={(int(s), str(m), str(c), str(src)): str(w)
                        for s, m, c, src, w in result["origin"]},
                typed={(int(s), str(m)): {str(k): int(v) for k, v in t.items()}
                       for s, m, t in result["typed"]},
            )  # fmt: skip
        if kind == "services":
            return ServicesResult(
                [ServiceRow(**r) for r in result["rows"]],
                [
                    validate.Place(str(s), int(r), bool(c), dict(labels))
                    for s, r, c, labels in result["places"]
                ],  # fmt: skip
            )
        return [MeasureRow(**r) for r in result["rows"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise UnsafeFile(
            file_name, UNSAFE.format(reason=f"Die Antwort des Leseprogramms war unlesbar ({exc}).")
        ) from None


# ---------------------------------------------------------------- child side


def _limit(memory_mb: int, seconds: float) -> None:
    """Bound this process before it reads anything (the parent also enforces the time)."""
    memory = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dump of a crash


def _send(message: dict) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _encode(kind: str, result: object) -> dict:
    if kind == "counts":
        return {
            "file_name": result.file_name,
            "checksum": result.checksum,
            "records": [[*k, v] for k, v in result.records.items()],
            "rows": result.rows,
            "layouts": result.layouts,
            "origin": [[*k, w] for k, w in result.origin.items()],
            "typed": [[s, m, t] for (s, m), t in result.typed.items()],
        }
    if kind == "services":
        rows, places = result
        return {
            "rows": [asdict(r) for r in rows],
            "places": [[p.sheet, p.row, p.csv, p.labels] for p in places],
        }
    return {"rows": [asdict(r) for r in result]}


def main() -> int:
    request = pickle.load(sys.stdin.buffer)
    _limit(request["memory_mb"], request["seconds"])
    kind, file_name = request["kind"], request["file_name"]
    try:
        workbook = read_workbook(request["data"], file_name)
        _send({"rows": sum(len(s.rows) for s in workbook.sheets)})
        if kind == "counts":
            result = validate.check_counts(
                workbook, request["catalog"], lambda d, t: _send({"progress": [d, t]})
            )
        elif kind == "services":
            result = validate.service_rows(workbook, request["catalog"])
        else:
            result = validate.check_measures(workbook, request["catalog"])
    except IngestError as exc:
        items = [[p.message, p.sheet, p.row, p.column, p.csv] for p in exc.problems.items]
        _send({"refused": {"file_name": exc.file_name, "items": items,
                           "dropped": exc.problems.dropped}})  # fmt: skip
        return 0
    except MemoryError:
        return EXIT_MEMORY
    except BaseException:  # a panic in the reader (PanicException) is no Exception
        return EXIT_CRASH
    _send({"result": _encode(kind, result)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
