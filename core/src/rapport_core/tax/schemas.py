"""What callers send to and get from the tax domain. TINs travel in only; out, masked."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from rapport_core.errors import Invalid
from rapport_core.schemas import Input, USState
from rapport_core.tax.tin import parse_tin

Line = Annotated[str, Field(max_length=200)]
Zip = Annotated[str, Field(pattern=r"^\d{5}(-?\d{4})?$")]


class Classification(StrEnum):
    """Federal tax classification, line 3a of Form W-9."""

    individual = "individual"  # individual / sole proprietor / single-member LLC
    c_corporation = "c_corporation"
    s_corporation = "s_corporation"
    partnership = "partnership"
    trust_estate = "trust_estate"
    llc = "llc"  # with llc_tax_class C, S or P
    other = "other"

    @property
    def label(self) -> str:
        return CLASSIFICATION_LABELS[self]


CLASSIFICATION_LABELS = {
    Classification.individual: "Individual/sole proprietor",
    Classification.c_corporation: "C corporation",
    Classification.s_corporation: "S corporation",
    Classification.partnership: "Partnership",
    Classification.trust_estate: "Trust/estate",
    Classification.llc: "LLC",
    Classification.other: "Other",
}


def _check_tin(value: str, info: ValidationInfo) -> str:
    """Checked with the other fields, so every problem of a form is shown at once."""
    kind = info.data.get("tin_type")
    if kind is None:  # the type itself is wrong: reported on its own field
        return value
    try:
        return parse_tin(kind, value).formatted
    except Invalid as error:
        raise ValueError(error.detail) from error


class W9In(Input):
    """The W-9 form's fields, as the partner fills them in."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    business_name: Line = ""
    classification: Classification
    llc_tax_class: Literal["", "C", "S", "P"] = ""
    exempt_payee_code: Annotated[str, Field(pattern=r"^([1-9]|1[0-3])?$")] = ""
    fatca_code: Annotated[str, Field(pattern=r"^[A-M]?$")] = ""
    address: Annotated[str, Field(min_length=1, max_length=200)]
    city: Annotated[str, Field(min_length=1, max_length=120)]
    state: USState
    postal_code: Zip
    tin_type: Literal["ssn", "ein"]
    tin: str
    certify: bool
    signature_name: Annotated[str, Field(min_length=1, max_length=200)]

    @field_validator("tin")
    @classmethod
    def _valid_tin(cls, value: str, info: ValidationInfo) -> str:
        return _check_tin(value, info)

    @field_validator("certify")
    @classmethod
    def _certified(cls, value: bool) -> bool:
        if not value:
            raise ValueError("tick the certification to sign the form")
        return value

    @field_validator("state")
    @classmethod
    def _state_given(cls, value: str) -> str:
        if not value:
            raise ValueError("enter the state, e.g. FL")
        return value


class W9Out(BaseModel):
    id: int
    partner_id: int
    source: str
    name: str
    business_name: str
    classification: Classification
    llc_tax_class: str
    exempt_payee_code: str
    address: str
    city: str
    state: str
    postal_code: str
    tin_type: str
    tin_masked: str
    signature_name: str
    certified_at: dt.datetime
    received_at: dt.datetime
    has_pdf: bool

    @property
    def classification_label(self) -> str:
        label = self.classification.label
        return f"{label} ({self.llc_tax_class})" if self.llc_tax_class else label


class W9LinkOut(BaseModel):
    request_id: int
    partner_id: int
    url: str  # shown once: only the token's hash is stored
    expires_at: dt.datetime


class PayerIn(Input):
    legal_name: Annotated[str, Field(min_length=1, max_length=200)]
    tin_type: Literal["ssn", "ein"] = "ein"
    tin: str
    address: Annotated[str, Field(min_length=1, max_length=200)]
    city: Annotated[str, Field(min_length=1, max_length=120)]
    state: USState
    postal_code: Zip
    phone: Annotated[str, Field(pattern=r"^[0-9()+.\- ]{7,20}$")]
    contact_name: Line = ""
    contact_email: Line = ""
    transmitter_control_code: Annotated[str, Field(pattern=r"^([A-Za-z0-9]{5})?$")] = ""
    state_payer_number: Annotated[str, Field(max_length=30)] = ""

    @field_validator("tin")
    @classmethod
    def _valid_tin(cls, value: str, info: ValidationInfo) -> str:
        return _check_tin(value, info)


class PayerOut(BaseModel):
    legal_name: str
    tin_type: str
    tin_masked: str
    address: str
    city: str
    state: str
    postal_code: str
    phone: str
    contact_name: str
    contact_email: str
    transmitter_control_code: str
    state_payer_number: str
