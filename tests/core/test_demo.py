"""The demo firm a newcomer clicks through: realistic, complete, and loaded only once."""

import datetime as dt
import uuid

from rapport_core.agreements.expiry import expiring_agreements
from rapport_core.agreements.service import list_agreements
from rapport_core.compliance.service import list_findings
from rapport_core.demo import DEMO_PASSWORD, load_demo
from rapport_core.services import firms
from rapport_core.tables import Partner, Referral

TODAY = dt.date(2026, 11, 2)
#: The handful the demo sets up on purpose: a consent not back yet, a California fee-sharing
#: agreement about to expire, a partner lawyer whose bar licence lapsed.
INTENDED = {
    "fl.4-1-5g.joint-responsibility-agreement",
    "ca.1-5-1.agreement-expiring",
    "aba.5-5a.partner-licence-not-active",
}
#: Rules a careful firm's records never trip: no fees shared with or paid to non-lawyers.
INTENDED_CONSENT = "fl.4-1-5g.joint-responsibility-agreement"
NON_LAWYER_FEES = {
    "aba.5-4a.nonlawyer-fee-sharing",
    "aba.7-2b.value-for-recommendation",
    "aba.1-7a2.fee-from-nonlawyer",
}


async def _demo_findings(slug: str) -> tuple[list[dict], dict[int, dict]]:
    """The demo firm's open findings, and its partners by id."""
    firm = await firms.firm_by_slug(slug)
    owner = await firms.authenticate(f"owner@{slug}.example", DEMO_PASSWORD)
    partners = await Partner.select().where(Partner.firm == firm.id)
    return await list_findings(firms.actor_for(owner)), {p["id"]: p for p in partners}


async def test_demo_firm_is_realistic_and_loads_once():
    slug = f"demo-{uuid.uuid4().hex[:8]}"
    today = TODAY
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

    # Compliance: nothing shared with non-lawyers; the lapsed licence and the California
    # agreement about to expire are on the compliance page, about the right people.
    findings, partners = await _demo_findings(slug)
    rules = {f["rule_id"] for f in findings}
    assert not rules & NON_LAWYER_FEES
    assert all(partners[f["partner_id"]]["profession"] == "attorney" for f in findings)
    by_rule = {f["rule_id"]: f for f in findings}
    lapsed = by_rule["aba.5-5a.partner-licence-not-active"]
    assert partners[lapsed["partner_id"]]["name"] == "Anthony Russo"
    expiring_ca = by_rule["ca.1-5-1.agreement-expiring"]
    assert partners[expiring_ca["partner_id"]]["name"] == "Catherine Wu"


async def test_demo_compliance_page_shows_a_handful_of_findings():
    slug = f"demo-{uuid.uuid4().hex[:8]}"
    await load_demo(slug=slug, today=TODAY)
    findings, partners = await _demo_findings(slug)
    assert {f["rule_id"] for f in findings} == INTENDED
    assert 3 <= len(findings) <= 8
    consent = next(f for f in findings if f["rule_id"] == INTENDED_CONSENT)
    assert consent["referral_id"] is not None
    assert partners[consent["partner_id"]]["profession"] == "attorney"
