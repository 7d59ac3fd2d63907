"""The referral partner matrix: every partner placed by alignment (how well they fit the
firm) against activity (referrals both ways in the window). Formulas: docs/network.md."""

from __future__ import annotations

from rapport_core.actors import Actor
from rapport_core.network.complementarity import key_name
from rapport_core.network.facts import NetworkFacts, PartnerFacts, network_facts
from rapport_core.network.geo import nearness
from rapport_core.network.schemas import (
    Activity,
    Component,
    Matrix,
    MatrixPartner,
    Quadrant,
    QuadrantSummary,
)
from rapport_core.network.tokens import overlap

QUADRANTS = {
    Quadrant.core: (
        "Core",
        "Protect: meet quarterly, thank every referral, and send them yours first.",
    ),
    Quadrant.opportunity: (
        "Opportunity",
        "Invest: book a one-on-one and give first by sending them a referral.",
    ),
    Quadrant.generous: (
        "Generous",
        "Thank them and reciprocate where it fits, without over-investing.",
    ),
    Quadrant.casual: ("Casual", "Maintain: a light touch now and then."),
}


def weighted(components: dict[str, Component]) -> float:
    """Σ weight × score / Σ weight, to four places."""
    total = sum(c.weight for c in components.values())
    return round(sum(c.weight * c.score for c in components.values()) / total, 4)


def complementarity(facts: NetworkFacts, partner_type, weight: float) -> Component:
    if not facts.firm_types:
        return Component(score=0, weight=weight, explanation="the firm has no profession set")
    best = max(facts.firm_types, key=lambda own: facts.cmap.strength(own, partner_type))
    score = facts.cmap.strength(best, partner_type)
    pair = f"{facts.cmap.label(best)} and {facts.cmap.label(partner_type)}"
    return Component(score=score, weight=weight, explanation=f"{pair}: {score:g} in the map")


def client_overlap(words, profile_words, weight: float, whose: str) -> Component:
    shared = sorted(words & profile_words)
    score = round(overlap(words, profile_words), 4)
    if not words or not profile_words:
        why = "no specialties or ideal client to compare" if not words else f"no {whose} set"
    elif shared:
        why = f"shares {', '.join(shared[:6])} with {whose}"
    else:
        why = f"nothing in common with {whose}"
    return Component(score=score, weight=weight, explanation=why)


def alignment_components(facts: NetworkFacts, partner: PartnerFacts) -> dict[str, Component]:
    weights = facts.settings.matrix
    geo, why = nearness(facts.home, partner.place, facts.settings.matching.max_distance_miles)
    return {
        "complementarity": complementarity(facts, partner.type, weights.weight_complementarity),
        "client_overlap": client_overlap(
            partner.words,
            facts.firm_words,
            weights.weight_client_overlap,
            "our ideal client profile",
        ),
        "geography": Component(
            score=round(geo, 4), weight=weights.weight_geography, explanation=why
        ),
    }


def place(facts: NetworkFacts, partner: PartnerFacts) -> MatrixPartner:
    settings = facts.settings.matrix
    components = alignment_components(facts, partner)
    alignment = weighted(components)
    high_alignment = alignment >= settings.alignment_high
    high_activity = partner.referrals >= settings.activity_high
    quadrant = {
        (True, True): Quadrant.core,
        (True, False): Quadrant.opportunity,
        (False, True): Quadrant.generous,
        (False, False): Quadrant.casual,
    }[(high_alignment, high_activity)]
    return MatrixPartner(
        partner_id=partner.id,
        name=partner.name,
        profession=partner.profession,
        partner_type=key_name(partner.type),
        type_label=facts.cmap.label(partner.type),
        alignment=alignment,
        components=components,
        activity=Activity(sent=partner.sent, received=partner.received, total=partner.referrals),
        quadrant=quadrant,
    )


def build_matrix(facts: NetworkFacts) -> Matrix:
    placed = [place(facts, partner) for partner in facts.partners]
    summaries = []
    for quadrant, (label, action) in QUADRANTS.items():
        members = sorted(
            (p for p in placed if p.quadrant is quadrant),
            key=lambda p: (-p.alignment, -p.activity.total, p.name),
        )
        summaries.append(
            QuadrantSummary(
                quadrant=quadrant,
                label=label,
                action=action,
                count=len(members),
                partners=[{"id": p.partner_id, "name": p.name} for p in members],
            )
        )
    return Matrix(
        window_days=facts.settings.relationships.window_days,
        alignment_high=facts.settings.matrix.alignment_high,
        activity_high=facts.settings.matrix.activity_high,
        firm_types=[key_name(key) for key in facts.firm_types],
        quadrants=summaries,
        partners=placed,
    )


async def partner_matrix(actor: Actor) -> Matrix:
    return build_matrix(await network_facts(actor))
