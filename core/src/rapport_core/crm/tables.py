"""The CRM sync's tables: connections, links from CRM records to partners and run history
(its merge suggestions are in :mod:`rapport_core.suggestions`). Uniqueness that spans
columns is kept in one ``key`` column (firm, connector[, external id]) so it is a plain
unique index on SQLite and PostgreSQL alike."""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from rapport_core.tables import Firm, Partner


class CrmConnection(Table, tablename="rapport_crm_connection"):
    """One firm's link to one CRM. Tokens and the client secret are encrypted at rest."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    connector = Varchar(length=40)
    key = Varchar(length=80, unique=True)  # "<firm>:<connector>"
    # "pending" (authorize started), "connected", "needs_reconnect"
    status = Varchar(length=20, default="pending")
    base_url = Varchar(length=300)
    client_id = Varchar(length=300, default="")
    client_secret = Text(default="")  # encrypted
    access_token = Text(default="")  # encrypted
    refresh_token = Text(default="")  # encrypted
    token_expires_at = Timestamptz(null=True, default=None)
    token_extra = JSON(default="{}")
    # The authorize step in flight: its state, PKCE verifier (encrypted) and redirect URI.
    oauth_state = Varchar(length=100, null=True, default=None, index=True)
    oauth_verifier = Text(default="")
    oauth_redirect_uri = Varchar(length=500, default="")
    # Where the sync stands: the connector's cursor after the last committed page (empty
    # when the last run finished), the window that run was fetching, and how far every
    # change is known to have been seen.
    bookmark = JSON(default="{}")
    window_since = Timestamptz(null=True, default=None)
    synced_through = Timestamptz(null=True, default=None)
    # {"mapping": {...}, "overwrite_edited": false}
    settings = JSON(default="{}")
    sync_interval_minutes = Integer(null=True, default=None)
    next_sync_at = Timestamptz(null=True, default=None)
    last_sync_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    # One sync at a time per connection: a run claims it until this time ("host:pid"
    # says who, so a run killed on this host does not block the next one).
    locked_until = Timestamptz(null=True, default=None)
    locked_by = Varchar(length=200, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CrmLink(Table, tablename="rapport_crm_link"):
    """A CRM record synced into a partner: the idempotency key of the upsert."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    connection = ForeignKey(references=CrmConnection, on_delete=OnDelete.cascade, index=True)
    connector = Varchar(length=40)
    external_id = Varchar(length=100)
    key = Varchar(length=200, unique=True)  # "<firm>:<connector>:<external id>"
    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    # The partner fields as the sync last wrote them: a partner value that differs was
    # edited by a person, and is kept unless the connection says to overwrite.
    synced = JSON(default="{}")
    content_hash = Varchar(length=64, default="")  # of the mapped record (sync._PageWriter)
    # Of the raw record under the connector's mapping fingerprint: a record the CRM sends
    # again unchanged is recognised without being mapped.
    raw_hash = Varchar(length=64, null=True, default=None)
    synced_at = Timestamptz()


class CrmSyncRun(Table, tablename="rapport_crm_sync_run"):
    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    connection = ForeignKey(references=CrmConnection, on_delete=OnDelete.cascade, index=True)
    connector = Varchar(length=40)
    mode = Varchar(length=20)  # "full", "incremental"
    trigger = Varchar(length=20, default="manual")  # "manual", "schedule", "cli"
    # "running", "succeeded", "failed", "needs_reconnect", "interrupted"
    status = Varchar(length=20, default="running")
    resumed = Boolean(default=False)
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    duration_ms = Integer(default=0)
    pages = Integer(default=0)
    requests = Integer(default=0)
    #: Records the CRM says there are to read, when it says (Salesforce, Clio): a progress bar.
    total = Integer(null=True, default=None)
    created = Integer(default=0)
    updated = Integer(default=0)
    unchanged = Integer(default=0)
    skipped = Integer(default=0)
    failed = Integer(default=0)
    # [{"external_id", "field", "reason"}], at most 100
    errors = JSON(default="[]")
    message = Text(default="")
