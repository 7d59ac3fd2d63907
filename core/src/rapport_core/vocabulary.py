"""The closed vocabularies of the core domain. Values are stored and sent as these strings."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    compliance = "compliance"
    member = "member"
    viewer = "viewer"

    @property
    def can_write(self) -> bool:
        return self is not Role.viewer

    @property
    def can_manage_users(self) -> bool:
        return self in (Role.owner, Role.admin)


class Profession(StrEnum):
    attorney = "attorney"
    cpa = "cpa"
    financial_advisor = "financial_advisor"
    broker_dealer = "broker_dealer"
    insurance_agent = "insurance_agent"
    real_estate_agent = "real_estate_agent"
    mortgage_lender = "mortgage_lender"
    other = "other"

    @property
    def label(self) -> str:
        return PROFESSION_LABELS[self]


PROFESSION_LABELS = {
    Profession.attorney: "Attorney",
    Profession.cpa: "CPA",
    Profession.financial_advisor: "Financial advisor",
    Profession.broker_dealer: "Broker-dealer",
    Profession.insurance_agent: "Insurance agent",
    Profession.real_estate_agent: "Real estate agent",
    Profession.mortgage_lender: "Mortgage lender",
    Profession.other: "Other",
}


class Registration(StrEnum):
    """How an adviser or broker is registered (compliance rules read it; absent: none)."""

    sec_ria = "sec_ria"  # investment adviser registered with the SEC
    state_ria = "state_ria"  # investment adviser registered with a state
    finra_bd = "finra_bd"  # broker-dealer, FINRA member
    finra_rr = "finra_rr"  # registered representative of a broker-dealer (people only)

    @property
    def label(self) -> str:
        return REGISTRATION_LABELS[self]


REGISTRATION_LABELS = {
    Registration.sec_ria: "SEC-registered investment adviser",
    Registration.state_ria: "State-registered investment adviser",
    Registration.finra_bd: "FINRA broker-dealer",
    Registration.finra_rr: "FINRA registered representative",
}
#: A firm's registration: a firm is not a registered representative.
FirmRegistration = StrEnum(
    "FirmRegistration", {r.name: r.value for r in Registration if r is not Registration.finra_rr}
)
#: Professions whose registration rules read (FINRA 2040, the SEC marketing rule).
REGISTERED_PROFESSIONS = frozenset({Profession.financial_advisor, Profession.broker_dealer})
#: Professions that make a referral's RESPA facts relevant (settlement service providers).
RESPA_PROFESSIONS = frozenset({Profession.real_estate_agent, Profession.mortgage_lender})


class Direction(StrEnum):
    sent = "sent"
    received = "received"


class Stage(StrEnum):
    # received
    submitted = "submitted"
    acknowledged = "acknowledged"
    contacted = "contacted"
    qualified = "qualified"
    # sent
    introduced = "introduced"
    accepted = "accepted"
    # outcomes
    engaged = "engaged"
    declined = "declined"
    lost = "lost"


#: Where each direction's referrals start, and which stages may follow which.
FIRST_STAGE = {Direction.received: Stage.submitted, Direction.sent: Stage.introduced}
NEXT_STAGES: dict[Direction, dict[Stage, tuple[Stage, ...]]] = {
    Direction.received: {
        Stage.submitted: (Stage.acknowledged, Stage.declined, Stage.lost),
        Stage.acknowledged: (Stage.contacted, Stage.declined, Stage.lost),
        Stage.contacted: (Stage.qualified, Stage.declined, Stage.lost),
        Stage.qualified: (Stage.engaged, Stage.declined, Stage.lost),
        Stage.engaged: (),
        Stage.declined: (),
        Stage.lost: (),
    },
    Direction.sent: {
        Stage.introduced: (Stage.accepted, Stage.declined),
        Stage.accepted: (Stage.engaged, Stage.declined),
        Stage.engaged: (),
        Stage.declined: (),
    },
}


#: Stages after which a referral is closed.
CLOSED_STAGES = frozenset({Stage.engaged, Stage.declined, Stage.lost})
#: The others (queries ask for these by value: an index finds them, a NOT IN must scan).
OPEN_STAGES = tuple(stage for stage in Stage if stage not in CLOSED_STAGES)
#: The stage whose first arrival marks each milestone column of a referral.
MILESTONES = {
    Stage.acknowledged: "acknowledged_at",
    Stage.contacted: "first_contact_at",
}


class DeclineReason(StrEnum):
    duplicate = "duplicate"
    conflict = "conflict"
    bad_fit = "bad_fit"
    incomplete = "incomplete"
    other = "other"


class DraftStatus(StrEnum):
    pending = "pending"
    sending = "sending"  # approved; claimed by one sender while the mail goes out
    sent = "sent"  # approved and delivered by SMTP
    approved = "approved"  # approved; no SMTP configured, ready to copy
    discarded = "discarded"


class DraftDetail(StrEnum):
    """How much of the client a closed-loop draft may reveal to the referring partner."""

    none = "none"  # "the person you referred": no name, no matter
    first_name = "first_name"  # first name and stage
    full = "full"  # name, matter type and stage


class ActivityKind(StrEnum):
    meeting = "meeting"
    call = "call"
    email = "email"
    event = "event"
    note = "note"


class LicenceStatus(StrEnum):
    active = "active"
    pending = "pending"
    inactive = "inactive"
    suspended = "suspended"
    revoked = "revoked"
    expired = "expired"


#: Partner sources other than ``crm:<name>`` (which is open-ended).
FIXED_SOURCES = ("manual", "csv", "vcard", "provisors", "assistant")
UNKNOWN_SOURCE_LABEL = "referral — source unknown"

US_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "PR",
    "VI",
    "GU",
    "AS",
    "MP",
]
