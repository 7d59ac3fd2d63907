"""The ``agreement:`` part of a referral's fact document (/work/shared/design/facts.md),
for the compliance engine. A kind with nothing signed on file is ``None``: never guessed."""

from __future__ import annotations

import datetime as dt

from rapport_core.actors import Actor
from rapport_core.agreements.schemas import AgreementKind, AgreementStatus
from rapport_core.agreements.tables import AgreementVersion
from rapport_core.errors import NotFound
from rapport_core.tables import Referral

#: Agreements that speak for the referral: signed ones still in force or lapsed (rules
#: judge the dates), not drafts, revoked or superseded ones.
_IN_FORCE = (AgreementStatus.active.value,)


async def _latest(
    actor: Actor, kind: AgreementKind, partner_id: int, referral_id: int
) -> dict | None:
    """The newest signed agreement of ``kind``: the referral's own first, else the partner's."""
    rows = await (
        AgreementVersion.select(
            AgreementVersion.all_columns(),
            AgreementVersion.agreement.referral.as_alias("referral"),
            AgreementVersion.agreement.latest_version.as_alias("latest_version"),
        )
        .where(
            AgreementVersion.firm == actor.firm_id,
            AgreementVersion.agreement.partner == partner_id,
            AgreementVersion.agreement.kind == kind.value,
            AgreementVersion.agreement.status.is_in(list(_IN_FORCE)),
        )
        .order_by(AgreementVersion.uploaded_at, ascending=False)
    )
    current = [r for r in rows if r["number"] == r["latest_version"]]
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
    partner = referral["partner"]
    if partner is None:
        return {
            "fee_sharing": None,
            "client_consent": None,
            "solicitation": None,
            "reciprocal": None,
        }
    fee = await _latest(actor, AgreementKind.fee_sharing, partner, referral_id)
    consent = await _latest(actor, AgreementKind.client_consent, partner, referral_id)
    solicitation = await _latest(actor, AgreementKind.solicitation, partner, referral_id)
    disclosure = await _latest(actor, AgreementKind.disclosure_delivered, partner, referral_id)
    reciprocal = await _latest(actor, AgreementKind.reciprocal, partner, referral_id)
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
