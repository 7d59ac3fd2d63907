"""Stored findings: evaluate the firm's enabled packs over its fact documents and keep the
findings in step (new ones open, vanished ones resolve, waived ones stay waived), waive with
a reason, and each firm's pack settings (enablement, pinned versions, upgrade preview).

Every change to findings is audited in the transaction that makes it."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.compliance import documents
from rapport_core.compliance.catalog import default_catalog
from rapport_core.compliance.evaluation import Finding, compile_packs, plain
from rapport_core.compliance.factbuilder import build_documents
from rapport_core.compliance.packs import Catalog, Pack
from rapport_core.compliance.tables import ComplianceFinding, ComplianceSettings
from rapport_core.errors import Forbidden, Invalid, NotFound
from rapport_core.services.common import transaction
from rapport_core.tables import Firm
from rapport_core.vocabulary import Role

STATUSES = ("open", "waived", "resolved")
log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- settings


@dataclass
class PackState:
    pack: Pack
    enabled: bool
    pinned: str | None
    #: Evaluated: enabled, and the installed version is the pinned one (or none is pinned yet).
    active: bool


async def _settings_row(firm_id: int) -> dict:
    row = await ComplianceSettings.select().where(ComplianceSettings.firm == firm_id).first()
    if row is None:
        await (
            ComplianceSettings.insert(
                ComplianceSettings(firm=firm_id, enabled=None, pins={}, updated_at=now())
            )
            .on_conflict(action="DO NOTHING")
            .run()
        )
        row = await ComplianceSettings.select().where(ComplianceSettings.firm == firm_id).first()
    for key in ("enabled", "pins"):
        if isinstance(row[key], str):
            import json

            row[key] = json.loads(row[key]) if row[key] else None
    row["pins"] = row["pins"] or {}
    return row


def default_enabled(
    catalog: Catalog, professions: list[str], jurisdictions: list[str]
) -> list[str]:
    """Packs for the firm's professions, federal or in one of its jurisdictions."""
    states = {f"US-{j}" for j in jurisdictions}
    return [
        p.id
        for p in catalog.all()
        if set(p.meta.professions) & set(professions)
        and (p.meta.jurisdiction == "US" or p.meta.jurisdiction in states)
    ]


async def pack_states(actor: Actor, catalog: Catalog | None = None) -> list[PackState]:
    catalog = catalog or default_catalog()
    row = await _settings_row(actor.firm_id)
    firm = (
        await Firm.select(Firm.professions, Firm.jurisdictions)
        .where(Firm.id == actor.firm_id)
        .first()
    )
    enabled = (
        row["enabled"]
        if row["enabled"] is not None
        else default_enabled(catalog, firm["professions"] or [], firm["jurisdictions"] or [])
    )
    out = []
    for pack in catalog.all():
        pinned = row["pins"].get(pack.id)
        is_on = pack.id in enabled
        out.append(PackState(pack, is_on, pinned, is_on and pinned in (None, pack.meta.version)))
    return out


async def set_enabled(actor: Actor, pack_ids: list[str]) -> None:
    """Enable exactly ``pack_ids`` (owner, admin or compliance)."""
    _require_compliance_admin(actor)
    catalog = default_catalog()
    unknown = [p for p in pack_ids if catalog.get(p) is None]
    if unknown:
        raise Invalid(f"unknown packs: {', '.join(unknown)}", field="packs")
    before = await _settings_row(actor.firm_id)
    async with transaction():
        await ComplianceSettings.update(
            {ComplianceSettings.enabled: sorted(pack_ids), ComplianceSettings.updated_at: now()}
        ).where(ComplianceSettings.firm == actor.firm_id)
        await audit.record(
            actor,
            "compliance.packs_enabled",
            "compliance_settings",
            actor.firm_id,
            before={"enabled": before["enabled"]},
            after={"enabled": sorted(pack_ids)},
        )


def _require_compliance_admin(actor: Actor) -> None:
    if actor.role not in (Role.owner, Role.admin, Role.compliance):
        raise Forbidden(f"role {actor.role} cannot change compliance settings")


async def upgrade_preview(actor: Actor, pack_id: str) -> dict[str, list[dict]]:
    """What upgrading ``pack_id`` to the installed version would change: the findings that
    would appear and those that would disappear (nothing is stored)."""
    catalog = default_catalog()
    pack = catalog.get(pack_id)
    if pack is None:
        raise NotFound(f"no pack {pack_id!r}")
    states = {s.pack.id: s for s in await pack_states(actor, catalog)}
    others = [s.pack for s in states.values() if s.active and s.pack.id != pack_id]
    new = await _evaluate_all(actor.firm_id, [*others, pack], now().date(), only_pack=pack_id)
    current = await ComplianceFinding.select().where(
        (ComplianceFinding.firm == actor.firm_id)
        & (ComplianceFinding.pack_id == pack_id)
        & (ComplianceFinding.status != "resolved")
    )
    current_keys = {(r["rule_id"], r["subject_type"], r["subject_id"]): r for r in current}
    new_keys = {(f.rule_id, st, sid): f for (st, sid), fs in new.items() for f in fs}
    return {
        "pinned": states[pack_id].pinned,
        "installed": pack.meta.version,
        "appear": [
            {"subject_type": k[1], "subject_id": k[2], **new_keys[k].as_dict()}
            for k in new_keys.keys() - current_keys.keys()
        ],
        "disappear": [_row_out(current_keys[k]) for k in current_keys.keys() - new_keys.keys()],
    }


async def pin(actor: Actor, pack_id: str) -> None:
    """Accept the installed version of ``pack_id`` (and evaluate it from now on)."""
    _require_compliance_admin(actor)
    pack = default_catalog().get(pack_id)
    if pack is None:
        raise NotFound(f"no pack {pack_id!r}")
    row = await _settings_row(actor.firm_id)
    pins = {**row["pins"], pack_id: pack.meta.version}
    async with transaction():
        await ComplianceSettings.update(
            {ComplianceSettings.pins: pins, ComplianceSettings.updated_at: now()}
        ).where(ComplianceSettings.firm == actor.firm_id)
        await audit.record(
            actor,
            "compliance.pack_pinned",
            "compliance_settings",
            actor.firm_id,
            before={"pins": row["pins"]},
            after={"pins": pins},
        )


# --------------------------------------------------------------------------- evaluation


@dataclass
class EvaluationSummary:
    documents: int = 0
    opened: int = 0
    resolved: int = 0
    open: int = 0
    packs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


async def _evaluate_all(
    firm_id: int,
    packs: list[Pack],
    as_of: dt.date,
    *,
    referral_ids: list[int] | None = None,
    partner_ids: list[int] | None = None,
    only_pack: str | None = None,
) -> dict[tuple[str, int], list[Finding]]:
    referral_docs, partner_docs = await build_documents(
        firm_id, as_of, referral_ids=referral_ids, partner_ids=partner_ids
    )
    out: dict[tuple[str, int], list[Finding]] = {}
    _partners.update(
        {rid: (doc.get("partner") or {}).get("id") for rid, doc in referral_docs.items()}
    )
    if not packs:
        return {("referral", rid): [] for rid in referral_docs} | {
            ("partner", pid): [] for pid in partner_docs
        }
    compiled = compile_packs(packs)

    def dropped(error) -> None:
        log.warning("firm %s: fact %s left out: %s", firm_id, error.path, error.message)

    referral_docs = {rid: documents.cleaned(doc, dropped) for rid, doc in referral_docs.items()}
    partner_docs = {pid: documents.cleaned(doc, dropped) for pid, doc in partner_docs.items()}
    for kind, docs in (("referral", referral_docs), ("partner", partner_docs)):
        found = compiled.evaluate_many(list(docs.values()), subject=kind)
        for subject_id, findings in zip(docs, found, strict=True):
            out[(kind, subject_id)] = [f for f in findings if only_pack in (None, f.pack_id)]
    return out


_locks: dict[int, asyncio.Lock] = {}


def _evaluation_lock() -> asyncio.Lock:
    """One evaluation at a time per event loop: two diffs of the same findings at once
    would race (and SQLite refuses two writers that both read first)."""
    loop = asyncio.get_running_loop()
    return _locks.setdefault(id(loop), asyncio.Lock())


async def evaluate(
    actor: Actor,
    *,
    as_of: dt.date | None = None,
    referral_ids: list[int] | None = None,
    partner_ids: list[int] | None = None,
) -> EvaluationSummary:
    """Evaluate the firm's active packs (all subjects, or the ones named) and store the diff."""
    async with _evaluation_lock():
        return await _evaluate(
            actor, as_of=as_of, referral_ids=referral_ids, partner_ids=partner_ids
        )


async def _evaluate(
    actor: Actor,
    *,
    as_of: dt.date | None,
    referral_ids: list[int] | None,
    partner_ids: list[int] | None,
) -> EvaluationSummary:
    as_of = as_of or now().date()
    states = await pack_states(actor)
    active = [s.pack for s in states if s.active]
    # Every read on one connection (a read-only transaction), then the writes in their own:
    # on SQLite a transaction that reads and then writes cannot wait for another writer.
    async with transaction():
        results = await _evaluate_all(
            actor.firm_id, active, as_of, referral_ids=referral_ids, partner_ids=partner_ids
        )
        summary = EvaluationSummary(documents=len(results), packs=[p.id for p in active])
        active_ids = [p.id for p in active]
        at = now()
        query = ComplianceFinding.select().where(ComplianceFinding.firm == actor.firm_id)
        if referral_ids is not None or partner_ids is not None:
            # Only the subjects evaluated; all of them otherwise.
            subjects = [sid for (kind, sid) in results if kind == "referral"] or [0]
            partners = [sid for (kind, sid) in results if kind == "partner"] or [0]
            query = query.where(
                (
                    (ComplianceFinding.subject_type == "referral")
                    & ComplianceFinding.subject_id.is_in(subjects)
                )
                | (
                    (ComplianceFinding.subject_type == "partner")
                    & ComplianceFinding.subject_id.is_in(partners)
                )
            )
        stored = {
            (r["pack_id"], r["rule_id"], r["subject_type"], r["subject_id"]): r for r in await query
        }
    async with transaction():
        seen: set[tuple] = set()
        still: list[int] = []
        for (subject_type, subject_id), findings in results.items():
            for finding in findings:
                key = (finding.pack_id, finding.rule_id, subject_type, subject_id)
                seen.add(key)
                row = stored.get(key)
                values = _values(finding)
                if row is None:
                    values.update(
                        firm=actor.firm_id,
                        subject_type=subject_type,
                        subject_id=subject_id,
                        partner_id=_partner_of(finding, subject_type, subject_id),
                        referral_id=subject_id if subject_type == "referral" else None,
                        status="open",
                        first_seen_at=at,
                        last_seen_at=at,
                    )
                    inserted = await ComplianceFinding.insert(
                        ComplianceFinding(**values)
                    ).returning(ComplianceFinding.id)
                    summary.opened += 1
                    await audit.record(
                        actor,
                        "compliance.finding_opened",
                        "compliance_finding",
                        inserted[0]["id"],
                        after=_audit_view(values),
                    )
                    continue
                if row["status"] != "resolved" and _unchanged(row, values):
                    still.append(row["id"])  # only last seen moves: one statement for all
                    continue
                update = {**values, "last_seen_at": at}
                if row["status"] == "resolved":
                    update.update(status="open", resolved_at=None)
                    summary.opened += 1
                    await audit.record(
                        actor,
                        "compliance.finding_reopened",
                        "compliance_finding",
                        row["id"],
                        after=_audit_view(values),
                    )
                await ComplianceFinding.update(
                    {getattr(ComplianceFinding, k): v for k, v in update.items()}
                ).where(ComplianceFinding.id == row["id"])
        if still:
            await ComplianceFinding.update({ComplianceFinding.last_seen_at: at}).where(
                ComplianceFinding.id.is_in(still)
            )
        for key, row in stored.items():
            if key in seen or row["status"] == "resolved" or row["pack_id"] not in active_ids:
                continue
            if (row["subject_type"], row["subject_id"]) not in results:
                continue  # the subject was not evaluated (deleted records keep their history)
            await ComplianceFinding.update(
                {ComplianceFinding.status: "resolved", ComplianceFinding.resolved_at: at}
            ).where(ComplianceFinding.id == row["id"])
            summary.resolved += 1
            await audit.record(
                actor,
                "compliance.finding_resolved",
                "compliance_finding",
                row["id"],
                before={"status": row["status"]},
                after={"status": "resolved", "rule_id": row["rule_id"]},
            )
        if referral_ids is None and partner_ids is None:
            await ComplianceSettings.update({ComplianceSettings.last_evaluated_at: at}).where(
                ComplianceSettings.firm == actor.firm_id
            )
    summary.open = await ComplianceFinding.count().where(
        (ComplianceFinding.firm == actor.firm_id) & (ComplianceFinding.status == "open")
    )
    return summary


#: referral id -> its partner's id, from the latest documents built (for the partner column).
_partners: dict[int, int | None] = {}


def _unchanged(row: dict, values: dict) -> bool:
    facts = row["facts"]
    if isinstance(facts, str):
        import json

        facts = json.loads(facts or "{}")
    return all(row[k] == v for k, v in values.items() if k != "facts") and facts == values["facts"]


def _partner_of(finding: Finding, subject_type: str, subject_id: int) -> int | None:
    return subject_id if subject_type == "partner" else _partners.get(subject_id)


def _values(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "pack_id": finding.pack_id,
        "pack_version": finding.pack_version,
        "severity": finding.severity,
        "rule_subject": finding.subject,
        "title": finding.title,
        "message": finding.message,
        "citation": finding.citation,
        "citation_url": finding.citation_url,
        "remediation": finding.remediation,
        "facts": {k: plain(v) for k, v in finding.facts.items()},
    }


def _audit_view(values: dict) -> dict:
    keys = (
        "rule_id",
        "pack_id",
        "pack_version",
        "severity",
        "subject_type",
        "subject_id",
        "message",
        "facts",
    )
    return {k: values[k] for k in keys if k in values}


async def evaluate_referrals_of_partner(actor: Actor, partner_id: int) -> EvaluationSummary:
    from rapport_core.tables import Referral

    ids = [
        r["id"]
        for r in await Referral.select(Referral.id).where(
            (Referral.firm == actor.firm_id) & (Referral.partner == partner_id)
        )
    ]
    return await evaluate(actor, referral_ids=ids, partner_ids=[partner_id])


# --------------------------------------------------------------------------- reading, waiving


def _row_out(row: dict) -> dict[str, Any]:
    out = dict(row)
    out.pop("firm", None)
    if isinstance(out.get("facts"), str):
        import json

        out["facts"] = json.loads(out["facts"] or "{}")
    return out


async def list_findings(
    actor: Actor,
    *,
    status: str | None = "open",
    severity: str | None = None,
    pack_id: str | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    referral_id: int | None = None,
    partner_id: int | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    query = ComplianceFinding.select().where(ComplianceFinding.firm == actor.firm_id)
    if status:
        if status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}", field="status")
        query = query.where(ComplianceFinding.status == status)
    if severity:
        query = query.where(ComplianceFinding.severity == severity)
    if pack_id:
        query = query.where(ComplianceFinding.pack_id == pack_id)
    if subject_type:
        query = query.where(ComplianceFinding.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(ComplianceFinding.subject_id == subject_id)
    if referral_id is not None:
        query = query.where(ComplianceFinding.referral_id == referral_id)
    if partner_id is not None:
        query = query.where(ComplianceFinding.partner_id == partner_id)
    rows = await query.order_by(ComplianceFinding.id, ascending=False).limit(limit)
    order = {"violation": 0, "warning": 1, "info": 2}
    return sorted(
        (_row_out(r) for r in rows), key=lambda r: (order.get(r["severity"], 9), -r["id"])
    )


async def get_finding(actor: Actor, finding_id: int) -> dict[str, Any]:
    row = (
        await ComplianceFinding.select()
        .where((ComplianceFinding.id == finding_id) & (ComplianceFinding.firm == actor.firm_id))
        .first()
    )
    if row is None:
        raise NotFound(f"no finding {finding_id}")
    return _row_out(row)


async def waive(actor: Actor, finding_id: int, reason: str) -> dict[str, Any]:
    """A ``compliance`` user waives an open finding with a reason (audited); it stays waived
    while the rule keeps firing."""
    before = await get_finding(actor, finding_id)  # another firm's id: 404 first
    if actor.role is not Role.compliance:
        raise Forbidden("only a compliance user may waive a finding")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("a waiver needs a reason", field="reason")
    if before["status"] != "open":
        raise Invalid(
            f"finding {finding_id} is {before['status']}: only an open finding can be waived",
            field="status",
        )
    at = now()
    async with transaction():
        await ComplianceFinding.update(
            {
                ComplianceFinding.status: "waived",
                ComplianceFinding.waived_by: actor.label,
                ComplianceFinding.waived_at: at,
                ComplianceFinding.waive_reason: reason,
            }
        ).where((ComplianceFinding.id == finding_id) & (ComplianceFinding.firm == actor.firm_id))
        await audit.record(
            actor,
            "compliance.finding_waived",
            "compliance_finding",
            finding_id,
            before={"status": "open"},
            after={"status": "waived", "reason": reason, "rule_id": before["rule_id"]},
        )
    return await get_finding(actor, finding_id)


async def open_counts(actor: Actor) -> dict[str, int]:
    rows = await ComplianceFinding.select(ComplianceFinding.severity).where(
        (ComplianceFinding.firm == actor.firm_id) & (ComplianceFinding.status == "open")
    )
    counts = {"violation": 0, "warning": 0, "info": 0}
    for row in rows:
        counts[row["severity"]] = counts.get(row["severity"], 0) + 1
    return counts
