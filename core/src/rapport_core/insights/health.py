"""Partner health, 0–100: a weighted mean of components, each scored 0–1 with the sentence
that explains it. Components come from the ``register_health_components`` hook (the built-in
ones in :mod:`rapport_core.insights.health_components`); a component with nothing to judge
(no licence on file, too few closed referrals) is left out and the other weights share its
part. Formulas and settings: docs/insights.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import RapportError
from rapport_core.firm_settings import FirmSettings, HealthSettings
from rapport_core.services.firm_settings import firm_settings
from rapport_core.services.partners import get_partner
from rapport_core.tables import Partner

#: What a component says about one partner: a score from 0 to 1 (None: nothing to judge)
#: and the sentence that explains it.
Rating = tuple[float | None, str]


@dataclass
class HealthContext:
    """What a component is asked about: the partners ``partners`` of this firm, as of this
    moment. ``partner_ids`` is what the caller asked for (None: every partner of the firm, so
    queries need no id list). ``shared`` lets components that read the same figures compute
    them once per evaluation."""

    actor: Actor
    partner_ids: list[int] | None
    partners: list[int]
    as_of: dt.datetime
    settings: FirmSettings
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def health(self) -> HealthSettings:
        return self.settings.health

    @property
    def window_start(self) -> dt.datetime:
        return self.as_of - dt.timedelta(days=self.settings.relationships.window_days)

    def partner_filter(self, column) -> list:
        """``where`` terms limiting a query on ``column`` (a partner id column) to the partners
        asked about. The firm filter is the caller's to add."""
        return [] if self.partner_ids is None else [column.is_in(self.partner_ids or [0])]

    def complete(self, ratings: dict[int, Rating], default: Rating) -> dict[int, Rating]:
        """``ratings`` with ``default`` for each partner a grouped query found no row for."""
        return {pid: ratings.get(pid, default) for pid in self.partners}

    async def once(self, key: str, compute: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self.shared:
            self.shared[key] = await compute()
        return self.shared[key]


@dataclass(frozen=True)
class HealthComponent:
    """A component of partner health. ``rate`` answers for many partners at once (set-based:
    one query for all of them, never one per partner); partners it leaves out are rated
    ``(None, "")``. ``weight`` returns the firm's weight for it."""

    name: str
    label: str
    default_weight: float
    rate: Callable[[HealthContext], Awaitable[dict[int, Rating]]]
    weight: Callable[[HealthSettings], float] | None = None

    def weight_in(self, settings: HealthSettings) -> float:
        if self.weight is not None:
            return self.weight(settings)
        return settings.plugin_weights.get(self.name, self.default_weight)


class Band(StrEnum):
    strong = "strong"
    steady = "steady"
    at_risk = "at_risk"
    cold = "cold"


class ComponentScore(BaseModel):
    name: str
    label: str
    weight: float
    #: 0–1, or None when there is nothing to judge (the component is then left out).
    score: float | None
    #: This component's share of the total, in points out of 100 (0 when left out).
    points: float
    explanation: str


class PartnerHealth(BaseModel):
    partner_id: int
    partner_name: str
    score: int
    band: Band
    components: list[ComponentScore]
    #: How the total was reached, in words: which components counted.
    explanation: str


def health_components(pm=None) -> list[HealthComponent]:
    """Every component offered through the hook, built-in ones first. Two with one name: error."""
    if pm is None:
        from rapport_core.plugins import get_plugin_manager

        pm = get_plugin_manager()
    components: dict[str, HealthComponent] = {}

    def register(component: HealthComponent) -> None:
        if component.name in components:
            raise RapportError(f"two partner health components are named {component.name!r}")
        components[component.name] = component

    pm.hook.register_health_components(register=register)
    return list(components.values())


def band_of(score: int, settings: HealthSettings) -> Band:
    if score >= settings.band_strong:
        return Band.strong
    if score >= settings.band_steady:
        return Band.steady
    if score >= settings.band_at_risk:
        return Band.at_risk
    return Band.cold


def combine(
    partner_id: int,
    partner_name: str,
    ratings: list[tuple[HealthComponent, Rating]],
    settings: HealthSettings,
) -> PartnerHealth:
    """The weighted mean of the components that have something to judge, as 0–100."""
    counted = [
        (c, c.weight_in(settings), score)
        for c, (score, _) in ratings
        if score is not None and c.weight_in(settings) > 0
    ]
    total_weight = sum(weight for _, weight, _ in counted)
    points = {
        c.name: 100 * weight * score / total_weight for c, weight, score in counted if total_weight
    }
    score = round(sum(points.values()))
    left_out = [c.label.lower() for c, (s, _) in ratings if s is None]
    explanation = f"Weighted mean of {len(counted)} components"
    if left_out:
        explanation += f"; left out for lack of data: {', '.join(left_out)}"
    return PartnerHealth(
        partner_id=partner_id,
        partner_name=partner_name,
        score=score,
        band=band_of(score, settings),
        components=[
            ComponentScore(
                name=c.name,
                label=c.label,
                weight=c.weight_in(settings),
                score=None if s is None else round(min(1.0, max(0.0, s)), 3),
                points=round(points.get(c.name, 0.0), 1),
                explanation=text,
            )
            for c, (s, text) in ratings
        ],
        explanation=explanation + ".",
    )


async def _evaluate(actor: Actor, partner_ids: list[int] | None, as_of: dt.datetime | None):
    names = await Partner.select(Partner.id, Partner.name).where(
        Partner.firm == actor.firm_id,
        *([] if partner_ids is None else [Partner.id.is_in(partner_ids or [0])]),
    )
    context = HealthContext(
        actor=actor,
        partner_ids=partner_ids,
        partners=[row["id"] for row in names],
        as_of=as_of or now(),
        settings=await firm_settings(actor.firm_id),
    )
    answers = [(c, await c.rate(context)) for c in health_components()]
    return [
        combine(
            row["id"],
            row["name"],
            [(c, answer.get(row["id"], (None, ""))) for c, answer in answers],
            context.health,
        )
        for row in names
    ]


async def partner_health(
    actor: Actor, partner_id: int, *, as_of: dt.datetime | None = None
) -> PartnerHealth:
    await get_partner(actor, partner_id)  # another firm's partner: NotFound
    return (await _evaluate(actor, [partner_id], as_of))[0]


async def all_partner_health(
    actor: Actor, *, as_of: dt.datetime | None = None
) -> list[PartnerHealth]:
    """Every partner of the firm, weakest first."""
    return sorted(await _evaluate(actor, None, as_of), key=lambda h: (h.score, h.partner_name))
