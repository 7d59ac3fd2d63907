"""Set-up shared by the money tests: partners, engaged referrals and their arrangements."""

from __future__ import annotations

import datetime as dt

from rapport_core.money import arrangements
from rapport_core.money.schemas import ArrangementCreate
from rapport_core.schemas import PartnerCreate, ReferralCreate, StageChangeIn
from rapport_core.services import partners, referrals

TODAY = dt.datetime.now(dt.UTC).date()
TODAY_ISO = TODAY.isoformat()  # as forms and JSON carry it
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


# The same set-up over HTTP, as an API client makes it.


async def post_arrangement(
    client, headers, partner_id, kind="referral_fee", *, direction="pay", **parameters
) -> dict:
    """A fee arrangement in force since 2020 (a 25% referral fee unless told otherwise)."""
    if kind == "referral_fee":
        parameters = {"method": "percentage", "percent": "25"} | parameters
    response = await client.post(
        "/api/v1/fee-arrangements",
        json={
            "partner_id": partner_id,
            "direction": direction,
            "kind": kind,
            "parameters": parameters,
            "effective_from": "2020-01-01",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def post_engaged(
    client, headers, partner_id, *, direction="received", client_name="Ann Client"
) -> int:
    """A referral with ``partner_id``, moved on to engaged: fees can be collected on it."""
    response = await client.post(
        "/api/v1/referrals",
        json={"direction": direction, "partner_id": partner_id, "client_name": client_name},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    referral = response.json()["id"]
    for stage in FLOW[direction]:
        moved = await client.post(
            f"/api/v1/referrals/{referral}/stage", json={"stage": stage}, headers=headers
        )
        assert moved.status_code == 200, moved.text
    return referral


async def post_fee(client, headers, referral_id, amount, collected_on=None) -> dict:
    """A fee collected on the referral (today unless told): what it accrued."""
    response = await client.post(
        f"/api/v1/referrals/{referral_id}/fees",
        json={"amount": amount, "collected_on": collected_on or TODAY_ISO},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()
