import datetime as dt


def now() -> dt.datetime:
    """The current time, timezone-aware in UTC (never a naive datetime)."""
    return dt.datetime.now(dt.UTC)
