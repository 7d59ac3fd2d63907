"""Re-evaluation when records change. A change's hooks return a :class:`Reevaluation`, which
the service awaits after its commit (``rapport_core.plugins.notify``), so a page shows the
findings of the change it has just made. Hooks announced together (an import's partners)
join one batch, evaluated once."""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import Any

from rapport_core.actors import Actor

log = logging.getLogger(__name__)
#: The actor label of bulk loads, which evaluate once when done instead of after each change.
BULK_LOADER = "demo"
#: Per firm, the batch still collecting subjects (no one has awaited it yet).
_collecting: dict[int, Reevaluation] = {}


class Reevaluation:
    """Referrals and partners of one firm to evaluate again, once, when awaited."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.referral_ids: set[int] = set()
        self.partner_ids: set[int] = set()
        #: A change to the firm itself (its registration) reaches every referral and partner.
        self.everything = False

    def __await__(self) -> Generator[Any, None, None]:
        if _collecting.get(self.actor.firm_id) is self:
            del _collecting[self.actor.firm_id]  # later changes start a batch of their own
        if self.everything:
            return _run(self.actor, None, None).__await__()
        return _run(self.actor, self.referral_ids, self.partner_ids).__await__()


def reevaluate(
    actor: Actor,
    *,
    referral_ids: list[int] | None = None,
    partner_id: int | None = None,
    everything: bool = False,
) -> Reevaluation | None:
    from rapport_core.compliance.catalog import default_catalog

    if not default_catalog().packs:
        return None  # no pack installed: nothing could fire
    if actor.label == BULK_LOADER:
        return None  # the demo loader evaluates once, at the end (compliance/demo.py)
    batch = _collecting.get(actor.firm_id)
    if batch is None:
        batch = _collecting[actor.firm_id] = Reevaluation(actor)
    batch.referral_ids.update(referral_ids or [])
    if partner_id is not None:
        batch.partner_ids.add(partner_id)
    batch.everything |= everything
    return batch


async def _run(actor: Actor, referral_ids: set[int] | None, partner_ids: set[int] | None) -> None:
    """Evaluate the subjects named (None: every referral and partner of the firm)."""
    from rapport_core.compliance import service
    from rapport_core.tables import Referral

    system = Actor(
        firm_id=actor.firm_id,
        label=f"compliance (after {actor.label})",
        role=actor.role,
        user_id=actor.user_id,
    )
    try:
        if referral_ids is None or partner_ids is None:
            await service.evaluate(system)
            return
        # A partner's change reaches their referrals; a referral's, its partner (licences).
        rows = await Referral.select(Referral.id, Referral.partner).where(
            (Referral.firm == actor.firm_id)
            & (
                Referral.id.is_in(sorted(referral_ids) or [0])
                | Referral.partner.is_in(sorted(partner_ids) or [0])
            )
        )
        referrals = sorted(referral_ids | {r["id"] for r in rows})
        partners = sorted(partner_ids | {r["partner"] for r in rows if r["partner"]})
        await service.evaluate(system, referral_ids=referrals, partner_ids=partners)
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


def after_money_change(obj, actor: Actor) -> Reevaluation | None:
    """A fee, agreement, payout or payment changed: its referral, else its partner."""
    referral_id = referral_of(obj)
    if referral_id is not None:
        return reevaluate(actor, referral_ids=[referral_id])
    if (partner_id := partner_of(obj)) is not None:
        return reevaluate(actor, partner_id=partner_id)
    return None
