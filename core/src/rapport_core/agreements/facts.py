"""The ``agreement:`` part of a referral's fact document (/work/shared/design/facts.md),
for the compliance engine. A kind with nothing signed on file is ``None``: never guessed."""

from __future__ import annotations

import datetime as dt

from rapport_core.actors import Actor
from rapport_core.agreements.schemas import AgreementKind, AgreementStatus
from rapport_core.agreements.tables import Agreement, AgreementVersion
from rapport_core.errors import NotFound
from rapport_core.tables import Referral

#: Agreements that speak for the referral: signed ones still in force or lapsed (rules
#: judge the dates), not drafts, revoked or superseded ones.
_IN_FORCE = (AgreementStatus.active.value,)


_KINDS = (
    AgreementKind.fee_sharing,
    AgreementKind.client_consent,
    AgreementKind.solicitation,
    AgreementKind.disclosure_delivered,
    AgreementKind.reciprocal,
)
_NONE = {"fee_sharing": None, "client_consent": None, "solicitation": None, "reciprocal": None}


async def _signed(firm_id: int, partners: list[int]) -> dict[tuple[int, str], list[dict]]:
    """The current versions of the partners' signed agreements in force, newest first, by
    (partner, kind): a query per table for any number of partners (no joins: Piccolo's
    join columns cost more to build than the query takes to run)."""
    agreements = {
        a["id"]: a
        for a in await Agreement.select(
            Agreement.id,
            Agreement.partner,
            Agreement.kind,
            Agreement.referral,
            Agreement.latest_version,
        ).where(
            (Agreement.firm == firm_id)
            & Agreement.partner.is_in(partners or [0])
            & Agreement.kind.is_in([k.value for k in _KINDS])
            & Agreement.status.is_in(list(_IN_FORCE))
        )
    }
    if not agreements:
        return {}
    versions = await (
        AgreementVersion.select(
            AgreementVersion.agreement,
            AgreementVersion.number,
            AgreementVersion.written,
            AgreementVersion.signed_on,
            AgreementVersion.expires_on,
            AgreementVersion.discloses_share,
            AgreementVersion.discloses_division,
            AgreementVersion.disclosure_delivered,
            AgreementVersion.exclusive,
            AgreementVersion.client_informed,
        )
        .where(
            (AgreementVersion.firm == firm_id) & AgreementVersion.agreement.is_in(list(agreements))
        )
        .order_by(AgreementVersion.uploaded_at, ascending=False)
    )
    out: dict[tuple[int, str], list[dict]] = {}
    for version in versions:
        agreement = agreements[version["agreement"]]
        if version["number"] == agreement["latest_version"]:
            row = {**version, "referral": agreement["referral"]}
            out.setdefault((agreement["partner"], agreement["kind"]), []).append(row)
    return out


def _latest(current: list[dict], referral_id: int) -> dict | None:
    """The newest signed agreement of a kind: the referral's own first, else the partner's."""
    own = [r for r in current if r["referral"] == referral_id]
    general = [r for r in current if r["referral"] is None]
    return (own or general or [None])[0]


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


async def agreement_facts(actor: Actor, referral_id: int) -> dict:
    referral = (
        await Referral.select(Referral.partner)
        .where(Referral.id == referral_id, Referral.firm == actor.firm_id)
        .first()
    )
    if referral is None:
        raise NotFound(f"referral {referral_id} not found", field="referral_id")
    facts = await agreement_facts_many(actor.firm_id, {referral_id: referral["partner"]})
    return facts[referral_id]


async def agreement_facts_many(firm_id: int, partner_of: dict[int, int | None]) -> dict[int, dict]:
    """The ``agreement:`` facts of many referrals (``{referral id: its partner id}``) at once."""
    signed = await _signed(firm_id, sorted({p for p in partner_of.values() if p}))
    return {
        referral_id: _facts(
            *(_latest(signed.get((partner, kind.value), []), referral_id) for kind in _KINDS)
        )
        if partner
        else dict(_NONE)
        for referral_id, partner in partner_of.items()
    }


def _facts(fee, consent, solicitation, disclosure, reciprocal) -> dict:
    delivered = None
    if solicitation and solicitation["disclosure_delivered"] is not None:
        delivered = solicitation["disclosure_delivered"]
    if disclosure is not None:
        delivered = True
    return {
        "fee_sharing": fee
        and {
            "written": fee["written"],
            "signed_on": _day(fee["signed_on"]),
            "expires_on": _day(fee["expires_on"]),
        },
        "client_consent": consent
        and {
            "written": consent["written"],
            "obtained_on": _day(consent["signed_on"]),
            "discloses_share": consent["discloses_share"],
            "discloses_division": consent["discloses_division"],
        },
        "solicitation": (solicitation or disclosure)
        and {
            "written": solicitation["written"] if solicitation else None,
            "disclosure_delivered": delivered,
            "expires_on": _day(solicitation["expires_on"]) if solicitation else None,
        },
        "reciprocal": reciprocal
        and {
            "exclusive": reciprocal["exclusive"],
            "client_informed": reciprocal["client_informed"],
        },
    }
