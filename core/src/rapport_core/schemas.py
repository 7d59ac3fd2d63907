"""Pydantic schemas: what callers send and receive (API, CLI and web UI alike).

Input models forbid unknown fields so a misspelt field is an error, not silently dropped.
Money travels as a decimal string with two places ("1500.00") and is stored as integer cents.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from rapport_core.emails import Email
from rapport_core.vocabulary import (
    FIXED_SOURCES,
    US_STATES,
    ActivityKind,
    DeclineReason,
    Direction,
    LicenceStatus,
    Profession,
    Registration,
    Role,
    Stage,
)

T = TypeVar("T")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("must include a timezone offset, e.g. 2026-01-31T09:00:00Z")
    return value


def _us_state(value: str) -> str:
    value = value.strip().upper()
    if value and value not in US_STATES:
        raise ValueError(f"{value!r} is not a US state or territory code (e.g. FL, TX)")
    return value


def _partner_source(value: str) -> str:
    if value in FIXED_SOURCES or re.fullmatch(r"crm:[a-z0-9_]+", value):
        return value
    raise ValueError(f"must be one of {', '.join(FIXED_SOURCES)} or crm:<name>")


USState = Annotated[str, AfterValidator(_us_state)]
AwareDatetime = Annotated[dt.datetime, AfterValidator(_aware)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
ShortText = Annotated[str, Field(max_length=300)]
LongText = Annotated[str, Field(max_length=20_000)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _clean_list(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value.strip():
            seen.setdefault(value.strip(), None)
    return list(seen)


# ---------------------------------------------------------------- firms and people


class FirmCreate(Input):
    name: Name
    slug: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
    professions: list[Profession] = []
    jurisdictions: list[USState] = []
    home_city: ShortText | None = None
    home_state: USState | None = None
    home_latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    home_longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    ideal_client_profile: LongText = ""


class FirmOut(Output):
    id: int
    name: str
    slug: str
    professions: list[str]
    jurisdictions: list[str]
    home_city: str | None
    home_state: str | None
    ideal_client_profile: str


class UserCreate(Input):
    email: Email
    name: Name
    role: Role = Role.member
    password: Annotated[str, Field(min_length=8, max_length=200)] | None = None


class UserOut(Output):
    id: int
    firm_id: int
    email: str
    name: str
    role: Role
    active: bool


class TokenOut(Output):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


# ---------------------------------------------------------------- partners


class PartnerFields(Input):
    organisation: ShortText = ""
    specialties: list[Annotated[str, Field(max_length=100)]] = []
    email: Email | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    address: ShortText = ""
    city: Annotated[str, Field(max_length=120)] = ""
    state: USState = ""
    postal_code: Annotated[str, Field(max_length=20)] = ""
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    tags: list[Annotated[str, Field(max_length=60)]] = []
    source: Annotated[str, AfterValidator(_partner_source)] = "manual"
    external_ids: dict[str, str] = {}
    notes: LongText = ""
    ideal_client: LongText = ""
    review_cadence_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    owner_id: int | None = None
    #: As adviser or broker (FINRA 2040 and the SEC marketing rule read it); None: none.
    registration: Registration | None = None

    _clean = field_validator("specialties", "tags")(_clean_list)


class PartnerCreate(PartnerFields):
    name: Name
    profession: Profession


class PartnerUpdate(PartnerFields):
    """Every field optional: only the fields sent are changed."""

    name: Name | None = None
    profession: Profession | None = None


class PartnerOut(Output):
    id: int
    name: str
    organisation: str
    profession: Profession
    specialties: list[str]
    email: str | None
    phone: str | None
    address: str
    city: str
    state: str
    postal_code: str
    latitude: float | None
    longitude: float | None
    tags: list[str]
    source: str
    external_ids: dict[str, str]
    notes: str
    ideal_client: str
    review_cadence_days: int | None
    owner_id: int | None
    registration: Registration | None
    created_at: dt.datetime
    updated_at: dt.datetime


class PartnerSearch(Input):
    q: str | None = None
    profession: Profession | None = None
    specialty: str | None = None
    city: str | None = None
    state: USState | None = None
    page: Annotated[int, Field(ge=1)] = 1
    per_page: Annotated[int, Field(ge=1, le=200)] = 50


# ---------------------------------------------------------------- licences


class LicenceFields(Input):
    number: Annotated[str, Field(max_length=80)] = ""
    status: LicenceStatus = LicenceStatus.active
    expires_on: dt.date | None = None


class LicenceCreate(LicenceFields):
    kind: Annotated[str, Field(min_length=1, max_length=120)]
    jurisdiction: Annotated[str, Field(min_length=2, max_length=10)]


class LicenceUpdate(LicenceFields):
    kind: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    jurisdiction: Annotated[str, Field(min_length=2, max_length=10)] | None = None
    status: LicenceStatus | None = None


class LicenceOut(Output):
    id: int
    partner_id: int
    kind: str
    jurisdiction: str
    number: str
    status: LicenceStatus
    expires_on: dt.date | None


# ---------------------------------------------------------------- referrals


class ReferralFields(Input):
    client_email: Email | None = None
    client_phone: Annotated[str, Field(max_length=40)] | None = None
    client_company: ShortText = ""
    matter_type: Annotated[str, Field(max_length=120)] = ""
    description: LongText = ""
    estimated_value: Money | None = None
    actual_value: Money | None = None
    jurisdiction: Annotated[str, Field(max_length=10)] = ""
    owner_id: int | None = None
    # Facts compliance rules read; None: not recorded (no rule fires on a guess).
    #: CPAs: the client is one the firm audits, reviews or compiles for (AICPA 1.520).
    client_is_attest_client: bool | None = None
    #: RESPA: the business is incident to a real estate settlement service.
    settlement_service: bool | None = None
    #: RESPA: the settlement involves a federally related mortgage loan.
    federally_related_loan: bool | None = None


class ReferralCreate(ReferralFields):
    direction: Direction
    # Omitted on a received referral: the source is unknown.
    partner_id: int | None = None
    client_name: Name
    referred_at: AwareDatetime | None = None


class ReferralUpdate(ReferralFields):
    partner_id: int | None = None
    client_name: Name | None = None
    #: The version the caller last read; a stale version gets 409 instead of overwriting.
    version: int | None = None


class StageChangeIn(Input):
    stage: Stage
    note: LongText = ""
    #: Why a referral was declined (required when declining a received referral).
    reason: DeclineReason | None = None
    #: The matter's actual value, recorded when the referral is engaged.
    actual_value: Money | None = None
    #: When it happened, if not now (e.g. logging yesterday's call); never in the future.
    changed_at: AwareDatetime | None = None
    version: int | None = None


class StageChangeOut(Output):
    from_stage: Stage | None
    to_stage: Stage
    changed_at: dt.datetime
    actor: str
    note: str
    reason: DeclineReason | None = None


class ReferralOut(Output):
    id: int
    direction: Direction
    partner_id: int | None
    partner_name: str | None
    source: str
    client_name: str
    client_email: str | None
    client_phone: str | None
    client_company: str
    matter_type: str
    description: str
    estimated_value: Decimal | None
    actual_value: Decimal | None
    currency: str
    stage: Stage
    next_stages: list[Stage]
    jurisdiction: str
    owner_id: int | None
    referred_at: dt.datetime
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    assigned_by: str
    outcome_reason: DeclineReason | None
    outcome_note: str
    duplicate_of: int | None
    duplicate_override_reason: str | None
    acknowledged_at: dt.datetime | None
    first_contact_at: dt.datetime | None
    closed_at: dt.datetime | None
    last_partner_update_at: dt.datetime | None
    paid_at: dt.datetime | None
    client_is_attest_client: bool | None
    settlement_service: bool | None
    federally_related_loan: bool | None
    history: list[StageChangeOut] | None = None


class ReferralFilter(Input):
    direction: Direction | None = None
    stage: Stage | None = None
    partner_id: int | None = None
    matter_type: str | None = None
    q: str | None = None
    #: "flagged": only referrals flagged as duplicates and not overridden by a person.
    duplicates: Literal["flagged"] | None = None
    page: Annotated[int, Field(ge=1)] = 1
    per_page: Annotated[int, Field(ge=1, le=200)] = 50


# ---------------------------------------------------------------- activities


class ActivityCreate(Input):
    partner_id: int
    kind: ActivityKind
    occurred_on: dt.date
    summary: LongText = ""


class ActivityOut(Output):
    id: int
    partner_id: int
    kind: ActivityKind
    occurred_on: dt.date
    summary: str
    created_by: str
    created_at: dt.datetime


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


class GateFinding(Output):
    """One reason a payout should not go out, from a compliance plugin (``payout_gate``)."""

    rule_id: str
    pack_id: str
    severity: Literal["violation", "warning", "info"]
    message: str
    citation: str
    citation_url: str | None = None
    remediation: str = ""
    finding_id: int | None = None  # the stored finding, when there is one
