"""API shapes of the compliance engine."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from rapport_core.schemas import Input, Output


class FindingOut(Output):
    id: int
    rule_id: str
    pack_id: str
    pack_version: str
    severity: Literal["violation", "warning", "info"]
    rule_subject: str
    subject_type: Literal["referral", "partner"]
    subject_id: int
    partner_id: int | None
    referral_id: int | None
    title: str
    message: str
    citation: str
    citation_url: str | None
    remediation: str
    facts: dict[str, Any]
    status: Literal["open", "waived", "resolved"]
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    resolved_at: dt.datetime | None
    waived_by: str | None
    waived_at: dt.datetime | None
    waive_reason: str | None


class WaiveIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class EvaluateIn(Input):
    as_of: dt.date | None = None


class EvaluationOut(Output):
    documents: int
    opened: int
    resolved: int
    open: int
    packs: list[str]


class PackOut(Output):
    id: str
    title: str
    version: str
    jurisdiction: str
    professions: list[str]
    extends: list[str]
    rules: list[str]
    enabled: bool
    pinned: str | None
    active: bool


class FailedPackOut(Output):
    directory: str
    problems: list[str]


class PacksOut(Output):
    packs: list[PackOut]
    failed: list[FailedPackOut]


class EnableIn(Input):
    packs: list[str]


class UpgradePreviewOut(Output):
    pinned: str | None
    installed: str
    appear: list[dict[str, Any]]
    disappear: list[dict[str, Any]]
