"""Partners who need attention: dormant ones (no referral either way and no touchpoint for
``relationships.dormant_days``) and those due a check-in under their review cadence."""

from __future__ import annotations

import datetime as dt

from piccolo.query.functions.aggregate import Max
from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tables import Activity, Partner, Referral


class PartnerAttention(BaseModel):
    partner_id: int
    partner_name: str
    #: The latest referral either way, touchpoint, or (with neither) when the partner was added.
    last_contact_on: dt.date
    days_quiet: int
    reason: str


async def _last_contact(actor: Actor) -> list[tuple[dict, dt.date]]:
    """Every partner with the date of its last contact: a referral either way or a touchpoint."""
    partners = await Partner.select(Partner.id, Partner.name, Partner.created_at).where(
        Partner.firm == actor.firm_id
    )
    referred = {
        row["partner"]: row["last"]
        for row in await Referral.select(Referral.partner, Max(Referral.referred_at, alias="last"))
        .where(Referral.firm == actor.firm_id, Referral.partner.is_not_null())
        .group_by(Referral.partner)
    }
    touched = {
        row["partner"]: row["last"]
        for row in await Activity.select(Activity.partner, Max(Activity.occurred_on, alias="last"))
        .where(Activity.firm == actor.firm_id)
        .group_by(Activity.partner)
    }
    rows = []
    for partner in partners:
        touch = _as_date(touched.get(partner["id"]))
        contacts = [d for d in (_as_date(referred.get(partner["id"])), touch) if d is not None]
        # Only a partner with no history counts from the day they were added (partners
        # imported today may bring years of referrals with them).
        last = max(contacts) if contacts else _as_date(partner["created_at"])
        rows.append((partner, last))
    return rows


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


async def dormant_partners(actor: Actor, *, today: dt.date | None = None) -> list[PartnerAttention]:
    today = today or now().date()
    days = (await firm_settings(actor.firm_id)).relationships.dormant_days
    quiet = []
    for partner, last in await _last_contact(actor):
        idle = (today - last).days
        if idle >= days:
            reason = (
                f"No referral either way and no touchpoint for {idle} days (dormant after {days})."
            )
            quiet.append(
                PartnerAttention(
                    partner_id=partner["id"],
                    partner_name=partner["name"],
                    last_contact_on=last,
                    days_quiet=idle,
                    reason=reason,
                )
            )
    return sorted(quiet, key=lambda p: p.days_quiet, reverse=True)


async def check_ins_due(actor: Actor, *, today: dt.date | None = None) -> list[PartnerAttention]:
    """Partners with a review cadence whose last touchpoint (or, never touched, their
    addition) is at least that many days ago."""
    today = today or now().date()
    partners = await Partner.select(
        Partner.id, Partner.name, Partner.created_at, Partner.review_cadence_days
    ).where(Partner.firm == actor.firm_id, Partner.review_cadence_days.is_not_null())
    touched = {
        row["partner"]: row["last"]
        for row in await Activity.select(Activity.partner, Max(Activity.occurred_on, alias="last"))
        .where(
            Activity.firm == actor.firm_id,
            Activity.partner.is_in([p["id"] for p in partners] or [0]),
        )
        .group_by(Activity.partner)
    }
    due = []
    for partner in partners:
        cadence = partner["review_cadence_days"]
        touch = _as_date(touched.get(partner["id"]))
        since = touch or _as_date(partner["created_at"])
        idle = (today - since).days
        if cadence and idle >= cadence:
            reason = (
                f"Check-in every {cadence} days; the last touchpoint was {idle} days ago."
                if touch
                else f"Check-in every {cadence} days; no touchpoint logged in {idle} days."
            )
            due.append(
                PartnerAttention(
                    partner_id=partner["id"],
                    partner_name=partner["name"],
                    last_contact_on=since,
                    days_quiet=idle,
                    reason=reason,
                )
            )
    return sorted(due, key=lambda p: p.days_quiet, reverse=True)
