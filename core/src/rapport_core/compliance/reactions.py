"""Re-evaluation when records change. The change's hooks return the evaluation as an
awaitable, which the service awaits after its commit (``rapport_core.plugins.notify``), so a
page shows the findings of the change it has just made."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from rapport_core.actors import Actor

log = logging.getLogger(__name__)


def reevaluate(
    actor: Actor, *, referral_ids: list[int] | None = None, partner_id: int | None = None
) -> Awaitable[None] | None:
    from rapport_core.compliance.catalog import default_catalog

    if not default_catalog().packs:
        return None  # no pack installed: nothing could fire
    return _run(actor, referral_ids, partner_id)


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
            await service.evaluate(system, referral_ids=referral_ids or [], partner_ids=[])
        await gatecache.refresh(actor.firm_id)
    except Exception:  # a failed re-evaluation must not break the change that caused it
        log.exception("compliance re-evaluation failed for firm %s", actor.firm_id)


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


def after_money_change(obj, actor: Actor) -> Awaitable[None] | None:
    """A fee, agreement, payout or payment changed: its referral, else its partner."""
    referral_id = referral_of(obj)
    if referral_id is not None:
        return reevaluate(actor, referral_ids=[referral_id])
    if (partner_id := partner_of(obj)) is not None:
        return reevaluate(actor, partner_id=partner_id)
    return None
