"""Re-evaluation when records change. Hooks are synchronous and run after the change is
committed, inside the async code that made it, so each schedules the evaluation as a task
on the running loop. :func:`settle` awaits the pending ones (tests, the CLI)."""

from __future__ import annotations

import asyncio
import logging

from rapport_core.actors import Actor

log = logging.getLogger(__name__)
_pending: set[asyncio.Task] = set()
#: The actor label of bulk loads, which evaluate once when done instead of after each change.
BULK_LOADER = "demo"


def schedule(
    actor: Actor, *, referral_ids: list[int] | None = None, partner_id: int | None = None
) -> None:
    from rapport_core.compliance.catalog import default_catalog

    if not default_catalog().packs:
        return  # no pack installed: nothing could fire
    if actor.label == BULK_LOADER:
        return  # the demo loader evaluates once, at the end (compliance/demo.py)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return  # no loop (a synchronous caller): the daily run catches up
    task = loop.create_task(_run(actor, referral_ids, partner_id))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def _run(actor: Actor, referral_ids: list[int] | None, partner_id: int | None) -> None:
    from rapport_core.compliance import gatecache, service

    system = Actor(
        firm_id=actor.firm_id,
        label=f"compliance (after {actor.label})",
        role=actor.role,
        user_id=actor.user_id,
    )
    try:
        if partner_id is not None:
            await service.evaluate_referrals_of_partner(system, partner_id)
        else:
            # The referral's partner too: its documents may have changed since (licences).
            from rapport_core.tables import Referral

            rows = await Referral.select(Referral.partner).where(
                (Referral.firm == actor.firm_id) & Referral.id.is_in(referral_ids or [0])
            )
            partners = sorted({r["partner"] for r in rows if r["partner"]})
            await service.evaluate(system, referral_ids=referral_ids or [], partner_ids=partners)
        await gatecache.refresh(actor.firm_id)
    except Exception:  # a failed re-evaluation must not break the change that caused it
        log.exception("compliance re-evaluation failed for firm %s", actor.firm_id)


async def settle(timeout: float = 60) -> None:
    """Wait until every scheduled re-evaluation has finished. Tasks may belong to another
    loop (the server's, in tests), so this polls rather than awaiting them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while any(not task.done() for task in list(_pending)):
        if loop.time() > deadline:
            raise TimeoutError("compliance re-evaluations still running")
        await asyncio.sleep(0.01)


def referral_of(obj) -> int | None:
    value = getattr(obj, "referral_id", None)
    if value is None and isinstance(obj, dict):
        value = obj.get("referral_id")
    return value


def partner_of(obj) -> int | None:
    value = getattr(obj, "partner_id", None)
    if value is None and isinstance(obj, dict):
        value = obj.get("partner_id")
    return value


def after_money_change(obj, actor: Actor) -> None:
    """A fee, agreement, payout or payment changed: its referral, else its partner."""
    referral_id = referral_of(obj)
    if referral_id is not None:
        schedule(actor, referral_ids=[referral_id])
    elif (partner_id := partner_of(obj)) is not None:
        schedule(actor, partner_id=partner_id)
