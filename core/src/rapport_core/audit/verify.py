"""``audit verify``: walk a firm's hash chain and report the first broken link.

Events are read in id order in batches (a keyset query, so memory stays constant however
long the log) and each is re-hashed; the end of the chain is compared with the chain head.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass

from rapport_core.audit.chain import GENESIS, canonical, canonical_from_stored
from rapport_core.tables import AuditEvent

BATCH = 20_000

_BATCH_SQL = (
    "SELECT id, firm, actor, action, subject_type, subject_id, before, after, at, prev_hash, "
    "hash FROM rapport_audit_event WHERE firm = {} AND id > {} ORDER BY id LIMIT {}"
)


@dataclass
class ChainReport:
    firm_id: int
    events_checked: int
    ok: bool
    #: The first event that does not hold (None when the chain holds, or when the break is
    #: at the end: events cut from the tail).
    broken_event_id: int | None = None
    problem: str = ""
    expected: str = ""
    found: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


async def count_events(firm_id: int) -> int:
    return await AuditEvent.count().where(AuditEvent.firm == firm_id)


def _check(rows: list[dict], firm_id: int, previous: str, checked: int) -> ChainReport | str:
    """The first broken link in ``rows``, or the hash the next batch must chain from."""
    sha256 = hashlib.sha256
    for row in rows:
        if row["prev_hash"] != previous:
            return ChainReport(
                firm_id,
                checked,
                False,
                row["id"],
                "prev_hash does not match the hash of the event before it: an event "
                "was removed or inserted here, or this one was moved"
                if previous
                else "the firm's first event should have an empty prev_hash: earlier "
                "events were removed",
                expected=previous,
                found=row["prev_hash"],
            )
        digest = sha256(canonical_from_stored(row)).hexdigest()
        if digest != row["hash"]:
            digest = sha256(canonical(row)).hexdigest()  # stored text not canonical?
        if digest != row["hash"]:
            return ChainReport(
                firm_id,
                checked,
                False,
                row["id"],
                "the event's content does not match its hash: it was edited after it was written",
                expected=digest,
                found=row["hash"],
            )
        previous = digest
        checked += 1
    return previous


async def verify_chain(
    firm_id: int, *, advance: Callable[[int], None] | None = None, batch: int = BATCH
) -> ChainReport:
    """Check every event of ``firm_id``; ``advance(n)`` is told how many were checked.
    The next batch is read while this one is hashed."""
    from rapport_core.audit.tables import AuditChainHead

    def fetch(after_id: int) -> asyncio.Task:
        return asyncio.ensure_future(AuditEvent.raw(_BATCH_SQL, firm_id, after_id, batch))

    previous, last_id, checked = GENESIS, 0, 0
    pending = fetch(0)
    while rows := await pending:
        pending = fetch(rows[-1]["id"])
        outcome = _check(rows, firm_id, previous, checked)
        if isinstance(outcome, ChainReport):
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending
            return outcome
        previous, last_id, checked = outcome, rows[-1]["id"], checked + len(rows)
        if advance:
            advance(len(rows))
    head = await AuditChainHead.select().where(AuditChainHead.firm == firm_id).first()
    if head is None:
        if checked:
            return ChainReport(
                firm_id, checked, False, None, "the firm's chain head is missing", "", ""
            )
        return ChainReport(firm_id, 0, True)
    if (head["events"], head["last_hash"], head["last_event_id"]) != (checked, previous, last_id):
        return ChainReport(
            firm_id,
            checked,
            False,
            None,
            f"the chain head records {head['events']} events ending with event "
            f"{head['last_event_id']}, but the log has {checked} ending with event "
            f"{last_id}: events were removed from the end, or added without the chain",
            expected=head["last_hash"],
            found=previous,
        )
    return ChainReport(firm_id, checked, True)
