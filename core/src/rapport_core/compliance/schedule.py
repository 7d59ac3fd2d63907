"""The daily evaluation the server runs in the background, for time-based rules (agreement
and licence expiries): every firm, as of today, at ``RAPPORT_COMPLIANCE_DAILY_AT`` (UTC,
``HH:MM``, default 02:00; ``off`` turns it off). ``rapport compliance evaluate-all`` is the
same run by hand or from cron."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

from rapport_core.clock import now

log = logging.getLogger(__name__)
ENV_VAR = "RAPPORT_COMPLIANCE_DAILY_AT"


def daily_time() -> dt.time | None:
    value = os.environ.get(ENV_VAR, "02:00").strip().lower()
    if value in ("off", "", "none"):
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        log.error("%s=%r is not HH:MM; the daily compliance run is off", ENV_VAR, value)
        return None


def seconds_until(at: dt.time, moment: dt.datetime) -> float:
    """Seconds from ``moment`` to the next ``at`` (UTC)."""
    target = dt.datetime.combine(moment.date(), at, tzinfo=dt.UTC)
    if target <= moment:
        target += dt.timedelta(days=1)
    return (target - moment).total_seconds()


async def evaluate_every_firm(as_of: dt.date | None = None) -> list[dict[str, Any]]:
    from rapport_core.actors import Actor
    from rapport_core.compliance import service
    from rapport_core.services.firms import list_firms
    from rapport_core.vocabulary import Role

    out = []
    for firm in await list_firms():
        actor = Actor(firm_id=firm.id, label="compliance daily run", role=Role.owner)
        try:
            summary = await service.evaluate(actor, as_of=as_of or now().date())
        except Exception as error:  # one firm's failure must not stop the others' run
            log.exception("compliance evaluation of firm %s failed", firm.slug)
            out.append({"firm": firm.slug, "error": str(error)})
            continue
        out.append({"firm": firm.slug, **summary.as_dict()})
    return out


async def _loop(at: dt.time) -> None:
    while True:
        await asyncio.sleep(seconds_until(at, now()))
        try:
            await evaluate_every_firm()
        except Exception:  # keep the schedule alive; the next day tries again
            log.exception("the daily compliance evaluation failed")


@contextlib.asynccontextmanager
async def daily_evaluation(_app: Any = None) -> AsyncIterator[None]:
    """A lifespan context for the server: runs the daily evaluation while it is up."""
    at = daily_time()
    task = asyncio.get_running_loop().create_task(_loop(at)) if at else None
    try:
        yield
    finally:
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
