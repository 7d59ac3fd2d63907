"""What the network's services return (API responses, CLI JSON, page context)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Component(BaseModel):
    """One 0–1 part of a score, with the weight it carries and why it is what it is."""

    score: float
    weight: float
    explanation: str


class Quadrant(StrEnum):
    core = "core"  # high alignment, high activity
    opportunity = "opportunity"  # high alignment, low activity
    generous = "generous"  # low alignment, high activity
    casual = "casual"  # low alignment, low activity


class Activity(BaseModel):
    sent: int
    received: int
    total: int


class MatrixPartner(BaseModel):
    partner_id: int
    name: str
    profession: str
    partner_type: str
    type_label: str
    alignment: float
    components: dict[str, Component]
    activity: Activity
    quadrant: Quadrant


class QuadrantSummary(BaseModel):
    quadrant: Quadrant
    label: str
    action: str
    count: int
    partners: list[dict]


class Matrix(BaseModel):
    window_days: int
    alignment_high: float
    activity_high: int
    firm_types: list[str]
    quadrants: list[QuadrantSummary]
    partners: list[MatrixPartner]


class GapStatus(StrEnum):
    missing = "missing"
    too_few = "too_few"
    ok = "ok"
    too_many = "too_many"


class Gap(BaseModel):
    partner_type: str
    label: str
    strength: float
    have: int
    core: int
    target_min: int
    target_max: int
    status: GapStatus
    suggestion: str


class Gaps(BaseModel):
    firm_types: list[str]
    core_partners_min: int
    core_partners_max: int
    gaps: list[Gap]


class Match(BaseModel):
    partner_id: int | None
    name: str
    profession: str
    partner_type: str
    type_label: str
    score: float
    components: dict[str, Component]


class Matches(BaseModel):
    #: Whom the candidates are matched to: the firm, or one partner's clients.
    for_partner_id: int | None
    for_name: str
    matches: list[Match]
