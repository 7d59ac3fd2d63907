"""The demo firm a newcomer clicks through: realistic, complete, and loaded only once."""

import datetime as dt
import uuid

from rapport_core.agreements.expiry import expiring_agreements
from rapport_core.agreements.service import list_agreements
from rapport_core.demo import DEMO_PASSWORD, load_demo
from rapport_core.services import firms
from rapport_core.tables import Partner, Referral


async def test_demo_firm_is_realistic_and_loads_once():
    slug = f"demo-{uuid.uuid4().hex[:8]}"
    today = dt.date(2026, 11, 2)
    summary = await load_demo(slug=slug, today=today)
    assert summary["created"] is True
    assert 35 <= summary["partners"] <= 45
    assert 180 <= summary["referrals"] <= 220
    assert summary["activities"] > 0

    firm = await firms.firm_by_slug(slug)
    partners = await Partner.select(Partner.profession, Partner.state).where(
        Partner.firm == firm.id
    )
    assert {p["state"] for p in partners} >= {"FL", "TX"}
    assert len({p["profession"] for p in partners}) >= 5
    referrals = await Referral.select(Referral.direction, Referral.referred_at).where(
        Referral.firm == firm.id
    )
    assert {r["direction"] for r in referrals} == {"sent", "received"}
    oldest = min(r["referred_at"] for r in referrals).date()
    assert (today - oldest).days > 540  # about two years of history
    assert max(r["referred_at"] for r in referrals).date() <= today

    again = await load_demo(slug=slug, today=today)
    assert again["created"] is False
    assert (again["partners"], again["referrals"]) == (summary["partners"], summary["referrals"])

    owner = await firms.authenticate(summary["sign_in"], DEMO_PASSWORD)
    assert owner is not None and owner.role == "owner"

    # Agreements of every main kind, some coming up for renewal, one lapsed.
    actor = firms.actor_for(owner)
    assert {"fee_sharing", "client_consent", "solicitation"} <= {
        a.kind for a in await list_agreements(actor)
    }
    expiring = await expiring_agreements(actor, on=today)
    assert {e.threshold_days for e in expiring} == {0, 30, 60, 90}
