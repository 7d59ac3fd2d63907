"""A small seeded firm whose matrix, gaps and matches are worked out by hand in the tests.

The firm is an estate-planning practice in Tampa whose ideal client profile reads
"Families who need revocable trusts and special needs planning"; its tokens are
{family, need, revocable, trust, special, planning}.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from rapport_core.clock import now
from rapport_core.schemas import ActivityCreate, PartnerCreate, ReferralCreate
from rapport_core.services import partners, referrals
from rapport_core.tables import Firm

from tests.conftest import FirmFixture, make_firm

HOME = (27.9506, -82.4572)
PROFILE = "Families who need revocable trusts and special needs planning"


@dataclass
class Seeded:
    firm: FirmFixture
    ids: dict[str, int]


async def add_partner(firm: FirmFixture, **fields) -> int:
    partner = await partners.create_partner(firm.actor(), PartnerCreate(**fields))
    return partner.id


async def add_referrals(firm: FirmFixture, partner_id: int, direction: str, days_ago: list[int]):
    for n, days in enumerate(days_ago):
        await referrals.create_referral(
            firm.actor(),
            ReferralCreate(
                direction=direction,
                partner_id=partner_id,
                client_name=f"Client {partner_id}-{direction}-{n}",
                referred_at=now() - dt.timedelta(days=days),
            ),
        )


@pytest.fixture
async def seeded() -> Seeded:
    firm = await make_firm("Estate Firm")
    await Firm.update(
        {
            Firm.professions: ["attorney"],
            Firm.home_latitude: HOME[0],
            Firm.home_longitude: HOME[1],
            Firm.home_city: "Tampa",
            Firm.home_state: "FL",
            Firm.ideal_client_profile: PROFILE,
        }
    ).where(Firm.id == firm.id)
    ids = {
        # CPA at the firm's own address: 3 received and 1 sent in the window, 1 older.
        "ann": await add_partner(
            firm,
            name="Ann Ledger",
            profession="cpa",
            specialties=["Trust tax returns"],
            latitude=HOME[0],
            longitude=HOME[1],
        ),
        # Real estate agent half a degree of latitude north (34.55 mi), no referrals.
        "bob": await add_partner(
            firm,
            name="Bob Realty",
            profession="real_estate_agent",
            specialties=["Waterfront homes"],
            latitude=HOME[0] + 0.5,
            longitude=HOME[1],
        ),
        # Family law attorney in Dallas: far away, 5 referrals sent to them.
        "cara": await add_partner(
            firm,
            name="Cara Family",
            profession="attorney",
            specialties=["Divorce", "Child custody"],
            latitude=32.7767,
            longitude=-96.7970,
        ),
        # Financial advisor with only a ZIP code, no referrals.
        "dan": await add_partner(
            firm,
            name="Dan Advisor",
            profession="financial_advisor",
            specialties=["Special needs financial planning"],
            postal_code="33602",
        ),
    }
    await add_referrals(firm, ids["ann"], "received", [10, 40, 100, 400])
    await add_referrals(firm, ids["ann"], "sent", [20])
    await add_referrals(firm, ids["cara"], "sent", [5, 6, 7, 8, 9])
    for days in (3, 30, 500):
        await partners.log_activity(
            firm.actor(),
            ActivityCreate(
                partner_id=ids["ann"],
                kind="meeting",
                occurred_on=(now() - dt.timedelta(days=days)).date(),
            ),
        )
    return Seeded(firm, ids)
