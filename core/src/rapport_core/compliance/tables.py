"""The compliance engine's tables: stored findings and each firm's pack settings."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from rapport_core.tables import Firm


class ComplianceFinding(Table, tablename="rapport_compliance_finding"):
    """One rule that fired for one subject. Identity: (firm, pack, rule, subject). A finding
    stays open while it keeps firing, resolves itself when it stops, and a ``compliance``
    user may waive it with a reason; a waived finding stays waived."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    rule_id = Varchar(length=200)
    pack_id = Varchar(length=100)
    pack_version = Varchar(length=40)
    severity = Varchar(length=20)
    #: What the rule is about (referral | partner | fee | payment) ...
    rule_subject = Varchar(length=20)
    #: ... and the record it was found on: a referral or a partner.
    subject_type = Varchar(length=20)
    subject_id = Integer()
    partner_id = Integer(null=True, default=None, index=True)
    referral_id = Integer(null=True, default=None, index=True)
    title = Text()
    message = Text()
    citation = Text()
    citation_url = Text(null=True, default=None)
    remediation = Text()
    #: Only the facts the rule's condition read, as they were when it last fired.
    facts = JSON(default="{}")
    status = Varchar(length=20, default="open", index=True)  # open | resolved | waived
    first_seen_at = Timestamptz()
    last_seen_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)
    waived_by = Varchar(length=300, null=True, default=None)
    waived_at = Timestamptz(null=True, default=None)
    waive_reason = Text(null=True, default=None)


class ComplianceSettings(Table, tablename="rapport_compliance_settings"):
    """A firm's enabled packs and the version of each it accepted. ``enabled`` null means
    every installed pack for the firm's professions and jurisdictions."""

    firm = ForeignKey(references=Firm, unique=True, on_delete=OnDelete.cascade, index=True)
    enabled = JSON(null=True, default=None)
    pins = JSON(default="{}")
    last_evaluated_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()
