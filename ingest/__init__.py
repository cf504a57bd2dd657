"""Ingest of service catalogs, request counts and strategy measures from Excel and CSV."""

from ingest.errors import IngestError, IngestErrors, Problem
from ingest.load import (
    check_count_files,
    history,
    load_counts,
    load_measures,
    load_services,
    preview_counts,
    undo,
)

__all__ = [
    "IngestError",
    "IngestErrors",
    "Problem",
    "check_count_files",
    "history",
    "load_counts",
    "load_measures",
    "load_services",
    "preview_counts",
    "undo",
]
