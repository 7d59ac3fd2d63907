"""Tables of the audit log's chain and retention (the events themselves are
:class:`rapport_core.tables.AuditEvent`)."""

from __future__ import annotations

from piccolo.columns import BigInt, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from rapport_core.tables import Firm


class AuditChainHead(Table, tablename="rapport_audit_chain_head"):
    """The end of one firm's hash chain. Appending an event locks this row first, so two
    writers of one firm take turns and never fork the chain; it also lets ``audit verify``
    notice events cut from the end."""

    firm = ForeignKey(references=Firm, unique=True, on_delete=OnDelete.cascade, index=True)
    last_event_id = BigInt(default=0)
    last_hash = Varchar(length=64, default="")
    events = BigInt(default=0)
    updated_at = Timestamptz()


class RetentionPolicy(Table, tablename="rapport_retention_policy"):
    """How long the rows of a protected table are kept unchanged, counted from
    ``counted_from`` (a timestamp column). Database triggers read ``years``; ``floor_years`` is the legal
    minimum below which ``years`` cannot be set (docs/audit.md)."""

    table_name = Varchar(length=80, unique=True)
    counted_from = Varchar(length=80)
    years = Integer(default=7)
    floor_years = Integer(default=7)
    updated_at = Timestamptz()
