"""Insights that are asked for again and again (the dashboard on every visit) are computed
once per state of the data they read and kept in memory.

Every change to a firm's data writes an audit event in the same transaction, so the firm's
latest audit event id is its data version: a new event, and the next request recomputes.
A figure that is known not to read some kinds of subject (the metrics read no touchpoints)
takes as its version the latest event of any other kind, so logging a call leaves it kept.
The version is read from the database, so every server process sees the same one.

A figure may also say how to bring a kept result up to date from the events since its
version (``patch``): only what those events touched is read again. Figures that depend on
the clock (SLA hours, the owed score's decay) are recomputed at least every ``CLOCK_STEP``,
those that depend on the date only (the metrics' default period, days quiet) once a day; a
caller passing ``as_of`` gets figures for exactly that moment."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import functools
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.tables import AuditEvent

CLOCK_STEP = dt.timedelta(minutes=5)
KEEP = 512  # results kept, least recently used dropped first
#: More events than this since a kept result: recomputing is cheaper than patching.
PATCH_LIMIT = 100
#: Subjects no built-in dashboard figure reads: every figure leaves them out of its version
#: (compliance findings reach the briefing through its plugin source, which leaves out
#: nothing).
NOT_READ = frozenset({"compliance_finding", "user", "api_token"})
#: What the figures that read no touchpoints leave out of their version.
TOUCHPOINTS = NOT_READ | {"activity"}

T = TypeVar("T")
_kept: OrderedDict[tuple, tuple[int, Any]] = OrderedDict()


@dataclass(frozen=True)
class Change:
    """One audit event since a kept result: what it was about, and the partners it names
    before and after (a referral moved between partners names both)."""

    subject_type: str
    subject_id: str
    partners: frozenset[int] | None  # None: the event does not say


def _not_of(ignoring: Collection[str]) -> str:
    kinds = ", ".join(f"'{kind}'" for kind in sorted(ignoring))
    return f" AND subject_type NOT IN ({kinds})" if ignoring else ""


#: Versions and changes already read for the figures being put together (see one_reading).
_read: contextvars.ContextVar[dict | None] = contextvars.ContextVar("insights_read", default=None)


@contextlib.contextmanager
def one_reading():
    """Figures asked for together (the briefing's parts) share one read of each version
    and of the changes since: one query, not one per part."""
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


async def _once(key: tuple, read: Callable[[], Awaitable[T]]) -> T:
    memo = _read.get()
    if memo is None:
        return await read()
    if key not in memo:
        memo[key] = asyncio.ensure_future(read())
    return await memo[key]


async def data_version(firm_id: int, ignoring: Collection[str] = ()) -> int:
    """The firm's latest audit event id, leaving out events about subjects in ``ignoring``:
    the (firm, id) index walked from the newest event, so it stops at the first that counts."""

    async def read() -> int:
        rows = await AuditEvent.raw(
            f"SELECT id FROM rapport_audit_event WHERE firm = {{}}{_not_of(ignoring)} "
            "ORDER BY id DESC LIMIT 1",
            firm_id,
        )
        return rows[0]["id"] if rows else 0

    return await _once(("version", firm_id, frozenset(ignoring)), read)


def _partners(*documents: str | dict | None) -> frozenset[int] | None:
    found, said = set(), False
    for document in documents:
        if isinstance(document, str):
            document = json.loads(document)
        if isinstance(document, dict) and "partner_id" in document:
            said = True
            if document["partner_id"] is not None:
                found.add(int(document["partner_id"]))
    return frozenset(found) if said else None


async def changes_since(
    firm_id: int, version: int, ignoring: Collection[str] = ()
) -> list[Change] | None:
    """The firm's events after ``version`` (oldest first), or None when there are more than
    ``PATCH_LIMIT``."""

    async def read() -> list[Change] | None:
        rows = await AuditEvent.raw(
            "SELECT subject_type, subject_id, before, after FROM rapport_audit_event "
            f"WHERE firm = {{}} AND id > {{}}{_not_of(ignoring)} "
            f"ORDER BY id LIMIT {PATCH_LIMIT + 1}",
            firm_id,
            version,
        )
        if len(rows) > PATCH_LIMIT:
            return None
        return [
            Change(row["subject_type"], row["subject_id"], _partners(row["before"], row["after"]))
            for row in rows
        ]

    return await _once(("changes", firm_id, version, frozenset(ignoring)), read)


def clock_step() -> int:
    """The default clock: figures move on every ``CLOCK_STEP``."""
    return int(now().timestamp() // CLOCK_STEP.total_seconds())


def each_day() -> dt.date:
    """The clock of figures that depend on the date only (the metrics' default period, days
    quiet): they move on once a day."""
    return now().date()


Patch = Callable[..., Awaitable[Any]]


def kept_until_changed(
    compute: Callable[..., Awaitable[T]] | None = None,
    *,
    ignoring: Collection[str] = (),
    patch: Patch | None = None,
    clock: Callable[[], Hashable] = clock_step,
):
    """Wrap ``compute(actor, **options)`` so it runs once per firm, data version (leaving
    out events about ``ignoring``), options and ``clock`` tick. With ``patch``, a kept result
    of an older version is first offered to ``patch(actor, kept, changes, **options)``,
    which returns it brought up to date (a new object: the kept one may still be in use) or
    None when it cannot (then ``compute`` runs). Results are shared: callers must not change
    them."""

    def wrap(compute: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        @functools.wraps(compute)
        async def kept(actor: Actor, **options: Any) -> T:
            tick = options.get("as_of") or clock()
            key = (compute.__qualname__, actor.firm_id, tick, tuple(sorted(options.items())))
            version = await data_version(actor.firm_id, ignoring)
            held = _kept.get(key)
            if held is not None and held[0] == version:
                _kept.move_to_end(key)
                return held[1]
            result = None
            if held is not None and patch is not None and held[0] < version:
                changes = await changes_since(actor.firm_id, held[0], ignoring)
                if changes is not None:
                    result = await patch(actor, held[1], changes, **options)
            if result is None:
                result = await compute(actor, **options)
            _kept[key] = (version, result)
            _kept.move_to_end(key)
            if len(_kept) > KEEP:
                _kept.popitem(last=False)
            return result

        return kept

    return wrap(compute) if compute is not None else wrap
