"""Insights that are asked for again and again (the dashboard on every visit) are computed
once per state of the firm's data and kept in memory.

Every change to a firm's data writes an audit event in the same transaction, so the firm's
latest audit event id is its data version: a new event, and the next request recomputes.
Figures that depend on the clock (SLA hours, days quiet) are recomputed at least every
``CLOCK_STEP``; a caller passing ``as_of`` gets figures for exactly that moment."""

from __future__ import annotations

import datetime as dt
import functools
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from piccolo.query.functions.aggregate import Max

from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.tables import AuditEvent

CLOCK_STEP = dt.timedelta(minutes=5)
KEEP = 512  # results kept, least recently used dropped first

T = TypeVar("T")
_kept: OrderedDict[tuple, Any] = OrderedDict()


async def data_version(firm_id: int) -> int:
    row = (
        await AuditEvent.select(Max(AuditEvent.id, alias="latest"))
        .where(AuditEvent.firm == firm_id)
        .first()
    )
    return (row or {}).get("latest") or 0


def _clock_step(moment: dt.datetime) -> int:
    return int(moment.timestamp() // CLOCK_STEP.total_seconds())


def kept_until_changed(
    compute: Callable[..., Awaitable[T]],
) -> Callable[..., Awaitable[T]]:
    """Wrap ``compute(actor, **options)`` so it runs once per firm, data version, options and
    clock step. Results are shared: callers must not change them."""

    @functools.wraps(compute)
    async def kept(actor: Actor, **options: Any) -> T:
        clock = options.get("as_of") or _clock_step(now())
        key = (
            compute.__qualname__,
            actor.firm_id,
            await data_version(actor.firm_id),
            clock,
            tuple(sorted(options.items())),
        )
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
        result = await compute(actor, **options)
        _kept[key] = result
        if len(_kept) > KEEP:
            _kept.popitem(last=False)
        return result

    return kept
