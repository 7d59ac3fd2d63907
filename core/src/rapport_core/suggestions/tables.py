"""The one table of merge suggestions, whatever made them."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from rapport_core.crm.tables import CrmConnection
from rapport_core.importing.tables import ImportRun
from rapport_core.tables import Firm, Partner


class MergeSuggestion(Table, tablename="rapport_merge_suggestion"):
    """Someone who may be ``partner``: never merged automatically, a person decides."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    #: The partner the firm already has, whom the person may be.
    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    #: "crm" (a CRM record, not yet a partner) or "import" (a partner an import created).
    origin = Varchar(length=20)
    #: Where it came from, for people: the CRM's name, or the imported file's.
    source = Varchar(length=300, default="")
    reason = Text(default="")
    # An import's suggestion: the partner it created (kept empty once merged into ``partner``).
    duplicate = ForeignKey(references=Partner, null=True, on_delete=OnDelete.set_null)
    import_run = ForeignKey(references=ImportRun, null=True, on_delete=OnDelete.set_null)
    # A CRM's suggestion: the record as received, and the connection that will link it.
    connection = ForeignKey(references=CrmConnection, null=True, on_delete=OnDelete.cascade)
    connector = Varchar(length=40, default="")
    external_id = Varchar(length=100, default="")
    key = Varchar(length=200, null=True, default=None, unique=True)  # firm:connector:id
    record = JSON(default="{}")
    # pending, merged, separate
    status = Varchar(length=20, default="pending", index=True)
    created_at = Timestamptz()
    decided_by = Varchar(length=300, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
