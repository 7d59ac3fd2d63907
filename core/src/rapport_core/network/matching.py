"""Partner matching: candidates scored for the firm, or for one partner's clients, by
complementarity, nearness, client fit and shared history. Formulas: docs/network.md.

Candidates come from *sources*: async callables ``(actor, facts) -> list[Candidate]``. The
built-in one offers the firm's existing partners; a directory plugin can append its own to
``CANDIDATE_SOURCES``, with ``partner_id=None`` for people not yet in the firm's network.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rapport_core.actors import Actor
from rapport_core.errors import NotFound
from rapport_core.network.complementarity import TypeKey, key_name
from rapport_core.network.facts import NetworkFacts, network_facts
from rapport_core.network.geo import Place, nearness
from rapport_core.network.matrix import client_overlap, weighted
from rapport_core.network.schemas import Component, Match, Matches


@dataclass(frozen=True)
class Candidate:
    partner_id: int | None
    name: str
    profession: str
    type: TypeKey
    words: frozenset[str]
    place: Place | None
    #: The firm's shared history with the candidate, within the window.
    referrals: int = 0
    touchpoints: int = 0


async def existing_partners(actor: Actor, facts: NetworkFacts) -> list[Candidate]:
    return [
        Candidate(p.id, p.name, p.profession, p.type, p.words, p.place, p.referrals, p.touchpoints)
        for p in facts.partners
    ]


CandidateSource = Callable[[Actor, NetworkFacts], Awaitable[list[Candidate]]]
CANDIDATE_SOURCES: list[CandidateSource] = [existing_partners]


@dataclass(frozen=True)
class Target:
    """Whom the candidates should complement."""

    partner_id: int | None
    name: str
    types: list[TypeKey]
    words: frozenset[str]
    place: Place | None
    whose: str


def firm_target(facts: NetworkFacts, firm_name: str) -> Target:
    return Target(
        None, firm_name, facts.firm_types, facts.firm_words, facts.home, "our ideal client profile"
    )


def score(facts: NetworkFacts, target: Target, candidate: Candidate) -> Match:
    weights = facts.settings.matching
    cmap = facts.cmap
    if target.types:
        best = max(target.types, key=lambda own: cmap.strength(own, candidate.type))
        strength = cmap.strength(best, candidate.type)
        why = f"{cmap.label(best)} and {cmap.label(candidate.type)}: {strength:g} in the map"
    else:
        strength, why = 0.0, "no profession to complement"
    near, near_why = nearness(target.place, candidate.place, weights.max_distance_miles)
    shared = candidate.referrals + candidate.touchpoints
    depth = min(1.0, shared / weights.depth_full)
    components = {
        "complementarity": Component(
            score=strength, weight=weights.weight_complementarity, explanation=why
        ),
        "distance": Component(
            score=round(near, 4), weight=weights.weight_distance, explanation=near_why
        ),
        "client_fit": client_overlap(
            candidate.words, target.words, weights.weight_client_fit, target.whose
        ),
        "network_depth": Component(
            score=round(depth, 4),
            weight=weights.weight_network_depth,
            explanation=(
                f"{candidate.referrals} referral(s) and {candidate.touchpoints} touchpoint(s) "
                f"with us in the window; full at {weights.depth_full}"
            ),
        ),
    }
    return Match(
        partner_id=candidate.partner_id,
        name=candidate.name,
        profession=candidate.profession,
        partner_type=key_name(candidate.type),
        type_label=cmap.label(candidate.type),
        score=weighted(components),
        components=components,
    )


async def partner_matches(
    actor: Actor,
    partner_id: int | None = None,
    limit: int = 10,
    facts: NetworkFacts | None = None,
) -> Matches:
    """The best ``limit`` candidates for the firm, or for the clients of ``partner_id``.
    Pass ``facts`` already gathered for the same actor to skip gathering them again."""
    from rapport_core.services.firms import get_firm

    facts = facts or await network_facts(actor)
    if partner_id is None:
        target = firm_target(facts, (await get_firm(actor.firm_id)).name)
    else:
        partner = facts.partner(partner_id)
        if partner is None:
            raise NotFound(f"partner {partner_id} not found", field="partner_id")
        target = Target(
            partner.id,
            partner.name,
            [partner.type],
            partner.words,
            partner.place,
            f"{partner.name}'s specialties and clients",
        )
    candidates = [c for source in CANDIDATE_SOURCES for c in await source(actor, facts)]
    matches = [
        score(facts, target, c)
        for c in candidates
        if partner_id is None or c.partner_id != partner_id
    ]
    matches.sort(key=lambda m: (-m.score, m.name))
    return Matches(for_partner_id=partner_id, for_name=target.name, matches=matches[:limit])
