"""Shared database package: schema, engine, migrations, writes and queries."""

from db.engine import get_engine, upgrade
from db.settings import database_url

__all__ = ["database_url", "get_engine", "upgrade"]
