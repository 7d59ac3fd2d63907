import datetime as dt


def now() -> dt.datetime:
    """The current time, timezone-aware in UTC (never a naive datetime)."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | str | None) -> dt.datetime | None:
    """A timestamp read back from the database as an aware UTC datetime. SQLite returns what
    was stored (UTC) without an offset, and aggregates such as MAX() as text."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value
