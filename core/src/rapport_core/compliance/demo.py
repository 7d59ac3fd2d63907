"""The demo firm's compliance: its referrals, partners and agreements evaluated once the
rest of the demo is written. The data is what a careful firm keeps, so a newcomer sees only a
handful of findings, each set up on purpose elsewhere in the demo: a referral whose client
consent is missing (agreements/demo.py), a California fee-sharing agreement about to expire
(agreements/demo.py) and a partner lawyer whose bar licence lapsed (demo.py)."""

from __future__ import annotations

import datetime as dt

from rapport_core.actors import Actor
from rapport_core.compliance import service

#: The firm sends California probates to a lawyer there, so it checks them against the
#: California rules too, on top of the packs for its own professions and states.
EXTRA_PACKS = ("us-ca-bar",)


async def load_compliance_demo(actor: Actor, today: dt.date) -> service.EvaluationSummary:
    packs = [state.pack.id for state in await service.pack_states(actor) if state.enabled]
    await service.set_enabled(actor, sorted({*packs, *EXTRA_PACKS}))
    return await service.evaluate(actor, as_of=today)
