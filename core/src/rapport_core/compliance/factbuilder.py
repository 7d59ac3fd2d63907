"""Fact documents from the database: one per referral, one per partner (licence and W-9
rules). Every fact comes from a recorded value; what is not recorded stays absent. The firm's
registration is a firm setting (``compliance.registration``); the partner's and the
referral's compliance facts are columns of their own.

The money domains (fees, agreements, payments, W-9s) add their parts through
:data:`CONTRIBUTORS`: async functions ``(firm_id, referral_ids, partner_ids, as_of)`` that
return ``{"referrals": {id: {...facts}}, "partners": {id: {...facts}}}`` merged into the
documents. docs/facts.md says where each fact comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from rapport_core.clock import as_utc
from rapport_core.tables import Firm, Licence, Partner, Referral

Contributor = Callable[[int, list[int], list[int], dt.date], Awaitable[dict[str, dict[int, dict]]]]
CONTRIBUTORS: list[Contributor] = []

#: Partner tags that record facts rules read.
SAME_FIRM_TAG = "same-firm"
#: Referral columns that are facts of the same name (null: not recorded, so absent).
REFERRAL_FACTS = (
    Referral.client_is_attest_client,
    Referral.settlement_service,
    Referral.federally_related_loan,
)


def state(code: str | None) -> str | None:
    """``CA`` or ``US-CA`` as ``US-CA``; blank as None."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return code if code.startswith("US") else f"US-{code}"


def _licence(licences: list[dict], jurisdiction: str | None) -> dict | None:
    """The licence for the matter's jurisdiction, else the one that expires last."""
    if not licences:
        return None
    matching = [lic for lic in licences if state(lic["jurisdiction"]) == jurisdiction]
    pool = matching or licences
    best = max(pool, key=lambda lic: (lic["expires_on"] or dt.date.max, lic["id"]))
    return {
        "status": best["status"],
        "jurisdiction": state(best["jurisdiction"]),
        "expires_on": best["expires_on"],
        "kind": best["kind"],
    }


def _partner_facts(partner: dict, licences: list[dict], jurisdiction: str | None) -> dict[str, Any]:
    return {
        "id": partner["id"],
        "name": partner["name"],
        "profession": partner["profession"],
        "jurisdiction": state(partner["state"]),
        "same_firm": SAME_FIRM_TAG in (partner["tags"] or []),
        "licence": _licence(licences, jurisdiction),
        "registration": partner["registration"],
    }


def _merge(document: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(document.get(key), dict):
            _merge(document[key], value)
        else:
            document[key] = value


async def build_documents(
    firm_id: int,
    as_of: dt.date,
    *,
    referral_ids: list[int] | None = None,
    partner_ids: list[int] | None = None,
) -> tuple[dict[int, dict], dict[int, dict]]:
    """``({referral_id: document}, {partner_id: document})`` for the firm. With ids given,
    only those (a partner's change re-evaluates its referrals too: the caller passes them)."""
    from rapport_core.services.firm_settings import firm_settings

    firm = await Firm.select().where(Firm.id == firm_id).first()
    registration = (await firm_settings(firm_id)).compliance.registration
    profession = (firm["professions"] or ["other"])[0]
    firm_state = state((firm["jurisdictions"] or [None])[0])
    referral_query = Referral.select(
        Referral.id,
        Referral.direction,
        Referral.partner,
        Referral.referred_at,
        Referral.stage,
        Referral.matter_type,
        Referral.jurisdiction,
        *REFERRAL_FACTS,
    ).where(Referral.firm == firm_id)
    if referral_ids is not None:
        referral_query = referral_query.where(Referral.id.is_in(referral_ids or [0]))
    referrals = await referral_query if referral_ids != [] else []
    wanted_partners = set(partner_ids or []) | {r["partner"] for r in referrals if r["partner"]}
    partner_query = Partner.select(
        Partner.id,
        Partner.name,
        Partner.profession,
        Partner.state,
        Partner.tags,
        Partner.registration,
    ).where(Partner.firm == firm_id)
    licence_query = Licence.select().where(Licence.firm == firm_id)
    if referral_ids is not None or partner_ids is not None:
        partner_query = partner_query.where(Partner.id.is_in(sorted(wanted_partners) or [0]))
        licence_query = licence_query.where(Licence.partner.is_in(sorted(wanted_partners) or [0]))
    partners = {p["id"]: p for p in await partner_query}
    licences: dict[int, list[dict]] = {}
    for lic in await licence_query:
        licences.setdefault(lic["partner"], []).append(lic)
    base_firm = {
        "name": firm["name"],
        "profession": profession,
        "registration": registration and registration.value,
    }
    referral_docs: dict[int, dict] = {}
    for r in referrals:
        jurisdiction = state(r["jurisdiction"]) or firm_state
        partner = partners.get(r["partner"])
        referral_docs[r["id"]] = {
            "as_of": as_of,
            "firm": {**base_firm, "jurisdiction": jurisdiction},
            "partner": _partner_facts(partner, licences.get(partner["id"], []), jurisdiction)
            if partner
            else None,
            "referral": {
                "id": r["id"],
                "direction": r["direction"],
                "date": as_utc(r["referred_at"]).date(),
                "stage": r["stage"],
                "matter_type": r["matter_type"] or None,
                **{column._meta.name: r[column._meta.name] for column in REFERRAL_FACTS},
            },
        }
    chosen = (
        partners if partner_ids is None else {i: partners[i] for i in partner_ids if i in partners}
    )
    partner_docs = {
        pid: {
            "as_of": as_of,
            "firm": {**base_firm, "jurisdiction": firm_state},
            "partner": _partner_facts(p, licences.get(pid, []), state(p["state"]) or firm_state),
        }
        for pid, p in chosen.items()
    }
    from rapport_core.compliance.money_facts import installed_contributors

    # The built-in domains take the referral rows read above; plugins take their ids.
    rows = {r["id"]: r for r in referrals}
    for contribute, given in [
        *((c, rows) for c in installed_contributors()),
        *((c, list(referral_docs)) for c in CONTRIBUTORS),
    ]:
        extra = await contribute(firm_id, given, list(partner_docs), as_of)
        for rid, facts in (extra.get("referrals") or {}).items():
            if rid in referral_docs:
                _merge(referral_docs[rid], facts)
        for pid, facts in (extra.get("partners") or {}).items():
            if pid in partner_docs:
                _merge(partner_docs[pid], facts)
            for doc in referral_docs.values():
                if doc["partner"] and doc["partner"]["id"] == pid:
                    _merge(doc, facts)
    return referral_docs, partner_docs
