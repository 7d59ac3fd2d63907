"""What the CRM services return to the API, CLI and pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from rapport_core.schemas import Input, Output


class ConnectionOut(Output):
    id: int
    connector: str
    label: str
    status: Literal["pending", "connected", "needs_reconnect"]
    base_url: str
    #: The access token masked to its last four characters; never the token itself.
    token_hint: str
    sync_interval_minutes: int | None
    next_sync_at: dt.datetime | None
    last_sync_at: dt.datetime | None
    synced_through: dt.datetime | None
    resumable: bool  # a cursor is stored: the next run resumes an unfinished one
    syncing: bool  # a sync holds the connection now
    last_error: str
    overwrite_edited: bool
    partners: int


class ConnectionSettingsIn(Input):
    sync_interval_minutes: int | None = Field(default=None, ge=5, le=7 * 24 * 60)
    overwrite_edited: bool | None = None
    mapping: dict[str, Any] | None = None


class SyncError(Output):
    external_id: str
    field: str
    reason: str


class SyncRunOut(Output):
    id: int
    connector: str
    mode: str
    trigger: str
    status: str
    resumed: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    duration_ms: int
    pages: int
    requests: int
    total: int | None = None
    created: int
    updated: int
    unchanged: int
    skipped: int
    failed: int
    errors: list[SyncError]
    message: str

    @property
    def seen(self) -> int:
        """Records read so far (a running sync's progress)."""
        return self.created + self.updated + self.unchanged + self.skipped + self.failed
