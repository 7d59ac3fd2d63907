"""Service-level agreements on received referrals: what is overdue, and by how much.

Each SLA is a due time computed from the referral's milestone columns and the firm's
``sla`` settings (see docs/pipeline.md). One query reads the open received referrals (a
referral is open for days or weeks, so they are few whatever the history) and each SLA's
due time is worked out from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Literal

from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tables import Referral
from rapport_core.vocabulary import OPEN_STAGES, Direction

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


async def sla_breaches(
    actor: Actor,
    *,
    as_of: dt.datetime | None = None,
    limit: int | None = None,
    referral_ids: Collection[int] | None = None,
) -> list[SlaBreach]:
    """Every SLA an open received referral of the actor's firm has missed at ``as_of``
    (default now), most overdue first. A referral can breach several SLAs at once. With
    ``limit``, only the ``limit`` most overdue of each kind (what the briefing needs); with
    ``referral_ids``, only those referrals' breaches."""
    as_of = as_of or now()
    sla = (await firm_settings(actor.firm_id)).sla
    allowances: dict[SlaKind, dt.timedelta] = {
        "acknowledge": dt.timedelta(hours=sla.acknowledge_hours),
        "first_contact": dt.timedelta(hours=sla.first_contact_hours),
        "partner_update": dt.timedelta(days=sla.partner_update_days),
    }
    # The open received referrals are few (closed ones are most of the history), so one
    # query finds them by stage on the (firm, stage, direction) index and each SLA is
    # checked here; asking the database for "start < cutoff" lets it walk the time index
    # through the whole history instead.
    query = Referral.select(
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
        Referral.stage.is_in([stage.value for stage in OPEN_STAGES]),
        Referral.direction == Direction.received.value,
    )
    if referral_ids is not None:
        query = query.where(Referral.id.is_in(list(referral_ids) or [0]))
    rows = await query
    due: dict[SlaKind, list[tuple[dt.datetime, dict]]] = {kind: [] for kind in allowances}
    for row in rows:
        referred = as_utc(row["referred_at"])
        # Each SLA's clock starts at one moment: the referral, or the latest partner update.
        if row["acknowledged_at"] is None:
            due["acknowledge"].append((referred, row))
        if row["first_contact_at"] is None:
            due["first_contact"].append((referred, row))
        if row["partner"] is not None:
            update = row["last_partner_update_at"]
            due["partner_update"].append(
                (max(referred, as_utc(update)) if update else referred, row)
            )
    breaches = []
    for kind, started_rows in due.items():
        for started, row in started_rows:
            if started < as_of - allowances[kind]:
                due_at = started + allowances[kind]
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
    return most_overdue(breaches, limit)


def most_overdue(breaches: list[SlaBreach], limit: int | None = None) -> list[SlaBreach]:
    """Most overdue first; with ``limit``, only the ``limit`` most overdue of each kind."""
    if limit is not None:
        by_kind: dict[str, list[SlaBreach]] = {}
        for breach in breaches:
            by_kind.setdefault(breach.kind, []).append(breach)
        breaches = [
            breach
            for listed in by_kind.values()
            for breach in sorted(listed, key=lambda b: (b.due_at, b.referral_id))[:limit]
        ]
    return sorted(breaches, key=lambda breach: (-breach.overdue_hours, breach.referral_id))
