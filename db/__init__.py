"""Shared database package: schema, engine, migrations, writes and queries.

get_engine and upgrade are loaded on first use: the pure modules (db.names, db.records,
db.text, ...) serve the reading worker, which must not import SQLAlchemy.
"""

import importlib

_EXPORTS = {"get_engine": "db.engine", "upgrade": "db.engine", "database_url": "db.settings"}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'db' has no attribute {name!r}")
