"""Who owns a new received referral: the first matching routing rule, else round-robin.

Rules are tried by ``position`` (then id). A rule's empty criteria match anything:
``practice_area`` is a case-insensitive part of the matter type, ``state`` the referral's
jurisdiction, and the estimated value lies within ``min_value``..``max_value`` (a referral
without a value matches no rule that has a bound). Without a match, the owner is the next
active member or owner (by user id, wrapping) after the owner of the firm's most recent
round-robin referral. The turn is one row per firm, moved by an atomic UPDATE.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Invalid
from rapport_core.pipeline.tables import RoundRobinTurn
from rapport_core.schemas import Input, Money, Output, USState
from rapport_core.services.common import (
    changes,
    from_cents,
    get_scoped,
    require_in_firm,
    to_cents,
    transaction,
)
from rapport_core.tables import RoutingRule, User
from rapport_core.vocabulary import Role

ROUND_ROBIN_ROLES = (Role.member.value, Role.owner.value)


class RoutingRuleFields(Input):
    position: int = 0
    practice_area: str = ""
    state: USState = ""
    min_value: Money | None = None
    max_value: Money | None = None
    active: bool = True


class RoutingRuleCreate(RoutingRuleFields):
    owner_id: int


class RoutingRuleUpdate(RoutingRuleFields):
    """Only the fields sent change."""

    owner_id: int | None = None


class RoutingRuleOut(Output):
    id: int
    position: int
    practice_area: str
    state: str
    min_value: Decimal | None
    max_value: Decimal | None
    owner_id: int
    owner_name: str
    active: bool
    created_at: dt.datetime


_COLUMNS = (*RoutingRule.all_columns(), RoutingRule.owner.name.as_alias("owner_name"))


def _out(row: dict) -> RoutingRuleOut:
    return RoutingRuleOut.model_validate(
        {
            **row,
            "owner_id": row["owner"],
            "min_value": from_cents(row["min_value_cents"]),
            "max_value": from_cents(row["max_value_cents"]),
        }
    )


def _columns(fields: dict) -> dict:
    values = dict(fields)
    for bound in ("min_value", "max_value"):
        if bound in values:
            values[f"{bound}_cents"] = to_cents(values.pop(bound))
    if "owner_id" in values:
        values["owner"] = values.pop("owner_id")
    return values


def _check_bounds(low: int | None, high: int | None) -> None:
    if low is not None and high is not None and low > high:
        raise Invalid("the minimum value is above the maximum", field="min_value")


async def list_rules(actor: Actor) -> list[RoutingRuleOut]:
    rows = (
        await RoutingRule.select(*_COLUMNS)
        .where(RoutingRule.firm == actor.firm_id)
        .order_by(RoutingRule.position)
        .order_by(RoutingRule.id)
    )
    return [_out(row) for row in rows]


async def get_rule(actor: Actor, rule_id: int) -> RoutingRuleOut:
    await get_scoped(RoutingRule, actor, rule_id, "routing rule")
    rows = await RoutingRule.select(*_COLUMNS).where(RoutingRule.id == rule_id)
    return _out(rows[0])


async def create_rule(actor: Actor, data: RoutingRuleCreate) -> RoutingRuleOut:
    actor.require_firm_admin()
    await require_in_firm(User, actor, data.owner_id, "user", "owner_id")
    values = _columns(data.model_dump())
    _check_bounds(values["min_value_cents"], values["max_value_cents"])
    async with transaction():
        rule = RoutingRule(firm=actor.firm_id, created_at=now(), **values)
        await rule.save()
        out = await get_rule(actor, rule.id)
        await audit.record(actor, "routing_rule.create", "routing_rule", rule.id, after=out)
    return out


async def update_rule(actor: Actor, rule_id: int, data: RoutingRuleUpdate) -> RoutingRuleOut:
    actor.require_firm_admin()
    before = await get_rule(actor, rule_id)
    sent = changes(data, required=("owner_id", "position", "active", "state"), mode="python")
    await require_in_firm(User, actor, sent.get("owner_id"), "user", "owner_id")
    merged = before.model_dump() | sent
    _check_bounds(to_cents(merged["min_value"]), to_cents(merged["max_value"]))
    async with transaction():
        await RoutingRule.update(_columns(sent)).where(
            RoutingRule.id == rule_id, RoutingRule.firm == actor.firm_id
        )
        after = await get_rule(actor, rule_id)
        await audit.record(
            actor, "routing_rule.update", "routing_rule", rule_id, before=before, after=after
        )
    return after


async def delete_rule(actor: Actor, rule_id: int) -> None:
    actor.require_firm_admin()
    before = await get_rule(actor, rule_id)
    async with transaction():
        await RoutingRule.delete().where(
            RoutingRule.id == rule_id, RoutingRule.firm == actor.firm_id
        )
        await audit.record(actor, "routing_rule.delete", "routing_rule", rule_id, before=before)


def _matches(rule: dict, matter_type: str, state: str, value_cents: int | None) -> bool:
    if rule["practice_area"] and rule["practice_area"].casefold() not in matter_type.casefold():
        return False
    if rule["state"] and rule["state"] != state.strip().upper():
        return False
    low, high = rule["min_value_cents"], rule["max_value_cents"]
    if (low is not None or high is not None) and value_cents is None:
        return False
    return (low is None or value_cents >= low) and (high is None or value_cents <= high)


async def matching_rule(
    firm_id: int, *, matter_type: str, state: str, value_cents: int | None
) -> tuple[int, str] | None:
    """(owner id, assigned_by) from the first routing rule a new received referral matches."""
    rules = (
        await RoutingRule.select()
        .where(
            RoutingRule.firm == firm_id,
            RoutingRule.active.eq(True),
            RoutingRule.owner.active.eq(True),
        )
        .order_by(RoutingRule.position)
        .order_by(RoutingRule.id)
    )
    for rule in rules:
        if _matches(rule, matter_type, state, value_cents):
            return rule["owner"], f"rule:{rule['id']}"
    return None


def _eligible(after: str) -> str:
    """The first active member or owner of the firm (``{}``) with an id above ``after``."""
    roles = ", ".join(f"'{role}'" for role in ROUND_ROBIN_ROLES)
    return (
        f"(SELECT MIN(u.id) FROM rapport_user u WHERE u.firm = {{}} AND u.active = {{}} "
        f"AND u.role IN ({roles}) AND u.id > {after})"
    )


async def take_turn(firm_id: int) -> int | None:
    """The next person in the firm's round-robin, by one atomic UPDATE of its turn row (call
    inside the referral's transaction, before it reads anything else, so the write lock is
    taken first on SQLite and the row is locked on PostgreSQL: simultaneous referrals queue
    here and each sees the turn the one before it took)."""
    # The firm's first turn carries on from its most recent round-robin referral.
    await RoundRobinTurn.raw(
        "INSERT INTO rapport_round_robin_turn (firm, last_owner) "
        "SELECT {}, (SELECT owner FROM rapport_referral WHERE firm = {} "
        "AND assigned_by = 'round_robin' ORDER BY created_at DESC, id DESC LIMIT 1) "
        "WHERE NOT EXISTS (SELECT 1 FROM rapport_round_robin_turn WHERE firm = {}) "
        "ON CONFLICT (firm) DO NOTHING",
        firm_id,
        firm_id,
        firm_id,
    )
    # Wrapping: the first eligible id after the last owner, else the first of all.
    taken = await RoundRobinTurn.raw(
        "UPDATE rapport_round_robin_turn SET last_owner = COALESCE("
        f"{_eligible('COALESCE(rapport_round_robin_turn.last_owner, 0)')}, {_eligible('0')}) "
        "WHERE firm = {} RETURNING last_owner",
        firm_id,
        True,
        firm_id,
        True,
        firm_id,
    )
    return taken[0]["last_owner"] if taken else None
