"""Open findings by referral and partner, for the payout gate.

``payout_gate`` is a synchronous hook called from async code, so it cannot query the
database. It reads this per-process cache instead. Every change to findings forgets the
firm's entry; :func:`refresh` (awaited after evaluations, and by the server's daily run)
loads it again, and the server loads every firm's at start. A cold entry is loaded on a worker thread with its own event loop, which
works wherever queries open their own connections (the CLI, tests, SQLite); where that
fails the gate says the findings could not be read, rather than passing silently."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

_lock = threading.Lock()
_cache: dict[int, list[dict]] = {}


def forget(firm_id: int) -> None:
    with _lock:
        _cache.pop(firm_id, None)


async def _load(firm_id: int) -> list[dict]:
    from rapport_core.compliance.tables import ComplianceFinding

    return await ComplianceFinding.select(
        ComplianceFinding.id,
        ComplianceFinding.rule_id,
        ComplianceFinding.pack_id,
        ComplianceFinding.severity,
        ComplianceFinding.message,
        ComplianceFinding.citation,
        ComplianceFinding.citation_url,
        ComplianceFinding.remediation,
        ComplianceFinding.referral_id,
        ComplianceFinding.partner_id,
    ).where((ComplianceFinding.firm == firm_id) & (ComplianceFinding.status == "open"))


async def refresh(firm_id: int) -> None:
    rows = await _load(firm_id)
    with _lock:
        _cache[firm_id] = rows


def open_findings(firm_id: int) -> list[dict] | None:
    """The firm's open findings, or None when they could not be read."""
    with _lock:
        rows = _cache.get(firm_id)
    if rows is not None:
        return rows
    from rapport_core.tables import Firm

    if Firm._meta.db.current_transaction.get() is not None:
        # The caller holds a transaction: on SQLite a second connection would wait for it
        # (a deadlock). The server warms the cache at start and after every evaluation.
        return None
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            rows = pool.submit(asyncio.run, _load(firm_id)).result(timeout=10)
    except Exception:  # noqa: BLE001 - reported to the approver as a finding
        return None
    with _lock:
        _cache[firm_id] = rows
    return rows


async def warm_every_firm() -> None:
    """Load every firm's open findings (the server, at start)."""
    from rapport_core.tables import Firm

    for firm in await Firm.select(Firm.id):
        await refresh(firm["id"])
