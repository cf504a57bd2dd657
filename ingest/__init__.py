"""Ingest of service catalogs, request counts and strategy measures from Excel and CSV.

The names below are loaded on first use, so that the reading worker (ingest.worker), which
imports this package, does not pay for the database layer it never touches.
"""

import importlib

_EXPORTS = {
    "IngestError": "ingest.errors",
    "IngestErrors": "ingest.errors",
    "Problem": "ingest.errors",
    "check_count_files": "ingest.load",
    "history": "ingest.load",
    "load_counts": "ingest.load",
    "load_measures": "ingest.load",
    "load_services": "ingest.load",
    "preview_counts": "ingest.load",
    "undo": "ingest.load",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ingest' has no attribute {name!r}")
