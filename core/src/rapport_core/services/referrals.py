"""Referrals, sent and received, and their stage history."""

from __future__ import annotations

import datetime as dt

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Conflict, Invalid, NotFound
from rapport_core.identity import email_key, name_key, phone_key
from rapport_core.pipeline.assignment import matching_rule, take_turn
from rapport_core.pipeline.drafts import queue_draft
from rapport_core.pipeline.intake import find_original, flagged_duplicate
from rapport_core.plugins import notify
from rapport_core.schemas import (
    Page,
    ReferralCreate,
    ReferralFilter,
    ReferralOut,
    ReferralUpdate,
    StageChangeIn,
    StageChangeOut,
)
from rapport_core.services.common import (
    changes,
    from_cents,
    ilike,
    like_term,
    require_in_firm,
    to_cents,
    transaction,
)
from rapport_core.tables import Partner, Referral, ReferralStageChange, User
from rapport_core.vocabulary import (
    CLOSED_STAGES,
    FIRST_STAGE,
    MILESTONES,
    NEXT_STAGES,
    UNKNOWN_SOURCE_LABEL,
    DeclineReason,
    Direction,
    Stage,
)

_COLUMNS = (*Referral.all_columns(), Referral.partner.name.as_alias("partner_name"))


def _referral_out(row: dict, history: list[StageChangeOut] | None = None) -> ReferralOut:
    direction = Direction(row["direction"])
    stage = Stage(row["stage"])
    return ReferralOut.model_validate(
        {
            **row,
            "partner_id": row["partner"],
            "owner_id": row["owner"],
            "source": row["partner_name"] or UNKNOWN_SOURCE_LABEL,
            "estimated_value": from_cents(row["estimated_value_cents"]),
            "actual_value": from_cents(row["actual_value_cents"]),
            "next_stages": NEXT_STAGES[direction].get(stage, ()),
            "history": history,
        }
    )


async def _check_links(actor: Actor, *, partner_id: int | None, owner_id: int | None) -> None:
    await require_in_firm(Partner, actor, partner_id, "partner", "partner_id")
    await require_in_firm(User, actor, owner_id, "user", "owner_id")


def _identity_keys(client: dict) -> dict:
    """The normalised keys the duplicate check compares, from a referral's client fields."""
    return {
        "client_email_key": email_key(client.get("client_email")),
        "client_phone_key": phone_key(client.get("client_phone")),
        "client_name_key": name_key(client.get("client_name"), client.get("client_company")),
    }


_CLIENT_FIELDS = ("client_name", "client_company", "client_email", "client_phone")


def _columns(fields: dict) -> dict:
    values = dict(fields)
    for money in ("estimated_value", "actual_value"):
        if money in values:
            values[f"{money}_cents"] = to_cents(values.pop(money))
    for link in ("partner", "owner"):
        if f"{link}_id" in values:
            values[link] = values.pop(f"{link}_id")
    return values


async def create_referral(actor: Actor, data: ReferralCreate) -> ReferralOut:
    actor.require_write()
    if data.direction is Direction.sent and data.partner_id is None:
        raise Invalid("a sent referral needs the partner it was sent to", field="partner_id")
    await _check_links(actor, partner_id=data.partner_id, owner_id=data.owner_id)
    stamp = now()
    first = FIRST_STAGE[data.direction]
    fields = data.model_dump(exclude={"referred_at"})
    keys = _identity_keys(fields)
    referred_at = data.referred_at or stamp
    intake = {}
    round_robin = False
    if data.direction is Direction.received:
        intake["duplicate_of"] = await find_original(actor.firm_id, keys, referred_at)
        if data.owner_id is None:
            rule = await matching_rule(
                actor.firm_id,
                matter_type=data.matter_type,
                state=data.jurisdiction,
                value_cents=to_cents(data.estimated_value),
            )
            round_robin = rule is None
            if rule:
                intake["owner"], intake["assigned_by"] = rule
    async with transaction():
        if round_robin:  # first in the transaction: see take_turn
            intake["owner"], intake["assigned_by"] = await take_turn(actor.firm_id), "round_robin"
        referral = Referral(
            firm=actor.firm_id,
            **(_columns(fields) | intake),
            **keys,
            stage=first.value,
            referred_at=referred_at,
            version=1,
            created_at=stamp,
            updated_at=stamp,
        )
        await referral.save()
        await ReferralStageChange(
            firm=actor.firm_id,
            referral=referral.id,
            from_stage=None,
            to_stage=first.value,
            changed_at=referred_at,
            actor=actor.label,
        ).save()
        out = await get_referral(actor, referral.id)
        await audit.record(actor, "referral.create", "referral", referral.id, after=out)
    await notify("referral_created", referral=out, actor=actor)
    return out


async def get_referral(actor: Actor, referral_id: int, *, with_history: bool = True) -> ReferralOut:
    row = (
        await Referral.select(*_COLUMNS)
        .where(Referral.id == referral_id, Referral.firm == actor.firm_id)
        .first()
    )
    if row is None:
        raise NotFound(f"referral {referral_id} not found")
    history = await stage_history(actor, referral_id) if with_history else None
    return _referral_out(row, history)


async def stage_history(actor: Actor, referral_id: int) -> list[StageChangeOut]:
    rows = (
        await ReferralStageChange.select()
        .where(
            ReferralStageChange.referral == referral_id,
            ReferralStageChange.firm == actor.firm_id,
        )
        .order_by(ReferralStageChange.id)
    )
    return [StageChangeOut.model_validate(row) for row in rows]


async def list_referrals(actor: Actor, filters: ReferralFilter) -> Page[ReferralOut]:
    where = [Referral.firm == actor.firm_id]
    if filters.direction:
        where.append(Referral.direction == filters.direction.value)
    if filters.stage:
        where.append(Referral.stage == filters.stage.value)
    if filters.partner_id is not None:
        where.append(Referral.partner == filters.partner_id)
    if filters.matter_type:
        where.append(ilike(Referral.matter_type, like_term(filters.matter_type)))
    if filters.duplicates == "flagged":
        where.append(flagged_duplicate())
    if filters.q:
        term = like_term(filters.q)
        where.append(
            ilike(Referral.client_name, term)
            | ilike(Referral.client_company, term)
            | ilike(Referral.matter_type, term)
            | ilike(Referral.partner.name, term)
        )
    total = await Referral.count().where(*where)
    rows = (
        await Referral.select(*_COLUMNS)
        .where(*where)
        .order_by(Referral.referred_at, ascending=False)
        .order_by(Referral.id, ascending=False)
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
    )
    return Page[ReferralOut](
        items=[_referral_out(row) for row in rows],
        total=total,
        page=filters.page,
        per_page=filters.per_page,
    )


async def write_versioned(
    actor: Actor, before: ReferralOut, expected: int | None, values: dict
) -> None:
    """Apply ``values`` only if the referral is still at the version the caller read."""
    expected = before.version if expected is None else expected
    updated = (
        await Referral.update(
            {**values, Referral.version: expected + 1, Referral.updated_at: now()}
        )
        .where(
            Referral.id == before.id,
            Referral.firm == actor.firm_id,
            Referral.version == expected,
        )
        .returning(Referral.id)
    )
    if not updated:
        raise Conflict(
            f"referral {before.id} was changed by someone else (you had version {expected}); "
            "reload it and try again",
            field="version",
        )


async def update_referral(actor: Actor, referral_id: int, data: ReferralUpdate) -> ReferralOut:
    actor.require_write()
    before = await get_referral(actor, referral_id, with_history=False)
    sent = changes(data, required=("client_name",), mode="python")
    if before.direction is Direction.sent and "partner_id" in sent and sent["partner_id"] is None:
        raise Invalid("a sent referral needs the partner it was sent to", field="partner_id")
    await _check_links(actor, partner_id=sent.get("partner_id"), owner_id=sent.get("owner_id"))
    sent.pop("version", None)
    if all(getattr(before, name) == value for name, value in sent.items()):
        return await get_referral(actor, referral_id)  # nothing changed: no new version
    values = _columns(sent)
    if any(name in sent for name in _CLIENT_FIELDS):
        values |= _identity_keys(before.model_dump() | sent)
    async with transaction():
        await write_versioned(actor, before, data.version, values)
        after = await get_referral(actor, referral_id)
        await audit.record(
            actor, "referral.update", "referral", referral_id, before=before, after=after
        )
    changed = [name for name, value in sent.items() if getattr(before, name) != value]
    await notify("referral_updated", referral=after, changed=changed, actor=actor)
    return after


async def change_stage(actor: Actor, referral_id: int, data: StageChangeIn) -> ReferralOut:
    actor.require_write()
    before = await get_referral(actor, referral_id, with_history=False)
    if data.stage not in before.next_stages:
        allowed = ", ".join(before.next_stages) or "none (the referral is closed)"
        raise Conflict(
            f"a {before.direction} referral cannot move from {before.stage} to {data.stage}; "
            f"allowed next stages: {allowed}",
            field="stage",
            allowed=list(before.next_stages),
        )
    changed_at = await _checked_stage_time(actor, before, data)
    values = _stage_values(before, data, changed_at)
    async with transaction():
        await write_versioned(actor, before, data.version, values)
        change = ReferralStageChange(
            firm=actor.firm_id,
            referral=referral_id,
            from_stage=before.stage.value,
            to_stage=data.stage.value,
            changed_at=changed_at,
            actor=actor.label,
            note=data.note,
            reason=data.reason.value if data.reason else None,
        )
        await change.save()
        after = await get_referral(actor, referral_id)
        await queue_draft(actor, after, change.id)
        await audit.record(
            actor, "referral.stage", "referral", referral_id, before=before, after=after
        )
    await notify(
        "referral_stage_changed",
        referral=after,
        change=StageChangeOut.model_validate(change.to_dict()),
        actor=actor,
    )
    return after


def _stage_values(before: ReferralOut, data: StageChangeIn, at: dt.datetime) -> dict:
    """The referral columns a move to ``data.stage`` sets: the stage, the milestone it marks
    (first arrival only), and for a closing stage its time and outcome."""
    stage = data.stage
    if stage is Stage.declined and before.direction is Direction.received and not data.reason:
        reasons = ", ".join(DeclineReason)
        raise Invalid(f"say why the referral is declined: one of {reasons}", field="reason")
    if stage is Stage.lost and not data.note:
        raise Invalid("say why the referral was lost", field="note")
    if data.reason and stage is not Stage.declined:
        raise Invalid("a reason code is given only when declining", field="reason")
    if data.actual_value is not None and stage is not Stage.engaged:
        raise Invalid(
            "the actual value is recorded when the referral is engaged", field="actual_value"
        )
    values = {Referral.stage: stage.value}
    milestone = MILESTONES.get(stage)
    if milestone and getattr(before, milestone) is None:
        values[Referral._meta.get_column_by_name(milestone)] = at
    if stage in CLOSED_STAGES:
        values[Referral.closed_at] = at
        values[Referral.outcome_reason] = data.reason.value if data.reason else None
        values[Referral.outcome_note] = data.note
    if data.actual_value is not None:
        values[Referral.actual_value_cents] = to_cents(data.actual_value)
    return values


async def _checked_stage_time(
    actor: Actor, before: ReferralOut, data: StageChangeIn
) -> dt.datetime:
    """``data.changed_at`` or now; a back-dated change may not precede the previous one."""
    current = now()
    if data.changed_at is None:
        return current
    if data.changed_at > current:
        raise Invalid("a stage change cannot be dated in the future", field="changed_at")
    previous = (
        await ReferralStageChange.select(ReferralStageChange.changed_at)
        .where(ReferralStageChange.referral == before.id, ReferralStageChange.firm == actor.firm_id)
        .order_by(ReferralStageChange.changed_at, ascending=False)
        .first()
    )
    if previous and data.changed_at < previous["changed_at"]:
        raise Invalid(
            f"a stage change cannot be dated before the previous one ({previous['changed_at']:%Y-%m-%d %H:%M %Z})",
            field="changed_at",
        )
    return data.changed_at


async def delete_referral(actor: Actor, referral_id: int) -> None:
    actor.require_write()
    before = await get_referral(actor, referral_id)
    async with transaction():
        await Referral.delete().where(Referral.id == referral_id, Referral.firm == actor.firm_id)
        await audit.record(actor, "referral.delete", "referral", referral_id, before=before)
