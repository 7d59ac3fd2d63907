"""Set-up shared by the money tests: partners, engaged referrals and their arrangements."""

from __future__ import annotations

import datetime as dt

from rapport_core.money import arrangements
from rapport_core.money.schemas import ArrangementCreate
from rapport_core.schemas import PartnerCreate, ReferralCreate, StageChangeIn
from rapport_core.services import partners, referrals

TODAY = dt.datetime.now(dt.UTC).date()
FLOW = {
    "received": ("acknowledged", "contacted", "qualified", "engaged"),
    "sent": ("accepted", "engaged"),
}


async def partner(actor, name="Pat Partner", **fields) -> int:
    data = PartnerCreate(name=name, profession=fields.pop("profession", "attorney"), **fields)
    return (await partners.create_partner(actor, data)).id


async def engaged(actor, partner_id, *, direction="received", client="Ann Client") -> int:
    referral = await referrals.create_referral(
        actor, ReferralCreate(direction=direction, partner_id=partner_id, client_name=client)
    )
    for stage in FLOW[direction]:
        await referrals.change_stage(actor, referral.id, StageChangeIn(stage=stage))
    return referral.id


async def arrange(actor, partner_id, kind="referral_fee", *, since=None, **parameters):
    direction = parameters.pop("direction", "pay")
    if kind == "referral_fee":
        parameters = {"method": "percentage", "percent": "25"} | parameters
    data = ArrangementCreate(
        partner_id=partner_id,
        kind=kind,
        parameters=parameters,
        effective_from=since or TODAY - dt.timedelta(days=400),
        direction=direction,
    )
    return await arrangements.create_arrangement(actor, data)
