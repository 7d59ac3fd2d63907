"""Kept dashboard figures brought up to date after a change (only what the change touched is
read again) are exactly what computing everything afresh gives: after creates, stage
changes, back-dated changes, moves between partners, edits, deletes and touchpoints."""

from decimal import Decimal

from rapport_core import audit
from rapport_core.insights import briefing, freshness, metrics
from rapport_core.insights.briefing import daily_briefing
from rapport_core.insights.metrics import referral_metrics
from rapport_core.schemas import (
    ActivityCreate,
    PartnerUpdate,
    ReferralCreate,
    ReferralUpdate,
    StageChangeIn,
)
from rapport_core.services import partners, referrals

from tests.conftest import make_firm
from tests.insights.test_set_based import AS_OF, TODAY, build_history, days_ago

LIMIT = 1000  # every candidate action, so a wrong one anywhere shows


async def dashboard(actor):
    return (
        [a.model_dump() for a in await daily_briefing(actor, as_of=AS_OF, limit=LIMIT)],
        (await referral_metrics(actor)).model_dump(),
    )


async def afresh(actor):
    freshness._kept.clear()
    return await dashboard(actor)


def counting(monkeypatch, module, name) -> list:
    """Calls of ``module.name`` (a patch function), recorded as they pass through."""
    calls, patch = [], getattr(module, name)

    async def counted(*args, **kwargs):
        result = await patch(*args, **kwargs)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(module, name, counted)
    return calls


async def test_patched_figures_equal_a_full_recomputation(client, monkeypatch):
    actor = (await make_firm()).actor()
    ids = await build_history(actor)
    patched = {
        "metrics": counting(monkeypatch, metrics, "_patch_counts"),
        "referrals": counting(monkeypatch, briefing, "_patch_referral_actions"),
        "partners": counting(monkeypatch, briefing, "_patch_partner_actions"),
    }
    await dashboard(actor)  # kept from here on

    async def create(pid, days, direction="received"):
        return await referrals.create_referral(
            actor,
            ReferralCreate(
                direction=direction,
                partner_id=pid,
                client_name=f"Later {pid}",
                estimated_value=Decimal(9000),
                referred_at=days_ago(days),
            ),
        )

    fresh = await create(ids[2], 40)
    quiet = await create(ids[6], 400, direction="sent")  # outside the metrics' period
    steps = [
        lambda: create(ids[3], 2),
        lambda: referrals.change_stage(
            actor, fresh.id, StageChangeIn(stage="acknowledged", changed_at=days_ago(39))
        ),
        lambda: referrals.change_stage(actor, fresh.id, StageChangeIn(stage="contacted")),
        lambda: referrals.change_stage(actor, fresh.id, StageChangeIn(stage="qualified")),
        lambda: referrals.change_stage(
            actor, fresh.id, StageChangeIn(stage="engaged", actual_value=Decimal(31_000))
        ),
        lambda: referrals.update_referral(actor, fresh.id, ReferralUpdate(actual_value=Decimal(5))),
        lambda: referrals.update_referral(actor, fresh.id, ReferralUpdate(partner_id=ids[5])),
        lambda: referrals.update_referral(actor, quiet.id, ReferralUpdate(partner_id=ids[0])),
        lambda: partners.log_activity(
            actor, ActivityCreate(partner_id=ids[7], kind="call", occurred_on=TODAY)
        ),
        lambda: referrals.delete_referral(actor, fresh.id),
    ]
    for step in steps:
        await step()
        now_kept = await dashboard(actor)
        assert now_kept == await afresh(actor)
        await dashboard(actor)  # kept again, for the next step to patch
    # Every step was patched, none recomputed: the metrics and referral actions were not
    # even looked at again for the touchpoint.
    assert patched["metrics"] == patched["referrals"] == [True] * (len(steps) - 1)
    assert patched["partners"] == [True] * len(steps)


async def test_a_touchpoint_leaves_the_metrics_kept(client):
    actor = (await make_firm()).actor()
    ids = await build_history(actor)
    kept = await referral_metrics(actor)
    await partners.log_activity(
        actor, ActivityCreate(partner_id=ids[0], kind="call", occurred_on=TODAY)
    )
    assert await referral_metrics(actor) is kept


async def test_what_no_figure_reads_leaves_them_kept(client):
    """A compliance finding opened (the briefing's compliance items are read apart)."""
    actor = (await make_firm()).actor()
    await build_history(actor)
    kept = await referral_metrics(actor)
    kept_partners = await briefing._partner_actions(actor, as_of=None)
    await audit.record(actor, "compliance.finding_opened", "compliance_finding", 1, after={})
    assert await referral_metrics(actor) is kept
    assert await briefing._partner_actions(actor, as_of=None) is kept_partners


async def test_what_cannot_be_patched_is_recomputed(client):
    """A partner renamed: the sources' names are read again (no patch knows them)."""
    actor = (await make_firm()).actor()
    ids = await build_history(actor)
    before = await referral_metrics(actor)
    source = next(s for s in before.by_source if s.partner_id in ids)
    await partners.update_partner(actor, source.partner_id, PartnerUpdate(name="Renamed & Co"))
    after = await referral_metrics(actor)
    assert {s.source for s in after.by_source if s.partner_id == source.partner_id} == {
        "Renamed & Co"
    }
    assert (await dashboard(actor)) == await afresh(actor)
