"""The money domains' facts, read in bulk for many referrals at once (a query or two per
domain, whatever the number of referrals): ``fee`` and
``payments`` (fee arrangements and payouts), ``agreement`` (agreement documents),
``partner.w9_on_file`` and the amounts paid to each partner (W-9s and payouts).

Only recorded values become facts: what the money records do not say (a division's total
fee being reasonable, a contingent fee …) stays absent, so no rule fires on a guess."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any


def _dollars(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def _share(parameters: dict) -> Decimal | None:
    percent = parameters.get("share_percent", parameters.get("percent"))
    return None if percent is None else Decimal(str(percent)) / 100


async def money_facts(
    firm_id: int, rows: dict[int, dict], partner_ids: list[int], as_of: dt.date
) -> dict:
    from rapport_core.money.tables import FeeArrangement, FeeArrangementVersion, Payout

    referrals = list(rows.values())
    partner_of = {r["id"]: r["partner"] for r in referrals}
    partners = sorted({p for p in partner_of.values() if p} | set(partner_ids))
    arrangements = await FeeArrangement.select().where(
        (FeeArrangement.firm == firm_id) & FeeArrangement.partner.is_in(partners or [0])
    )
    versions: dict[int, list[dict]] = {}
    for v in await FeeArrangementVersion.select().where(
        (FeeArrangementVersion.firm == firm_id)
        & FeeArrangementVersion.arrangement.is_in([a["id"] for a in arrangements] or [0])
    ):
        versions.setdefault(v["arrangement"], []).append(v)
    payouts = await Payout.select().where(
        (Payout.firm == firm_id) & Payout.partner.is_in(partners or [0])
    )
    # A reversed payout and its reversal cancel out; a void one never counted.
    reversed_ids = {p["reverses"] for p in payouts if p["reverses"]}
    live = [
        p
        for p in payouts
        if p["status"] != "void" and not p["reverses"] and p["id"] not in reversed_ids
    ]
    paid = [p for p in live if p["paid_on"] is not None]

    def paid_between(partner: int, start: dt.date, end: dt.date) -> Decimal:
        cents = sum(
            p["amount_cents"]
            for p in paid
            if p["partner"] == partner and start < p["paid_on"] <= end
        )
        return _dollars(cents)

    def terms_on(partner: int, referral: int, on: dt.date) -> tuple[dict, dict] | None:
        own = [a for a in arrangements if a["referral"] == referral]
        default = [a for a in arrangements if a["partner"] == partner and a["referral"] is None]
        for group in (own, default):
            for arrangement in group:
                for version in sorted(
                    versions.get(arrangement["id"], []),
                    key=lambda v: v["effective_from"],
                    reverse=True,
                ):
                    if version["effective_from"] <= on and (
                        version["effective_until"] is None or on < version["effective_until"]
                    ):
                        return arrangement, version
        return None

    out: dict[str, dict[int, dict]] = {"referrals": {}, "partners": {}}
    year_start = dt.date(as_of.year, 1, 1) - dt.timedelta(days=1)
    for r in referrals:
        partner = r["partner"]
        if partner is None:
            continue
        on = r["referred_at"].date() if isinstance(r["referred_at"], dt.datetime) else as_of
        found = terms_on(partner, r["id"], on)
        mine = [p for p in live if p["referral"] == r["id"]]
        facts: dict[str, Any] = {}
        if found:
            arrangement, version = found
            parameters = version["parameters"]  # JSON text on both databases, or already parsed
            parameters = json.loads(parameters) if isinstance(parameters, str) else parameters or {}
            fee: dict[str, Any] = {
                "kind": version["kind"],
                "payer": "firm" if arrangement["direction"] == "pay" else "partner",
                "referring_share": _share(parameters),
                "trailing_12m_to_partner": paid_between(
                    partner, as_of - dt.timedelta(days=365), as_of
                ),
            }
            if parameters.get("basis") in ("proportional", "joint_responsibility"):
                fee["basis"] = parameters["basis"]
            if mine:
                fee["amount"] = _dollars(sum(p["amount_cents"] for p in mine))
            facts["fee"] = fee
        facts["payments"] = [
            {"date": p["paid_on"], "amount": _dollars(p["amount_cents"]), "to": "partner"}
            for p in sorted(mine, key=lambda p: p["paid_on"] or dt.date.max)
            if p["paid_on"] is not None
        ]
        out["referrals"][r["id"]] = facts
    for partner in partners:
        out["partners"][partner] = {
            "tax_year_paid_to_partner": paid_between(partner, year_start, as_of)
        }
    return out


async def agreement_facts(
    firm_id: int, rows: dict[int, dict], partner_ids: list[int], as_of: dt.date
) -> dict:
    from rapport_core.agreements.facts import agreement_facts_many

    facts = await agreement_facts_many(firm_id, {rid: r["partner"] for rid, r in rows.items()})
    return {"referrals": {rid: {"agreement": agreement} for rid, agreement in facts.items()}}


async def w9_facts(
    firm_id: int, rows: dict[int, dict], partner_ids: list[int], as_of: dt.date
) -> dict:
    from rapport_core.tax.tables import W9

    partners = set(partner_ids) | {r["partner"] for r in rows.values() if r["partner"]}
    on_file = {
        r["partner"]
        for r in await W9.select(W9.partner).where(
            (W9.firm == firm_id)
            & W9.partner.is_in(sorted(partners) or [0])
            & W9.superseded_at.is_null()
        )
    }
    return {"partners": {p: {"partner": {"w9_on_file": p in on_file}} for p in partners}}


def installed_contributors() -> list:
    """The contributors whose domain is installed (each money domain is its own package).
    They take the referral rows the fact builder has read (``{id: {id, partner,
    referred_at}}``) rather than ids, so no domain reads the referrals again."""
    import importlib.util

    out = []
    for module, contributor in (
        ("rapport_core.money.tables", money_facts),
        ("rapport_core.agreements.facts", agreement_facts),
        ("rapport_core.tax.tables", w9_facts),
    ):
        if importlib.util.find_spec(module) is not None:
            out.append(contributor)
    return out
