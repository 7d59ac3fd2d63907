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
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) uses
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
    elif at.utcoffset():
        at = at.astimezone(dt.UTC)
    # isoformat is several times faster than strftime; it leaves out zero microseconds.
    text = at.isoformat()
    return f"{text[:26]}Z" if at.microsecond else f"{text[:19]}.000000Z"


def json_text(value: Any) -> str:
    """A JSON value in the canonical form (how ``before`` and ``after`` are stored)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


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
    return json_text(body).encode("utf-8")


def event_hash(event: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def canonical_from_stored(row: Mapping[str, Any]) -> bytes:
    """:func:`canonical` for a row as the database returns it, without parsing ``before``
    and ``after``: their stored text is used as it is. Equal to ``canonical(row)`` when that
    text is canonical (as ``record`` stores it), which makes ``verify`` several times
    faster; when it is not (events written before), the hashes differ and the caller falls
    back to :func:`canonical`."""
    before, after = row["before"], row["after"]
    return (
        f'{{"action":{encode_basestring(row["action"])},"actor":{encode_basestring(row["actor"])},'
        f'"after":{"null" if after is None else after},"at":"{stamp(row["at"])}",'
        f'"before":{"null" if before is None else before},"firm":{row["firm"]},'
        f'"prev_hash":{encode_basestring(row["prev_hash"])},'
        f'"subject_id":{encode_basestring(str(row["subject_id"]))},'
        f'"subject_type":{encode_basestring(row["subject_type"])}}}'
    ).encode()
