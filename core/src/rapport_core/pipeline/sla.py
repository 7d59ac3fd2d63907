"""Service-level agreements on received referrals: what is overdue, and by how much.

Each SLA is a due time computed from the referral's milestone columns and the firm's
``sla`` settings (see docs/pipeline.md). The overdue rows are found by one query: every
condition "due time < now" is rewritten as "start time < now - allowance", which both
SQLite and PostgreSQL compare on the indexed timestamp columns without date arithmetic.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tables import Referral
from rapport_core.vocabulary import CLOSED_STAGES, Direction

SlaKind = Literal["acknowledge", "first_contact", "partner_update"]


class SlaBreach(BaseModel):
    referral_id: int
    client_name: str
    partner_id: int | None
    partner_name: str | None
    owner_id: int | None
    kind: SlaKind
    due_at: dt.datetime
    overdue_hours: float


async def sla_breaches(actor: Actor, *, as_of: dt.datetime | None = None) -> list[SlaBreach]:
    """Every SLA an open received referral of the actor's firm has missed at ``as_of``
    (default now), most overdue first. A referral can breach several SLAs at once."""
    as_of = as_of or now()
    sla = (await firm_settings(actor.firm_id)).sla
    allowances: dict[SlaKind, dt.timedelta] = {
        "acknowledge": dt.timedelta(hours=sla.acknowledge_hours),
        "first_contact": dt.timedelta(hours=sla.first_contact_hours),
        "partner_update": dt.timedelta(days=sla.partner_update_days),
    }
    cutoff = {kind: as_of - allowance for kind, allowance in allowances.items()}
    update_cutoff = cutoff["partner_update"]
    rows = await Referral.select(
        Referral.id,
        Referral.client_name,
        Referral.partner,
        Referral.partner.name.as_alias("partner_name"),
        Referral.owner,
        Referral.referred_at,
        Referral.acknowledged_at,
        Referral.first_contact_at,
        Referral.last_partner_update_at,
    ).where(
        Referral.firm == actor.firm_id,
        Referral.direction == Direction.received.value,
        Referral.stage.not_in([stage.value for stage in CLOSED_STAGES]),
        (Referral.acknowledged_at.is_null() & (Referral.referred_at < cutoff["acknowledge"]))
        | (Referral.first_contact_at.is_null() & (Referral.referred_at < cutoff["first_contact"]))
        | (
            Referral.partner.is_not_null()
            & (Referral.referred_at < update_cutoff)
            & (
                Referral.last_partner_update_at.is_null()
                | (Referral.last_partner_update_at < update_cutoff)
            )
        ),
    )
    breaches = []
    for row in rows:
        referred_at = as_utc(row["referred_at"])
        last_update = as_utc(row["last_partner_update_at"])
        starts: dict[SlaKind, dt.datetime | None] = {
            "acknowledge": None if row["acknowledged_at"] else referred_at,
            "first_contact": None if row["first_contact_at"] else referred_at,
            "partner_update": max(referred_at, last_update or referred_at)
            if row["partner"]
            else None,
        }
        for kind, start in starts.items():
            if start is None or start + allowances[kind] >= as_of:
                continue
            due_at = start + allowances[kind]
            breaches.append(
                SlaBreach(
                    referral_id=row["id"],
                    client_name=row["client_name"],
                    partner_id=row["partner"],
                    partner_name=row["partner_name"],
                    owner_id=row["owner"],
                    kind=kind,
                    due_at=due_at,
                    overdue_hours=round((as_of - due_at).total_seconds() / 3600, 2),
                )
            )
    breaches.sort(key=lambda breach: (-breach.overdue_hours, breach.referral_id))
    return breaches
