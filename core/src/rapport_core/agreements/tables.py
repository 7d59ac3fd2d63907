"""Agreement documents: an agreement with a partner (optionally for one referral) and its
uploaded versions. Files live in document storage, addressed by their sha256."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from rapport_core.tables import Firm, Partner, Referral, User


class Agreement(Table, tablename="rapport_agreement"):
    """What was agreed, with whom. The latest version's dates are copied here so the
    expiry list is one indexed query."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    # Agreements are compliance records: a partner or referral that has one cannot be
    # deleted from under it.
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    referral = ForeignKey(references=Referral, null=True, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=30)
    title = Varchar(length=200)
    # draft | active | superseded | revoked ("expired" is worked out from expires_on).
    status = Varchar(length=20)
    status_reason = Text(default="")
    latest_version = Integer(default=1)
    signed_on = Date(null=True, default=None)
    effective_on = Date(null=True, default=None)
    expires_on = Date(null=True, default=None, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AgreementVersion(Table, tablename="rapport_agreement_version"):
    """One uploaded file of an agreement. A new upload of the same agreement is version
    n+1; earlier versions are kept, superseded."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    agreement = ForeignKey(references=Agreement, on_delete=OnDelete.cascade, index=True)
    number = Integer()
    sha256 = Varchar(length=64)
    size_bytes = BigInt()
    original_name = Varchar(length=255)
    storage_backend = Varchar(length=40)
    storage_key = Varchar(length=300)
    signed_on = Date(null=True, default=None)
    signers = JSON(default="[]")
    effective_on = Date(null=True, default=None)
    expires_on = Date(null=True, default=None)
    # What the compliance engine reads (docs/agreements.md): written agreements, and what
    # a client consent, a solicitation disclosure or a reciprocal agreement says.
    written = Boolean(default=True)
    discloses_share = Boolean(null=True, default=None)
    discloses_division = Boolean(null=True, default=None)
    disclosure_delivered = Boolean(null=True, default=None)
    # A reciprocal referral agreement: whether it is exclusive, and whether clients are told.
    exclusive = Boolean(null=True, default=None)
    client_informed = Boolean(null=True, default=None)
    note = Text(default="")
    uploaded_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    uploaded_by_label = Varchar(length=300)
    uploaded_at = Timestamptz()
