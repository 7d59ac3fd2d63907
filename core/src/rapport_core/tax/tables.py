"""Piccolo tables of the tax domain. TINs are stored encrypted (``rapport_core.secrets``)
beside their last four digits, which are all that is ever shown without an audited view."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from rapport_core.tables import Firm, Partner


class PayerProfile(Table, tablename="rapport_tax_payer_profile"):
    """The firm as payer on its 1099s and as transmitter of its FIRE files."""

    firm = ForeignKey(references=Firm, unique=True, on_delete=OnDelete.cascade, index=True)
    legal_name = Varchar(length=200)
    tin_type = Varchar(length=3, default="ein")
    tin_encrypted = Text()
    tin_last4 = Varchar(length=4)
    address = Varchar(length=200)
    city = Varchar(length=120)
    state = Varchar(length=2)
    postal_code = Varchar(length=10)
    phone = Varchar(length=20)
    contact_name = Varchar(length=200, default="")
    contact_email = Varchar(length=254, default="")
    transmitter_control_code = Varchar(length=5, default="")
    state_payer_number = Varchar(length=30, default="")  # box 6, where the state assigns one
    updated_by = Varchar(length=300)
    updated_at = Timestamptz()


class W9(Table, tablename="rapport_tax_w9"):
    """A partner's Form W-9 as received, through the link's form or as a signed PDF. A newer
    one supersedes it (``superseded_at``); rows are kept, since a 1099 cites the W-9 it used."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    source = Varchar(length=10, default="form")  # "form" (the link) or "upload" (signed PDF)
    name = Varchar(length=200)
    business_name = Varchar(length=200, default="")
    classification = Varchar(length=30)
    llc_tax_class = Varchar(length=1, default="")
    exempt_payee_code = Varchar(length=2, default="")
    fatca_code = Varchar(length=1, default="")
    address = Varchar(length=200)
    city = Varchar(length=120)
    state = Varchar(length=2)
    postal_code = Varchar(length=10)
    tin_type = Varchar(length=3)  # "ssn" or "ein"
    tin_encrypted = Text()
    tin_last4 = Varchar(length=4)
    signature_name = Varchar(length=200)
    certified_at = Timestamptz()
    pdf = Text(null=True, default=None)  # an uploaded signed W-9, base64, encrypted
    pdf_sha256 = Varchar(length=64, null=True, default=None)
    received_by = Varchar(length=300)
    received_at = Timestamptz()
    superseded_at = Timestamptz(null=True, default=None)


class W9Request(Table, tablename="rapport_tax_w9_request"):
    """A tokenised link a person created for a partner to fill in a W-9 without an account.
    Only the token's SHA-256 is stored; it works once, until ``expires_at``."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_by = Varchar(length=300)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    w9 = ForeignKey(references=W9, null=True, on_delete=OnDelete.set_null)


class Filing(Table, tablename="rapport_tax_filing"):
    """One 1099-NEC as generated for a payee and tax year: the figures, the W-9 they rest on
    and the SHA-256 of each PDF copy. A tax record: never edited, kept seven years."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    tax_year = Integer(index=True)
    w9 = ForeignKey(references=W9, null=True, on_delete=OnDelete.restrict)
    payee_name = Varchar(length=200)
    payee_tin_last4 = Varchar(length=4, default="")
    box1_cents = BigInt()
    box4_cents = BigInt(default=0)
    state = Varchar(length=2, default="")
    state_income_cents = BigInt(default=0)
    state_tax_withheld_cents = BigInt(default=0)
    threshold_cents = BigInt()
    # The payee's PDF (copies A, 1, B, 2, C), encrypted: copies A, 1 and C show the full TIN.
    pdf = Text()
    pdf_sha256 = Varchar(length=64)
    account = Varchar(length=20)  # payer's account number for the payee (box and FIRE)
    generated_by = Varchar(length=300)
    generated_at = Timestamptz()
    retain_until = Timestamptz()
    corrected = Boolean(default=False)
