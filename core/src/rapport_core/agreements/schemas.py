"""What callers send and receive about agreements."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from rapport_core.schemas import Input, Output

Signer = Annotated[str, Field(min_length=1, max_length=200)]


class AgreementKind(StrEnum):
    fee_sharing = "fee_sharing"
    client_consent = "client_consent"
    solicitation = "solicitation"
    disclosure_delivered = "disclosure_delivered"
    reciprocal = "reciprocal"
    other = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    AgreementKind.fee_sharing: "Fee-sharing agreement",
    AgreementKind.client_consent: "Client written consent",
    AgreementKind.solicitation: "Solicitation agreement",
    AgreementKind.disclosure_delivered: "Disclosure delivered",
    AgreementKind.reciprocal: "Reciprocal referral agreement",
    AgreementKind.other: "Other agreement",
}

#: Kinds that belong to one referral (a client's consent is given for one matter).
PER_REFERRAL_KINDS = frozenset({AgreementKind.client_consent})


class AgreementStatus(StrEnum):
    draft = "draft"  # uploaded, not (yet) signed
    active = "active"
    expired = "expired"  # active, but past its expiry date (worked out, never stored)
    superseded = "superseded"
    revoked = "revoked"


#: Statuses a person may set; "expired" follows from the dates.
SettableStatus = Literal["draft", "active", "superseded", "revoked"]


class VersionFields(Input):
    """What one signed file says; every upload (first or new version) sends these."""

    signed_on: dt.date | None = None
    signers: list[Signer] = []
    effective_on: dt.date | None = None
    expires_on: dt.date | None = None
    #: The agreement is in writing (an uploaded file usually is; false records an oral one).
    written: bool = True
    #: Client consent: it discloses the referring lawyer's share / that the fee is divided.
    discloses_share: bool | None = None
    discloses_division: bool | None = None
    #: Solicitation: the required disclosure was delivered to the client.
    disclosure_delivered: bool | None = None
    #: Reciprocal referral agreement: it is exclusive; clients are told of it.
    exclusive: bool | None = None
    client_informed: bool | None = None
    note: Annotated[str, Field(max_length=5000)] = ""

    @field_validator("signers", mode="before")
    @classmethod
    def _signers_as_text(cls, value):
        """Forms and the CLI send ``"Ana Lee, Dana Ortiz"``."""
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("signed_on")
    @classmethod
    def _not_future(cls, value: dt.date | None) -> dt.date | None:
        if value and value > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
            raise ValueError("an agreement cannot be signed in the future")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self):
        start = self.effective_on or self.signed_on
        if self.expires_on and start and self.expires_on < start:
            which = "effective_on" if self.effective_on else "signed_on"
            raise ValueError(f"expires_on ({self.expires_on}) is before {which} ({start})")
        return self


class AgreementCreate(VersionFields):
    #: Optional when ``referral_id`` is given: the referral's partner.
    partner_id: int | None = None
    referral_id: int | None = None
    kind: AgreementKind
    title: Annotated[str, Field(max_length=200)] = ""


class VersionCreate(VersionFields):
    pass


class StatusChange(Input):
    status: SettableStatus
    reason: Annotated[str, Field(max_length=2000)] = ""


class VersionOut(Output):
    number: int
    sha256: str
    size_bytes: int
    original_name: str
    signed_on: dt.date | None
    signers: list[str]
    effective_on: dt.date | None
    expires_on: dt.date | None
    written: bool
    discloses_share: bool | None
    discloses_division: bool | None
    disclosure_delivered: bool | None
    exclusive: bool | None
    client_informed: bool | None
    note: str
    uploaded_by: str
    uploaded_at: dt.datetime
    #: "current" for the latest version, "superseded" for earlier ones.
    standing: Literal["current", "superseded"]
    download_url: str


class AgreementOut(Output):
    id: int
    partner_id: int
    partner_name: str
    referral_id: int | None
    kind: AgreementKind
    title: str
    status: AgreementStatus
    status_reason: str
    latest_version: int
    signed_on: dt.date | None
    effective_on: dt.date | None
    expires_on: dt.date | None
    #: Days from today to expires_on (negative once expired); None without an expiry date.
    days_to_expiry: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    versions: list[VersionOut] | None = None


class ExpiringAgreement(Output):
    agreement_id: int
    partner_id: int
    partner_name: str
    referral_id: int | None
    kind: AgreementKind
    title: str
    expires_on: dt.date
    days_left: int
    #: The warning threshold it falls within (30, 60, 90 by default); 0 once expired.
    threshold_days: int
