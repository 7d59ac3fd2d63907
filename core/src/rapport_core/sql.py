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
        # EXTRACT gives numeric, whose arithmetic is slow: work in double precision.
        return f"(CAST(EXTRACT(EPOCH FROM (({later})::timestamptz - ({earlier}))) AS DOUBLE PRECISION) / 86400)"
    return f"(julianday({later}) - julianday({earlier}))"


def real(number: float) -> str:
    """A literal both databases compute with in floating point (PostgreSQL would otherwise
    use exact numeric, many times slower)."""
    return f"CAST({number!r} AS DOUBLE PRECISION)"


def month_of(column: str) -> str:
    """``YYYY-MM`` of a timestamp column, in UTC."""
    if postgres():
        return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM')"
    # Piccolo stores a timestamptz on SQLite as UTC text ("2026-01-31 09:00:00+00:00"), so
    # the month is its first seven characters (strftime would parse every row's date).
    return f"substr({column}, 1, 7)"
