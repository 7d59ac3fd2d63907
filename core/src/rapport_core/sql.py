"""The few SQL expressions that SQLite and PostgreSQL spell differently, for the aggregates
the insights compute in the database. Each takes SQL text and returns SQL text; a ``{}``
placeholder is a query parameter, as in ``Table.raw``."""

from __future__ import annotations

from piccolo.engine.postgres import PostgresEngine

from rapport_core.db import current_engine


def postgres() -> bool:
    return isinstance(current_engine(), PostgresEngine)


def days_between(later: str, earlier: str) -> str:
    """Days (fractional) from ``earlier`` to ``later``, both timestamps."""
    if postgres():
        return f"(EXTRACT(EPOCH FROM (({later})::timestamptz - ({earlier}))) / 86400.0)"
    return f"(julianday({later}) - julianday({earlier}))"


def month_of(column: str) -> str:
    """``YYYY-MM`` of a timestamp, in UTC."""
    if postgres():
        return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM')"
    return f"strftime('%Y-%m', {column})"
