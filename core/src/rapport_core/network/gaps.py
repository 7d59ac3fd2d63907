"""Network gaps: the complementary partner types (from the map) the firm lacks, or has too
few or too many core partners of. Formulas: docs/network.md."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

from rapport_core.actors import Actor
from rapport_core.network.complementarity import generic, key_name
from rapport_core.network.facts import NetworkFacts, network_facts
from rapport_core.network.matrix import build_matrix
from rapport_core.network.schemas import Gap, Gaps, GapStatus, Quadrant


def round_half_even(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def suggestion(status: GapStatus, label: str, core: int, target_min: int) -> str:
    plural = label.lower() + ("" if label.endswith("s") else "s")
    if status is GapStatus.missing:
        article = "an" if label[:1].lower() in "aeiou" else "a"
        return f"Find {article} {label.lower()}: ask your core partners for an introduction."
    if status is GapStatus.too_few:
        return (
            f"Grow {target_min - core} more core relationship(s) with {plural}: "
            "give first, then meet one-on-one."
        )
    if status is GapStatus.too_many:
        return f"More core {plural} than you can keep up with: focus on the strongest."
    return "Enough core partners of this type: keep them close."


def build_gaps(facts: NetworkFacts) -> Gaps:
    settings = facts.settings
    low, high = settings.relationships.core_partners_min, settings.relationships.core_partners_max
    wanted = {
        key: strength
        for key, strength in facts.cmap.complements_of(facts.firm_types).items()
        if strength >= settings.matrix.gap_min_strength
    }
    quadrants = {p.partner_id: p.quadrant for p in build_matrix(facts).partners}
    have = dict.fromkeys(wanted, 0)
    core = dict.fromkeys(wanted, 0)
    for partner in facts.partners:
        # A partner counts once: for its own type, else for its bare profession.
        key = partner.type if partner.type in wanted else generic(partner.type)
        if key not in wanted:
            continue
        have[key] += 1
        core[key] += quadrants[partner.id] is Quadrant.core
    total = sum(wanted.values())
    gaps = []
    for key, strength in wanted.items():
        share = strength / total
        target_min = max(1, round_half_even(low * share))
        target_max = max(target_min, math.ceil(high * share))
        if have[key] == 0:
            status = GapStatus.missing
        elif core[key] < target_min:
            status = GapStatus.too_few
        elif core[key] > target_max:
            status = GapStatus.too_many
        else:
            status = GapStatus.ok
        label = facts.cmap.label(key)
        gaps.append(
            Gap(
                partner_type=key_name(key),
                label=label,
                strength=strength,
                have=have[key],
                core=core[key],
                target_min=target_min,
                target_max=target_max,
                status=status,
                suggestion=suggestion(status, label, core[key], target_min),
            )
        )
    order = list(GapStatus)
    gaps.sort(key=lambda g: (order.index(g.status), -g.strength, g.label))
    return Gaps(
        firm_types=[key_name(key) for key in facts.firm_types],
        core_partners_min=low,
        core_partners_max=high,
        gaps=gaps,
    )


async def network_gaps(actor: Actor) -> Gaps:
    return build_gaps(await network_facts(actor))
