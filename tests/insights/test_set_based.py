"""The set-based queries behind the briefing (index seeks per partner, ranking in SQL) give
the figures a from-scratch recomputation gives, worked out here in Python from every stored
row, after a mix of creates, stage changes, back-dated changes, edits and deletes."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from rapport_core.clock import as_utc
from rapport_core.insights.attention import check_ins_due, dormant_partners
from rapport_core.insights.briefing import VALUABLE_PARTNER_CENTS, daily_briefing
from rapport_core.insights.reciprocity import partners_owed
from rapport_core.schemas import (
    ActivityCreate,
    PartnerCreate,
    ReferralCreate,
    ReferralUpdate,
    StageChangeIn,
)
from rapport_core.services import partners, referrals
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tables import Activity, Partner, Referral

from tests.conftest import make_firm

AS_OF = dt.datetime.now(dt.UTC).replace(microsecond=0)
TODAY = AS_OF.date()


def days_ago(n: float) -> dt.datetime:
    return AS_OF - dt.timedelta(days=n)


async def build_history(actor) -> list[int]:
    """Eight partners and a history with every kind of change."""
    ids = [
        (
            await partners.create_partner(
                actor,
                PartnerCreate(
                    name=f"Partner {n}", profession="cpa", review_cadence_days=30 + 10 * n
                ),
            )
        ).id
        for n in range(8)
    ]
    made = []
    for n, pid in enumerate(ids):
        for k in range(n % 4 + 1):
            direction = "received" if (n + k) % 3 else "sent"
            made.append(
                await referrals.create_referral(
                    actor,
                    ReferralCreate(
                        direction=direction,
                        partner_id=pid,
                        client_name=f"Client {n}-{k}",
                        estimated_value=Decimal(1500 * (k + 1) * (n + 1)),
                        referred_at=days_ago(20 + 70 * k + 13 * n),  # back-dated
                    ),
                )
            )
    # Engage some received ones with an actual value, back-dated; decline another.
    for referral in made[::3]:
        if referral.direction == "received":
            for stage in ("acknowledged", "contacted", "qualified"):
                referral = await referrals.change_stage(
                    actor,
                    referral.id,
                    StageChangeIn(stage=stage, changed_at=referral.referred_at + dt.timedelta(1)),
                )
            await referrals.change_stage(
                actor,
                referral.id,
                StageChangeIn(
                    stage="engaged",
                    actual_value=Decimal(40_000 + referral.id),
                    changed_at=referral.referred_at + dt.timedelta(days=2),
                ),
            )
    # Move one referral to another partner and change another's value; delete the latest of
    # a partner's referrals (so its "last referral" falls back to an older one).
    await referrals.update_referral(actor, made[1].id, ReferralUpdate(partner_id=ids[7]))
    await referrals.update_referral(actor, made[4].id, ReferralUpdate(actual_value=Decimal(777)))
    await referrals.delete_referral(actor, made[-1].id)
    # Touchpoints, one deleted again.
    for n, pid in enumerate(ids[:5]):
        await partners.log_activity(
            actor,
            ActivityCreate(partner_id=pid, kind="call", occurred_on=TODAY - dt.timedelta(25 * n)),
        )
    gone = await partners.log_activity(
        actor, ActivityCreate(partner_id=ids[6], kind="call", occurred_on=TODAY)
    )
    await partners.delete_activity(actor, gone.id)
    return ids


async def from_scratch(actor):
    """Every figure the briefing reads, worked out in Python from all of the firm's rows."""
    settings = (await firm_settings(actor.firm_id)).relationships
    rows = await Referral.select().where(Referral.firm == actor.firm_id)
    touches = await Activity.select().where(Activity.firm == actor.firm_id)
    people = await Partner.select().where(Partner.firm == actor.firm_id)
    last, value, score = {}, {}, {}
    for r in rows:
        pid, when = r["partner"], as_utc(r["referred_at"])
        last[pid] = max(last.get(pid, when.date()), when.date())
        if r["direction"] == "received":
            value[pid] = value.get(pid, 0) + (r["actual_value_cents"] or 0)
        if days_ago(settings.window_days) <= when <= AS_OF:
            cents = r["actual_value_cents"] or r["estimated_value_cents"] or 0
            age = (AS_OF - when).total_seconds() / 86400
            weight = 0.5 ** (age / settings.owed_half_life_days) * (1 + math.log10(1 + cents / 1e5))
            sign = 1 if r["direction"] == "received" else -1
            score[pid] = score.get(pid, 0.0) + sign * weight
    touched = {}
    for a in touches:
        touched[a["partner"]] = max(touched.get(a["partner"], a["occurred_on"]), a["occurred_on"])
    dormant, check_ins = {}, {}
    for p in people:
        known = [d for d in (last.get(p["id"]), touched.get(p["id"])) if d]
        quiet = (TODAY - (max(known) if known else as_utc(p["created_at"]).date())).days
        if quiet >= settings.dormant_days:
            dormant[p["id"]] = quiet
        since = touched.get(p["id"]) or as_utc(p["created_at"]).date()
        if (TODAY - since).days >= p["review_cadence_days"]:
            check_ins[p["id"]] = (TODAY - since).days
    owed = sorted(((s, pid) for pid, s in score.items() if s > 0), key=lambda o: -o[0])
    return dormant, check_ins, value, owed


async def test_the_set_based_figures_match_a_recomputation_from_every_row(client):
    firm = await make_firm()
    actor = firm.actor()
    await build_history(actor)
    dormant, check_ins, value, owed = await from_scratch(actor)
    assert dormant and check_ins and owed  # the history exercises every list

    listed = await dormant_partners(actor, today=TODAY)
    assert {p.partner_id: p.days_quiet for p in listed} == dormant
    due = await check_ins_due(actor, today=TODAY)
    assert {p.partner_id: p.days_quiet for p in due} == check_ins
    ranked = await partners_owed(actor, as_of=AS_OF)
    assert [r.partner_id for r in ranked] == [pid for _, pid in owed]
    assert [r.owed_score for r in ranked] == pytest.approx([s for s, _ in owed], abs=0.001)

    # The briefing raises exactly the dormant partners who have sent business, valued right.
    actions = await daily_briefing(actor, as_of=AS_OF, limit=1000)
    raised = {a.subject_id: a for a in actions if a.kind == "dormant_partner"}
    assert raised and set(raised) == {pid for pid in dormant if value.get(pid, 0) > 0}
    for pid, action in raised.items():
        assert action.impact == round(min(1, value[pid] / VALUABLE_PARTNER_CENTS), 3)
        assert f"${value[pid] / 100:,.0f} of business" in action.reason
