"""The demo firm's compliance: its referrals, partners and agreements evaluated once the
rest of the demo is written, so a newcomer sees findings at work (a referral whose client
consent is missing, an expiring agreement, a partner whose licence lapsed)."""

from __future__ import annotations

import datetime as dt

from rapport_core.actors import Actor
from rapport_core.compliance import service
from rapport_core.tables import Licence, Partner


async def lapse_one_licence(actor: Actor, today: dt.date) -> None:
    """One attorney partner's bar licence lapsed last month (the licence rules show it)."""
    partner = (
        await Partner.select(Partner.id)
        .where((Partner.firm == actor.firm_id) & (Partner.profession == "attorney"))
        .order_by(Partner.id)
        .first()
    )
    if partner is None:
        return
    await Licence.update(
        {Licence.status: "expired", Licence.expires_on: today - dt.timedelta(days=30)}
    ).where((Licence.firm == actor.firm_id) & (Licence.partner == partner["id"]))


async def load_compliance_demo(actor: Actor, today: dt.date) -> service.EvaluationSummary:
    await lapse_one_licence(actor, today)
    return await service.evaluate(actor, as_of=today)
