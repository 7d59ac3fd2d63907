"""Piccolo tables: the durable shape of Rapport's core domain.

Every firm-owned row carries ``firm``; services filter on it in every query, so one firm never
sees another's rows. Money is stored in integer cents; times are timezone-aware (UTC).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Array,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

# Tables find their engine through PICCOLO_CONF when they are defined; importing db first
# points it at Rapport's configuration for any program that imports tables directly.
from rapport_core import db  # noqa: F401, I001


class Firm(Table, tablename="rapport_firm"):
    """The tenant: one practice and everything it owns."""

    name = Varchar(length=200)
    slug = Varchar(length=80, unique=True, index=True)
    professions = Array(Varchar(length=40))
    jurisdictions = Array(Varchar(length=2))
    home_city = Varchar(length=120, null=True, default=None)
    home_state = Varchar(length=2, null=True, default=None)
    home_latitude = DoublePrecision(null=True, default=None)
    home_longitude = DoublePrecision(null=True, default=None)
    ideal_client_profile = Text(default="")
    created_at = Timestamptz()


class User(Table, tablename="rapport_user"):
    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    email = Varchar(length=254, unique=True, index=True)
    name = Varchar(length=200)
    role = Varchar(length=20)
    password_hash = Varchar(length=200, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)


class ApiToken(Table, tablename="rapport_api_token"):
    """A bearer token. Only a SHA-256 digest is stored; the token is shown once at creation."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True, index=True)
    prefix = Varchar(length=16)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Partner(Table, tablename="rapport_partner"):
    """A referral partner: someone who sends clients to the firm or receives them."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200)
    organisation = Varchar(length=200, default="")
    profession = Varchar(length=40)
    specialties = Array(Varchar(length=100))
    email = Varchar(length=254, null=True, default=None)
    phone = Varchar(length=40, null=True, default=None)
    address = Varchar(length=300, default="")
    city = Varchar(length=120, default="")
    state = Varchar(length=2, default="")
    postal_code = Varchar(length=20, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    tags = Array(Varchar(length=60))
    source = Varchar(length=60, default="manual")
    external_ids = JSON(default="{}")
    notes = Text(default="")
    ideal_client = Text(default="")
    review_cadence_days = Integer(null=True, default=None)
    owner = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    # sec_ria | state_ria | finra_bd | finra_rr (vocabulary.Registration); null: none on file.
    registration = Varchar(length=20, null=True, default=None)
    # Lower-cased "|specialty|…|" so a specialty search is one portable LIKE on both engines.
    specialty_index = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Licence(Table, tablename="rapport_licence"):
    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=120)
    jurisdiction = Varchar(length=10)
    number = Varchar(length=80, default="")
    status = Varchar(length=20, default="active")
    expires_on = Date(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Referral(Table, tablename="rapport_referral"):
    """A client referred to the firm (``received``) or by the firm to a partner (``sent``)."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    direction = Varchar(length=10)
    # Null only for a received referral whose source is unknown.
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict, index=True)
    client_name = Varchar(length=200)
    client_email = Varchar(length=254, null=True, default=None)
    client_phone = Varchar(length=40, null=True, default=None)
    client_company = Varchar(length=200, default="")
    matter_type = Varchar(length=120, default="")
    description = Text(default="")
    estimated_value_cents = BigInt(null=True, default=None)
    actual_value_cents = BigInt(null=True, default=None)
    currency = Varchar(length=3, default="USD")
    stage = Varchar(length=20)
    jurisdiction = Varchar(length=10, default="")
    owner = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    # How the owner was chosen: "manual", "rule:<id>" or "round_robin".
    assigned_by = Varchar(length=40, default="manual")
    referred_at = Timestamptz(index=True)
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # Outcome: a DeclineReason code for declined referrals; a note for declined or lost ones.
    outcome_reason = Varchar(length=20, null=True, default=None)
    outcome_note = Text(default="")
    # Intake duplicate check: the earlier referral of the same client, which keeps the
    # attribution. A person who decides it is not a duplicate records why.
    duplicate_of = ForeignKey(references="self", null=True, on_delete=OnDelete.set_null)
    duplicate_override_reason = Text(null=True, default=None)
    # Normalised client identity, so the duplicate check is an indexed lookup.
    client_email_key = Varchar(length=254, default="", index=True)
    client_phone_key = Varchar(length=20, default="", index=True)
    client_name_key = Varchar(length=400, default="", index=True)
    # When milestones were first reached: SLAs and metrics read these columns instead of
    # replaying the stage history.
    acknowledged_at = Timestamptz(null=True, default=None)
    first_contact_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    last_partner_update_at = Timestamptz(null=True, default=None)
    paid_at = Timestamptz(null=True, default=None)
    # Facts compliance rules read (docs/facts.md); null: not recorded, so no rule guesses.
    client_is_attest_client = Boolean(null=True, default=None)  # CPAs: AICPA 1.520
    settlement_service = Boolean(null=True, default=None)  # RESPA section 8
    federally_related_loan = Boolean(null=True, default=None)  # RESPA section 8


class ReferralStageChange(Table, tablename="rapport_referral_stage_change"):
    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    from_stage = Varchar(length=20, null=True, default=None)
    to_stage = Varchar(length=20)
    changed_at = Timestamptz()
    actor = Varchar(length=300)
    note = Text(default="")
    reason = Varchar(length=20, null=True, default=None)


class Activity(Table, tablename="rapport_activity"):
    """A touchpoint with a partner."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20)
    occurred_on = Date()
    summary = Text(default="")
    created_by = Varchar(length=300)
    created_at = Timestamptz()


class AuditEvent(Table, tablename="rapport_audit_event"):
    """One recorded change, written in the same transaction as the change itself."""

    firm = ForeignKey(references=Firm, null=True, on_delete=OnDelete.cascade, index=True)
    actor = Varchar(length=300)
    action = Varchar(length=80)
    subject_type = Varchar(length=40)
    subject_id = Varchar(length=64)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    at = Timestamptz()
    # The firm's hash chain (docs/audit.md): the previous event's hash, and sha256 of this
    # event's canonical JSON including prev_hash.
    prev_hash = Varchar(length=64, default="")
    hash = Varchar(length=64, default="")


class FirmSetting(Table, tablename="rapport_firm_setting"):
    """A firm's tunable parameters (SLA hours, windows, weights…), validated by
    :class:`rapport_core.firm_settings.FirmSettings`; only values that differ from the
    defaults are stored, so improved defaults reach every firm that kept them."""

    firm = ForeignKey(references=Firm, unique=True, on_delete=OnDelete.cascade, index=True)
    values = JSON(default="{}")
    updated_at = Timestamptz()


class RoutingRule(Table, tablename="rapport_routing_rule"):
    """Who gets a new received referral. Rules are tried by ``position``; empty criteria
    match anything. No rule matched: round-robin among the firm's members."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    position = Integer(default=0)
    practice_area = Varchar(length=120, default="")
    state = Varchar(length=2, default="")
    min_value_cents = BigInt(null=True, default=None)
    max_value_cents = BigInt(null=True, default=None)
    owner = ForeignKey(references=User, on_delete=OnDelete.cascade)
    active = Boolean(default=True)
    created_at = Timestamptz()


class MessageDraft(Table, tablename="rapport_message_draft"):
    """A closed-loop update to a referring partner. Never sent automatically: a person
    approves, edits or discards it first."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    referral = ForeignKey(references=Referral, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.set_null)
    stage_change = ForeignKey(
        references=ReferralStageChange, null=True, on_delete=OnDelete.set_null
    )
    to_email = Varchar(length=254, null=True, default=None)
    subject = Varchar(length=300)
    body = Text()
    status = Varchar(length=20, default="pending", index=True)
    created_at = Timestamptz()
    edited_by = Varchar(length=300, null=True, default=None)
    edited_at = Timestamptz(null=True, default=None)
    decided_by = Varchar(length=300, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    send_error = Text(default="")
    #: When a send began (status ``sending``); long ago means the send was cut off.
    sending_since = Timestamptz(null=True, default=None)
