"""Per-firm parameters of the lifecycle and relationship formulas, with their defaults.

A firm stores only the values it changed (see :class:`~rapport_core.tables.FirmSetting`);
everything else follows these defaults. Each field's description is shown beside it in the
API schema, the CLI and the settings page, so keep them short and in plain words.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

from rapport_core.vocabulary import DraftDetail, FirmRegistration


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


Days = Annotated[int, Field(ge=1, le=3650)]
Hours = Annotated[float, Field(gt=0, le=24 * 90)]


class IntakeSettings(Section):
    duplicate_lookback_days: Days = Field(
        90,
        description="A referral of a client already referred within this many days is flagged as a duplicate.",
    )


class SlaSettings(Section):
    acknowledge_hours: Hours = Field(
        4, description="A received referral is acknowledged within this many hours."
    )
    first_contact_hours: Hours = Field(
        24, description="The referred client is first contacted within this many hours."
    )
    partner_update_days: Days = Field(
        7,
        description="While a received referral is open, the referring partner hears from us at least this often.",
    )


class ClosedLoopSettings(Section):
    detail_level: DraftDetail = Field(
        DraftDetail.first_name,
        description="How much of the client an update to the referring partner may reveal: none, first_name or full.",
    )
    signature: str = Field("", max_length=2000, description="Closing lines added to every update.")
    reply_to: EmailStr | None = Field(
        None, description="Reply-To address for updates sent by email."
    )


class RelationshipSettings(Section):
    window_days: Days = Field(
        365, description="Rolling window for reciprocity, activity and the partner matrix."
    )
    dormant_days: Days = Field(
        60,
        description="A partner with no referral and no touchpoint for this many days is dormant.",
    )
    stalled_days: Days = Field(
        14, description="An open referral with no stage change for this many days has stalled."
    )
    owed_half_life_days: Days = Field(
        90, description="In “who do I owe”, a referral counts half as much after this many days."
    )
    core_partners_min: Annotated[int, Field(ge=1, le=100)] = Field(
        5, description="Fewest core partners a healthy network has."
    )
    core_partners_max: Annotated[int, Field(ge=1, le=100)] = Field(
        10, description="Most core partners one person can keep up with."
    )


Weight = Annotated[float, Field(ge=0, le=100)]
Share = Annotated[float, Field(ge=0, le=1)]


def _some_weight(prefix: str):
    """Validator for a section's last weight: the weights must not all be zero."""

    def check(cls, value: float, info: ValidationInfo) -> float:
        others = [v for k, v in info.data.items() if k.startswith(prefix)]
        if value + sum(others) <= 0:
            raise ValueError("the weights cannot all be zero")
        return value

    return check


class MatrixSettings(Section):
    """The referral partner matrix and network gaps (docs/network.md)."""

    weight_complementarity: Weight = Field(
        0.5, description="Alignment weight of how well the partner's profession complements ours."
    )
    weight_client_overlap: Weight = Field(
        0.3, description="Alignment weight of the partner's specialties matching our ideal client."
    )
    weight_geography: Weight = Field(
        0.2, description="Alignment weight of how close the partner works to our office."
    )
    alignment_high: Share = Field(
        0.5, description="Alignment (0-1) at or above which a partner counts as well aligned."
    )
    activity_high: Annotated[int, Field(ge=1, le=10000)] = Field(
        4,
        description="Referrals both ways in the window at or above which a partner is active.",
    )
    gap_min_strength: Share = Field(
        0.6,
        description="Partner types at least this complementary (0-1) are checked for gaps.",
    )

    _weights = field_validator("weight_geography")(_some_weight("weight_"))


class MatchingSettings(Section):
    """Partner matching and the geography of the matrix (docs/network.md)."""

    weight_complementarity: Weight = Field(
        0.4, description="Match weight of specialty complementarity."
    )
    weight_distance: Weight = Field(0.2, description="Match weight of nearness.")
    weight_client_fit: Weight = Field(0.25, description="Match weight of ideal client overlap.")
    weight_network_depth: Weight = Field(
        0.15, description="Match weight of shared history (referrals and touchpoints)."
    )
    max_distance_miles: Annotated[float, Field(gt=0, le=5000)] = Field(
        50, description="Beyond this distance in miles, nearness scores zero."
    )
    depth_full: Annotated[int, Field(ge=1, le=1000)] = Field(
        6,
        description="Referrals plus touchpoints in the window that count as a full shared history.",
    )

    _weights = field_validator("weight_network_depth")(_some_weight("weight_"))


class HealthSettings(Section):
    """Partner health, 0–100, from weighted components (docs/insights.md)."""

    weight_recency_referral: Weight = Field(
        20, description="Weight of the last referral's recency."
    )
    weight_recency_touchpoint: Weight = Field(
        10, description="Weight of the last touchpoint's recency."
    )
    weight_frequency: Weight = Field(15, description="Weight of referrals in the window.")
    weight_conversion: Weight = Field(15, description="Weight of their referrals' conversion.")
    weight_value: Weight = Field(15, description="Weight of the value they sent in the window.")
    weight_reciprocity: Weight = Field(10, description="Weight of balance between the two ways.")
    weight_responsiveness: Weight = Field(
        5, description="Weight of how fast they answer referrals you send."
    )
    weight_licence: Weight = Field(10, description="Weight of their licence status.")
    plugin_weights: dict[str, Weight] = Field(
        default_factory=dict,
        description="Weights of components added by plugins, as name=weight, comma-separated "
        "(a plugin's own default otherwise).",
    )
    recency_full_days: Days = Field(30, description="Recency scores full marks up to this age.")
    recency_zero_days: Days = Field(365, description="Recency scores nothing from this age.")
    target_referrals_per_year: Annotated[int, Field(ge=1, le=1000)] = Field(
        6, description="Referrals either way a year that score full marks for frequency."
    )
    value_full_dollars: Annotated[int, Field(ge=1)] = Field(
        50_000, description="Engaged value in the window that scores full marks."
    )
    conversion_min_closed: Annotated[int, Field(ge=1, le=100)] = Field(
        3, description="Closed referrals from a partner needed before conversion counts."
    )
    response_full_hours: Hours = Field(48, description="Answers this fast score full marks.")
    response_zero_hours: Hours = Field(336, description="Answers this slow score nothing.")
    licence_warning_days: Days = Field(
        60, description="A licence expiring within this many days scores half."
    )
    band_strong: Annotated[int, Field(ge=1, le=100)] = Field(70, description="Strong from here.")
    band_steady: Annotated[int, Field(ge=1, le=100)] = Field(45, description="Steady from here.")
    band_at_risk: Annotated[int, Field(ge=1, le=100)] = Field(
        25, description="At risk from here; below it, cold."
    )

    _weights = field_validator("weight_licence")(_some_weight("weight_"))

    @field_validator("plugin_weights", mode="before")
    @classmethod
    def _weights_as_text(cls, value):
        """The settings form and the CLI send ``name=weight, name=weight``."""
        if not isinstance(value, str):
            return value
        pairs = [part.strip() for part in value.split(",") if part.strip()]
        if any("=" not in pair for pair in pairs):
            raise ValueError("write name=weight pairs separated by commas, e.g. hello=5")
        return {k.strip(): v.strip() for k, v in (pair.split("=", 1) for pair in pairs)}

    @field_validator("recency_zero_days")
    @classmethod
    def _recency_order(cls, value: int, info: ValidationInfo) -> int:
        if value <= info.data.get("recency_full_days", 0):
            raise ValueError("must be more than recency_full_days")
        return value

    @field_validator("response_zero_hours")
    @classmethod
    def _response_order(cls, value: float, info: ValidationInfo) -> float:
        if value <= info.data.get("response_full_hours", 0):
            raise ValueError("must be more than response_full_hours")
        return value

    @field_validator("band_at_risk")
    @classmethod
    def _band_order(cls, value: int, info: ValidationInfo) -> int:
        if not value < info.data.get("band_steady", 101) < info.data.get("band_strong", 101):
            raise ValueError("bands must rise: band_at_risk < band_steady < band_strong")
        return value


def _list_from_text(value):
    """The settings form and the CLI send lists as ``30, 60, 90`` (the form shows ``[30, 60]``)."""
    if isinstance(value, str):
        return [part.strip() for part in value.strip("[] ").split(",") if part.strip()]
    return value


class MoneySettings(Section):
    """Fees and payouts (docs/money.md)."""

    closed_tax_years: list[Annotated[int, Field(ge=1900, le=2200)]] = Field(
        default_factory=list,
        description="Tax years already filed, comma-separated: a payment dated in one needs a reason.",
    )

    _years_as_text = field_validator("closed_tax_years", mode="before")(_list_from_text)


class AgreementSettings(Section):
    """Agreement documents (docs/agreements.md)."""

    expiry_warning_days: list[Days] = Field(
        default_factory=lambda: [30, 60, 90],
        min_length=1,
        max_length=5,
        description="Warn this many days before an agreement expires, comma-separated.",
    )

    _days_as_text = field_validator("expiry_warning_days", mode="before")(_list_from_text)

    @field_validator("expiry_warning_days")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        return sorted(set(value))


class ComplianceFacts(Section):
    """What the firm records about itself for the compliance rules (docs/facts.md)."""

    registration: FirmRegistration | None = Field(
        None,
        description="The firm's registration, read by the FINRA and SEC rule packs: sec_ria, "
        "state_ria or finra_bd (blank: not registered).",
    )


class FirmSettings(Section):
    """Everything a firm can tune. Later capabilities add their own sections."""

    intake: IntakeSettings = IntakeSettings()
    sla: SlaSettings = SlaSettings()
    closed_loop: ClosedLoopSettings = ClosedLoopSettings()
    relationships: RelationshipSettings = RelationshipSettings()
    matrix: MatrixSettings = MatrixSettings()
    matching: MatchingSettings = MatchingSettings()
    health: HealthSettings = HealthSettings()
    money: MoneySettings = MoneySettings()
    agreements: AgreementSettings = AgreementSettings()
    compliance: ComplianceFacts = ComplianceFacts()
