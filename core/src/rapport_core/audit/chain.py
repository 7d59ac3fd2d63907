"""The hash chain of a firm's audit events: the canonical form each event is hashed in.

An event's ``hash`` is the sha256 (lower-case hex) of its canonical JSON: the object

    {"action", "actor", "after", "at", "before", "firm", "prev_hash", "subject_id",
     "subject_type"}

with keys sorted, no whitespace (``,`` and ``:`` separators), UTF-8 without escaping
non-ASCII, ``at`` written ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC, and ``before``/``after``
the stored JSON values. ``prev_hash`` is the hash of the firm's previous event (by id), or
the empty string for its first. docs/audit.md has a script that re-checks it independently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

#: ``prev_hash`` of a firm's first event.
GENESIS = ""

#: The event fields that are hashed, besides ``prev_hash``.
CONTENT_FIELDS = ("firm", "actor", "action", "subject_type", "subject_id", "before", "after", "at")


def stamp(at: dt.datetime | str) -> str:
    """``at`` as the canonical form writes it: UTC with microseconds and ``Z``."""
    if isinstance(at, str):  # SQLite may hand back its stored text
        at = dt.datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_value(value: Any) -> Any:
    """A stored JSON column as its value (databases return JSON columns as text)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def canonical(event: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash is computed over."""
    body = {
        "firm": event["firm"],
        "actor": event["actor"],
        "action": event["action"],
        "subject_type": event["subject_type"],
        "subject_id": str(event["subject_id"]),
        "before": _json_value(event["before"]),
        "after": _json_value(event["after"]),
        "at": stamp(event["at"]),
        "prev_hash": event["prev_hash"],
    }
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def event_hash(event: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()
