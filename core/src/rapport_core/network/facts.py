"""What the network formulas read about a firm, gathered in a handful of set-based queries:
the firm, its settings, its partners, and per-partner counts of referrals (each direction)
and touchpoints within the relationship window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from piccolo.query.functions.aggregate import Count

from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.firm_settings import FirmSettings
from rapport_core.network.complementarity import ComplementarityMap, TypeKey, complementarity_map
from rapport_core.network.geo import Place, locate
from rapport_core.network.tokens import tokens
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tables import Activity, Firm, Partner, Referral
from rapport_core.vocabulary import Direction


@dataclass
class PartnerFacts:
    id: int
    name: str
    organisation: str
    profession: str
    specialties: list[str]
    type: TypeKey
    #: Tokens of the partner's specialties and ideal client, for client-overlap scores.
    words: frozenset[str]
    place: Place | None
    sent: int = 0
    received: int = 0
    touchpoints: int = 0

    @property
    def referrals(self) -> int:
        return self.sent + self.received


@dataclass
class NetworkFacts:
    firm_id: int
    settings: FirmSettings
    cmap: ComplementarityMap
    #: The firm's own types: one per profession, its specialty read from the ideal client
    #: profile with the same keyword rule as partners' specialties.
    firm_types: list[TypeKey]
    firm_words: frozenset[str]
    home: Place | None
    since: dt.datetime
    partners: list[PartnerFacts] = field(default_factory=list)

    def partner(self, partner_id: int) -> PartnerFacts | None:
        return next((p for p in self.partners if p.id == partner_id), None)


async def network_facts(actor: Actor) -> NetworkFacts:
    firm = await Firm.select().where(Firm.id == actor.firm_id).first()
    settings = await firm_settings(actor.firm_id)
    cmap = complementarity_map()
    profile = firm["ideal_client_profile"] or ""
    since = now() - dt.timedelta(days=settings.relationships.window_days)
    facts = NetworkFacts(
        firm_id=actor.firm_id,
        settings=settings,
        cmap=cmap,
        firm_types=[cmap.classify(p, profile) for p in dict.fromkeys(firm["professions"] or [])],
        firm_words=tokens(profile),
        home=locate(
            firm["home_latitude"],
            firm["home_longitude"],
            city=firm["home_city"],
            state=firm["home_state"],
        ),
        since=since,
    )
    rows = (
        await Partner.select(
            Partner.id,
            Partner.name,
            Partner.organisation,
            Partner.profession,
            Partner.specialties,
            Partner.ideal_client,
            Partner.city,
            Partner.state,
            Partner.postal_code,
            Partner.latitude,
            Partner.longitude,
        )
        .where(Partner.firm == actor.firm_id)
        .order_by(Partner.name)
    )
    by_id: dict[int, PartnerFacts] = {}
    for row in rows:
        specialties = list(row["specialties"] or [])
        by_id[row["id"]] = PartnerFacts(
            id=row["id"],
            name=row["name"],
            organisation=row["organisation"],
            profession=row["profession"],
            specialties=specialties,
            type=cmap.classify(row["profession"], specialties),
            words=tokens(specialties, row["ideal_client"] or ""),
            place=locate(
                row["latitude"], row["longitude"], row["postal_code"], row["city"], row["state"]
            ),
        )
    counts = (
        await Referral.select(Referral.partner, Referral.direction, Count(alias="n"))
        .where(
            Referral.firm == actor.firm_id,
            Referral.partner.is_not_null(),
            Referral.referred_at >= since,
        )
        .group_by(Referral.partner, Referral.direction)
    )
    for row in counts:
        partner = by_id.get(row["partner"])
        if partner is not None:
            if row["direction"] == Direction.sent:
                partner.sent = row["n"]
            else:
                partner.received = row["n"]
    touches = (
        await Activity.select(Activity.partner, Count(alias="n"))
        .where(Activity.firm == actor.firm_id, Activity.occurred_on >= since.date())
        .group_by(Activity.partner)
    )
    for row in touches:
        if row["partner"] in by_id:
            by_id[row["partner"]].touchpoints = row["n"]
    facts.partners = list(by_id.values())
    return facts
