"""Partners who need attention: dormant ones (no referral either way and no touchpoint for
``relationships.dormant_days``) and those due a check-in under their review cadence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tables import Partner
from rapport_core.vocabulary import Direction


class PartnerAttention(BaseModel):
    partner_id: int
    partner_name: str
    #: The latest referral either way, touchpoint, or (with neither) when the partner was added.
    last_contact_on: dt.date
    days_quiet: int
    reason: str


#: Each partner's latest referral either way and latest touchpoint, found by one index seek
#: each ((firm, partner, referred_at) and (firm, partner, occurred_on)) rather than by
#: grouping every referral the firm ever had. MATERIALIZED: each seek runs once per partner.
_LAST_CONTACT = """
    WITH contact AS MATERIALIZED (
        SELECT p.id, p.firm, p.name, p.created_at,
               (SELECT MAX(r.referred_at) FROM rapport_referral r
                WHERE r.firm = p.firm AND r.partner = p.id) AS last_referral,
               (SELECT MAX(a.occurred_on) FROM rapport_activity a
                WHERE a.firm = p.firm AND a.partner = p.id) AS last_touch
        FROM rapport_partner p
        WHERE p.firm = {}%s
    )
"""


def _only(partner_ids: Collection[int] | None) -> str:
    """SQL narrowing a query of partners ``p`` to ``partner_ids`` (None: all of them)."""
    if partner_ids is None:
        return ""
    return f" AND p.id IN ({', '.join(str(int(pid)) for pid in partner_ids) or 0})"


async def quiet_partners(
    actor: Actor,
    today: dt.date,
    days: int,
    *,
    with_value_received: bool = False,
    partner_ids: Collection[int] | None = None,
) -> list[tuple[dict, dt.date]]:
    """Partners whose last contact (a referral either way or a touchpoint; with neither, when
    they were added) is ``days`` or more before ``today``, with that date, in partner order.
    The database keeps only those; ``with_value_received`` adds ``value``: the actual value
    (cents) of all they have sent the firm, added up for these partners only. With
    ``partner_ids``, only those partners are looked at."""
    last_day = today - dt.timedelta(days=days)  # quiet: last contact on or before this day
    after_last_day = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), dt.UTC)
    value = (
        f""", (SELECT SUM(r.actual_value_cents) FROM rapport_referral r
              WHERE r.firm = contact.firm AND r.partner = contact.id
                AND r.direction = '{Direction.received.value}') AS value"""
        if with_value_received
        else ""
    )
    rows = await Partner.raw(
        _LAST_CONTACT % _only(partner_ids)
        + f"""
        SELECT contact.*{value} FROM contact
        WHERE (last_referral IS NULL OR last_referral < {{}})
          AND (last_touch IS NULL OR last_touch <= {{}})
          AND (last_referral IS NOT NULL OR last_touch IS NOT NULL OR created_at < {{}})
        ORDER BY contact.id
        """,
        actor.firm_id,
        after_last_day,
        last_day,
        after_last_day,
    )
    quiet = []
    for row in rows:
        contacts = [_as_date(row["last_referral"]), _as_date(row["last_touch"])]
        known = [d for d in contacts if d is not None]
        # Only a partner with no history counts from the day they were added (partners
        # imported today may bring years of referrals with them).
        quiet.append((row, max(known) if known else _as_date(row["created_at"])))
    return quiet


def _as_date(value) -> dt.date | None:
    """SQLite hands MAX() back as text; PostgreSQL as a date or datetime."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        value = (
            dt.datetime.fromisoformat(value)
            if " " in value or "T" in value
            else dt.date.fromisoformat(value)
        )
    return value.astimezone(dt.UTC).date() if isinstance(value, dt.datetime) else value


def dormant_reason(idle: int, days: int) -> str:
    return f"No referral either way and no touchpoint for {idle} days (dormant after {days})."


async def dormant_partners(actor: Actor, *, today: dt.date | None = None) -> list[PartnerAttention]:
    today = today or now().date()
    days = (await firm_settings(actor.firm_id)).relationships.dormant_days
    quiet = []
    for partner, last in await quiet_partners(actor, today, days):
        idle = (today - last).days
        quiet.append(
            PartnerAttention(
                partner_id=partner["id"],
                partner_name=partner["name"],
                last_contact_on=last,
                days_quiet=idle,
                reason=dormant_reason(idle, days),
            )
        )
    return sorted(quiet, key=lambda p: p.days_quiet, reverse=True)


async def check_ins_due(
    actor: Actor, *, today: dt.date | None = None, limit: int | None = None
) -> list[PartnerAttention]:
    """Partners with a review cadence whose last touchpoint (or, never touched, their
    addition) is at least that many days ago, longest first; with ``limit``, only the first
    ``limit`` of them."""
    today = today or now().date()
    return check_in_list(await check_ins_owed(actor, today), limit)


async def check_ins_owed(
    actor: Actor, today: dt.date, partner_ids: Collection[int] | None = None
) -> dict[int, tuple]:
    """Each partner due a check-in (of ``partner_ids``, or all), in partner order, as
    ``(days quiet, last touchpoint, counted since, partner row)``."""
    partners = await Partner.raw(
        f"""
        SELECT p.id, p.name, p.created_at, p.review_cadence_days,
               (SELECT MAX(a.occurred_on) FROM rapport_activity a
                WHERE a.firm = p.firm AND a.partner = p.id) AS last_touch
        FROM rapport_partner p
        WHERE p.firm = {{}} AND p.review_cadence_days IS NOT NULL{_only(partner_ids)}
        ORDER BY p.id
        """,
        actor.firm_id,
    )
    due = {}
    for partner in partners:
        cadence = partner["review_cadence_days"]
        touch = _as_date(partner["last_touch"])
        since = touch or _as_date(partner["created_at"])
        idle = (today - since).days
        if cadence and idle >= cadence:
            due[partner["id"]] = (idle, touch, since, partner)
    return due


def check_in_list(due: dict[int, tuple], limit: int | None = None) -> list[PartnerAttention]:
    """The check-ins of :func:`check_ins_owed`, longest quiet first (equal days: in partner
    order); only the first ``limit`` become objects."""
    ordered = sorted(due.items(), key=lambda item: (-item[1][0], item[0]))
    listed = []
    for _, (idle, touch, since, partner) in ordered if limit is None else ordered[:limit]:
        cadence = partner["review_cadence_days"]
        reason = (
            f"Check-in every {cadence} days; the last touchpoint was {idle} days ago."
            if touch
            else f"Check-in every {cadence} days; no touchpoint logged in {idle} days."
        )
        listed.append(
            PartnerAttention(
                partner_id=partner["id"],
                partner_name=partner["name"],
                last_contact_on=since,
                days_quiet=idle,
                reason=reason,
            )
        )
    return listed
