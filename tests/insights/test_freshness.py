"""Dashboard figures are kept while nothing changes, and recomputed as soon as anything does."""

import datetime as dt

from rapport_core.insights import freshness
from rapport_core.insights.briefing import daily_briefing
from rapport_core.insights.metrics import referral_metrics
from rapport_core.schemas import ActivityCreate, PartnerCreate, ReferralCreate
from rapport_core.services import partners, referrals

from tests.conftest import make_firm


async def test_kept_until_the_data_changes(client):
    actor = (await make_firm()).actor()
    first = await referral_metrics(actor)
    assert await referral_metrics(actor) is first  # nothing changed: the same result
    pid = (await partners.create_partner(actor, PartnerCreate(name="Ada", profession="cpa"))).id
    await referrals.create_referral(
        actor, ReferralCreate(direction="received", partner_id=pid, client_name="New")
    )
    after = await referral_metrics(actor)
    assert (first.received, after.received) == (0, 1)

    # Deleting is a change too.
    briefing = await daily_briefing(actor)
    activity = await partners.log_activity(
        actor, ActivityCreate(partner_id=pid, kind="call", occurred_on=dt.date.today())
    )
    assert await daily_briefing(actor) is not briefing
    kept = await daily_briefing(actor)
    await partners.delete_activity(actor, activity.id)
    assert await daily_briefing(actor) is not kept


async def test_each_firm_and_each_question_kept_apart(client):
    mine, theirs = (await make_firm()).actor(), (await make_firm()).actor()
    pid = (await partners.create_partner(mine, PartnerCreate(name="Ada", profession="cpa"))).id
    await referrals.create_referral(
        mine, ReferralCreate(direction="sent", partner_id=pid, client_name="Mine")
    )
    assert (await referral_metrics(mine)).sent == 1
    assert (await referral_metrics(theirs)).sent == 0
    assert (await referral_metrics(mine, partner_id=pid)).partner_id == pid


async def test_the_clock_moves_figures_on(client, monkeypatch):
    actor = (await make_firm()).actor()
    earlier = await daily_briefing(actor)
    later = dt.datetime.now(dt.UTC) + freshness.CLOCK_STEP
    monkeypatch.setattr(freshness, "now", lambda: later)
    assert await daily_briefing(actor) is not earlier


async def test_figures_of_the_date_are_kept_for_the_day(client, monkeypatch):
    """The metrics' default period moves on with the date, not with the five-minute step."""
    actor = (await make_firm()).actor()
    noon = dt.datetime.now(dt.UTC).replace(hour=12, minute=0)
    monkeypatch.setattr(freshness, "now", lambda: noon)
    kept = await referral_metrics(actor)
    monkeypatch.setattr(freshness, "now", lambda: noon + 3 * freshness.CLOCK_STEP)
    assert await referral_metrics(actor) is kept
    monkeypatch.setattr(freshness, "now", lambda: noon + dt.timedelta(days=1))
    assert await referral_metrics(actor) is not kept


async def test_open_referrals_are_timed_again_not_read_again(client, monkeypatch):
    """SLA breaches and stalled referrals move on with the clock from the open referrals
    kept for the day: a new clock step times them again without reading them again."""
    from rapport_core.insights import briefing

    actor = (await make_firm()).actor()
    noon = dt.datetime.now(dt.UTC).replace(hour=12, minute=0)
    monkeypatch.setattr(freshness, "now", lambda: noon)
    kept = await briefing._referral_actions(actor, as_of=None)
    monkeypatch.setattr(freshness, "now", lambda: noon + freshness.CLOCK_STEP)
    assert await briefing._referral_actions(actor, as_of=None) is kept
